"""Annual organizational-life plans (included from meetings.urls under /meetings/plans/)."""

from django.urls import path

from meetings import views_plans as views

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("generate/", views.plan_generate, name="plan_generate"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/items/new/", views.plan_item_add, name="plan_item_add"),
    path("items/<int:pk>/edit/", views.plan_item_edit, name="plan_item_edit"),
    path("items/<int:pk>/delete/", views.plan_item_delete, name="plan_item_delete"),
]
