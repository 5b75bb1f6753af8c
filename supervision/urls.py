from django.urls import include, path

from supervision import views, views_problems

app_name = "supervision"

urlpatterns = [
    # 督导检查
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<int:pk>/delete/", views.inspection_delete, name="inspection_delete"),
    path("inspections/<int:pk>/findings/", views.inspection_findings, name="inspection_findings"),
    path("inspections/<int:pk>/visits/", views.visit_add, name="visit_add"),
    path("inspections/visits/", views.visit_list, name="visit_list"),
    path("inspections/visits/<int:pk>/delete/", views.visit_delete, name="visit_delete"),
    # 书记述职评议
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/delete/", views.report_delete, name="report_delete"),
    path("reports/<int:pk>/problems/", views.report_problems, name="report_problems"),
    # 问题整改台账
    path("problems/", views_problems.problem_list, name="problem_list"),
    path("problems/new/", views_problems.problem_create, name="problem_create"),
    path("problems/<int:pk>/", views_problems.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/edit/", views_problems.problem_edit, name="problem_edit"),
    path("problems/<int:pk>/progress/", views_problems.problem_progress, name="problem_progress"),
    path("problems/<int:pk>/extension/", views_problems.problem_extension, name="problem_extension"),
    path("problems/<int:pk>/<str:action>/", views_problems.problem_action, name="problem_action"),
    path("problems/extensions/<int:pk>/decide/", views_problems.extension_decide, name="extension_decide"),
    # 督办单 and statistics
    path("escalations/", views_problems.escalation_list, name="escalation_list"),
    path("escalations/<int:pk>/", views_problems.escalation_detail, name="escalation_detail"),
    path("statistics/", views_problems.problem_stats, name="problem_stats"),
    path("", include("supervision.urls_excel")),
]
