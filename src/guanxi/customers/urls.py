from django.urls import path

from guanxi.customers import analytics_views, views

app_name = "customers"
# Fixed paths first: "export.csv" and "audit" would otherwise be taken for customer keys.
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.csv", views.customer_export, name="export"),
    path("audit/", views.audit_log, name="audit"),
    path("merges/", views.merge_page, name="merges"),
    path("analytics/", analytics_views.analytics_page, name="analytics"),
    path("analytics/export.xlsx", analytics_views.analytics_export, name="analytics_export"),
    path("<str:customer_key>/", views.customer_detail, name="detail"),
    path("<str:customer_key>/reveal/", views.customer_reveal, name="reveal"),
]
