"""Stars and changes as people read them: ★★★★☆ 四星, ↑ 晋位升级 — always with text, not colour alone."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from assessment.models import stars_label

register = template.Library()


@register.filter
def stars(n):
    if not n:
        return mark_safe('<span class="text-muted">—</span>')  # noqa: S308 - a constant
    n = int(n)
    return format_html(
        '<span class="pb-stars text-nowrap" title="{}"><span class="pb-star-on" aria-hidden="true">{}</span>'
        '<span class="pb-star-off" aria-hidden="true">{}</span> <span class="small">{}</span></span>',
        stars_label(n),
        "★" * n,
        "☆" * (5 - n),
        stars_label(n),
    )


@register.filter
def change_badge(rating):
    change = rating.change
    if change == "up":
        return mark_safe('<span class="badge text-bg-success" data-change="up">↑ 晋位升级</span>')  # noqa: S308 - a constant
    if change == "down":
        return mark_safe('<span class="badge badge-overdue" data-change="down">↓ 降级</span>')  # noqa: S308 - a constant
    if change == "same":
        return mark_safe('<span class="badge text-bg-light border" data-change="same">持平</span>')  # noqa: S308 - a constant
    if change == "new":
        return mark_safe('<span class="badge text-bg-light border" data-change="new">首次评定</span>')  # noqa: S308 - a constant
    return mark_safe('<span class="text-muted">—</span>')  # noqa: S308 - a constant


@register.filter
def score(value):
    """18.50 -> 18.5; None -> —."""
    if value in (None, ""):
        return "—"
    text = f"{value}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
