"""Core pages: 工作台, search, notifications, rules, audit viewer, recycle bin, attachments."""

from __future__ import annotations

import datetime
import mimetypes

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core import attachments as attachment_services
from core import recyclebin
from core import rules as rule_services
from core.audit import registered_actions
from core.home import due_items_for
from core.models import Attachment, AuditEntry, Notification, Rule
from core.notifications import (
    inbox,
    notification_mark_read,
    notifications_mark_all_read,
    safe_relative_url,
)
from core.scope import ADMIN_ROLES, policy_for
from core.stats import home_figures
from core.system_forms import AttachmentForm, AuditFilterForm, RuleValueForm
from core.viewutils import apply_validation_error, paginate, require_roles

SYSTEM_CRUMB = ("系统管理", None)


@login_required
def home(request):
    today = timezone.localdate()
    due = due_items_for(request.user, today)
    recent = Notification.objects.filter(recipient=request.user)[:5]
    return render(
        request,
        "core/home.html",
        {
            "page_title": "工作台",
            "breadcrumbs": [],
            "due_items": due,
            "recent_notifications": recent,
            "figures": home_figures(request.user, today),
            "today": today,
        },
    )


@login_required
def search(request):
    from orgs.selectors import organizations_list, people_list

    q = request.GET.get("q", "").strip()
    people = people_list(request.user, q=q)[:50] if q else []
    orgs = organizations_list(request.user, q=q)[:20] if q else []
    return render(
        request,
        "core/search.html",
        {
            "page_title": "搜索",
            "breadcrumbs": [("搜索", None)],
            "search_query": q,
            "people": people,
            "orgs": orgs,
        },
    )


@login_required
def person_options(request):
    """Matches for a person picker (core.pickers): the source applies the user's scope."""
    from django.http import JsonResponse

    from core import pickers

    results = pickers.search_people(
        request.user, request.GET.get("source", ""), request.GET.get("q", ""), request.GET.get("org", "")
    )
    return JsonResponse({"results": results, "limit": pickers.RESULTS})


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# ---------------------------------------------------------------- notifications


@login_required
def notifications(request):
    page = paginate(request, inbox(request.user))
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(
        request,
        "core/notifications.html",
        {
            "page_title": "通知",
            "breadcrumbs": [("通知", None)],
            "page_obj": page,
            "unread": unread,
        },
    )


def _own_notification(request, pk) -> Notification:
    return get_object_or_404(Notification, pk=pk, recipient=request.user)


@login_required
def notification_open(request, pk):
    """Mark as read and follow the notification's link (relative links only: no open redirect)."""
    notification = _own_notification(request, pk)
    notification_mark_read(user=request.user, notification=notification)
    return redirect(safe_relative_url(notification.url) or reverse("core:notifications"))


@login_required
@require_POST
def notification_read(request, pk):
    notification = _own_notification(request, pk)
    notification_mark_read(user=request.user, notification=notification)
    if request.htmx:
        return render(request, "core/notification_item.html", {"n": notification})
    return redirect(_next_url(request, reverse("core:notifications")))


@login_required
@require_POST
def notifications_read_all(request):
    n = notifications_mark_all_read(user=request.user)
    messages.success(request, f"已将 {n} 条通知标为已读。" if n else "没有未读通知。")
    return redirect(_next_url(request, reverse("core:notifications")))


# ---------------------------------------------------------------- rules as data

RULES_CRUMB = ("规则配置", "/system/rules/")


@login_required
def rule_list(request):
    require_roles(request.user, *ADMIN_ROLES)
    year = timezone.localdate().year
    groups = []
    total = 0
    for category, codes in rule_services.rules_by_category():
        items = []
        for code, rows in codes:
            current = next((r for r in rows if r.year_from <= year), rows[-1])
            items.append(
                {
                    "code": code,
                    "current": current,
                    "value": rule_services.format_value(current.value, code),
                    "history": [(r, rule_services.format_value(r.value, code)) for r in rows],
                }
            )
        total += len(items)
        groups.append((category, items))
    return render(
        request,
        "core/rule_list.html",
        {
            "page_title": "规则配置",
            "breadcrumbs": [SYSTEM_CRUMB, ("规则配置", None)],
            "groups": groups,
            "year": year,
            "total": total,
        },
    )


@login_required
def rule_edit(request, code):
    require_roles(request.user, *ADMIN_ROLES)
    rows = list(Rule.objects.filter(code=code).order_by("-year_from"))
    if not rows:
        raise Http404("规则不存在")
    year = timezone.localdate().year
    current = next((r for r in rows if r.year_from <= year), rows[-1])
    kind = rule_services.expected_kind(code)
    form = RuleValueForm(
        request.POST or None,
        kind=kind,
        unit=current.unit,
        initial={"year": year, "value": rule_services.value_as_text(current.value, code)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            row = rule_services.rule_set_value(
                actor=request.user, code=code, year=form.cleaned_data["year"], value=form.cleaned_data["value"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                f"已保存：{row.name}自{row.year_from}年起为 {rule_services.format_value(row.value, code)}{row.unit}。",
            )
            return redirect("core:rule_list")
    return render(
        request,
        "core/rule_form.html",
        {
            "page_title": f"修改规则：{current.name}",
            "breadcrumbs": [SYSTEM_CRUMB, RULES_CRUMB, (current.name, None)],
            "form": form,
            "rule": current,
            "history": [(r, rule_services.format_value(r.value, code)) for r in rows],
            "year": year,
        },
    )


# ---------------------------------------------------------------- audit viewer


@login_required
def audit_list(request):
    scope = require_roles(request.user, *ADMIN_ROLES)
    form = AuditFilterForm(request.GET or None)
    qs = AuditEntry.objects.select_related("content_type", "organization")
    scope_q = scope.org_q("organization__path", ADMIN_ROLES)
    if scope_q is not None:
        qs = qs.filter(scope_q)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            text = data["actor"].strip()
            qs = qs.filter(Q(actor_name__icontains=text) | Q(actor__username__icontains=text))
        if data["content_type"]:
            qs = qs.filter(content_type_id=data["content_type"])
        if data["action"]:
            qs = qs.filter(action=data["action"])
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            qs = qs.filter(at__gte=datetime.datetime.combine(data["date_from"], datetime.time.min, tzinfo=tz))
        if data["date_to"]:
            end = data["date_to"] + datetime.timedelta(days=1)
            qs = qs.filter(at__lt=datetime.datetime.combine(end, datetime.time.min, tzinfo=tz))
    elif form.is_bound:
        qs = qs.none()
    page = paginate(request, qs, 50)
    labels = registered_actions()
    return render(
        request,
        "core/audit_list.html",
        {
            "page_title": "审计日志",
            "breadcrumbs": [SYSTEM_CRUMB, ("审计日志", None)],
            "form": form,
            "page_obj": page,
            "entries": [(e, labels.get(e.action, e.action)) for e in page.object_list],
            "is_sysadmin": scope.is_sysadmin,
        },
    )


# ---------------------------------------------------------------- recycle bin


@login_required
def recycle_bin(request):
    require_roles(request.user, *ADMIN_ROLES)
    entries = recyclebin.registered_recyclables()
    if not entries:
        raise Http404("回收站未启用")
    entry = recyclebin.recyclable(request.GET.get("type") or entries[0].key)
    tabs = [(e, recyclebin.deleted_in_scope(request.user, e).count()) for e in entries]
    page = paginate(request, recyclebin.deleted_in_scope(request.user, entry))
    rows = []
    for obj in page.object_list:
        context_org = getattr(obj, "organization", None) if hasattr(obj, "organization_id") else None
        if context_org is None and hasattr(obj, "parent_id") and obj.parent_id:
            context_org = obj.parent
        rows.append({"obj": obj, "org": context_org})
    return render(
        request,
        "core/recycle_bin.html",
        {
            "page_title": "回收站",
            "breadcrumbs": [SYSTEM_CRUMB, ("回收站", None)],
            "tabs": tabs,
            "entry": entry,
            "page_obj": page,
            "rows": rows,
        },
    )


@login_required
@require_POST
def recycle_restore(request, kind, pk):
    require_roles(request.user, *ADMIN_ROLES)
    entry = recyclebin.recyclable(kind)
    obj = recyclebin.get_deleted_or_404(request.user, entry, pk)
    try:
        recyclebin.restore_item(actor=request.user, entry=entry, obj=obj)
    except ValidationError as exc:
        messages.error(request, f"无法恢复“{obj}”：" + "；".join(exc.messages))
    else:
        messages.success(request, f"已恢复{entry.label}“{obj}”。")
    return redirect(reverse("core:recycle_bin") + f"?type={entry.key}")


# ---------------------------------------------------------------- attachments


def _live_attachment_or_404(token) -> Attachment:
    return get_object_or_404(Attachment.objects.select_related("content_type"), token=token, deleted_at__isnull=True)


@login_required
def attachment_download(request, token):
    attachment = _live_attachment_or_404(token)
    subject = attachment_services.subject_of(attachment)
    if not attachment_services.can(request.user, "view", subject):
        raise Http404("附件不存在或您无权访问")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("附件文件已丢失，请联系管理员") from None
    content_type = mimetypes.guess_type(attachment.original_name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _subject_for_change(request, model_key: str, object_id: str):
    try:
        model = apps.get_model(model_key)
        policy = policy_for(model)
    except (LookupError, ValueError):
        raise Http404("记录不存在") from None
    subject = policy.get_or_404(request.user, "view", pk=object_id)
    if not policy.can(request.user, "change", subject):
        raise PermissionDenied("您无权修改此记录的附件")
    return subject


def _panel_response(request, subject, *, error="", notice=""):
    from django.middleware.csrf import get_token

    context = attachment_services.panel_context(
        request.user,
        subject,
        next_url=_next_url(request, ""),
        csrf_token=get_token(request),
        error=error,
        notice=notice,
    )
    return HttpResponse(render_to_string("core/attachments_panel.html", context, request=request))


@login_required
@require_POST
def attachment_upload(request, model, object_id):
    subject = _subject_for_change(request, model, object_id)
    form = AttachmentForm(request.POST, request.FILES)
    error = notice = ""
    if form.is_valid():
        try:
            added = attachment_services.attachment_add(
                actor=request.user,
                subject=subject,
                uploaded_file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            notice = f"已上传附件“{added.original_name}”。"
    else:
        error = "；".join(e for errors in form.errors.values() for e in errors) or "请选择要上传的文件"
    if request.htmx:
        return _panel_response(request, subject, error=error, notice=notice)
    if error:
        messages.error(request, f"上传失败：{error}")
    else:
        messages.success(request, notice)
    return redirect(_next_url(request, reverse("core:home")))


@login_required
@require_POST
def attachment_delete(request, token):
    attachment = _live_attachment_or_404(token)
    subject = attachment_services.subject_of(attachment)
    if not attachment_services.can(request.user, "view", subject):
        raise Http404("附件不存在或您无权访问")
    if not attachment_services.can(request.user, "change", subject):
        raise PermissionDenied("您无权删除此附件")
    attachment_services.attachment_delete(actor=request.user, attachment=attachment)
    notice = f"已删除附件“{attachment.original_name}”。"
    if request.htmx:
        return _panel_response(request, subject, notice=notice)
    messages.success(request, notice)
    return redirect(_next_url(request, reverse("core:home")))


@login_required
@require_POST
def switch_scope(request):
    """Choose which of the user's organizations the top bar and the home page work in."""
    from core.middleware import SCOPE_SESSION_KEY
    from core.scope import Scope

    scope = Scope.of(request.user)
    try:
        org_id = int(request.POST.get("org", ""))
    except ValueError:
        org_id = None
    org = next((o for o in scope.granted_organizations if o.pk == org_id), None)
    if org is None:
        raise Http404("您没有该党组织的授权")
    request.session[SCOPE_SESSION_KEY] = org.pk
    messages.info(request, f"已切换到“{org.name}”。")
    return redirect(_next_url(request, reverse("core:home")))
