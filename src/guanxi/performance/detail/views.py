"""One agent in depth (客服详情), its daily table as XLSX, and one conversation (会话详情)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from guanxi.accounts.models import Agent
from guanxi.accounts.selectors import agent_id_of
from guanxi.core.timeutil import Period
from guanxi.performance import shop_settings
from guanxi.performance.access import may_view_agent, may_view_session
from guanxi.performance.detail import presenters
from guanxi.performance.detail import selectors as detail_selectors
from guanxi.performance.detail.exports import daily_xlsx
from guanxi.store import selectors as store_selectors
from guanxi.web.forms import PeriodForm


def _period(request: HttpRequest) -> tuple[PeriodForm, Period]:
    """The period asked for, or the month of the latest data (the form then shows why)."""
    default = store_selectors.default_period(timezone.localdate())
    if "start" in request.GET or "end" in request.GET:
        form = PeriodForm(request.GET)
        return form, form.period() if form.is_valid() else default
    return PeriodForm(initial={"start": default.start, "end": default.end}), default


def _check_agent(request: HttpRequest, agent_id: str) -> None:
    if not may_view_agent(request.user, agent_id):
        raise PermissionDenied("agents see only their own detail")


@login_required
def agent_detail(request: HttpRequest, agent_id: str) -> HttpResponse:
    _check_agent(request, agent_id)
    form, period = _period(request)
    detail = detail_selectors.agent_overview(agent_id, period)
    shop = shop_settings.current()
    rules = shop_settings.service_rules(shop)
    context = {
        "nav": "performance",
        "form": form,
        "period": period,
        "previous": period.previous(),
        "detail": detail,
        "rules": rules,
    }
    if detail.current is not None:
        context |= {
            # The shop's rules, so that each tile's formula names the thresholds in force.
            "tiles": presenters.tiles(
                detail.current,
                detail.previous,
                rules,
                shop_settings.attribution_rules(shop),
                has_rota=detail.has_rota,
            ),
            "daily_headers": presenters.daily_headers(),
            "daily_rows": presenters.daily_rows(detail.days),
            "period_row": presenters.period_row(detail.current),
            "trend": presenters.trend_chart(detail.days),
            "distribution": presenters.distribution_chart(detail.distribution),
            "stages": presenters.stage_rows(detail.stages),
            "slowest": presenters.slow_rows(detail),
        }
    return render(request, "performance/agent_detail.html", context)


@login_required
def agent_daily_export(request: HttpRequest, agent_id: str) -> HttpResponse:
    _check_agent(request, agent_id)
    _form, period = _period(request)
    report = detail_selectors.agent_report(agent_id, period)
    days = detail_selectors.agent_days(agent_id, period) if report else []
    has_rota = detail_selectors.agent_has_rota(agent_id)
    response = HttpResponse(
        daily_xlsx(period, agent_id, days, report, has_rota=has_rota),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    safe_id = agent_id.replace("/", "_").replace("\\", "_")  # a file name holds no folder
    filename = f"guanxi-agent-{safe_id}-{period.start}-{period.end}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def session_detail(request: HttpRequest, session_id: str) -> HttpResponse:
    if not request.user.has_perm("accounts.view_all_agents") and not agent_id_of(request.user):
        raise PermissionDenied("this account is linked to no agent id")
    conversation = detail_selectors.conversation(session_id)
    if conversation is None:
        raise Http404("no such session")
    if not may_view_session(request.user, conversation.agents, conversation.customer_key):
        raise PermissionDenied("agents see only the sessions they served")
    # Masked on display for everyone: this page has no reveal (the customer page has).
    conversation = detail_selectors.masked_conversation(conversation)
    try:
        target = int(request.GET.get("round", ""))
    except ValueError:
        target = None
    names = dict(
        Agent.objects.filter(agent_id__in=conversation.agents).values_list("agent_id", "name")
    )
    context = {
        "nav": "performance",
        "rules": shop_settings.service_rules(),
        "conversation": conversation,
        "view": presenters.conversation_view(conversation, names, target),
        "customer_name": detail_selectors.masked_names([conversation.customer_key]).get(
            conversation.customer_key, ""
        ),
        "agents": [
            {"agent_id": a, "name": names.get(a, ""), "linked": may_view_agent(request.user, a)}
            for a in sorted(conversation.agents)
        ],
    }
    return render(request, "performance/session.html", context)
