"""`{% load core_attachments %}{% attachments_panel obj %}`: a record's attachments with upload.

Works without JavaScript (plain POST and redirect back) and with htmx (the panel swaps itself).
"""

from django import template

from core.attachments import panel_context

register = template.Library()


@register.inclusion_tag("core/attachments_panel.html", takes_context=True)
def attachments_panel(context, obj):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    next_url = request.get_full_path() if request is not None else ""
    return panel_context(user, obj, next_url=next_url, csrf_token=context.get("csrf_token"))
