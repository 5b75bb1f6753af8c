"""Excel export, template download and import (upload → check → preview → confirm) for people and
organizations. The upload form, the stash between preview and confirmation and the page context
are shared with other apps' imports (core.excel_views).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.excel_views import (
    EXPIRED_UPLOAD,
    ImportKind,
    ImportUploadForm,
    discard_upload,
    import_context,
    stash_upload,
    stashed_upload,
)
from core.exporters import exporter_for
from core.scope import ADMIN_ROLES, READ_ROLES, Scope
from core.viewutils import require_roles
from orgs import (
    exporters,  # noqa: F401  (registers the exporters)
    selectors,
)
from orgs.importers import OrganizationImporter, PersonImporter
from orgs.views import ORG_CRUMB, PEOPLE_CRUMB


def _can_import_people(user) -> bool:
    return selectors.organizations_visible(user, "change").exists()


def _can_import_organizations(user) -> bool:
    return Scope.of(user).has_role(*ADMIN_ROLES)


PEOPLE = ImportKind(
    "people", PersonImporter, "导入人员", PEOPLE_CRUMB, "orgs:person_list", "orgs:person_import", _can_import_people
)
ORGANIZATIONS = ImportKind(
    "organizations",
    OrganizationImporter,
    "导入党组织",
    ORG_CRUMB,
    "orgs:organization_list",
    "orgs:organization_import",
    _can_import_organizations,
)


# ---------------------------------------------------------------------- export


@login_required
def person_export(request):
    require_roles(request.user, *READ_ROLES)
    return exporter_for("orgs.people")(request.user).export(
        selectors.people_from_params(request.user, request.GET)[0], download_token=request.GET.get("dl", "")
    )


@login_required
def organization_export(request):
    require_roles(request.user, *READ_ROLES)
    qs = selectors.organizations_from_params(request.user, request.GET)
    return exporter_for("orgs.organizations")(request.user).export(qs, download_token=request.GET.get("dl", ""))


# ---------------------------------------------------------------------- import pages


def _require(user, kind: ImportKind) -> None:
    if not kind.allowed(user):
        raise PermissionDenied("您无权导入" + kind.importer.label)


def _render(request, kind: ImportKind, *, form, result=None, token="", status=200):
    importer = kind.importer(request.user)
    return render(
        request,
        "orgs/import.html",
        {
            "page_title": kind.title,
            "breadcrumbs": [kind.crumb, (kind.title, None)],
            "kind": kind,
            "fields": importer.fields,
            "template_url": reverse(kind.url_prefix + "_template"),
            "confirm_url": reverse(kind.url_prefix + "_confirm"),
            "list_url": reverse(kind.list_url),
            **import_context(importer, form=form, result=result, token=token),
        },
        status=status,
    )


def _import_page(request, kind: ImportKind):
    _require(request.user, kind)
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    result, token = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = kind.importer(request.user, filename=upload.name).preview(upload)
        if result.has_changes:
            token = stash_upload(request, kind, upload)
    return _render(request, kind, form=form, result=result, token=token)


def _template(request, kind: ImportKind):
    _require(request.user, kind)
    return kind.importer(request.user).template_response()


def _confirm(request, kind: ImportKind):
    _require(request.user, kind)
    stashed = stashed_upload(request, kind)
    if stashed is None:
        messages.error(request, EXPIRED_UPLOAD)
        return redirect(kind.url_prefix)
    path, name = stashed
    importer = kind.importer(request.user, filename=name)
    with open(path, "rb") as fh:
        result = importer.run(fh)
    if result.ok:
        discard_upload(request, kind)
        noun = importer.noun
        if result.committed:
            text = f"已导入 {result.total} 条：新增 {result.created} {noun}，更新 {result.updated} {noun}"
            if result.unchanged:
                text += f"，{result.unchanged} {noun}无变化"
            messages.success(request, text + "。")
        else:
            messages.info(request, f"文件中的 {result.total} 条与系统中的数据完全一致，没有需要导入的变化。")
        return redirect(kind.list_url)
    discard_upload(request, kind)
    return _render(request, kind, form=ImportUploadForm(), result=result)


@login_required
def person_import(request):
    return _import_page(request, PEOPLE)


@login_required
def person_import_template(request):
    return _template(request, PEOPLE)


@login_required
@require_POST
def person_import_confirm(request):
    return _confirm(request, PEOPLE)


@login_required
def organization_import(request):
    return _import_page(request, ORGANIZATIONS)


@login_required
def organization_import_template(request):
    return _template(request, ORGANIZATIONS)


@login_required
@require_POST
def organization_import_confirm(request):
    return _confirm(request, ORGANIZATIONS)
