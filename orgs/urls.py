from django.urls import include, path

from orgs import views

app_name = "orgs"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/delete/", views.organization_delete, name="organization_delete"),
    path("organizations/<int:org_pk>/posts/new/", views.post_assign, name="post_assign"),
    path("posts/<int:pk>/end/", views.post_end, name="post_end"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/delete/", views.person_delete, name="person_delete"),
    path("people/<int:pk>/id-number/", views.person_reveal_id, name="person_reveal_id"),
    path("handovers/", views.handover_list, name="handover_list"),
    path("handovers/<int:pk>/", views.handover_detail, name="handover_detail"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_form, name="department_create"),
    path("departments/<int:pk>/edit/", views.department_form, name="department_edit"),
    path("units/new/", views.unit_form, name="unit_create"),
    path("units/<int:pk>/edit/", views.unit_form, name="unit_edit"),
    path("me/", views.my_record, name="my_record"),
    path("", include("orgs.urls_excel")),
]
