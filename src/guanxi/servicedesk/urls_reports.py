"""The report page (``servicedesk:reports``) and its exports, under /servicedesk/reports/."""

from django.urls import path

from guanxi.servicedesk import report_views

urlpatterns = [
    path("", report_views.report_page, name="reports"),
    path("export.xlsx", report_views.report_export, {"fmt": "xlsx"}, name="reports_xlsx"),
    path("export.csv", report_views.report_export, {"fmt": "csv"}, name="reports_csv"),
]
