"""Pages of the satisfaction area (surveys); filled by its owner."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
