from django.urls import path

from duties import views, views_records

app_name = "duties"

urlpatterns = [
    path("responsibility/", views.responsibility, name="responsibility"),
    path("responsibility/<int:pk>/", views.item_detail, name="item_detail"),
    path("liaison/", views.liaison_overview, name="liaison_overview"),
    path("risks/areas/", views.risk_areas, name="risk_areas"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:pk>/", views.catalogue_department, name="catalogue_department"),
    path("flowcharts/<int:pk>/", views.flowchart_detail, name="flowchart_detail"),
    path("flowcharts/<int:pk>/steps/", views.flowchart_steps, name="flowchart_steps"),
    # Named entry points of two generic lists (for the navigation).
    path("dual/", views_records.record_list, {"kind": "dual"}, name="dual_list"),
    path("risks/", views_records.record_list, {"kind": "risks"}, name="risk_list"),
    # Every list of the area: ledger, record, form, delete, Excel (see duties.entities).
    path("<slug:kind>/", views_records.record_list, name="record_list"),
    path("<slug:kind>/new/", views_records.record_create, name="record_create"),
    path("<slug:kind>/export/", views_records.record_export, name="record_export"),
    path("<slug:kind>/import/", views_records.record_import, name="record_import"),
    path("<slug:kind>/import/template/", views_records.record_import_template, name="record_import_template"),
    path("<slug:kind>/import/confirm/", views_records.record_import_confirm, name="record_import_confirm"),
    path("<slug:kind>/<int:pk>/", views_records.record_detail, name="record_detail"),
    path("<slug:kind>/<int:pk>/edit/", views_records.record_edit, name="record_edit"),
    path("<slug:kind>/<int:pk>/delete/", views_records.record_delete, name="record_delete"),
]
