from __future__ import annotations

import csv
import datetime as dt

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.timeutil import Period, month_period
from guanxi.metrics.store import METRICS
from guanxi.web import presenters, selectors
from guanxi.web.forms import PeriodForm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Managers land on the dashboard; agents on the customer look-up."""
    if request.user.has_perm("accounts.view_shop_figures"):
        return redirect("web:dashboard")
    return redirect("customers:list")


def _period_from(request: HttpRequest) -> tuple[PeriodForm, Period]:
    default = selectors.default_period(timezone.localdate())
    if "start" in request.GET or "end" in request.GET:
        form = PeriodForm(request.GET)
        if form.is_valid():
            return form, form.period()
        return form, default
    form = PeriodForm(initial={"start": default.start, "end": default.end})
    return form, default


@login_required
@permission_required("accounts.view_shop_figures", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    form, period = _period_from(request)
    overview = selectors.store_overview(period)
    context = {
        "nav": "dashboard",
        "form": form,
        "period": period,
        "previous": period.previous(),
        "overview": overview,
        "tiles": presenters.tiles(overview.current, overview.previous),
        "chart": presenters.chart_data(overview.daily),
        "quick_periods": _quick_periods(),
    }
    return render(request, "web/dashboard.html", context)


@login_required
@permission_required("accounts.view_shop_figures", raise_exception=True)
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard as CSV (UTF-8 with BOM for Excel): the figures, then the daily rows."""
    _form, period = _period_from(request)
    overview = selectors.store_overview(period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"guanxi-store-{period.start}-{period.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("指标"),
            f"{period.start} – {period.end}",
            f"{overview.previous.period.start} – {overview.previous.period.end}",
        ]
    )
    for metric in METRICS:
        writer.writerow(
            [
                presenters.LABELS[metric.key],
                _csv(getattr(overview.current, metric.key)),
                _csv(getattr(overview.previous, metric.key)),
            ]
        )
    writer.writerow([])
    writer.writerow(
        [_("日期"), _("浏览量"), _("访客数"), _("咨询人数"), _("支付买家数"), _("支付金额")]
    )
    for row in overview.daily:
        writer.writerow(
            [
                row["day"],
                row["pv"],
                row["uv"],
                row["consulting_customers"],
                row["paying_customers"],
                f"{row['paid_amount']:.2f}",
            ]
        )
    return response


def _quick_periods() -> list[dict[str, object]]:
    """Shortcuts relative to the latest day with data: its month, the month before, 7, 30 days."""
    latest = selectors.latest_traffic_day() or timezone.localdate()
    this_month = month_period(latest.year, latest.month)
    before = this_month.start - dt.timedelta(days=1)
    return [
        {"label": _("最新月份"), "period": this_month},
        {"label": _("上个月"), "period": month_period(before.year, before.month)},
        {"label": _("近7天"), "period": Period(latest - dt.timedelta(days=6), latest)},
        {"label": _("近30天"), "period": Period(latest - dt.timedelta(days=29), latest)},
    ]


def _csv(value: object) -> str:
    return "" if value is None else str(value)
