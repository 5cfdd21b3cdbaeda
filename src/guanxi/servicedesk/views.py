"""The ticket pages: the queue (with filters and bulk assignment), a ticket with its
history and actions, the create form, the routing settings. Thin: selectors read,
services write (and name the field of what they refuse), presenters mask."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.accounts.models import Agent
from guanxi.servicedesk import exports, presenters, selectors, services
from guanxi.servicedesk.forms import QueueForm, TicketForm, agent_choices
from guanxi.servicedesk.labels import SLA_LABELS, STATE_CHOICES, STATE_LABELS
from guanxi.servicedesk.models import (
    Attachment,
    Category,
    Department,
    State,
    Ticket,
    Tier,
)
from guanxi.web.exports.safe import csv_text
from guanxi.web.exports.xlsx import Sheet, workbook
from guanxi.web.responses import xlsx_response

PAGE_SIZE = 50


def _ticket_or_404(request: HttpRequest, ticket_id: int) -> Ticket:
    ticket = selectors.may_see(request.user, ticket_id)
    if ticket is None:
        raise Http404("no such ticket in your queues")
    return ticket


def _filters(request: HttpRequest, form: QueueForm, all_queues: bool) -> selectors.QueueFilters:
    data = form.cleaned_data if form.is_valid() else {}
    scope = request.GET.get("scope", "")
    if scope not in selectors.SCOPES:
        scope = "all" if all_queues else "mine"
    status = data.get("status") or "open"
    return selectors.QueueFilters(
        scope=scope,
        status="" if status == "any" else status,
        **{
            k: data.get(k) or ""
            for k in (
                "state",
                "tier",
                "category",
                "kind",
                "channel",
                "department",
                "team",
                "agent",
                "sla_state",
                "number",
            )
        },
    )


@login_required
@permission_required("servicedesk.view_ticket", raise_exception=True)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    all_queues = request.user.has_perm("servicedesk.view_all_tickets")
    form = QueueForm(request.GET or None, teams=selectors.teams())
    filters = _filters(request, form, all_queues)
    tickets = selectors.queue(request.user, filters)
    figures = selectors.counts(tickets)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    reveal = presenters.may_reveal(request.user)
    rows = presenters.queue_rows(list(page.object_list), reveal=reveal)
    context: dict[str, Any] = {
        "nav": "servicedesk",
        "form": form,
        "filters": filters,
        "scopes": [
            (s, label)
            for s, label in (
                ("mine", _("我的工单")),
                ("team", _("本组工单")),
                ("unassigned", _("待认领")),
                ("all", _("全部队列")),
            )
            if s != "all" or all_queues
        ],
        "all_queues": all_queues,
        "page": page,
        "rows": rows,
        "state_counts": [(v, label, figures["state"].get(v, 0)) for v, label in STATE_CHOICES],
        "tier_counts": [(v, label, figures["tier"].get(v, 0)) for v, label in Tier.choices],
        "total": page.paginator.count,
        "agents": agent_choices(),
        "may_bulk": request.user.has_perm("servicedesk.assign_ticket"),
        "me": selectors.agent_of(request.user),
    }
    return render(request, "servicedesk/queue.html", context)


@login_required
@permission_required("servicedesk.view_ticket", raise_exception=True)
@require_GET
def queue_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The filtered queue as CSV or XLSX, subjects masked (``servicedesk.exports``)."""
    if file_format not in ("csv", "xlsx"):
        raise Http404("export as csv or xlsx")
    all_queues = request.user.has_perm("servicedesk.view_all_tickets")
    form = QueueForm(request.GET or None, teams=selectors.teams())
    filters = _filters(request, form, all_queues)
    tickets = selectors.queue(request.user, filters)[: exports.MAX_ROWS]
    rows = exports.rows(tickets)
    stamp = timezone.localdate().isoformat()
    if file_format == "csv":
        header = [c.header for c in exports.columns()]
        response = HttpResponse(csv_text([header, *rows]), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="tickets-{stamp}.csv"'
    else:
        sheet = Sheet(
            name=_("工单"),
            title=_("工单（%(n)s 张，标题中的个人信息已打码）") % {"n": f"{len(rows):,}"},
            columns=exports.columns(),
            rows=rows,
        )
        response = xlsx_response(workbook([sheet]), f"tickets-{stamp}.xlsx")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required("servicedesk.assign_ticket", raise_exception=True)
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    agent = Agent.objects.filter(agent_id=request.POST.get("agent", "")).first()
    ids = [int(i) for i in request.POST.getlist("ticket") if i.isdigit()]
    visible = set(
        selectors.visible_tickets(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    back = request.POST.get("next") or "/servicedesk/"
    if agent is None:
        messages.error(request, _("处理人：请选择要分派给的客服。"))
    elif not visible:
        messages.error(request, _("工单：请勾选至少一张工单。"))
    else:
        try:
            count = services.bulk_assign(sorted(visible), agent=agent, by=request.user)
        except services.TicketError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "已将 %(n)s 张工单分派给 %(agent)s。",
                    "已将 %(n)s 张工单分派给 %(agent)s。",
                    count,
                )
                % {"n": count, "agent": agent.agent_id},
            )
    if not back.startswith("/servicedesk/"):
        back = "/servicedesk/"
    return redirect(back)


def _session_link(request: HttpRequest, ticket: Ticket) -> bool:
    """Whether the chat transcript page would open for this user (the same rule)."""
    from guanxi.performance.access import may_view_session

    if not ticket.chat_session_id:
        return False
    try:
        served_by = selectors.session_agents(ticket.chat_session_id)
    except Exception:  # no lake configured or unreadable: show the id without a link
        return False
    if served_by is None:
        return False
    return may_view_session(request.user, served_by, ticket.customer_key)


def render_ticket(
    request: HttpRequest, ticket: Ticket, *, errors: dict[str, str] | None = None
) -> HttpResponse:
    reveal = presenters.may_reveal(request.user)
    known = None if reveal else presenters.known_for([ticket.customer_key]).get(ticket.customer_key)
    if not reveal and known is None:
        from guanxi.ingest.pii import KnownValues

        known = KnownValues()
    subject, description, reason = presenters.masked(
        [ticket.subject, ticket.description, ticket.escalation_reason], known
    )
    events = list(ticket.events.select_related("by"))
    me = selectors.agent_of(request.user)
    context: dict[str, Any] = {
        "nav": "servicedesk",
        "ticket": ticket,
        "subject": subject,
        "description": description,
        "escalation_reason": reason,
        "customer_name": presenters.customer_label(ticket),
        "history": presenters.history(events, known),
        "moves": presenters.moves(ticket),
        "closed": ticket.state == State.CLOSED,
        "categories": [(v, label) for v, label in Category.choices if v],
        "tiers": Tier.choices,
        "agents": agent_choices(),
        "departments": Department.objects.filter(active=True),
        "may_edit": request.user.has_perm("servicedesk.change_ticket"),
        "may_assign": request.user.has_perm("servicedesk.assign_ticket"),
        "may_claim": me is not None and ticket.assignee_id is None,
        "attachments": list(
            ticket.attachments.select_related("uploaded_by").order_by("uploaded_at")
        ),
        "max_mb": services.attachment_max_bytes() / 1024 / 1024,
        "session_link": _session_link(request, ticket),
        "sla_class": presenters.sla_class(ticket.sla_state),
        "state_label": STATE_LABELS.get(ticket.state, ticket.state),
        "sla_label": SLA_LABELS.get(ticket.sla_state, ticket.sla_state),
        "errors": errors or {},
    }
    return render(request, "servicedesk/ticket.html", context, status=422 if errors else 200)


@login_required
@permission_required("servicedesk.view_ticket", raise_exception=True)
@require_GET
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return render_ticket(request, _ticket_or_404(request, ticket_id))


ACTIONS = ("move", "classify", "escalate", "assign", "claim", "note", "reply")


def _act(request: HttpRequest, ticket: Ticket, action: str) -> str:
    """Run one action; the success message. TicketError propagates."""
    post, by = request.POST, request.user
    if action == "move":
        services.transition(ticket.pk, post.get("state", ""), by=by, note=post.get("note", ""))
        return _("状态已更新。")
    if action == "classify":
        services.classify(ticket.pk, post.get("category", ""), by=by)
        return _("已分类。")
    if action == "escalate":
        services.escalate(ticket.pk, post.get("tier", ""), post.get("reason", ""), by=by)
        return _("级别已更新。")
    if action == "assign":
        if not by.has_perm("servicedesk.assign_ticket"):
            raise PermissionDenied("needs servicedesk.assign_ticket")
        agent = None
        if post.get("agent"):
            agent = Agent.objects.filter(agent_id=post["agent"]).first()
            if agent is None:
                raise services.TicketError(_("处理人：没有这个客服。"), "agent")
        department = None
        if post.get("department"):
            department = Department.objects.filter(pk=post["department"]).first()
        team = post.get("team", "").strip() or None
        if agent is None and department is None and team is None:
            raise services.TicketError(_("处理人：请选择客服、客服组或部门。"), "agent")
        services.assign(ticket.pk, by=by, agent=agent, team=team, department=department)
        return _("已分派。")
    if action == "claim":
        me = selectors.agent_of(by)
        if me is None:
            raise services.TicketError(_("这个账号没有关联客服，不能认领工单。"), "assignee")
        services.claim(ticket.pk, me, by=by)
        return _("已认领。")
    services.add_note(ticket.pk, post.get("note", ""), by=by, reply=action == "reply")
    return _("已记录回复。") if action == "reply" else _("已添加备注。")


@login_required
@permission_required("servicedesk.change_ticket", raise_exception=True)
@require_POST
def ticket_act(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_404(request, ticket_id)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404("no such action")
    try:
        done = _act(request, ticket, action)
    except services.TicketError as exc:
        ticket.refresh_from_db()
        return render_ticket(request, ticket, errors={exc.field or action: str(exc)})
    messages.success(request, done)
    return redirect("servicedesk:ticket", ticket_id=ticket.pk)


@login_required
@permission_required("servicedesk.change_ticket", raise_exception=True)
@require_POST
def attachment_upload(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_404(request, ticket_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise services.TicketError(_("附件：请选择一个文件。"), "attachment")
        limit = services.attachment_max_bytes()
        if upload.size and upload.size > limit:
            # Refused before reading it into memory.
            raise services.TicketError(
                _(
                    "附件：文件 %(name)s 有 %(size)s 字节，超过上限 %(limit)s 字节（%(mb)s MB）；"
                    "请压缩或拆分后再上传。"
                )
                % {
                    "name": upload.name,
                    "size": f"{upload.size:,}",
                    "limit": f"{limit:,}",
                    "mb": f"{limit / 1024 / 1024:.0f}",
                },
                "attachment",
            )
        services.add_attachment(
            ticket.pk,
            name=upload.name or "",
            content=upload.read(),
            content_type=upload.content_type or "",
            by=request.user,
        )
    except services.TicketError as exc:
        return render_ticket(request, ticket, errors={"attachment": str(exc)})
    messages.success(request, _("附件已上传。"))
    return redirect("servicedesk:ticket", ticket_id=ticket.pk)


@login_required
@permission_required("servicedesk.view_ticket", raise_exception=True)
@require_GET
def attachment_download(request: HttpRequest, ticket_id: int, attachment_id: int) -> HttpResponse:
    ticket = _ticket_or_404(request, ticket_id)
    attachment = Attachment.objects.filter(ticket=ticket, pk=attachment_id).first()
    if attachment is None:
        raise Http404("no such attachment")
    response = HttpResponse(
        services.attachment_content(attachment),
        content_type=attachment.content_type or "application/octet-stream",
    )
    # Always a download (never rendered inline: an uploaded HTML file must not run here).
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@permission_required("servicedesk.add_ticket", raise_exception=True)
@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = TicketForm(request.POST)
        if form.is_valid():
            try:
                ticket = services.create_ticket(by=request.user, **form.cleaned_data)
            except services.TicketError as exc:
                errors[exc.field or "subject"] = str(exc)
            else:
                messages.success(request, _("工单 #%(n)s 已登记。") % {"n": ticket.pk})
                return redirect("servicedesk:ticket", ticket_id=ticket.pk)
    else:
        get = request.GET
        initial: dict[str, Any] = {
            "chat_session_id": get.get("session", ""),
            "customer_key": get.get("customer", ""),
            "order_id": get.get("order", ""),
            "platform": get.get("platform", ""),
        }
        if get.get("session"):
            initial["channel"] = "chat"
        form = TicketForm(initial={k: v for k, v in initial.items() if v})
    status = 422 if (errors or form.errors) else 200
    return render(
        request,
        "servicedesk/new.html",
        {"nav": "servicedesk", "form": form, "errors": errors},
        status=status,
    )
