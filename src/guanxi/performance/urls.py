from django.urls import path

from guanxi.performance import detail_views, views

app_name = "performance"
urlpatterns = [
    path("agents/", views.agents_page, name="agents"),
    path("agents/<str:agent_id>/", detail_views.agent_detail, name="agent_detail"),
    path(
        "agents/<str:agent_id>/daily.xlsx",
        detail_views.agent_daily_export,
        name="agent_daily_export",
    ),
    path("sessions/<str:session_id>/", detail_views.session_detail, name="session"),
]
