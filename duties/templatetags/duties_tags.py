"""Small template helpers of the responsibility pages."""

from django import template

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
