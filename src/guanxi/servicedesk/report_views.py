"""The service desk's report page (服务台报告) and its XLSX/CSV export. Thin: the period
from the query, the tickets the user may see, the figures from ``report_selectors``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from guanxi.core.timeutil import Period
from guanxi.servicedesk import report_presenters as presenters
from guanxi.servicedesk import report_selectors
from guanxi.servicedesk.selectors import visible_tickets
from guanxi.web.forms import PeriodForm
from guanxi.web.periods import period_from_query
from guanxi.web.responses import xlsx_response

VIEW = "servicedesk.view_ticket"


def _period(request: HttpRequest) -> tuple[PeriodForm, Period]:
    tickets = visible_tickets(request.user)
    return period_from_query(request.GET, report_selectors.default_period(tickets))


@login_required
@permission_required(VIEW, raise_exception=True)
def report_page(request: HttpRequest) -> HttpResponse:
    form, period = _period(request)
    # Agents see only their own and their team's tickets' figures; managers every queue.
    sees_all = request.user.has_perm("servicedesk.view_all_tickets")
    report = report_selectors.desk_report(visible_tickets(request.user), period)
    context = {
        "nav": "servicedesk",
        "tab": "reports",
        "form": form,
        "period": period,
        "report": report,
        "sees_all": sees_all,
        "tiles": presenters.tiles(report),
        "tables": {t.key: t for t in presenters.tables(report)},
        "chart": presenters.chart_data(report),
    }
    return render(request, "servicedesk/reports.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The page's tables as XLSX (a sheet each) or CSV (one after the other)."""
    _form, period = _period(request)
    report = report_selectors.desk_report(visible_tickets(request.user), period)
    name = f"guanxi-servicedesk-{period.start}-{period.end}"
    if fmt == "xlsx":
        return xlsx_response(presenters.as_xlsx(report), f"{name}.xlsx")
    response = HttpResponse(presenters.as_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
