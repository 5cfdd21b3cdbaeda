"""Mail pages: the reply from the ticket's panel, and the mail log (every message in and
out with what became of it) with a "fetch now" button for the manager. Addresses are
masked on the log; message bodies are not shown there at all (the ticket shows them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.pii import mask_email
from guanxi.servicedesk import mail_in, mail_out, selectors
from guanxi.servicedesk.csat_views import CHANGE, back_to_panel
from guanxi.servicedesk.models import MailMessage

VIEW_ALL = "servicedesk.view_all_tickets"


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_object_or_404(selectors.visible_tickets(request.user), pk=ticket_id)
    try:
        sent = mail_out.send_reply(ticket.pk, request.POST.get("body", ""), by=request.user)
    except mail_out.TicketError as exc:
        messages.error(request, _("未发送：%(error)s") % {"error": exc})
        return back_to_panel(request, ticket, "#mail-panel")
    if sent.ok:
        messages.success(request, _("回复已通过邮件发送，并记入工单。"))
    else:
        messages.error(
            request,
            _("邮件发送失败，工单没有改变：%(error)s") % {"error": sent.entry.error},
        )
    return back_to_panel(request, ticket, "#mail-panel")


@login_required
@permission_required(VIEW_ALL, raise_exception=True)
def log(request: HttpRequest) -> HttpResponse:
    entries = MailMessage.objects.select_related("ticket").order_by("-at", "-id")
    status = request.GET.get("status", "")
    if status in MailMessage.Status.values:
        entries = entries.filter(status=status)
    direction = request.GET.get("direction", "")
    if direction in MailMessage.Direction.values:
        entries = entries.filter(direction=direction)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": entry,
            "address": mask_email(entry.address) if entry.address else "",
        }
        for entry in page.object_list
    ]
    context = {
        "nav": "servicedesk",
        "page": page,
        "rows": rows,
        "status": status,
        "direction": direction,
        "statuses": MailMessage.Status.choices,
        "directions": MailMessage.Direction.choices,
        "imap_configured": mail_in.imap_configured(),
    }
    return render(request, "servicedesk/mail_log.html", context)


@login_required
@permission_required(VIEW_ALL, raise_exception=True)
@require_POST
def fetch_now(request: HttpRequest) -> HttpResponse:
    try:
        result = mail_in.fetch()
    except mail_in.MailConfigError as exc:
        messages.error(request, _("收信失败：%(error)s") % {"error": exc})
    else:
        messages.success(
            request,
            _("收信完成：新邮件 %(new)s 封，重复 %(dup)s 封。")
            % {"new": result.total, "dup": result.duplicates},
        )
    return redirect("servicedesk:mail_log")
