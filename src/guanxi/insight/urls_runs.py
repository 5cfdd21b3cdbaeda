"""Customer insight: the overview and the runs (this part's URL module)."""

from django.urls import URLPattern, path

from guanxi.insight import views_runs as views

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="overview"),
    path("run/<str:kind>/", views.run_now, name="run_now"),
    path("runs/progress.json", views.progress, name="run_progress"),
    path("runs/export.<str:fmt>", views.history_export, name="runs_export"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<int:run_id>/metrics.json", views.run_metrics_json, name="run_metrics"),
]
