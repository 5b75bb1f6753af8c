import datetime

from django import template
from django.utils.http import urlencode

register = template.Library()


@register.filter
def intcomma_cn(value):
    """Thousands separators: 12345 -> 12,345."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


@register.filter
def date_cn(value):
    """Prose dates: 2022年6月30日."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return value or ""


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (for pagination and sorting)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return urlencode(sorted((k, v) for k in query for v in query.getlist(k)))


@register.filter
def mask_id(value):
    """ID numbers in lists: 370602********1234."""
    from core.audit import mask_id_number

    return mask_id_number(value) or "—"
