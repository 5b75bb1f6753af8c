"""The SVG drawing of a workflow chart: shapes by step type, connectors with 是/否, escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from duties.flowchart import render_svg, wrap
from duties.services import StepRow
from duties.tests.factories import steps_simple

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def test_shapes_and_connectors():
    svg = str(render_svg(steps_simple(), title="用印审批流程"))
    root = parse(svg)
    assert root.tag == f"{NS}svg" and root.get("aria-label") == "用印审批流程"
    shapes = {
        el.get("data-step"): (el.tag.removeprefix(NS), el.get("data-kind")) for el in root.iter() if el.get("data-step")
    }
    assert shapes == {
        "1": ("rect", "start"),
        "2": ("polygon", "decision"),
        "3": ("rect", "process"),
        "4": ("rect", "process"),
        "5": ("rect", "end"),
    }
    # Start and end are rounded; other boxes square-ish.
    rects = {el.get("data-step"): float(el.get("rx")) for el in root.iter(f"{NS}rect")}
    assert rects["1"] > 10 and rects["5"] > 10 and rects["3"] <= 4
    # 2 → 4 (是) and 2 → 3 (否) and the loop back 3 → 1: elbow paths beside the column.
    edges = {el.get("data-edge"): el for el in root.iter(f"{NS}path") if el.get("data-edge")}
    assert set(edges) == {"2-4", "2-3", "3-1"}
    assert edges["2-3"].get("stroke") == "#c62828"  # 否 in red
    # 1 → 2 and 4 → 5 straight down; 2 has no straight line to 3 (its 是 skips to 4), 3 none (it jumps).
    lines = [el for el in root.iter(f"{NS}line")]
    assert len(lines) == 2
    labels = [t.text for t in root.iter(f"{NS}text") if t.text in ("是", "否")]
    assert sorted(labels) == ["否", "是"]
    texts = "".join(t.text or "" for t in root.iter(f"{NS}tspan"))
    assert "材料是否齐全" in texts and "（分管领导）" in texts
    # Lanes: the left one (forward jump) and two on the right (否, back) fit inside the drawing.
    width = float(root.get("width"))
    for el in edges.values():
        xs = [float(x) for x in re.findall(r"[MH](\d+)", el.get("d"))]
        assert all(0 < x < width for x in xs)


def test_text_is_escaped_and_wrapped():
    steps = [
        StepRow(1, '<script>alert("x")</script>', "start"),
        StepRow(2, "对申请材料进行逐项审核并在规定时限内提出明确的审核意见报送科室负责人", "process", "受理岗"),
        StepRow(3, "结束", "end"),
    ]
    svg = str(render_svg(steps))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    box = next(el for el in root.iter(f"{NS}rect") if el.get("data-step") == "2")
    assert float(box.get("height")) > 60  # three lines and the post
    assert wrap("一二三四五六七八九十", 4) == ["一二三四", "五六七八", "九十"]
    assert wrap("abcdefgh", 2) == ["abc", "def", "gh"]  # Latin letters count about half


def test_empty_chart():
    assert "还没有步骤" in str(render_svg([]))
