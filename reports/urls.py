from django.urls import path

from reports import views, views_drafts

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/area/", views.dashboard_area, name="dashboard_area"),
    path("dashboard/alerts/", views.dashboard_alerts, name="dashboard_alerts"),
    path("dashboard/statistics.xlsx", views.statistics_export, name="statistics_export"),
    path("dashboard/lists/overdue-obligations/", views.overdue_obligations, name="overdue_obligations"),
    path("dashboard/lists/terms/", views.terms, name="terms"),
    path("dashboard/lists/tracked-items/", views.tracked_items, name="tracked_items"),
    path("drafts/", views_drafts.draft_list, name="draft_list"),
    path("drafts/new/", views_drafts.draft_create, name="draft_create"),
    path("drafts/<int:pk>/", views_drafts.draft_detail, name="draft_detail"),
    path("drafts/<int:pk>/blocks/<str:block_id>/edit/", views_drafts.block_edit, name="block_edit"),
    path("drafts/<int:pk>/blocks/<str:block_id>/revert/", views_drafts.block_revert, name="block_revert"),
    path("drafts/<int:pk>/blocks/<str:block_id>/add/", views_drafts.block_add, name="block_add"),
    path("drafts/<int:pk>/blocks/<str:block_id>/delete/", views_drafts.block_delete, name="block_delete"),
    path("drafts/<int:pk>/refresh/", views_drafts.draft_refresh, name="draft_refresh"),
    path("drafts/<int:pk>/delete/", views_drafts.draft_delete, name="draft_delete"),
    path("drafts/<int:pk>/versions/", views_drafts.version_list, name="version_list"),
    path("drafts/<int:pk>/versions/<int:number>/", views_drafts.version_detail, name="version_detail"),
    path("drafts/<int:pk>/versions/<int:number>/restore/", views_drafts.version_restore, name="version_restore"),
    path("drafts/<int:pk>/report.docx", views_drafts.draft_docx, name="draft_docx"),
    path("drafts/<int:pk>/statistics.xlsx", views_drafts.draft_xlsx, name="draft_xlsx"),
    path("template/", views_drafts.template_page, name="template_page"),
    path("template/work_report.docx", views_drafts.template_download, name="template_download"),
]
