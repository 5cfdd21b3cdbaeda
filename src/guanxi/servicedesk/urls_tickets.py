"""The ticket pages (``servicedesk:queue``, ``:ticket``, ``:new``, ``:routing`` …)."""

from django.urls import path

from guanxi.servicedesk import views, views_routing

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.ticket_new, name="new"),
    path("export.<str:file_format>", views.queue_export, name="export"),
    path("assign/", views.bulk_assign, name="bulk_assign"),
    path("routing/", views_routing.routing_page, name="routing"),
    path("<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("<int:ticket_id>/act/", views.ticket_act, name="act"),
    path("<int:ticket_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "<int:ticket_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
]
