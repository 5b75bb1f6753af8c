"""Excel export and import of the supervision lists (template → upload and check → preview →
confirm), with core.excel_views' helpers as in meetings.views_excel."""

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
        selectors.with_problem_counts(qs), download_token=request.GET.get("dl", "")
    )


@login_required
def report_export(request):
    require_roles(request.user, *READ_ROLES)
    qs, _ = selectors.reports_from_params(request.user, request.GET)
    return exporter_for("supervision.reports")(request.user).export(
        selectors.with_problem_counts(qs), download_token=request.GET.get("dl", "")
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
        sheets = [(importer.sheet_title, importer.fields), (importer.child_sheet, importer.child_sheet_fields())]
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
    form = upload_form(request)
    result, token = preview_upload(request, KINDS[key], form)
    return _render(request, key, form=form, result=result, token=token)


def _template(request, key: str):
    _require(request.user)
    return KINDS[key].importer(request.user).template_response()


def _confirm(request, key: str):
    _require(request.user)
    kind = KINDS[key]
    result = run_stashed_upload(request, kind)
    if result is None:
        return redirect(kind.url_prefix)
    if result.ok:
        noun = kind.importer.noun
        announce_import(request, result, unit=f"{noun}{kind.importer.label}", unchanged_unit=noun, total_unit="行")
        return redirect(kind.list_url)
    return _render(request, key, form=ImportUploadForm(), result=result)


def _import_views(key: str):
    """The upload/preview, template and confirm views of one list."""

    def upload(request):
        return _import(request, key)

    def template(request):
        return _template(request, key)

    def confirm(request):
        return _confirm(request, key)

    prefix = PREFIX[key]
    upload.__name__ = f"{prefix}_import"
    template.__name__ = f"{prefix}_import_template"
    confirm.__name__ = f"{prefix}_import_confirm"
    return login_required(upload), login_required(template), login_required(require_POST(confirm))


problem_import, problem_import_template, problem_import_confirm = _import_views("problems")
inspection_import, inspection_import_template, inspection_import_confirm = _import_views("inspections")
report_import, report_import_template, report_import_confirm = _import_views("reports")
