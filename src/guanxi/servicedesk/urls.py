"""The service desk's pages; each part keeps its own URL module (one owner each)."""

from django.urls import include, path

app_name = "servicedesk"

urlpatterns = [
    path("", include("guanxi.servicedesk.urls_tickets")),
    path("sla/", include("guanxi.servicedesk.urls_sla")),
    path("after-sales/", include("guanxi.servicedesk.urls_aftersales")),
    path("csat/", include("guanxi.servicedesk.urls_csat")),
    path("mail/", include("guanxi.servicedesk.urls_mail")),
    path("reports/", include("guanxi.servicedesk.urls_reports")),
]
