"""Excel export and import URLs of the supervision lists (included from supervision.urls)."""

from django.urls import path

from supervision import views_excel as v

urlpatterns = [
    path("problems/export/", v.problem_export, name="problem_export"),
    path("problems/import/", v.problem_import, name="problem_import"),
    path("problems/import/template/", v.problem_import_template, name="problem_import_template"),
    path("problems/import/confirm/", v.problem_import_confirm, name="problem_import_confirm"),
    path("inspections/export/", v.inspection_export, name="inspection_export"),
    path("inspections/import/", v.inspection_import, name="inspection_import"),
    path("inspections/import/template/", v.inspection_import_template, name="inspection_import_template"),
    path("inspections/import/confirm/", v.inspection_import_confirm, name="inspection_import_confirm"),
    path("reports/export/", v.report_export, name="report_export"),
    path("reports/import/", v.report_import, name="report_import"),
    path("reports/import/template/", v.report_import_template, name="report_import_template"),
    path("reports/import/confirm/", v.report_import_confirm, name="report_import_confirm"),
]
