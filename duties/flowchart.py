"""Draw a workflow chart (工作流程图) as SVG from its steps — no drawing library, printable.

Steps stand in one column in the order of their numbers. Start and end are rounded boxes, 判断 a
diamond, other steps rectangles, each with the acting post underneath. After a step comes the next
one; a step's “是” target (if it is not simply the next step) and a 判断's “否” target are drawn as
elbow connectors in lanes beside the column: jumps forward on the left, “否” and jumps back on the
right, one lane each so that lines never overlap. The SVG scales to the page width when printed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from duties.models import StepKind

BOX_W = 240
CHARS = 15  # CJK characters per line in a box
DIAMOND_CHARS = 9
LINE_H = 18
GAP = 40
LANE = 18
MARGIN = 24
FONT = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC",sans-serif'


@dataclass
class _Box:
    step: object
    lines: list[str]
    top: float = 0
    height: float = 0

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def middle(self) -> float:
        return self.top + self.height / 2

    @property
    def is_decision(self) -> bool:
        return self.step.kind == StepKind.DECISION


def wrap(text: str, width: int) -> list[str]:
    """Break text into lines of about `width` characters (Latin letters count half)."""
    lines, current, size = [], "", 0.0
    for ch in text:
        w = 0.55 if ord(ch) < 128 else 1.0
        if size + w > width and current:
            lines.append(current)
            current, size = "", 0.0
        current += ch
        size += w
    if current:
        lines.append(current)
    return lines or [""]


def _layout(steps) -> list[_Box]:
    boxes = []
    y = MARGIN
    for step in steps:
        decision = step.kind == StepKind.DECISION
        lines = wrap(step.text, DIAMOND_CHARS if decision else CHARS)
        text_h = LINE_H * len(lines)
        height = max(76, text_h + 44) if decision else text_h + (36 if step.actor else 22)
        box = _Box(step, lines, y, height)
        boxes.append(box)
        y += height + GAP + (16 if decision and step.actor else 0)
    return boxes


def _text_lines(lines: list[str], cx: float, first_y: float, *, size: int = 14, fill: str = "#222") -> str:
    spans = "".join(
        f'<tspan x="{cx:.0f}" y="{first_y + i * LINE_H:.0f}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    return f'<text text-anchor="middle" font-size="{size}" fill="{fill}">{spans}</text>'


def render_svg(steps, *, title: str = "") -> SafeString:
    """The chart of `steps` (objects with number, kind, text, actor, yes_to, no_to) as inline SVG."""
    steps = sorted(steps, key=lambda s: s.number)
    if not steps:
        return mark_safe('<p class="text-muted">该流程图还没有步骤。</p>')  # noqa: S308 - constant text
    boxes = _layout(steps)
    index = {b.step.number: i for i, b in enumerate(boxes)}

    # Edges: (from index, to index, label, side)
    edges: list[tuple[int, int, str, str]] = []
    for i, b in enumerate(boxes):
        s = b.step
        nxt = i + 1 if i + 1 < len(boxes) else None
        if s.kind == StepKind.END:
            continue
        target = index.get(s.yes_to) if s.yes_to is not None else nxt
        label = "是" if b.is_decision else ""
        if target is not None:
            if target == nxt:
                edges.append((i, target, label, "down"))
            else:
                edges.append((i, target, label, "left" if target > i else "right"))
        if b.is_decision and s.no_to is not None and s.no_to in index:
            edges.append((i, index[s.no_to], "否", "right"))
    left_lanes = sum(1 for e in edges if e[3] == "left")
    right_lanes = sum(1 for e in edges if e[3] == "right")
    left_space = MARGIN + LANE * (left_lanes + 1) + (12 if left_lanes else 0)
    cx = left_space + BOX_W / 2
    width = left_space + BOX_W + LANE * (right_lanes + 1) + MARGIN + (12 if right_lanes else 0)
    height = boxes[-1].bottom + MARGIN + (16 if boxes[-1].step.actor else 0)

    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pb-flowchart" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(title or "工作流程图")}" '
        f"font-family='{FONT}'>",
        '<defs><marker id="pb-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")

    # Boxes
    half = BOX_W / 2
    for b in boxes:
        s = b.step
        kind = s.kind
        attrs = f'data-step="{s.number}" data-kind="{kind}"'
        if kind == StepKind.DECISION:
            pts = f"{cx:.0f},{b.top:.0f} {cx + half:.0f},{b.middle:.0f} {cx:.0f},{b.bottom:.0f} {cx - half:.0f},{b.middle:.0f}"
            parts.append(f'<polygon {attrs} points="{pts}" fill="#fff8e1" stroke="#b58900" stroke-width="1.5"/>')
            first = b.middle - (len(b.lines) - 1) * LINE_H / 2 + 5
        else:
            rx = b.height / 2 if kind in (StepKind.START, StepKind.END) else 4
            fill, stroke = ("#fdf3f3", "#c8161d") if kind in (StepKind.START, StepKind.END) else ("#ffffff", "#555")
            parts.append(
                f'<rect {attrs} x="{cx - half:.0f}" y="{b.top:.0f}" width="{BOX_W}" height="{b.height:.0f}" '
                f'rx="{min(rx, 22):.0f}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
            )
            first = b.top + 20
        parts.append(_text_lines(b.lines, cx, first))
        number = f'<text x="{cx - half + 6:.0f}" y="{b.top + 13:.0f}" font-size="11" fill="#888">{s.number}</text>'
        if kind != StepKind.DECISION:
            parts.append(number)
        if s.actor:
            actor_y = b.bottom + 14 if kind == StepKind.DECISION else b.bottom - 8
            parts.append(_text_lines([f"（{s.actor}）"], cx, actor_y, size=12, fill="#666"))

    # Edges
    left_used = right_used = 0
    for src, dst, label, side in edges:
        a, b = boxes[src], boxes[dst]
        if side == "down":
            y1 = a.bottom + (16 if a.is_decision and a.step.actor else 0)
            parts.append(
                f'<line x1="{cx:.0f}" y1="{y1:.0f}" x2="{cx:.0f}" y2="{b.top:.0f}" stroke="#555" '
                'stroke-width="1.5" marker-end="url(#pb-arrow)"/>'
            )
            if label:
                parts.append(f'<text x="{cx + 6:.0f}" y="{y1 + 16:.0f}" font-size="12" fill="#2e7d32">{label}</text>')
            continue
        if side == "left":
            left_used += 1
            lane_x = cx - half - 12 - LANE * left_used
            sx = cx - half
        else:
            right_used += 1
            lane_x = cx + half + 12 + LANE * right_used
            sx = cx + half
        ex = cx - half if side == "left" else cx + half
        d = f"M{sx:.0f},{a.middle:.0f} H{lane_x:.0f} V{b.middle:.0f} H{ex:.0f}"
        color = "#c62828" if label == "否" else "#555"
        parts.append(
            f'<path d="{d}" fill="none" stroke="{color}" stroke-width="1.5" marker-end="url(#pb-arrow)" '
            f'data-edge="{a.step.number}-{b.step.number}"/>'
        )
        if label:
            lx = sx + (6 if side == "right" else -16)
            parts.append(
                f'<text x="{lx:.0f}" y="{a.middle - 6:.0f}" font-size="12" '
                f'fill="{"#c62828" if label == "否" else "#2e7d32"}">{label}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
