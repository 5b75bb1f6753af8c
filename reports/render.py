"""A block's text with its figures: as HTML with links (screen) or as plain text (Word, Excel)."""

from __future__ import annotations

from string import Formatter

from django.core.exceptions import ValidationError
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

MAX_TEXT = 5000


def _parts(text: str):
    try:
        return list(Formatter().parse(text))
    except ValueError:
        return [(text, None, None, None)]


def plain(block: dict) -> str:
    figures = block.get("figures", {})
    out = []
    for literal, name, _spec, _conv in _parts(block.get("text", "")):
        out.append(literal)
        if name is not None:
            fig = figures.get(name)
            out.append(fig["display"] if fig else "")
    return "".join(out)


def figure_link(fig: dict) -> SafeString:
    count = fig.get("count")
    title = f"查看明细：共 {count:,} 条记录" if count is not None else "查看相关记录"
    return format_html(
        '<a class="pb-fig" href="{}" data-count="{}" title="{}">{}</a>',
        fig["url"],
        "" if count is None else count,
        title,
        fig["display"],
    )


def html(block: dict) -> SafeString:
    """The text with every figure a link to its records; line breaks kept."""
    figures = block.get("figures", {})
    out = []
    for literal, name, _spec, _conv in _parts(block.get("text", "")):
        out.append(escape(literal).replace("\n", "<br>"))
        if name is not None:
            fig = figures.get(name)
            out.append(figure_link(fig) if fig else "")
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped or built by format_html


def validate_text(text: str, figures: dict) -> str:
    """The user's text for a block: placeholders must name the block's figures; braces are only
    for placeholders ("{{" and "}}" stand for literal braces)."""
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"段落过长（{len(text)}字），请不超过{MAX_TEXT}字"})
    try:
        parsed = list(Formatter().parse(text))
    except ValueError:
        raise ValidationError(
            {"text": "大括号只用于插入数字，如“{party_building}”；请检查是否漏写或多写了大括号"}
        ) from None
    unknown = []
    for _literal, name, spec, conv in parsed:
        if name is None:
            continue
        if name not in figures or spec or conv:
            unknown.append("{" + name + ("!" + conv if conv else "") + (":" + spec if spec else "") + "}")
    if unknown:
        raise ValidationError(
            {"text": f"“{'、'.join(unknown)}”不是本段可用的数字，请从下方“可插入的数字”中选择，或删除该处"}
        )
    return text


def used_figures(text: str) -> set[str]:
    return {name for _l, name, _s, _c in _parts(text) if name is not None}
