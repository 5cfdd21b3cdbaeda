from django.urls import path

from guanxi.customers import analytics_views, profile_views, rfm_views, rules_views, views

app_name = "customers"
# Fixed paths first: "export.csv" and "audit" would otherwise be taken for customer keys.
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.csv", views.customer_export, name="export"),
    path("audit/", views.audit_log, name="audit"),
    path("merges/", views.merge_page, name="merges"),
    path("rfm/", rfm_views.explorer_page, name="rfm"),
    path("rfm/export.csv", rfm_views.export_csv, name="rfm_export_csv"),
    path("rfm/export.xlsx", rfm_views.export_xlsx, name="rfm_export_xlsx"),
    path("rules/", rules_views.rules_page, name="rules"),
    path("analytics/", analytics_views.analytics_page, name="analytics"),
    path("analytics/export.xlsx", analytics_views.analytics_export, name="analytics_export"),
    path("<str:customer_key>/", views.customer_detail, name="detail"),
    path("<str:customer_key>/reveal/", views.customer_reveal, name="reveal"),
    path("<str:customer_key>/edit/", profile_views.customer_edit, name="edit"),
    path("<str:customer_key>/notes/", profile_views.customer_notes, name="notes"),
    path("<str:customer_key>/tags/", profile_views.customer_tags, name="tags"),
    path("<str:customer_key>/pin/", profile_views.customer_pin, name="pin"),
]
