"""Pages of the satisfaction area (answer); filled by its owner."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
