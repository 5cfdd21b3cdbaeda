"""Customer insight pages (clv); filled by its owner."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
