"""CSAT: the agent's actions on a ticket, and the customer's public page (no login)."""

from django.urls import path

from guanxi.servicedesk import csat_views

urlpatterns = [
    path("ticket/<int:ticket_id>/send/", csat_views.send_link, name="csat_send"),
    path("ticket/<int:ticket_id>/call/", csat_views.call_entry, name="csat_call"),
    path("<str:token>/", csat_views.answer, name="csat_answer"),
]
