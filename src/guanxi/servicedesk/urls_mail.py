"""Mail: the log, fetching now, and the reply from a ticket."""

from django.urls import path

from guanxi.servicedesk import mail_views

urlpatterns = [
    path("", mail_views.log, name="mail_log"),
    path("fetch/", mail_views.fetch_now, name="mail_fetch"),
    path("ticket/<int:ticket_id>/reply/", mail_views.reply, name="mail_reply"),
]
