"""Pages of the satisfaction area: the dashboard (seed 001's model) and its export."""

from django.urls import URLPattern, path

from guanxi.satisfaction import views_dashboard

urlpatterns: list[URLPattern] = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("export/", views_dashboard.dashboard_export, name="dashboard_export"),
]
