"""Excel export of the meeting and attendance ledgers, and import of historical meetings with
their attendance (template → upload and check → preview → confirm), as for people in orgs.

The upload is kept between the preview and the confirmation exactly as orgs.views_excel does
(a private temporary file under a random token stored in the session); confirming checks the
whole file again inside the writing transaction.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_POST

from core.exporters import exporter_for
from core.scope import READ_ROLES, WRITE_ROLES, Scope
from core.viewutils import require_roles
from meetings import (
    exporters,  # noqa: F401  (registers the exporters)
    selectors,
)
from meetings.importers import MeetingImporter
from orgs.views_excel import (
    ERRORS_SHOWN,
    PREVIEW_ROWS,
    ImportKind,
    ImportUploadForm,
    _discard,
    _session_key,
    _stash,
    _stash_path,
)


def _can_import(user) -> bool:
    return Scope.of(user).has_role(*WRITE_ROLES)


MEETINGS = ImportKind(
    "meetings",
    MeetingImporter,
    "导入会议",
    ("会议台账", reverse_lazy("meetings:meeting_list")),
    "meetings:meeting_list",
    "meetings:meeting_import",
    _can_import,
)


# ---------------------------------------------------------------------- export


@login_required
def meeting_export(request):
    require_roles(request.user, *READ_ROLES)
    qs, _ = selectors.meetings_from_params(request.user, request.GET)
    return exporter_for("meetings.meetings")(request.user).export(qs, download_token=request.GET.get("dl", ""))


@login_required
def attendance_export(request):
    require_roles(request.user, *READ_ROLES)
    qs, _ = selectors.meetings_from_params(request.user, request.GET)
    return exporter_for("meetings.attendance")(request.user).export(qs, download_token=request.GET.get("dl", ""))


# ---------------------------------------------------------------------- import


def _require(user) -> None:
    if not _can_import(user):
        raise PermissionDenied("您无权导入会议")


def _render(request, *, form, result=None, token="", status=200):
    importer = MeetingImporter(request.user)
    crumb = ("会议台账", reverse(MEETINGS.list_url))
    return render(
        request,
        "meetings/import.html",
        {
            "page_title": MEETINGS.title,
            "breadcrumbs": [("组织生活", None), crumb, (MEETINGS.title, None)],
            "importer": importer,
            "sheets": [("会议", importer.fields), ("出勤", importer.attendance_fields)],
            "notes": importer.general_notes(),
            "template_url": reverse("meetings:meeting_import_template"),
            "confirm_url": reverse("meetings:meeting_import_confirm"),
            "list_url": reverse(MEETINGS.list_url),
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


@login_required
def meeting_import(request):
    _require(request.user)
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    result, token = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = MeetingImporter(request.user, filename=upload.name).preview(upload)
        if result.has_changes:
            token = _stash(request, MEETINGS, upload)
    return _render(request, form=form, result=result, token=token)


@login_required
def meeting_import_template(request):
    _require(request.user)
    return MeetingImporter(request.user).template_response()


@login_required
@require_POST
def meeting_import_confirm(request):
    _require(request.user)
    info = request.session.get(_session_key(MEETINGS)) or {}
    token = request.POST.get("token", "")
    path = _stash_path(info.get("token", ""))
    if not token or path is None or not constant_time_compare(info.get("token", ""), token) or not path.exists():
        messages.error(request, "待导入的文件已失效（可能已经导入过，或超过了有效期），请重新上传。")
        return redirect("meetings:meeting_import")
    importer = MeetingImporter(request.user, filename=info.get("name", ""))
    with open(path, "rb") as fh:
        result = importer.run(fh)
    _discard(request, MEETINGS)
    if result.ok:
        if result.committed:
            text = f"已导入 {result.created} 次会议"
            if result.unchanged:
                text += f"，{result.unchanged} 次会议系统中已有，未重复登记"
            messages.success(request, text + "。")
        else:
            messages.info(request, f"文件中的 {result.total} 次会议系统中均已登记，没有需要导入的变化。")
        return redirect(MEETINGS.list_url)
    return _render(request, form=ImportUploadForm(), result=result)
