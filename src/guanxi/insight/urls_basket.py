"""Customer insight pages (basket): association rules, bundles and recommendations."""

from django.urls import path

from guanxi.insight import basket_views

urlpatterns = [
    path("", basket_views.basket_page, name="basket"),
    path("export/<str:what>.<str:fmt>", basket_views.basket_export, name="basket_export"),
]
