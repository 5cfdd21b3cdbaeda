from django.urls import path

from guanxi.performance import scorecard_views, views

app_name = "performance"
urlpatterns = [
    path("agents/", views.agents_page, name="agents"),
    path("scorecard/", scorecard_views.scorecard_page, name="scorecard"),
    path("settings/", scorecard_views.settings_page, name="settings"),
]
