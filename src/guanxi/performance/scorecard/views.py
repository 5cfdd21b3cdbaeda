"""The scorecard pages: the ranking (KPI 考核) with manual items, and the shop's settings
(thresholds, windows and the scorecard's TOML)."""

from __future__ import annotations

from decimal import Decimal
from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.accounts.models import Agent
from guanxi.accounts.selectors import agent_id_of
from guanxi.core.errors import UserInputError
from guanxi.core.timeutil import month_period
from guanxi.metrics import scorecard as engine
from guanxi.metrics.agents import AGENT_METRICS, KEYS
from guanxi.performance import shop_settings
from guanxi.performance.forms import ManualScoreForm, MonthForm, RulesForm, ScorecardForm
from guanxi.performance.scorecard import manual_scores, ranking, scoring
from guanxi.store import selectors as store_selectors

EDIT_SETTINGS = "performance.change_shopsettings"
ENTER_SCORES = "performance.add_manualscore"


def _ranking_url(month_text: str) -> str:
    return f"{reverse('performance:scorecard')}?{urlencode({'month': month_text})}"


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_page(request: HttpRequest) -> HttpResponse:
    sees_all = request.user.has_perm("accounts.view_all_agents")
    own = agent_id_of(request.user)
    if not sees_all and not own:
        raise PermissionDenied("this account is linked to no agent id")
    if request.method == "POST":
        return _manual_score_post(request)
    default = store_selectors.default_period(timezone.localdate()).start
    form = MonthForm(request.GET or None, initial={"month": default})
    month = form.first_day() if request.GET and form.is_valid() else default
    period = month_period(month.year, month.month)
    scored = scoring.scored_period(period)
    names = dict(Agent.objects.values_list("agent_id", "name"))
    context = {
        "nav": "scorecard",
        "form": form,
        "period": period,
        "month_text": f"{month:%Y-%m}",
        "card": scored.card,
        "columns": ranking.columns(scored.card),
        "rows": ranking.rows(scored, names, only="" if sees_all else own),
        "sees_all": sees_all,
        "can_enter": request.user.has_perm(ENTER_SCORES),
        "can_configure": request.user.has_perm(EDIT_SETTINGS),
        "has_manual": bool(scored.manual_items),
    }
    return render(request, "performance/scorecard.html", context)


def _manual_score_post(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(ENTER_SCORES):
        raise PermissionDenied("only managers enter manual scores")
    form = ManualScoreForm(request.POST)
    month_text = request.POST.get("month", "")
    if not form.is_valid():
        messages.error(request, _("人工评分未保存：请填写客服、考核项、月份和得分。"))
        return redirect(_ranking_url(month_text))
    data = form.cleaned_data
    try:
        row = manual_scores.manual_score_record(
            user=cast(User, request.user),
            agent_id=data["agent"],
            month=data["month"],
            item=data["item"],
            score=data["score"],
            note=data["note"],
        )
    except UserInputError as exc:
        messages.error(request, _("人工评分未保存：%(error)s") % {"error": exc})
        return redirect(_ranking_url(month_text))
    messages.success(
        request,
        _("已保存 %(agent)s 的 %(item)s：%(score)s 分。")
        % {"agent": row.agent_id, "item": row.item, "score": ranking.points(row.score)},
    )
    return redirect(_ranking_url(f"{row.month:%Y-%m}"))


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(EDIT_SETTINGS):
        raise PermissionDenied("only managers change the shop's settings")
    shop = shop_settings.current()
    values = {name: getattr(shop, name) for name in shop_settings.FIELD_NAMES}
    rules_form = RulesForm(initial=values)
    card_form = ScorecardForm(initial={"scorecard": shop_settings.scorecard_text(shop)})
    preview = shop_settings.scorecard(shop)
    previewing = False
    card_error = ""
    action = request.POST.get("action", "")
    user = cast(User, request.user)  # login_required: never anonymous here
    if request.method == "POST":
        if action == "rules":
            rules_form = RulesForm(request.POST)
            if rules_form.is_valid():
                shop_settings.rules_update(user=user, values=rules_form.cleaned_data)
                messages.success(request, _("阈值和窗口已保存。"))
                return redirect("performance:settings")
        elif action == "rules_reset":
            shop_settings.rules_reset(user=user)
            messages.success(request, _("阈值和窗口已恢复为默认值。"))
            return redirect("performance:settings")
        elif action == "scorecard_reset":
            shop_settings.scorecard_update(user=user, text=None)
            messages.success(request, _("考核表已恢复为默认考核表。"))
            return redirect("performance:settings")
        elif action in ("scorecard", "scorecard_preview"):
            card_form = ScorecardForm(request.POST)
            text = request.POST.get("scorecard", "")
            try:
                if action == "scorecard_preview":
                    preview = engine.loads(text, shop_settings.SCORECARD_SOURCE, KEYS)
                    previewing = True
                else:
                    shop_settings.scorecard_update(user=user, text=text)
                    messages.success(request, _("考核表已保存。"))
                    return redirect("performance:settings")
            except engine.ScorecardError as exc:
                card_error = str(exc)
        else:
            messages.error(request, _("未知操作。"))
    defaults = shop_settings.defaults()
    fields = [
        {
            "spec": f,
            "field": rules_form[f.name],
            "default": defaults[f.name],
            "changed": values[f.name] != defaults[f.name],
        }
        for f in shop_settings.RULE_FIELDS
    ]
    context = {
        "nav": "scorecard",
        "shop": shop,
        "groups": [
            (_("响应"), [f for f in fields if f["spec"].group == "service"]),
            (_("平台回复规则"), [f for f in fields if f["spec"].group == "platform"]),
            (_("订单归属与询单转化"), [f for f in fields if f["spec"].group == "attribution"]),
            (_("店铺动态评分"), [f for f in fields if f["spec"].group == "dsr"]),
        ],
        "unit_field": rules_form["dsr_window_unit"],
        "unit_default": defaults["dsr_window_unit"],
        "rules_form": rules_form,
        "card_form": card_form,
        "card_error": card_error,
        "preview": preview,
        "preview_columns": ranking.columns(preview),
        "preview_weight": ranking.weight(sum((i.weight for i in preview.items), Decimal(0))),
        "previewing": previewing,
        "scorecard_is_default": not shop.scorecard_toml,
        "metric_names": {m.key: m for m in AGENT_METRICS},
    }
    return render(request, "performance/settings.html", context)
