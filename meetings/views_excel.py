"""Excel export of the meeting and attendance ledgers, and import of historical meetings with
their attendance (template → upload and check → preview → confirm), as for people in orgs.

The upload is kept between the preview and the confirmation by core.excel_views, as for the
orgs imports (a private temporary file under a random token stored in the session); confirming
checks the whole file again inside the writing transaction.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from core.excel_views import (
    ImportKind,
    ImportUploadForm,
    announce_import,
    import_context,
    preview_upload,
    run_stashed_upload,
    upload_form,
)
from core.exporters import exporter_for
from core.scope import READ_ROLES, WRITE_ROLES, Scope
from core.viewutils import require_roles
from meetings import (
    exporters,  # noqa: F401  (registers the exporters)
    selectors,
)
from meetings.importers import MeetingImporter


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
            "sheets": [("会议", importer.fields), ("出勤", importer.attendance_fields)],
            "template_url": reverse("meetings:meeting_import_template"),
            "confirm_url": reverse("meetings:meeting_import_confirm"),
            "list_url": reverse(MEETINGS.list_url),
            **import_context(importer, form=form, result=result, token=token),
        },
        status=status,
    )


@login_required
def meeting_import(request):
    _require(request.user)
    form = upload_form(request)
    result, token = preview_upload(request, MEETINGS, form)
    return _render(request, form=form, result=result, token=token)


@login_required
def meeting_import_template(request):
    _require(request.user)
    return MeetingImporter(request.user).template_response()


@login_required
@require_POST
def meeting_import_confirm(request):
    _require(request.user)
    result = run_stashed_upload(request, MEETINGS)
    if result is None:
        return redirect(MEETINGS.url_prefix)
    if result.ok:
        announce_import(request, result, unit="次会议", unchanged_unit="次会议", total_unit="次会议")
        return redirect(MEETINGS.list_url)
    return _render(request, form=ImportUploadForm(), result=result)
