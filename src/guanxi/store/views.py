"""The store pages: the overview (dashboard), the DSR trend against industry and the store
funnel, each with its export. Shop figures: ``accounts.view_shop_figures``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import UserInputError
from guanxi.core.timeutil import Period, month_period
from guanxi.metrics.dsr import DsrMonth
from guanxi.performance import shop_settings
from guanxi.store import overview, presenters, services
from guanxi.store import selectors as store_selectors
from guanxi.store.exports import dsr as dsr_exports
from guanxi.store.exports import funnel as funnel_exports
from guanxi.store.exports import overview as overview_exports
from guanxi.store.forms import DsrOptionsForm, IndustryForm, IndustryUploadForm
from guanxi.web.forms import PeriodForm
from guanxi.web.language import export_language
from guanxi.web.periods import period_from_query
from guanxi.web.responses import xlsx_response

EDIT_INDUSTRY = "store.change_industryaverage"
SHOP_FIGURES = "accounts.view_shop_figures"


def period_from(request: HttpRequest) -> tuple[PeriodForm, Period]:
    """The period of ``?start=&end=``, or the month of the latest data."""
    return period_from_query(request.GET, store_selectors.default_period(timezone.localdate()))


@login_required
@permission_required(SHOP_FIGURES, raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    form, period = period_from(request)
    figures = store_selectors.store_overview(period)
    context = {
        "nav": "store",
        "tab": "dashboard",
        "form": form,
        "period": period,
        "previous": period.previous(),
        "overview": figures,
        "tiles": overview.tiles(figures.current, figures.previous),
        "chart": overview.chart_data(figures.daily),
        "quick_periods": _quick_periods(),
    }
    return render(request, "store/dashboard.html", context)


@login_required
@permission_required(SHOP_FIGURES, raise_exception=True)
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The overview as CSV (UTF-8 with BOM for Excel): the figures, then the daily rows."""
    _form, period = period_from(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"guanxi-store-{period.start}-{period.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(overview_exports.as_csv(store_selectors.store_overview(period)))
    return response


def _quick_periods() -> list[dict[str, object]]:
    """Shortcuts relative to the latest day with data: its month, the month before, 7, 30 days."""
    latest = store_selectors.latest_traffic_day() or timezone.localdate()
    this_month = month_period(latest.year, latest.month)
    before = this_month.start - dt.timedelta(days=1)
    return [
        {"label": _("最新月份"), "period": this_month},
        {"label": _("上个月"), "period": month_period(before.year, before.month)},
        {"label": _("近7天"), "period": Period(latest - dt.timedelta(days=6), latest)},
        {"label": _("近30天"), "period": Period(latest - dt.timedelta(days=29), latest)},
    ]


def _dsr_options(request: HttpRequest) -> tuple[DsrOptionsForm, int, int, str]:
    form = DsrOptionsForm(request.GET if request.GET else None)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        return form, data["months"], data["window"], data["unit"]
    # The shop's own window (settings page) until the user picks another here.
    unit, length = shop_settings.dsr_window()
    unit = "days" if unit == "day" else "months"
    if not request.GET:
        form = DsrOptionsForm(initial={"months": 6, "window": length, "unit": unit})
    return form, 6, length, unit


def _dsr_months(months: int, window: int, unit: str) -> list[DsrMonth]:
    last = store_selectors.latest_dsr_month()
    if last is None:
        return []
    if unit == "days":
        return store_selectors.dsr_trend(last, months, 1, window_days=window)
    return store_selectors.dsr_trend(last, months, window)


def window_text(window: int, unit: str) -> str:
    if unit == "days":
        return _("近 %(n)s 天（截至每月最后一天）") % {"n": window}
    return _("近 %(n)s 个月（含当月）") % {"n": window}


@login_required
@permission_required(SHOP_FIGURES, raise_exception=True)
def dsr_page(request: HttpRequest) -> HttpResponse:
    """店铺动态评分: each dimension's rolling score per month against the industry average."""
    if request.method == "POST":
        return _industry_post(request)
    form, months_shown, window, unit = _dsr_options(request)
    months = _dsr_months(months_shown, window, unit)
    labels = {"score": _("本店"), "industry": _("行业均值"), "axis": _("评分")}
    context: dict[str, Any] = {
        "nav": "store",
        "tab": "dsr",
        "form": form,
        "months": months,
        "rows": presenters.dsr_rows(months),
        "flags": presenters.dsr_flags(months),
        "names": presenters.dimension_names(),
        "chart": presenters.dsr_chart(months, labels),
        "window_text": window_text(window, unit),
        "has_industry": any(v is not None for m in months for v in m.industry.values()),
        "can_edit": request.user.has_perm(EDIT_INDUSTRY),
        "industry_form": IndustryForm(),
        "upload_form": IndustryUploadForm(),
        "query": request.GET.urlencode(),
    }
    return render(request, "store/dsr.html", context)


def _industry_post(request: HttpRequest) -> HttpResponse:
    """A manager enters one month's averages or uploads a CSV of them (``industry_import``)."""
    if not request.user.has_perm(EDIT_INDUSTRY):
        raise PermissionDenied("only managers enter industry averages")
    if "file" in request.FILES:
        upload = IndustryUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            raw = upload.cleaned_data["file"].read()
            try:
                text = raw.decode("utf-8-sig")
                stored = services.industry_import_text(text, name=upload.cleaned_data["file"].name)
            except UnicodeDecodeError:
                messages.error(request, _("文件不是 UTF-8 编码，请另存为 UTF-8 CSV 后再上传。"))
            except UserInputError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("已保存 %(n)s 个行业均值。") % {"n": stored})
        else:
            messages.error(request, _("请选择一个 CSV 文件。"))
        return redirect("store:dsr")
    entry = IndustryForm(request.POST)
    if entry.is_valid():
        data = entry.cleaned_data
        services.industry_set(
            month=data["month"],
            values={k: data[k] for k in ("description", "service", "logistics")},
        )
        messages.success(
            request, _("已保存 %(month)s 的行业均值。") % {"month": f"{data['month']:%Y-%m}"}
        )
    else:
        errors = "; ".join(
            f"{entry.fields[f].label if f in entry.fields else ''}：{' '.join(str(m) for m in e)}"
            for f, e in entry.errors.items()
        )
        messages.error(request, _("行业均值未保存：%(errors)s") % {"errors": errors})
    return redirect("store:dsr")


@login_required
@permission_required(SHOP_FIGURES, raise_exception=True)
def dsr_export(request: HttpRequest) -> HttpResponse:
    _form, months_shown, window, unit = _dsr_options(request)
    months = _dsr_months(months_shown, window, unit)
    content = dsr_exports.as_xlsx(
        months, window=window_text(window, unit), language=export_language()
    )
    return xlsx_response(content, "guanxi-dsr.xlsx")


@login_required
@permission_required(SHOP_FIGURES, raise_exception=True)
def funnel_page(request: HttpRequest) -> HttpResponse:
    """店铺转化漏斗: visitors → consulting → ordering → paying, the previous period beside."""
    form, period = period_from(request)
    current = store_selectors.funnel(period)
    previous = store_selectors.funnel(period.previous())
    labels = {"current": _("本期"), "previous": _("上期")}
    context = {
        "nav": "store",
        "tab": "funnel",
        "form": form,
        "period": period,
        "previous": period.previous(),
        "funnel": current,
        "rows": presenters.funnel_rows(current, previous),
        "chart": presenters.funnel_chart(current, previous, labels),
    }
    return render(request, "store/funnel.html", context)


@login_required
@permission_required(SHOP_FIGURES, raise_exception=True)
def funnel_export(request: HttpRequest) -> HttpResponse:
    _form, period = period_from(request)
    current = store_selectors.funnel(period)
    previous = store_selectors.funnel(period.previous())
    content = funnel_exports.as_xlsx(current, previous, language=export_language())
    return xlsx_response(content, f"guanxi-funnel-{period.start}-{period.end}.xlsx")
