from django.urls import path

from assessment import views, views_excel, views_periodic

app_name = "assessment"

urlpatterns = [
    # 评星定级
    path("stars/", views.round_list, name="round_list"),
    path("stars/new/", views.round_create, name="round_create"),
    path("stars/<int:pk>/", views.round_detail, name="round_detail"),
    path("stars/<int:pk>/refresh-inputs/", views.round_refresh_inputs, name="round_refresh_inputs"),
    path("stars/<int:pk>/start-scoring/", views.round_start_scoring, name="round_start_scoring"),
    path("stars/<int:pk>/publish/", views.round_publish, name="round_publish"),
    path("stars/<int:pk>/return/", views.round_return, name="round_return"),
    path("stars/<int:pk>/finalize/", views.round_finalize, name="round_finalize"),
    path("stars/ratings/", views.rating_list, name="rating_list"),
    path("stars/ratings/export/", views_excel.rating_export, name="rating_export"),
    path("stars/ratings/<int:pk>/", views.rating_detail, name="rating_detail"),
    path("stars/ratings/<int:pk>/self/", views.rating_self_assess, name="rating_self_assess"),
    path("stars/ratings/<int:pk>/score/", views.rating_score, name="rating_score"),
    path("stars/branches/<int:org_pk>/", views.branch_history, name="branch_history"),
    # 支部标准化规范化建设
    path("standardization/", views.standardization, name="standardization"),
    path("standardization/<int:org_pk>/", views.standardization_edit, name="standardization_edit"),
    # 方案
    path("scheme/", views.scheme, name="scheme"),
    path("scheme/import/", views_excel.scheme_import, name="scheme_import"),
    path("scheme/import/template/", views_excel.scheme_import_template, name="scheme_import_template"),
    path("scheme/import/confirm/", views_excel.scheme_import_confirm, name="scheme_import_confirm"),
    # 平时考核
    path("periodic/rounds/", views_periodic.assessment_round_list, name="assessment_round_list"),
    path("periodic/rounds/new/", views_periodic.assessment_round_create, name="assessment_round_create"),
    path("periodic/rounds/<int:pk>/", views_periodic.assessment_round_detail, name="assessment_round_detail"),
    path("periodic/rounds/<int:pk>/heads/", views_periodic.assessment_round_heads, name="assessment_round_heads"),
    path("periodic/rounds/<int:pk>/review/", views_periodic.assessment_round_review, name="assessment_round_review"),
    path("periodic/rounds/<int:pk>/reopen/", views_periodic.assessment_round_reopen, name="assessment_round_reopen"),
    path("periodic/rounds/<int:pk>/confirm/", views_periodic.assessment_round_confirm, name="assessment_round_confirm"),
    path("periodic/records/", views_periodic.record_list, name="record_list"),
    path("periodic/records/export/", views_excel.record_export, name="record_export"),
    path("periodic/records/<int:pk>/", views_periodic.record_detail, name="record_detail"),
    path("periodic/records/<int:pk>/summary/", views_periodic.record_summary, name="record_summary"),
    path("periodic/records/<int:pk>/score/", views_periodic.record_score, name="record_score"),
    path("periodic/records/<int:pk>/grade/", views_periodic.record_grade, name="record_grade"),
    path("periodic/mine/", views_periodic.my_assessment, name="my_assessment"),
    path("periodic/year/", views_periodic.year_view, name="year_view"),
    path("periodic/year/export/", views_excel.year_export, name="year_export"),
]
