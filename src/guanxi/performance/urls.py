from django.urls import path

from guanxi.performance import detail_views, scorecard_views, shop_views, views

app_name = "performance"
urlpatterns = [
    path("agents/", views.agents_page, name="agents"),
    path("agents/export.xlsx", views.agents_export, name="agents_export"),
    path("trend/", views.trend_page, name="trend"),
    path("trend/export.xlsx", views.trend_export, name="trend_export"),
    path("dsr/", shop_views.dsr_page, name="dsr"),
    path("dsr/export.xlsx", shop_views.dsr_export, name="dsr_export"),
    path("funnel/", shop_views.funnel_page, name="funnel"),
    path("funnel/export.xlsx", shop_views.funnel_export, name="funnel_export"),
    path("scorecard/", scorecard_views.scorecard_page, name="scorecard"),
    path("settings/", scorecard_views.settings_page, name="settings"),
    path("agents/<str:agent_id>/", detail_views.agent_detail, name="agent_detail"),
    path(
        "agents/<str:agent_id>/daily.xlsx",
        detail_views.agent_daily_export,
        name="agent_daily_export",
    ),
    path("sessions/<str:session_id>/", detail_views.session_detail, name="session"),
]
