"""``/api/performance/…``: the agent report per agent, team or shop, its trend, and the
shop's settings; the scorecard (``performance.scorecard.api``) and one agent in depth
(``performance.detail.api``) are sub-routers mounted here.

An agent (without ``accounts.view_all_agents``) sees only their own figures (no team's, not
the shop's); settings are managers'.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, cast

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from guanxi.accounts.selectors import agent_id_of, agent_teams
from guanxi.core.errors import UserInputError
from guanxi.core.timeutil import buckets
from guanxi.metrics.agents import SHOP
from guanxi.performance import selectors as agent_selectors
from guanxi.performance import shop_settings
from guanxi.performance.access import may_view_units
from guanxi.performance.exports import part_is_partial
from guanxi.performance.schemas import AgentOut, UnitOut, agent_out, unit_out
from guanxi.web.api import ErrorOut, PeriodIn, period_of, require

router = Router(tags=["performance"])
EDIT_SETTINGS = "performance.change_shopsettings"

View = Literal["agent", "team", "shop"]
By = Literal["day", "week", "month"]


class PeriodQuery(PeriodIn):
    agent: str = ""


class AgentsQuery(PeriodQuery):
    view: View = Field(
        "agent", description="each agent's figures, each team's (客服组) or the shop's"
    )


class TrendQuery(PeriodIn):
    by: By = Field("day", description="parts: days, weeks (Monday–Sunday) or months")
    view: View = "agent"
    unit: str = Field(
        "",
        description=(
            "an agent's id (view=agent), a team's name or *none for the agents in no team "
            "(view=team); empty: every unit (an agent: their own)"
        ),
    )


class AgentsOut(Schema):
    start: dt.date
    end: dt.date
    view: View
    has_data: bool
    agents: list[AgentOut] = Field(description="view=agent: each agent with the diagnosis")
    units: list[UnitOut] = Field(
        description="view=team or shop: each team's or the shop's own figures (not sums)"
    )


class PartOut(Schema):
    start: dt.date
    end: dt.date
    partial: bool = Field(
        description=(
            "less than a whole week (Monday–Sunday) or month: clipped by the period at either "
            "end, or not over yet (today or later); not comparable with a whole part"
        )
    )
    rows: list[UnitOut] = Field(description="empty: no figures in this part")


class TrendOut(Schema):
    start: dt.date
    end: dt.date
    by: By
    view: View
    unit: str | None
    has_data: bool
    periods: list[PartOut]


def visible_agent(request: HttpRequest, wanted: str) -> str:
    """The agent filter this user may use: their own id unless they may see everyone."""
    if request.user.has_perm("accounts.view_all_agents"):
        return wanted
    own = agent_id_of(request.user)
    if not own:
        raise HttpError(403, "this account is linked to no agent id")
    if wanted and wanted != own:
        raise HttpError(403, "agents see only their own figures")
    return own


def units_allowed(request: HttpRequest, view: str) -> None:
    if not may_view_units(request.user, view):
        raise HttpError(403, f"view={view}: team and shop figures are managers'")


@router.get(
    "/agents",
    response=AgentsOut,
    summary="客服绩效: every agent metric, per agent, per team or for the shop",
    description=(
        "view=agent (default): each agent (``agents``, with the diagnosis); view=team or "
        "shop (managers only): each team's or the shop's own figures (``units``): a "
        "customer two agents served counts once, response times are over all rounds."
    ),
)
def agents(request: HttpRequest, query: Query[AgentsQuery]) -> dict[str, object]:
    period = period_of(query)
    units_allowed(request, query.view)
    if query.agent and query.view != "agent":
        raise HttpError(400, "agent needs view=agent")
    table = agent_selectors.agent_table(
        period, view=query.view, only=visible_agent(request, query.agent)
    )
    out: dict[str, object] = {
        "start": period.start,
        "end": period.end,
        "view": query.view,
        "has_data": table.has_data,
        "agents": [],
        "units": [],
    }
    if query.view != "agent":
        return out | {"units": [unit_out(r) for r in table.rows]}
    teams = agent_teams()
    return out | {"agents": [agent_out(r, table.findings, teams) for r in table.rows]}


@router.get(
    "/trend",
    response=TrendOut,
    summary="趋势: the agent metrics by day, week or month, per agent, team or the shop",
    description=(
        f"At most {agent_selectors.MAX_PARTS} parts (e.g. a year by day). A part without figures "
        "has no rows. An agent sees only their own trend (view=agent)."
    ),
)
def trend(request: HttpRequest, query: Query[TrendQuery]) -> dict[str, object]:
    period = period_of(query)
    units_allowed(request, query.view)
    unit = visible_agent(request, query.unit) if query.view == "agent" else query.unit
    if query.view == "shop":
        if unit not in ("", SHOP):
            raise HttpError(400, f"unit must be empty or {SHOP} with view=shop")
        unit = SHOP  # the shop's one unit
    parts = len(buckets(period, query.by))
    if parts > agent_selectors.MAX_PARTS:
        raise HttpError(
            400,
            f"by={query.by} cuts {period.start} – {period.end} into {parts} parts; at most "
            f"{agent_selectors.MAX_PARTS}: shorten the period or choose a longer step",
        )
    series = agent_selectors.period_series(period, query.by, query.view, unit)
    return {
        "start": period.start,
        "end": period.end,
        "by": query.by,
        "view": query.view,
        "unit": unit or None,
        "has_data": any(reports for _part, reports in series),
        "periods": [
            {
                "start": part.start,
                "end": part.end,
                "partial": part_is_partial(part, query.by),
                "rows": [unit_out(r) for r in reports],
            }
            for part, reports in series
        ],
    }


class RulesSchema(Schema):
    slow_seconds: int
    quick_seconds: int
    quick_from_hour: int
    quick_to_hour: int
    pdd_seconds: int
    pdd_from_hour: int
    pdd_to_hour: int
    douyin_seconds: int
    douyin_from_hour: int
    douyin_to_hour: int
    after_sale_days: int
    attribution_hours: int
    next_day_days: int
    final_days: int
    dsr_window_unit: str  # month | day
    dsr_window_length: int


class SettingsIn(RulesSchema):
    scorecard_toml: str | None = None  # None: SPEC §3's default scorecard


class SettingsOut(RulesSchema):
    scorecard_toml: str
    scorecard_is_default: bool
    defaults: RulesSchema
    updated_at: dt.datetime | None
    updated_by: str | None


def _settings_out() -> dict[str, object]:
    shop = shop_settings.current()
    return {name: getattr(shop, name) for name in shop_settings.FIELD_NAMES} | {
        "scorecard_toml": shop_settings.scorecard_text(shop),
        "scorecard_is_default": not shop.scorecard_toml,
        "defaults": shop_settings.defaults(),
        "updated_at": shop.updated_at,
        "updated_by": shop.updated_by.get_username() if shop.updated_by else None,
    }


@router.get("/settings", response=SettingsOut, summary="The shop's thresholds, windows, scorecard")
def settings_get(request: HttpRequest) -> dict[str, object]:
    require(request, EDIT_SETTINGS, "see the shop's settings")
    return _settings_out()


@router.put(
    "/settings",
    response={200: SettingsOut, 400: ErrorOut},
    summary="Replace the shop's thresholds, windows and scorecard (all or nothing)",
)
def settings_put(request: HttpRequest, payload: SettingsIn) -> dict[str, object]:
    require(request, EDIT_SETTINGS, "change the shop's settings")
    values = payload.dict()
    text = values.pop("scorecard_toml")
    try:
        shop_settings.settings_save(
            user=cast(User, request.user), values=values, scorecard_toml=text
        )
    except UserInputError as exc:
        raise HttpError(400, str(exc)) from exc
    return _settings_out()


def _mount() -> None:
    # Imported here: the sub-routers import this module's helpers.
    from guanxi.performance.detail.api import router as detail
    from guanxi.performance.scorecard.api import router as scorecard

    router.add_router("", scorecard)
    router.add_router("", detail)


_mount()
