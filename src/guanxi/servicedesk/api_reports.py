"""``/api/servicedesk/reports/…``: the service desk's report of a period and its figures per
agent, team or tier. The page's rules: ``servicedesk.view_ticket``; an agent's figures
cover only the tickets assigned to them or their team (``visible_tickets``)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError

from guanxi.servicedesk import report_presenters as presenters
from guanxi.servicedesk import report_selectors, reports
from guanxi.servicedesk.selectors import visible_tickets
from guanxi.web.api import PeriodIn, period_of
from guanxi.web.exports.values import json_value

router = Router(tags=["servicedesk"])


def _tickets(request: HttpRequest) -> Any:
    if not request.user.has_perm("servicedesk.view_ticket"):
        raise HttpError(403, "needs the service desk (servicedesk.view_ticket)")
    return visible_tickets(request.user)


@router.get("", response=dict[str, Any], summary="服务台报告: open tickets, SLA, rates, CSAT")
def report(request: HttpRequest, query: Query[PeriodIn]) -> dict[str, Any]:
    """Open tickets by tier and age band at the period's end (or now), first-response and
    resolution business seconds against the SLA per tier, the reopen rate, complaints per
    1,000 orders, the top complaint categories by product, the ISO-week trend and CSAT.
    Shares are fractions (0.75 = 75 %); no data is null, never 0."""
    tickets = _tickets(request)
    return presenters.as_json(report_selectors.desk_report(tickets, period_of(query)))


@router.get("/units", response=list[dict[str, Any]], summary="SLA breaches and CSAT per unit")
def units(
    request: HttpRequest, query: Query[PeriodIn], by: Literal["agent", "team", "tier"] = "agent"
) -> list[dict[str, Any]]:
    """Per agent, team or tier: tickets created in the period, how many breached the first
    response and the resolution target, and the CSAT answered in the period."""
    tickets = _tickets(request)
    period = period_of(query)
    w = report_selectors.report_window(period)
    figures = reports.unit_figures(
        report_selectors.ticket_rows(tickets, w), report_selectors.csat_rows(tickets, w), w, by
    )
    return [
        {
            "unit": None if f.unit == reports.NOBODY else f.unit,
            "tickets": f.tickets,
            "first_response_breached": f.first_response_breached,
            "resolution_breached": f.resolution_breached,
            "csat_answered": f.csat.answered,
            "csat_mean": json_value(f.csat.mean, "ratio"),
            "csat_good_share": json_value(f.csat.good_share, "ratio"),
        }
        for f in figures
    ]
