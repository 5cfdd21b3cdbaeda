from django.urls import path

from guanxi.store import views

app_name = "store"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.dashboard_export, name="dashboard_export"),
    path("dsr/", views.dsr_page, name="dsr"),
    path("dsr/export.xlsx", views.dsr_export, name="dsr_export"),
    path("funnel/", views.funnel_page, name="funnel"),
    path("funnel/export.xlsx", views.funnel_export, name="funnel_export"),
]
