"""Excel export, template download and import (upload → check → preview → confirm) for people and
organizations.

Between the preview and the confirmation the uploaded file is kept in a private temporary folder
under a random token that is also stored in the user's session; confirming checks the whole file
again inside the writing transaction, so changes made meanwhile by others are taken into account.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_POST

from core.exporters import exporter_for
from core.importers import MAX_UPLOAD_BYTES, Importer
from core.scope import ADMIN_ROLES, READ_ROLES, Scope
from core.viewutils import require_roles
from orgs import (
    exporters,  # noqa: F401  (registers the exporters)
    selectors,
)
from orgs.importers import OrganizationImporter, PersonImporter
from orgs.views import ORG_CRUMB, PEOPLE_CRUMB

PREVIEW_ROWS = 200
ERRORS_SHOWN = 500
STASH_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class ImportKind:
    key: str
    importer: type[Importer]
    title: str
    crumb: tuple[str, str]
    list_url: str
    url_prefix: str
    allowed: Callable


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


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件",
        help_text="按模板填写的 .xlsx 文件，不超过 20 MB",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "class": "form-control",
            }
        ),
        error_messages={
            "required": "请选择要导入的 Excel 文件",
            "empty": "上传的文件是空的（0 字节），请选择填写好的 Excel 文件。",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件过大（超过 20 MB），请分批导入")
        return upload


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


# ---------------------------------------------------------------------- stash between preview and confirm


def _stash_dir() -> Path:
    base = getattr(settings, "IMPORT_STASH_DIR", None) or Path(tempfile.gettempdir()) / "partybuilding-imports"
    path = Path(base)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _session_key(kind: ImportKind) -> str:
    return f"orgs_import_{kind.key}"


def _stash_path(token: str) -> Path | None:
    if len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        return None
    return _stash_dir() / f"{token}.xlsx"


def _stash(request, kind: ImportKind, upload) -> str:
    folder = _stash_dir()
    cutoff = time.time() - STASH_MAX_AGE
    for old in folder.glob("*.xlsx"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    _discard(request, kind)
    token = secrets.token_hex(16)
    upload.seek(0)
    with open(folder / f"{token}.xlsx", "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    request.session[_session_key(kind)] = {"token": token, "name": upload.name}
    return token


def _discard(request, kind: ImportKind) -> None:
    info = request.session.pop(_session_key(kind), None)
    if info:
        path = _stash_path(info.get("token", ""))
        if path is not None:
            path.unlink(missing_ok=True)


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
            "importer": importer,
            "fields": importer.fields,
            "notes": importer.general_notes(),
            "template_url": reverse(kind.url_prefix + "_template"),
            "confirm_url": reverse(kind.url_prefix + "_confirm"),
            "list_url": reverse(kind.list_url),
            "form": form,
            "result": result,
            "preview": result.changed_plans()[:PREVIEW_ROWS] if result is not None and result.ok else [],
            "preview_limit": PREVIEW_ROWS,
            "errors": result.errors[:ERRORS_SHOWN] if result is not None else [],
            "errors_limit": ERRORS_SHOWN,
            "token": token,
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
            token = _stash(request, kind, upload)
    return _render(request, kind, form=form, result=result, token=token)


def _template(request, kind: ImportKind):
    _require(request.user, kind)
    return kind.importer(request.user).template_response()


def _confirm(request, kind: ImportKind):
    _require(request.user, kind)
    info = request.session.get(_session_key(kind)) or {}
    token = request.POST.get("token", "")
    path = _stash_path(info.get("token", ""))
    if not token or path is None or not constant_time_compare(info.get("token", ""), token) or not path.exists():
        messages.error(request, "待导入的文件已失效（可能已经导入过，或超过了有效期），请重新上传。")
        return redirect(kind.url_prefix)
    importer = kind.importer(request.user, filename=info.get("name", ""))
    with open(path, "rb") as fh:
        result = importer.run(fh)
    if result.ok:
        _discard(request, kind)
        noun = importer.noun
        if result.committed:
            text = f"已导入 {result.total} 条：新增 {result.created} {noun}，更新 {result.updated} {noun}"
            if result.unchanged:
                text += f"，{result.unchanged} {noun}无变化"
            messages.success(request, text + "。")
        else:
            messages.info(request, f"文件中的 {result.total} 条与系统中的数据完全一致，没有需要导入的变化。")
        return redirect(kind.list_url)
    _discard(request, kind)
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
