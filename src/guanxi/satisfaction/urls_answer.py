"""The customer's public answer page behind a signed link (no login)."""

from django.urls import path

from guanxi.satisfaction import views_answer

urlpatterns = [
    path("<str:token>/", views_answer.answer, name="answer"),
]
