"""Customer insight pages; each part keeps its own URL module (one owner each)."""

from django.urls import include, path

app_name = "insight"

urlpatterns = [
    path("", include("guanxi.insight.urls_runs")),
    path("clv/", include("guanxi.insight.urls_clv")),
    path("churn/", include("guanxi.insight.urls_churn")),
    path("clusters/", include("guanxi.insight.urls_clusters")),
    path("basket/", include("guanxi.insight.urls_basket")),
]
