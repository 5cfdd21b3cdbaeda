"""After-sales cases: ``/servicedesk/after-sales/<ticket>/`` (the case) and ``…/save/``."""

from django.urls import URLPattern, path

from guanxi.servicedesk import views_aftersales as views

urlpatterns: list[URLPattern] = [
    path("<int:ticket_id>/", views.case_page, name="aftersales_case"),
    path("<int:ticket_id>/save/", views.case_save, name="aftersales_save"),
]
