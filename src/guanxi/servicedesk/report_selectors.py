"""Reads behind the service desk's reports: the ticket and CSAT rows of the tickets a user
may see (``visible_tickets``), and the orders created in a period (the lake)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from guanxi.core.timeutil import Period, month_period
from guanxi.servicedesk import reports
from guanxi.servicedesk.models import CsatRequest, Ticket
from guanxi.servicedesk.reports import CsatRow, DeskReport, TicketRow, Window

log = logging.getLogger(__name__)

_TICKET_FIELDS = (
    "id",
    "kind",
    "tier",
    "category",
    "product_id",
    "team",
    "assignee__agent_id",
    "created_at",
    "resolved_at",
    "closed_at",
    "reopen_count",
    "first_response_at",
    "first_response_seconds",
    "resolution_seconds",
    "first_response_breached",
    "resolution_breached",
)


def ticket_rows(tickets: QuerySet[Ticket], w: Window) -> list[TicketRow]:
    """The rows a report of ``w`` needs: created before its end and either created in it,
    resolved in it or still unresolved (open at its end). One query, no free text."""
    wanted = tickets.filter(created_at__lt=w.end).filter(
        Q(created_at__gte=w.start) | Q(resolved_at__gte=w.start) | Q(resolved_at__isnull=True)
    )
    return [
        TicketRow(
            id=v["id"],
            kind=v["kind"],
            tier=v["tier"],
            category=v["category"],
            product_id=v["product_id"],
            team=v["team"],
            agent_id=v["assignee__agent_id"] or "",
            created_at=v["created_at"],
            resolved_at=v["resolved_at"],
            closed_at=v["closed_at"],
            reopen_count=v["reopen_count"],
            # The SLA clock stores the running time of an open clock too; the report times
            # only clocks that stopped (answered, resolved).
            first_response_seconds=(
                v["first_response_seconds"] if v["first_response_at"] is not None else None
            ),
            resolution_seconds=v["resolution_seconds"] if v["resolved_at"] is not None else None,
            first_response_breached=v["first_response_breached"],
            resolution_breached=v["resolution_breached"],
        )
        for v in wanted.order_by().values(*_TICKET_FIELDS)
    ]


def csat_rows(tickets: QuerySet[Ticket], w: Window) -> list[CsatRow]:
    """The answered CSAT questions of ``tickets`` answered in ``w``."""
    answered = CsatRequest.objects.filter(
        ticket__in=tickets.order_by().values("pk"),
        rating__isnull=False,
        answered_at__gte=w.start,
        answered_at__lt=w.end,
    )
    return [
        CsatRow(
            ticket_id=v["ticket_id"],
            rating=v["rating"] or 0,  # filtered: answered, so set (1–5)
            answered_at=v["answered_at"] or w.start,
            agent_id=v["ticket__assignee__agent_id"] or "",
            team=v["ticket__team"],
            tier=v["ticket__tier"],
        )
        for v in answered.order_by().values(
            "ticket_id",
            "rating",
            "answered_at",
            "ticket__assignee__agent_id",
            "ticket__team",
            "ticket__tier",
        )
    ]


def orders_created(period: Period) -> int | None:
    """Orders created on the period's local days, from the lake's ``orders`` (counted once
    per state of the lake: ``figure_cache``); None when the lake cannot be read.

    The store's figures count orders *paid* in a period (``metrics.store.payments``) and
    the funnel counts *customers* placing orders, so neither is this denominator."""
    from guanxi.performance import figure_cache

    try:
        return figure_cache.cached("desk_orders_created", period, lambda: _orders_created(period))
    except Exception:  # an unreadable lake leaves the rate unknown (shown so), not a 500
        log.warning("orders of %s could not be counted from the lake", period, exc_info=True)
        return None


def _orders_created(period: Period) -> int:
    from guanxi import lake
    from guanxi.metrics.calendar import in_period

    shop = lake.get()
    orders = shop.table("orders")
    count = orders.filter(in_period(orders.created_at, period, settings.TIME_ZONE)).count()
    return int(shop.arrow(count).as_py())


def report_window(period: Period, now: dt.datetime | None = None) -> Window:
    return reports.window(period, settings.TIME_ZONE, now or timezone.now())


def desk_report(
    tickets: QuerySet[Ticket],
    period: Period,
    *,
    now: dt.datetime | None = None,
    with_orders: bool = True,
) -> DeskReport:
    """The report of ``period`` over ``tickets`` (already narrowed to what the user may
    see); the complaint rate's orders are the shop's, read from the lake."""
    w = report_window(period, now)
    orders = orders_created(period) if with_orders else None
    return reports.desk_report(ticket_rows(tickets, w), csat_rows(tickets, w), w, orders)


def default_period(tickets: QuerySet[Ticket], today: dt.date | None = None) -> Period:
    """The month of the latest ticket the user sees, or this month without tickets."""
    latest: Any = tickets.order_by("-created_at").values_list("created_at", flat=True).first()
    day = timezone.localtime(latest).date() if latest else (today or timezone.localdate())
    return month_period(day.year, day.month)


def unit_desk(tickets: QuerySet[Ticket], period: Period, by: str) -> list[reports.UnitDesk]:
    """SLA breaches and CSAT of ``period`` per agent, team or tier (the performance pages)."""
    w = report_window(period)
    return reports.unit_figures(ticket_rows(tickets, w), csat_rows(tickets, w), w, by)


def performance_desk(user: Any, period: Period, view: str, only: str = "") -> dict[str, Any]:
    """The service desk's figures beside the performance pages' ``view`` (agent, team or
    shop): per unit of the view and per tier, over the tickets ``user`` may see; ``only``:
    one agent's row (an agent sees their own row, as in the agent table). Empty for a user
    without the service desk."""
    from guanxi.servicedesk.selectors import visible_tickets

    if not user.has_perm("servicedesk.view_ticket"):
        return {}
    tickets = visible_tickets(user)
    if only:
        tickets = tickets.filter(assignee__agent_id=only)
    units = unit_desk(tickets, period, view) if view in ("agent", "team") else []
    return {"by": view, "units": units, "tiers": unit_desk(tickets, period, "tier")}
