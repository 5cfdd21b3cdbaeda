"""Customer insight pages (churn risk)."""

from django.urls import path

from guanxi.insight import churn_views

urlpatterns = [
    path("", churn_views.churn_page, name="churn"),
    path("at-risk.csv", churn_views.export_csv, name="churn_export_csv"),
    path("at-risk.xlsx", churn_views.export_xlsx, name="churn_export_xlsx"),
]
