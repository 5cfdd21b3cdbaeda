"""Customer insight pages (runs); filled by its owner."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
