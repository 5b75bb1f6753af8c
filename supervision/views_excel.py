"""Excel export and import of the supervision lists (template → upload and check → preview →
confirm), with core.excel_views' helpers as in meetings.views_excel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
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
from core.scope import READ_ROLES, WRITE_ROLES, Scope
from core.viewutils import require_roles
from supervision import exporters, selectors  # noqa: F401  (registers the exporters)
from supervision.importers import InspectionImporter, ProblemImporter, ReportImporter
from supervision.views import GROUP


def _can_import(user) -> bool:
    return Scope.of(user).has_role(*WRITE_ROLES)


KINDS = {
    "problems": ImportKind(
        "supervision_problems",
        ProblemImporter,
        "导入整改问题",
        ("问题整改台账", reverse_lazy("supervision:problem_list")),
        "supervision:problem_list",
        "supervision:problem_import",
        _can_import,
    ),
    "inspections": ImportKind(
        "supervision_inspections",
        InspectionImporter,
        "导入督导检查",
        ("督导检查", reverse_lazy("supervision:inspection_list")),
        "supervision:inspection_list",
        "supervision:inspection_import",
        _can_import,
    ),
    "reports": ImportKind(
        "supervision_reports",
        ReportImporter,
        "导入书记述职评议",
        ("书记述职评议", reverse_lazy("supervision:report_list")),
        "supervision:report_list",
        "supervision:report_import",
        _can_import,
    ),
}
PREFIX = {"problems": "problem", "inspections": "inspection", "reports": "report"}


def _counts(qs):
    return qs.annotate(
        n_problems=Count("problems", distinct=True),
        n_open=Count("problems", filter=~Q(problems__status="closed"), distinct=True),
    )


# ---------------------------------------------------------------------- export


@login_required
def problem_export(request):
    require_roles(request.user, *READ_ROLES)
    qs, _ = selectors.problems_from_params(request.user, request.GET)
    return exporter_for("supervision.problems")(request.user).export(qs, download_token=request.GET.get("dl", ""))


@login_required
def inspection_export(request):
    require_roles(request.user, *READ_ROLES)
    qs, _ = selectors.inspections_from_params(request.user, request.GET)
    return exporter_for("supervision.inspections")(request.user).export(
        _counts(qs), download_token=request.GET.get("dl", "")
    )


@login_required
def report_export(request):
    require_roles(request.user, *READ_ROLES)
    qs, _ = selectors.reports_from_params(request.user, request.GET)
    return exporter_for("supervision.reports")(request.user).export(
        _counts(qs), download_token=request.GET.get("dl", "")
    )


# ---------------------------------------------------------------------- import


def _require(user) -> None:
    if not _can_import(user):
        raise PermissionDenied("您无权导入")


def _render(request, key: str, *, form, result=None, token=""):
    kind = KINDS[key]
    importer = kind.importer(request.user)
    prefix = PREFIX[key]
    sheets = None
    if hasattr(importer, "child_sheet"):
        sheets = [(importer.sheet_title, importer.fields), (importer.child_sheet, importer.child_key_fields())]
    return render(
        request,
        "supervision/import.html",
        {
            "page_title": kind.title,
            "breadcrumbs": [GROUP, (kind.crumb[0], reverse(kind.list_url)), (kind.title, None)],
            "sheets": sheets,
            "two_sheets": sheets is not None,
            "template_url": reverse(f"supervision:{prefix}_import_template"),
            "confirm_url": reverse(f"supervision:{prefix}_import_confirm"),
            "list_url": reverse(kind.list_url),
            "back_label": f"返回{kind.crumb[0]}",
            **import_context(importer, form=form, result=result, token=token),
        },
    )


def _import(request, key: str):
    _require(request.user)
    kind = KINDS[key]
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    result, token = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = kind.importer(request.user, filename=upload.name).preview(upload)
        if result.has_changes:
            token = stash_upload(request, kind, upload)
    return _render(request, key, form=form, result=result, token=token)


def _template(request, key: str):
    _require(request.user)
    return KINDS[key].importer(request.user).template_response()


def _confirm(request, key: str):
    _require(request.user)
    kind = KINDS[key]
    stashed = stashed_upload(request, kind)
    if stashed is None:
        messages.error(request, EXPIRED_UPLOAD)
        return redirect(kind.url_prefix)
    path, name = stashed
    importer = kind.importer(request.user, filename=name)
    with open(path, "rb") as fh:
        result = importer.run(fh)
    discard_upload(request, kind)
    if result.ok:
        if result.committed:
            text = f"已导入 {result.created} {importer.noun}{importer.label}"
            if result.unchanged:
                text += f"，{result.unchanged} {importer.noun}系统中已有，未重复登记"
            messages.success(request, text + "。")
        else:
            messages.info(request, f"文件中的 {result.total} 行系统中均已登记，没有需要导入的变化。")
        return redirect(kind.list_url)
    return _render(request, key, form=ImportUploadForm(), result=result)


@login_required
def problem_import(request):
    return _import(request, "problems")


@login_required
def problem_import_template(request):
    return _template(request, "problems")


@login_required
@require_POST
def problem_import_confirm(request):
    return _confirm(request, "problems")


@login_required
def inspection_import(request):
    return _import(request, "inspections")


@login_required
def inspection_import_template(request):
    return _template(request, "inspections")


@login_required
@require_POST
def inspection_import_confirm(request):
    return _confirm(request, "inspections")


@login_required
def report_import(request):
    return _import(request, "reports")


@login_required
def report_import_template(request):
    return _template(request, "reports")


@login_required
@require_POST
def report_import_confirm(request):
    return _confirm(request, "reports")
