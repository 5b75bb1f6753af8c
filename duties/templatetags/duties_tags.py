"""Small template helpers of the responsibility pages."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ dict|get_item:key }}"""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def split_words(value):
    """ "a b c"|split_words -> ["a", "b", "c"]"""
    return str(value).split()


@register.simple_tag
def slot_badge(slot):
    """One period of an item's fulfilment (a link to what covers it, or why it is open or missing).
    A tag rather than an included template: a page shows up to 300 of them."""
    derived = slot.derived
    if derived and derived.value > 0:
        return format_html(
            '<a class="pb-slot pb-slot-done" href="{}" title="自动取数：{}{}，点击查看记录">{} ✓ {}{}</a>',
            derived.url,
            derived.value,
            derived.unit,
            slot.label,
            derived.value,
            derived.unit,
        )
    if slot.entered:
        first = slot.entered[0]
        count = f"{len(slot.entered)}份" if len(slot.entered) > 1 else ""
        return format_html(
            '<a class="pb-slot pb-slot-done" href="{}" title="{}">{} ✓ 佐证{}</a>',
            reverse("duties:record_detail", args=["evidence", first.pk]),
            Truncator(first.note).chars(80),
            slot.label,
            count,
        )
    if slot.due:
        return format_html(
            '<span class="pb-slot pb-slot-missing" title="已到期，缺少落实佐证">{} ✗ 缺佐证</span>', slot.label
        )
    return format_html('<span class="pb-slot pb-slot-open" title="尚未到期">{} ○ 未到期</span>', slot.label)
