"""Pages of the satisfaction area (results); filled by its owner."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
