"""The customer analytics page (客户分析) and its XLSX export. Shop figures: managers, admins
and marketing (``accounts.view_shop_figures``); no personal data is shown — only counts and
amounts per group — so marketing sees the same page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanxi.customers import analytics, analytics_presenters
from guanxi.customers import rules as customer_rules
from guanxi.web.exports.xlsx import workbook
from guanxi.web.responses import xlsx_response

SHOP_FIGURES = "accounts.view_shop_figures"


@require_GET
@login_required
@permission_required(SHOP_FIGURES, raise_exception=True)
def analytics_page(request: HttpRequest) -> HttpResponse:
    window = _retention_window(request)
    figures = analytics.analytics(window)
    tables = analytics_presenters.tables(figures)
    context = {
        "nav": "customers",
        "a": figures,
        "tables": tables,
        "chart": analytics_presenters.chart_data(figures),
        "kpis": analytics_presenters.kpis(figures),
        "loyalty": analytics_presenters.loyalty_cells(figures),
        "loyalty_rules": analytics_presenters.loyalty_rules(
            customer_rules.loyalty_rules(), analytics.amount_edges(), figures.trailing_months
        ),
        "windows": analytics.RETENTION_WINDOWS,
        "window": window or figures.trailing_months,
    }
    return render(request, "customers/analytics.html", context)


@require_GET
@login_required
@permission_required(SHOP_FIGURES, raise_exception=True)
def analytics_export(request: HttpRequest) -> HttpResponse:
    figures = analytics.analytics(_retention_window(request))
    tables = analytics_presenters.tables(figures)
    sheets = [t.sheet(name=t.title) for t in tables.values()]
    return xlsx_response(workbook(sheets), f"guanxi-customer-analytics-{figures.as_of}.xlsx")


def _retention_window(request: HttpRequest) -> int | None:
    """``?months=`` for the retention windows: one of ``RETENTION_WINDOWS`` (nothing: the
    classes' window); anything else is refused with a message saying what to give."""
    value = request.GET.get("months", "")
    if not value:
        return None
    if value.isdigit() and int(value) in analytics.RETENTION_WINDOWS:
        return int(value)
    choices = ", ".join(str(m) for m in analytics.RETENTION_WINDOWS)
    messages.error(
        request,
        _("保持度窗口（months）“%(value)s”无效：请选择 %(choices)s 个月；已显示默认窗口。")
        % {"value": value[:20], "choices": choices},
    )
    return None
