"""The customer analytics page (客户分析) and its XLSX export. Shop figures: managers, admins
and marketing (``accounts.view_shop_figures``); no personal data is shown — only counts and
amounts per group — so marketing sees the same page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from guanxi.customers import analytics, analytics_presenters
from guanxi.web.exports.xlsx import workbook
from guanxi.web.responses import xlsx_response

SHOP_FIGURES = "accounts.view_shop_figures"


@require_GET
@login_required
@permission_required(SHOP_FIGURES, raise_exception=True)
def analytics_page(request: HttpRequest) -> HttpResponse:
    figures = analytics.analytics()
    tables = analytics_presenters.tables(figures)
    context = {
        "nav": "customers",
        "a": figures,
        "tables": tables,
        "chart": analytics_presenters.chart_data(figures),
        "kpis": analytics_presenters.kpis(figures),
    }
    return render(request, "customers/analytics.html", context)


@require_GET
@login_required
@permission_required(SHOP_FIGURES, raise_exception=True)
def analytics_export(request: HttpRequest) -> HttpResponse:
    figures = analytics.analytics()
    tables = analytics_presenters.tables(figures)
    sheets = [t.sheet() for t in tables.values()]
    return xlsx_response(workbook(sheets), f"guanxi-customer-analytics-{figures.as_of}.xlsx")
