"""CSAT pages: the customer's public page behind the signed link (no login), and the
agent's two actions from the ticket's panel (make or mail the link; enter a rating from a
call). The rules live in ``csat``; these views translate its refusals into pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from guanxi.servicedesk import csat, mail_out, selectors
from guanxi.servicedesk.models import Ticket

CHANGE = "servicedesk.change_ticket"
# What the customer reads for each refusal (the codes of csat.CsatError).
_REFUSALS = {
    "tampered": (
        404,
        gettext_lazy("链接无效"),
        gettext_lazy("这个链接不完整或被改动过，请打开邮件或短信里的原始链接。"),
    ),
    "expired": (
        410,
        gettext_lazy("链接已过期"),
        gettext_lazy("这个评价链接已过期。如需评价，请联系客服为您重新发送。"),
    ),
    "used": (
        410,
        gettext_lazy("已经评价过了"),
        gettext_lazy("这个链接已经使用过，您的评价我们已收到，谢谢！"),
    ),
}


@never_cache
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's page: GET asks 1–5 and a comment, POST records them once."""
    try:
        found = csat.request_of_token(token)
    except csat.CsatError as exc:
        return _refused(request, exc)
    context = {"token": token, "number": found.ticket_id, "rating": "", "comment": ""}
    if request.method == "POST":
        rating, comment = request.POST.get("rating", ""), request.POST.get("comment", "")
        try:
            csat.answer(token, rating, comment)
        except csat.CsatError as exc:
            if exc.code in _REFUSALS:
                return _refused(request, exc)
            context.update(rating=rating, comment=comment, error=exc.field)
            return render(request, "servicedesk/csat_answer.html", context, status=400)
        return render(request, "servicedesk/csat_thanks.html", {"number": found.ticket_id})
    return render(request, "servicedesk/csat_answer.html", context)


def _refused(request: HttpRequest, exc: csat.CsatError) -> HttpResponse:
    status, title, text = _REFUSALS.get(exc.code, _REFUSALS["tampered"])
    context = {"title": title, "text": text, "code": exc.code}
    return render(request, "servicedesk/csat_refused.html", context, status=status)


def back_to_panel(
    request: HttpRequest, ticket: Ticket, anchor: str = "#csat-panel"
) -> HttpResponseRedirect:
    """Back to the page the panel was on (its ``next``), never to another site."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = request.headers.get("referer", "") or "/"
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "/"
    return HttpResponseRedirect(target if "#" in target else target + anchor)


def _visible(request: HttpRequest, ticket_id: int) -> Ticket:
    return get_object_or_404(selectors.visible_tickets(request.user), pk=ticket_id)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def send_link(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Make the ticket's link (or keep the open one); ``by=mail`` also mails it."""
    ticket = _visible(request, ticket_id)
    link = csat.request_for(ticket)
    if link is None:
        messages.error(request, _("只有已解决且尚未评价的工单可以发送满意度链接。"))
        return back_to_panel(request, ticket)
    url = request.build_absolute_uri(csat.path_for(link))
    if request.POST.get("by") != "mail":
        messages.success(request, _("满意度链接已生成，可复制后发给客户。"))
        return back_to_panel(request, ticket)
    try:
        sent = mail_out.send_csat_link(ticket.pk, url, by=request.user)
    except mail_out.TicketError as exc:
        messages.error(request, _("无法发送：%(error)s") % {"error": exc})
        return back_to_panel(request, ticket)
    if sent.ok:
        messages.success(request, _("满意度链接已通过邮件发送。"))
    else:
        messages.error(request, _("邮件发送失败：%(error)s") % {"error": sent.entry.error})
    return back_to_panel(request, ticket)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def call_entry(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _visible(request, ticket_id)
    try:
        csat.enter_from_call(
            ticket.pk,
            request.POST.get("rating", ""),
            request.POST.get("comment", ""),
            by=request.user,
        )
    except csat.CsatError as exc:
        messages.error(request, _("未保存：%(error)s") % {"error": exc})
    else:
        messages.success(request, _("已记录客户在电话中的评分。"))
    return back_to_panel(request, ticket)
