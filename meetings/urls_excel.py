"""Excel export and import URLs of organizational life (included from meetings.urls)."""

from django.urls import path

from meetings import views_excel

urlpatterns: list = [
    path("ledger/export/", views_excel.meeting_export, name="meeting_export"),
    path("ledger/export/attendance/", views_excel.attendance_export, name="attendance_export"),
    path("ledger/import/", views_excel.meeting_import, name="meeting_import"),
    path("ledger/import/template/", views_excel.meeting_import_template, name="meeting_import_template"),
    path("ledger/import/confirm/", views_excel.meeting_import_confirm, name="meeting_import_confirm"),
]
