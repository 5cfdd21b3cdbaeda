"""Pages of the satisfaction area (sentiment); filled by its owner."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
