from django.urls import include, path

app_name = "meetings"

urlpatterns = [
    path("plans/", include("meetings.urls_plans")),
]
