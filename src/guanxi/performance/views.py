"""The agent performance page (客服绩效): every metric per agent with the previous period."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from guanxi.accounts.models import Agent
from guanxi.accounts.selectors import agent_id_of
from guanxi.metrics.diagnosis import diagnose
from guanxi.performance import presenters, shop_settings
from guanxi.web import selectors
from guanxi.web.forms import PeriodForm


@login_required
def agents_page(request: HttpRequest) -> HttpResponse:
    sees_all = request.user.has_perm("accounts.view_all_agents")
    own = agent_id_of(request.user)
    if not sees_all and not own:
        raise PermissionDenied("this account is linked to no agent id")
    default = selectors.default_period(timezone.localdate())
    form = PeriodForm(request.GET or None, initial={"start": default.start, "end": default.end})
    period = form.period() if request.GET and form.is_valid() else default
    shop = shop_settings.current()
    team = selectors.agent_period_reports(period, shop=shop)
    previous = selectors.agent_period_reports(period.previous(), shop=shop)
    findings = diagnose(team, shop_settings.scorecard(shop))
    shown = team if sees_all else [r for r in team if r.agent_id == own]
    names = dict(Agent.objects.values_list("agent_id", "name"))
    metrics = presenters.shown_metrics(team)
    context = {
        "nav": "performance",
        "form": form,
        "period": period,
        "previous": period.previous(),
        "metrics": metrics,
        "rows": presenters.rows(shown, previous, names, findings, metrics),
        "team": presenters.team_row(team, metrics) if sees_all else None,
    }
    return render(request, "performance/agents.html", context)
