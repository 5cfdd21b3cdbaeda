from django.urls import path
from django.views.generic import RedirectView

from guanxi.performance import views
from guanxi.performance.detail import views as detail_views
from guanxi.performance.scorecard import views as scorecard_views
from guanxi.web import converters  # noqa: F401 (registers <text_id:…>)

app_name = "performance"
urlpatterns = [
    path("agents/", views.agents_page, name="agents"),
    path("agents/export.xlsx", views.agents_export, name="agents_export"),
    path("trend/", views.trend_page, name="trend"),
    path("trend/export.xlsx", views.trend_export, name="trend_export"),
    # The DSR and funnel pages moved to the store area; old bookmarks still arrive.
    path("dsr/", RedirectView.as_view(url="/store/dsr/", query_string=True, permanent=True)),
    path("funnel/", RedirectView.as_view(url="/store/funnel/", query_string=True, permanent=True)),
    path("scorecard/", scorecard_views.scorecard_page, name="scorecard"),
    path("settings/", scorecard_views.settings_page, name="settings"),
    path("agents/<text_id:agent_id>/", detail_views.agent_detail, name="agent_detail"),
    path(
        "agents/<text_id:agent_id>/daily.xlsx",
        detail_views.agent_daily_export,
        name="agent_daily_export",
    ),
    path("sessions/<text_id:session_id>/", detail_views.session_detail, name="session"),
]
