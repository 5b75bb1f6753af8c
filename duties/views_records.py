"""The generic pages of every list in this area: ledger, detail, form, delete — and the Excel
export and import — driven by the list's `Entity` (duties.entities). Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core.audit import entries_for
from core.excel_views import (
    EXPIRED_UPLOAD,
    ImportKind,
    ImportUploadForm,
    discard_upload,
    import_context,
    stash_upload,
    stashed_upload,
)
from core.scope import READ_ROLES, Scope
from core.viewutils import ServiceCall, paginate, require_roles
from duties import services
from duties.entities import CATALOGUE_KEYS, Entity, entity_or_404
from duties.exporters import EXPORTERS, prepare_queryset
from duties.importers import IMPORTERS
from orgs import selectors as org_selectors
from orgs.models import Department


def _require_list_access(user, entity: Entity) -> None:
    """Ledgers are for the read roles; the catalogue's lists are also for members (their department)."""
    scope = Scope.of(user)
    if scope.has_role(*READ_ROLES):
        return
    if entity.key in CATALOGUE_KEYS and scope.person_id:
        return
    raise PermissionDenied("您没有访问此页面的权限")


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# ---------------------------------------------------------------------- ledger


def _department_options(selected) -> str:
    """The department filter's <option>s (800 departments at city scale: built here, not in a
    template loop)."""
    chosen = selected.pk if selected is not None else None
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (pk, mark_safe(" selected") if pk == chosen else "", name)
            for pk, name in Department.objects.values_list("pk", "name")
        ),
    )


@login_required
def record_list(request, kind):
    entity = entity_or_404(kind)
    if entity.key == "items":
        return redirect(entity.list_url(**request.GET.dict()))
    _require_list_access(request.user, entity)
    qs, filters = entity.filtered(request.user, request.GET)
    page = paginate(request, qs, 50)
    rows = [{"obj": obj, "cells": entity.cells(obj)} for obj in page.object_list]
    excel = entity.excel_entity
    return render(
        request,
        "duties/record_list.html",
        {
            "page_title": f"{entity.label}" + (f"：{filters.parent}" if filters.parent else ""),
            "breadcrumbs": [*entity.crumbs(), (entity.label, None)],
            "entity": entity,
            "excel": excel,
            "page_obj": page,
            "rows": rows,
            "filters": filters,
            "orgs": org_selectors.filter_organizations(request.user, filters.org) if entity.org_lookup else [],
            "department_options": _department_options(filters.department) if entity.department_lookup else "",
            "choice_options": entity.choice_options(),
            "can_add": entity.can_create(request.user),
            "can_import": excel.can_create(request.user),
        },
    )


# ---------------------------------------------------------------------- detail


@login_required
def record_detail(request, kind, pk):
    entity = entity_or_404(kind)
    if entity.key in ("items", "flowcharts"):
        return redirect(entity.detail_url(entity.model(pk=pk)))
    policy = entity.policy
    obj = policy.get_or_404(request.user, queryset=entity.queryset(request.user), pk=pk)
    return render(
        request,
        "duties/record_detail.html",
        {
            "page_title": entity.title_of(obj),
            "breadcrumbs": [*entity.crumbs(), (entity.label, entity.list_url()), (entity.title_of(obj)[:30], None)],
            "entity": entity,
            "obj": obj,
            "rows": entity.detail_rows(obj),
            "can_change": policy.can(request.user, "change", obj),
            "can_delete": policy.can(request.user, "delete", obj),
            "audit_entries": entries_for(obj)[:30],
        },
    )


# ---------------------------------------------------------------------- form


def _form_page(request, entity: Entity, form, obj=None, conflict=None):
    if obj is None:
        title = f"登记{entity.label}"
        crumbs = [*entity.crumbs(), (entity.label, entity.list_url()), (title, None)]
    else:
        title = f"编辑{entity.label}"
        crumbs = [
            *entity.crumbs(),
            (entity.label, entity.list_url()),
            (entity.title_of(obj)[:30], entity.detail_url(obj)),
            ("编辑", None),
        ]
    return render(
        request,
        "duties/record_form.html",
        {
            "page_title": title,
            "breadcrumbs": crumbs,
            "entity": entity,
            "form": form,
            "obj": obj,
            "conflict": conflict,
            "cancel_url": entity.detail_url(obj) if obj is not None else _safe_next(request, entity.list_url()),
            "next": request.GET.get("next") or request.POST.get("next") or "",
        },
    )


def _saved_redirect(request, entity: Entity, obj, created: bool):
    if created and "_addanother" in request.POST:
        params = {}
        for name in ("department", "lead_department", "organization", "item", "liaison", "risk_point"):
            value = request.POST.get(name)
            if value and name in entity.form_fields:
                params[name] = value
        from urllib.parse import urlencode

        return redirect(
            reverse("duties:record_create", args=[entity.key]) + ("?" + urlencode(params) if params else "")
        )
    return redirect(_safe_next(request, entity.detail_url(obj)))


@login_required
def record_create(request, kind):
    entity = entity_or_404(kind)
    if not entity.can_create(request.user):
        raise PermissionDenied(f"您无权登记{entity.label}")
    if request.method == "POST":
        form = entity.build_form(request.user, data=request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            call = ServiceCall(form, services.record_create, actor=request.user, model=entity.model, data=data)
            if call.ok:
                going_back = bool(request.POST.get("next")) and "_addanother" not in request.POST
                messages.success(request, _saved_message(entity, call.result, created=True, upload_hint=not going_back))
                return _saved_redirect(request, entity, call.result, created=True)
        return _form_page(request, entity, form)
    entity.check_parent(request.user, request.GET)
    form = entity.build_form(request.user, initial=entity.initial_from(request.GET))
    return _form_page(request, entity, form)


def _saved_message(entity: Entity, obj, *, created: bool, upload_hint: bool = True) -> str:
    verb = "登记" if created else "保存"
    text = f"已{verb}{entity.label}“{entity.title_of(obj)[:40]}”。"
    if entity.attachments and created and upload_hint:
        text += "可在下方上传相关材料。"
    return text


@login_required
def record_edit(request, kind, pk):
    entity = entity_or_404(kind)
    obj = entity.policy.get_for(request.user, "change", queryset=entity.queryset(request.user), pk=pk)
    if request.method == "POST":
        form = entity.build_form(request.user, data=request.POST, instance=entity.model.objects.get(pk=obj.pk))
        conflict = None
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            call = ServiceCall(
                form,
                services.record_update,
                actor=request.user,
                obj=obj,
                data=data,
                expected_version=form.cleaned_data.get("version"),
            )
            conflict = call.conflict
            if call.ok:
                messages.success(request, _saved_message(entity, call.result, created=False))
                return redirect(entity.detail_url(call.result))
        return _form_page(request, entity, form, obj, conflict)
    form = entity.build_form(request.user, instance=obj)
    form.initial["version"] = obj.version
    return _form_page(request, entity, form, obj)


@login_required
@require_POST
def record_delete(request, kind, pk):
    entity = entity_or_404(kind)
    obj = entity.policy.get_for(request.user, "delete", queryset=entity.queryset(request.user), pk=pk)
    services.record_delete(actor=request.user, obj=obj)
    messages.success(request, f"已删除{entity.label}“{entity.title_of(obj)[:40]}”，可由管理员在回收站恢复。")
    return redirect(_safe_next(request, entity.list_url()))


# ---------------------------------------------------------------------- Excel


def _excel_entity(kind) -> Entity:
    entity = entity_or_404(kind)
    if entity.excel_key:
        raise PermissionDenied(f"{entity.label}随{entity.excel_entity.label}一起导入导出")
    return entity


def _export_queryset(request, entity: Entity):
    if entity.key == "items":
        from duties.selectors import responsibility_filters

        qs, _ = responsibility_filters(request.user, request.GET)
        return qs
    qs, _ = entity.filtered(request.user, request.GET)
    return prepare_queryset(entity, qs)


@login_required
def record_export(request, kind):
    entity = _excel_entity(kind)
    if entity.key == "items":
        require_roles(request.user, *READ_ROLES)
    else:
        _require_list_access(request.user, entity)
    qs = _export_queryset(request, entity)
    return EXPORTERS[entity.key](request.user).export(qs, download_token=request.GET.get("dl", ""))


def _import_kind(entity: Entity) -> ImportKind:
    return ImportKind(
        f"duties_{entity.key}",
        IMPORTERS[entity.key],
        f"导入{entity.label}",
        (entity.label, entity.list_url()),
        entity.list_url(),
        reverse("duties:record_import", args=[entity.key]),
        entity.can_create,
    )


def _require_import(user, entity: Entity) -> None:
    if not entity.can_create(user):
        raise PermissionDenied(f"您无权导入{entity.label}")


def _import_page(request, entity: Entity, *, form, result=None, token=""):
    importer = IMPORTERS[entity.key](request.user)
    return render(
        request,
        "duties/import.html",
        {
            "page_title": f"导入{entity.label}",
            "breadcrumbs": [*entity.crumbs(), (entity.label, entity.list_url()), (f"导入{entity.label}", None)],
            "entity": entity,
            "fields": importer.fields,
            "template_url": reverse("duties:record_import_template", args=[entity.key]),
            "confirm_url": reverse("duties:record_import_confirm", args=[entity.key]),
            "list_url": entity.list_url(),
            **import_context(importer, form=form, result=result, token=token),
        },
    )


@login_required
def record_import(request, kind):
    entity = _excel_entity(kind)
    _require_import(request.user, entity)
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    result, token = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = IMPORTERS[entity.key](request.user, filename=upload.name).preview(upload)
        if result.has_changes:
            token = stash_upload(request, _import_kind(entity), upload)
    return _import_page(request, entity, form=form, result=result, token=token)


@login_required
def record_import_template(request, kind):
    entity = _excel_entity(kind)
    _require_import(request.user, entity)
    return IMPORTERS[entity.key](request.user).template_response()


@login_required
@require_POST
def record_import_confirm(request, kind):
    entity = _excel_entity(kind)
    _require_import(request.user, entity)
    import_kind = _import_kind(entity)
    stashed = stashed_upload(request, import_kind)
    if stashed is None:
        messages.error(request, EXPIRED_UPLOAD)
        return redirect("duties:record_import", kind=entity.key)
    path, name = stashed
    with open(path, "rb") as fh:
        result = IMPORTERS[entity.key](request.user, filename=name).run(fh)
    discard_upload(request, import_kind)
    if result.ok:
        if result.committed:
            text = f"已导入{entity.label}：新增 {result.created} {entity.noun}，更新 {result.updated} {entity.noun}"
            if result.unchanged:
                text += f"，{result.unchanged} {entity.noun}无变化"
            messages.success(request, text + "。")
        else:
            messages.info(request, f"文件中的{entity.label}与系统中一致，没有需要导入的变化。")
        return redirect(entity.list_url())
    return _import_page(request, entity, form=ImportUploadForm(), result=result)
