"""Customer insight pages (clv): the lifetime-value page and its exports."""

from django.urls import URLPattern, path

from guanxi.insight import clv_views

urlpatterns: list[URLPattern] = [
    path("", clv_views.clv_page, name="clv"),
    path("export.csv", clv_views.clv_export_csv, name="clv_export_csv"),
    path("export.xlsx", clv_views.clv_export_xlsx, name="clv_export_xlsx"),
]
