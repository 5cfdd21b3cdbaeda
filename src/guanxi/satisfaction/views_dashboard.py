"""The satisfaction dashboard (满意度总览, seed 001's model) and its exports: thin views, the
figures in ``dashboard_selectors``, the wording in ``dashboard_presenters``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from guanxi.core.timeutil import Period
from guanxi.satisfaction import dashboard_presenters as presenters
from guanxi.satisfaction import dashboard_selectors as selectors
from guanxi.web.exports.safe import csv_text
from guanxi.web.exports.xlsx import workbook
from guanxi.web.forms import PeriodForm
from guanxi.web.periods import period_from_query
from guanxi.web.responses import xlsx_response

VIEW_RESULTS = "satisfaction.view_results"


def _period(request: HttpRequest) -> tuple[PeriodForm, Period]:
    return period_from_query(request.GET, selectors.default_period(timezone.localdate()))


@login_required
@permission_required(VIEW_RESULTS, raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    form, period = _period(request)
    board = selectors.dashboard(period)
    context = {
        "nav": "satisfaction",
        "sat_tab": "dashboard",
        "form": form,
        "period": period,
        "board": board,
        "balance": presenters.balance_view(board),
        "tiles": presenters.tiles(board),
        "wom": presenters.word_of_mouth_view(board),
        "assumption": presenters.assumption(),
        "chart": presenters.chart(board),
    }
    return render(request, "satisfaction/dashboard.html", context)


@login_required
@permission_required(VIEW_RESULTS, raise_exception=True)
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The sources, the balance and the word-of-mouth estimate: ``?format=csv`` or XLSX.
    Aggregates only (no customer), so every role that sees the page may export it."""
    _form, period = _period(request)
    sheet = presenters.export_sheet(selectors.dashboard(period))
    filename = f"guanxi-satisfaction-{period.start}-{period.end}"
    if request.GET.get("format") == "csv":
        rows = [[c.header for c in sheet.columns], *sheet.rows, *[[n] for n in sheet.notes]]
        response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    return xlsx_response(workbook([sheet]), f"{filename}.xlsx")
