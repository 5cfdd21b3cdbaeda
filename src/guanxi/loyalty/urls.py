from django.urls import path

from guanxi.loyalty import views

app_name = "loyalty"
urlpatterns = [
    path("members/", views.members_page, name="members"),
    path("members/recompute/", views.members_recompute, name="members_recompute"),
    path("members/export.csv", views.members_export, name="members_export"),
]
