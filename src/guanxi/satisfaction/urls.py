"""The satisfaction pages; each part keeps its own URL module (one owner each)."""

from django.urls import include, path

app_name = "satisfaction"

urlpatterns = [
    path("", include("guanxi.satisfaction.urls_dashboard")),
    path("surveys/", include("guanxi.satisfaction.urls_surveys")),
    path("results/", include("guanxi.satisfaction.urls_results")),
    path("reviews/", include("guanxi.satisfaction.urls_reviews")),
    path("sentiment/", include("guanxi.satisfaction.urls_sentiment")),
    path("s/", include("guanxi.satisfaction.urls_answer")),
]
