from django.urls import path

from guanxi.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.csv", views.dashboard_export, name="dashboard_export"),
]
