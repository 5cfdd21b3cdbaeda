"""The agent performance page (客服绩效): every metric per agent, team or for the shop with the
previous period; the trend page (趋势): one unit's figures by day, week or month."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Agent
from guanxi.accounts.selectors import agent_id_of
from guanxi.core.timeutil import Period
from guanxi.metrics.agents import AGENT_METRICS, SHOP, AgentMetric, AgentReport
from guanxi.performance import exports as agent_exports
from guanxi.performance import presenters
from guanxi.performance import selectors as agent_selectors
from guanxi.performance.access import may_view_trend, may_view_units
from guanxi.performance.exports import unit_label
from guanxi.performance.forms import VIEW_CHOICES, TrendChoice, TrendForm
from guanxi.servicedesk import report_presenters as desk_presenters
from guanxi.servicedesk import report_selectors as desk_selectors
from guanxi.store import selectors as store_selectors
from guanxi.web.forms import PeriodForm
from guanxi.web.language import english, export_language
from guanxi.web.periods import period_from_query
from guanxi.web.responses import xlsx_response


def _own_agent(request: HttpRequest) -> tuple[bool, str]:
    """Whether the user sees every agent, and their own agent id; nobody else gets in."""
    sees_all = request.user.has_perm("accounts.view_all_agents")
    own = agent_id_of(request.user)
    if not sees_all and not own:
        raise PermissionDenied("this account is linked to no agent id")
    return sees_all, own


def requested_view(request: HttpRequest) -> str:
    """``?view=``: agent (the default; also for an unknown value), team or shop. Team and shop
    figures are managers': an agent asking for them is refused (403), not shown their own
    row instead, so a link or screenshot labelled 客服组 never shows other figures."""
    view = request.GET.get("view", "agent")
    view = view if view in agent_selectors.VIEWS else "agent"
    if not may_view_units(request.user, view):
        raise PermissionDenied("team and shop figures are managers'")
    return view


def period_from(request: HttpRequest) -> tuple[PeriodForm, Period]:
    """The period of ``?start=&end=``, or the month of the latest data."""
    return period_from_query(request.GET, store_selectors.default_period(timezone.localdate()))


@login_required
def agents_page(request: HttpRequest) -> HttpResponse:
    sees_all, own = _own_agent(request)
    view = requested_view(request)
    form, period = period_from(request)
    table = agent_selectors.agent_table(
        period,
        view=view,
        only="" if sees_all else own,
        with_previous=True,
        with_shop=sees_all,
    )
    metrics = presenters.shown_metrics(table.every)
    names = dict(Agent.objects.values_list("agent_id", "name")) if view == "agent" else {}
    whole = None
    if table.shop is not None:
        before = [table.shop_previous] if table.shop_previous else []
        whole = presenters.rows([table.shop], before, {}, {}, metrics)[0]
    # The service desk's SLA breaches and CSAT beside the chat figures (an agent: own row).
    desk = desk_selectors.performance_desk(request.user, period, view, "" if sees_all else own)
    context = {
        "nav": "performance",
        "form": form,
        "period": period,
        "previous": period.previous(),
        "view": view,
        "views": VIEW_CHOICES if sees_all else (),
        "metrics": metrics,
        "rows": presenters.rows(table.rows, table.previous, names, table.findings, metrics),
        "shop_row": whole,
        "desk": desk,
        "desk_tables": desk_presenters.performance_tables(desk),
    }
    return render(request, "performance/agents.html", context)


@login_required
def agents_export(request: HttpRequest) -> HttpResponse:
    """The agent table (``?view=team|shop``: the teams' or the shop's) as XLSX; an agent gets
    only their own row and no team or shop figures (the page's rules)."""
    sees_all, own = _own_agent(request)
    view = requested_view(request)
    _form, period = period_from(request)
    table = agent_selectors.agent_table(period, view=view, only="" if sees_all else own)
    content = agent_exports.as_xlsx(period, table.rows, language=export_language(), view=view)
    suffix = "" if view == "agent" else f"-{view}"
    return xlsx_response(content, f"guanxi-agents{suffix}-{period.start}-{period.end}.xlsx")


# -- the trend ---------------------------------------------------------------------------------
DEFAULT_BY = "week"
DEFAULT_METRIC = "consulting_customers"


@dataclass(frozen=True)
class TrendRequest:
    form: TrendForm
    choice: TrendChoice
    unit: str
    units: list[tuple[str, str]]  # the unit selector's (key, label)
    series: list[tuple[Period, list[AgentReport]]]  # every unit's reports per part


def _trend_request(request: HttpRequest) -> TrendRequest:
    """The trend's choices (defaults for what is missing; all defaults, with the form's
    errors shown, when something is invalid), checked against the user's rights, and the
    figures of every unit of the view per part."""
    sees_all, own = _own_agent(request)
    default = store_selectors.default_period(timezone.localdate())
    initial = {
        "start": default.start,
        "end": default.end,
        "by": DEFAULT_BY,
        "view": "agent",
        "unit": "",
        "metric": DEFAULT_METRIC,
    }
    if request.GET:
        form = TrendForm({k: str(v) for k, v in initial.items()} | request.GET.dict())
    else:
        form = TrendForm(initial=initial)
    if form.is_bound and form.is_valid():
        choice = form.choice()
    else:
        choice = TrendChoice(default, DEFAULT_BY, "agent", "", DEFAULT_METRIC)
    if not may_view_units(request.user, choice.view):
        raise PermissionDenied("team and shop figures are managers'")
    unit = choice.unit or ("" if sees_all else own)
    if choice.view == "shop":
        unit = unit or SHOP
    if unit and not may_view_trend(request.user, choice.view, unit):
        raise PermissionDenied("agents see only their own figures")
    series = agent_selectors.period_series(choice.period, choice.by, choice.view)
    names = dict(Agent.objects.values_list("agent_id", "name")) if choice.view == "agent" else {}
    # A manager picks among the roster's units and those with figures; an agent has one.
    known = agent_selectors.roster_units(choice.view) if sees_all else [own]
    units = presenters.unit_choices(known, series if sees_all else [], unit, names)
    unit = unit or (units[0][0] if units else "")
    return TrendRequest(form, choice, unit, units, series)


def _metric_name(metric: AgentMetric) -> str:
    return metric.name_en if english() else metric.name_zh


@login_required
def trend_page(request: HttpRequest) -> HttpResponse:
    asked = _trend_request(request)
    choice = asked.choice
    label = unit_label(asked.unit)
    trend = None  # no unit at all: a view without any (no agents in the roster or the data)
    compare, compare_title = None, ""
    if asked.unit:
        metric_name = _metric_name(next(m for m in AGENT_METRICS if m.key == choice.metric))
        trend = presenters.trend(
            asked.series,
            choice.by,
            asked.unit,
            choice.metric,
            metric_name=_metric_name,
            title=_("%(unit)s：%(metric)s") % {"unit": label, "metric": metric_name},
        )
        if choice.view != "shop" and request.user.has_perm("accounts.view_all_agents"):
            # A manager's agents or teams side by side, to see who drifts.
            side = (
                _("客服对比：%(metric)s") if choice.view == "agent" else _("客服组对比：%(metric)s")
            )
            compare_title = side % {"metric": metric_name}
            compare = presenters.compare_chart(
                asked.series, choice.by, asked.units, choice.metric, title=compare_title
            )
    context = {
        "nav": "performance",
        "form": asked.form,
        "choice": choice,
        "compare": compare,
        "compare_title": compare_title,
        "unit": asked.unit,
        "units": asked.units,
        "trend": trend,
        "views": VIEW_CHOICES if request.user.has_perm("accounts.view_all_agents") else (),
        # The view switch keeps the period, step and metric and lets the page pick the unit.
        "switch_query": urlencode(
            {"start": choice.period.start, "end": choice.period.end, "by": choice.by}
            | {"metric": choice.metric}
        ),
        "export_query": urlencode(
            {"start": choice.period.start, "end": choice.period.end, "by": choice.by}
            | {"view": choice.view, "unit": asked.unit}
        ),
    }
    return render(request, "performance/trend.html", context)


@login_required
def trend_export(request: HttpRequest) -> HttpResponse:
    """The trend's table as XLSX: one row per part that has figures (the rights and the
    choices of the page)."""
    asked = _trend_request(request)
    choice = asked.choice
    series = [
        (part, [r for r in reports if r.unit == asked.unit]) for part, reports in asked.series
    ]
    content = agent_exports.as_xlsx(
        choice.period,
        [],
        language=export_language(),
        view=choice.view,
        series=series,
        by=choice.by,
    )
    name = f"guanxi-trend-{choice.view}-{choice.by}-{choice.period.start}-{choice.period.end}"
    return xlsx_response(content, f"{name}.xlsx")
