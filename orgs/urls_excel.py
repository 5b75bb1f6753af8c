"""Excel import/export URLs for people and organizations (included from orgs.urls)."""

from django.urls import path

from orgs import views_excel

urlpatterns: list = [
    path("people/export/", views_excel.person_export, name="person_export"),
    path("people/import/", views_excel.person_import, name="person_import"),
    path("people/import/template/", views_excel.person_import_template, name="person_import_template"),
    path("people/import/confirm/", views_excel.person_import_confirm, name="person_import_confirm"),
    path("organizations/export/", views_excel.organization_export, name="organization_export"),
    path("organizations/import/", views_excel.organization_import, name="organization_import"),
    path(
        "organizations/import/template/",
        views_excel.organization_import_template,
        name="organization_import_template",
    ),
    path(
        "organizations/import/confirm/",
        views_excel.organization_import_confirm,
        name="organization_import_confirm",
    ),
]
