from django.urls import path

from points import views, views_excel
from points import views_vanguard as vanguard

app_name = "points"

urlpatterns = [
    path("mine/", views.my_points, name="mine"),
    path("rules/", views.rules_catalogue, name="rules"),
    path("people/<int:pk>/", views.person_points, name="person_points"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking/export/", views_excel.ranking_export, name="ranking_export"),
    path("ranking/groups/", views.group_ranking, name="group_ranking"),
    path("ranking/groups/export/", views_excel.group_ranking_export, name="group_ranking_export"),
    path("entries/", views.entry_list, name="entry_list"),
    path("entries/new/", views.entry_create, name="entry_create"),
    path("review/", views.review_queue, name="review_queue"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/approve/", views.entry_approve, name="entry_approve"),
    path("entries/<int:pk>/reject/", views.entry_reject, name="entry_reject"),
    path("entries/<int:pk>/withdraw/", views.entry_withdraw, name="entry_withdraw"),
    path("vanguard/", vanguard.round_list, name="round_list"),
    path("vanguard/new/", vanguard.round_create, name="round_create"),
    path("vanguard/selected/", vanguard.vanguard_list, name="vanguard_list"),
    path("vanguard/<int:pk>/", vanguard.round_detail, name="round_detail"),
    path("vanguard/<int:pk>/nominate/", vanguard.round_nominate, name="round_nominate"),
    path("vanguard/<int:pk>/nominations/new/", vanguard.nomination_add, name="nomination_add"),
    path("vanguard/<int:pk>/decide/", vanguard.round_decide, name="round_decide"),
    path("vanguard/<int:pk>/publish/", vanguard.round_publish, name="round_publish"),
    path("vanguard/<int:pk>/complete/", vanguard.round_complete, name="round_complete"),
    path("vanguard/nominations/<int:pk>/edit/", vanguard.nomination_edit, name="nomination_edit"),
    path("vanguard/nominations/<int:pk>/remove/", vanguard.nomination_remove, name="nomination_remove"),
    path("vanguard/nominations/<int:pk>/revoke/", vanguard.nomination_revoke, name="nomination_revoke"),
    path("notices/", vanguard.notice_list, name="notice_list"),
    path("notices/<int:pk>/", vanguard.notice_detail, name="notice_detail"),
]
