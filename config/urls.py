from django.contrib import admin
from django.urls import include, path

# Django's admin bypasses the scope policies, so only superusers may use it; everyone else works
# in the application's own pages.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = "机关党建工作平台 · 数据维护（仅超级管理员）"

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("orgs/", include("orgs.urls")),
    path("meetings/", include("meetings.urls")),
    path("supervision/", include("supervision.urls")),
    path("duties/", include("duties.urls")),
    path("points/", include("points.urls")),
    path("assessment/", include("assessment.urls")),
    path("reports/", include("reports.urls")),
    path("django-admin/", admin.site.urls),
]
