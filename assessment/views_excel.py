"""Excel export of the rating ledger, the assessment results and the year view; import of a scheme
(template prefilled with the scheme in force → upload and check → preview → confirm)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessment import (
    exporters,  # noqa: F401  (registers the exporters)
    selectors,
)
from assessment.forms import SchemeImportForm
from assessment.importers import SchemeImporter
from assessment.policies import ASSESSMENT_READ_ROLES
from core.excel_views import EXPIRED_UPLOAD, ImportKind, discard_upload, import_context, stash_upload, stashed_upload
from core.exporters import exporter_for
from core.scope import ADMIN_ROLES, READ_ROLES, Scope
from core.viewutils import require_roles
from orgs.models import Department

SCHEME = ImportKind(
    "assessment_scheme",
    SchemeImporter,
    "导入考核评价方案",
    ("考核评价方案", reverse_lazy("assessment:scheme")),
    "assessment:scheme",
    "assessment:scheme_import",
    lambda user: Scope.of(user).has_role(*ADMIN_ROLES),
)
YEAR_SESSION_KEY = "assessment_scheme_import_year"


@login_required
def rating_export(request):
    require_roles(request.user, *READ_ROLES)
    qs, _ = selectors.ratings_from_params(request.user, request.GET)
    return exporter_for("assessment.ratings")(request.user).export(qs, download_token=request.GET.get("dl", ""))


@login_required
def record_export(request):
    require_roles(request.user, *ASSESSMENT_READ_ROLES)
    qs, _ = selectors.records_from_params(request.user, request.GET)
    return exporter_for("assessment.records")(request.user).export(qs, download_token=request.GET.get("dl", ""))


@login_required
def year_export(request):
    from assessment.year import year_rows

    require_roles(request.user, *ASSESSMENT_READ_ROLES)
    value = request.GET.get("year", "")
    year = int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year
    department = None
    if (request.GET.get("department") or "").isdigit():
        department = Department.objects.filter(pk=request.GET["department"]).first()
    rows = year_rows(request.user, year, department=department, paginate=False)["rows"]
    exporter = exporter_for("assessment.year")(request.user)
    exporter.filename = lambda: f"{year}年度平时考核汇总_{timezone.localdate():%Y%m%d}.xlsx"
    return exporter.export(rows, download_token=request.GET.get("dl", ""))


# ---------------------------------------------------------------------- import of a scheme


def _render(request, *, form, result=None, token="", year=None):
    importer = SchemeImporter(request.user, year=year)
    return render(
        request,
        "assessment/scheme_import.html",
        {
            "page_title": SCHEME.title,
            "breadcrumbs": [("考核评价", None), ("考核评价方案", reverse(SCHEME.list_url)), (SCHEME.title, None)],
            "fields": importer.fields,
            "template_url": reverse("assessment:scheme_import_template") + f"?year={importer.year}",
            "confirm_url": reverse("assessment:scheme_import_confirm"),
            "list_url": reverse(SCHEME.list_url) + f"?year={importer.year}",
            "year": importer.year,
            **import_context(importer, form=form, result=result, token=token),
        },
    )


@login_required
def scheme_import(request):
    require_roles(request.user, *ADMIN_ROLES)
    form = SchemeImportForm(request.POST, request.FILES) if request.method == "POST" else SchemeImportForm()
    result, token, year = None, "", None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        year = form.cleaned_data["year"]
        result = SchemeImporter(request.user, filename=upload.name, year=year).preview(upload)
        if result.has_changes:
            token = stash_upload(request, SCHEME, upload)
            request.session[YEAR_SESSION_KEY] = year
    return _render(request, form=form, result=result, token=token, year=year)


@login_required
def scheme_import_template(request):
    require_roles(request.user, *ADMIN_ROLES)
    value = request.GET.get("year", "")
    year = int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None
    return SchemeImporter(request.user, year=year).template_response()


@login_required
@require_POST
def scheme_import_confirm(request):
    require_roles(request.user, *ADMIN_ROLES)
    stashed = stashed_upload(request, SCHEME)
    year = request.session.get(YEAR_SESSION_KEY)
    if stashed is None or year is None:
        messages.error(request, EXPIRED_UPLOAD)
        return redirect("assessment:scheme_import")
    path, name = stashed
    importer = SchemeImporter(request.user, filename=name, year=year)
    with open(path, "rb") as fh:
        result = importer.run(fh)
    discard_upload(request, SCHEME)
    request.session.pop(YEAR_SESSION_KEY, None)
    if result.ok:
        if result.committed:
            messages.success(
                request, f"已导入考核评价方案，自{year}年度起执行（更新{len(importer.changed_codes)}项规则）。"
            )
        else:
            messages.info(request, "文件中的方案与现行方案一致，没有需要导入的变化。")
        return redirect(reverse(SCHEME.list_url) + f"?year={year}")
    return _render(request, form=SchemeImportForm(), result=result, year=year)
