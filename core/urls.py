from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("pickers/person/", views.person_options, name="person_options"),
    path("scope/", views.switch_scope, name="switch_scope"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("system/rules/", views.rule_list, name="rule_list"),
    path("system/rules/<str:code>/edit/", views.rule_edit, name="rule_edit"),
    path("system/audit/", views.audit_list, name="audit_list"),
    path("system/recycle-bin/", views.recycle_bin, name="recycle_bin"),
    path("system/recycle-bin/<str:kind>/<int:pk>/restore/", views.recycle_restore, name="recycle_restore"),
    path("attachments/<str:token>/", views.attachment_download, name="attachment_download"),
    path("attachments/<str:token>/delete/", views.attachment_delete, name="attachment_delete"),
    path(
        "attachments/upload/<str:model>/<str:object_id>/",
        views.attachment_upload,
        name="attachment_upload",
    ),
]
