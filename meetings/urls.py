from django.urls import include, path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("ledger/", views.meeting_list, name="meeting_list"),
    path("ledger/new/", views.meeting_create, name="meeting_create"),
    path("ledger/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("ledger/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("ledger/<int:pk>/delete/", views.meeting_delete, name="meeting_delete"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/<int:org_pk>/", views.branch_view, name="branch_view"),
    path("mine/", views.my_meetings, name="my_meetings"),
    path("plans/", include("meetings.urls_plans")),
    path("", include("meetings.urls_excel")),
]
