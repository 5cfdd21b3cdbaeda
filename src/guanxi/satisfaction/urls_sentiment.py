"""Pages of the satisfaction area (sentiment): the model page and its evaluation as CSV."""

from django.urls import path

from guanxi.satisfaction import sentiment_views

urlpatterns = [
    path("", sentiment_views.sentiment_page, name="sentiment"),
    path("evaluation.csv", sentiment_views.sentiment_export, name="sentiment_export"),
]
