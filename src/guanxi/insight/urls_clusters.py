"""Customer insight pages (clusters)."""

from django.urls import URLPattern, path

from guanxi.insight import clusters_views as views

urlpatterns: list[URLPattern] = [
    path("", views.clusters_page, name="clusters"),
    path("export.csv", views.export_csv, name="clusters_export_csv"),
    path("export.xlsx", views.export_xlsx, name="clusters_export_xlsx"),
    path("<int:cluster>/customers/", views.cluster_customers, name="cluster_customers"),
]
