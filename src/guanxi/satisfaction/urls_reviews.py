"""Pages of the satisfaction area (reviews): the analytics and the bad-review alerts."""

from django.urls import URLPattern, path

from guanxi.satisfaction import views_reviews as views

urlpatterns: list[URLPattern] = [
    path("", views.reviews_page, name="reviews"),
    path("export", views.reviews_export, name="reviews_export"),
    path("alerts/", views.alerts_page, name="alerts"),
    path("alerts/export", views.alerts_export, name="alerts_export"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/reveal", views.alert_reveal, name="alert_reveal"),
    path("alerts/<int:alert_id>/action", views.alert_action, name="alert_action"),
]
