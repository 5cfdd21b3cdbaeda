"""The printable monthly report (月度报告): HTML for screen and print, PDF via Chromium."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from guanxi.accounts.selectors import agent_id_of
from guanxi.core.timeutil import parse_month
from guanxi.reports import rendering
from guanxi.reports.monthly import MonthlyReport, default_month, monthly_report
from guanxi.reports.pdf import PdfError, html_to_pdf
from guanxi.servicedesk.selectors import visible_tickets


def scope_of(request: HttpRequest) -> tuple[bool, str]:
    """(shop figures?, agents: "all", "none" or the user's own agent id) for this user."""
    shop = request.user.has_perm("accounts.view_shop_figures")
    if request.user.has_perm("accounts.view_all_agents"):
        agents = "all"
    else:
        agents = agent_id_of(request.user) or "none"
    if not shop and agents == "none":
        raise PermissionDenied("neither shop figures nor an agent id")
    return shop, agents


def _report(request: HttpRequest) -> tuple[MonthlyReport, str]:
    """The report of ``?month=YYYY-MM`` (default: the latest month with data) and an error
    message when the month given was not understood."""
    shop, agents = scope_of(request)
    error = ""
    year, month = default_month(timezone.localdate())
    if request.GET.get("month"):
        try:
            year, month = parse_month(request.GET["month"])
        except ValueError as exc:
            error = str(exc)
    return monthly_report(year, month, shop=shop, agents=agents, **desk_scope(request)), error


def desk_scope(request: HttpRequest) -> dict[str, Any]:
    """The service desk's section: over the tickets the user may see, if any."""
    if not request.user.has_perm("servicedesk.view_ticket"):
        return {"desk": False}
    return {"desk": True, "tickets": visible_tickets(request.user)}


@login_required
def monthly_page(request: HttpRequest) -> HttpResponse:
    report, error = _report(request)
    context = rendering.context(report) | {"nav": "performance", "tab": "monthly", "error": error}
    return render(request, "reports/monthly.html", context)


@login_required
def monthly_pdf(request: HttpRequest) -> HttpResponse:
    report, _error = _report(request)
    try:
        content = html_to_pdf(rendering.standalone_html(report))
    except PdfError as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type="application/pdf")
    name = f"guanxi-monthly-{report.month.start:%Y-%m}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
