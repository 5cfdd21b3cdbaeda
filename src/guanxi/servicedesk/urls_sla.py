"""The SLA pages, under /servicedesk/sla/ (names in the ``servicedesk`` namespace)."""

from django.urls import path

from guanxi.servicedesk import sla_views

urlpatterns = [
    path("", sla_views.sla_list, name="sla_list"),
    path("export.csv", sla_views.sla_export, {"fmt": "csv"}, name="sla_export_csv"),
    path("export.xlsx", sla_views.sla_export, {"fmt": "xlsx"}, name="sla_export_xlsx"),
    path("targets/", sla_views.sla_targets, name="sla_targets"),
]
