"""``/api/performance/scorecard``: the KPI scores per agent, ranked, with manual items; and
the managers' entry of manual scores."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from guanxi.core.errors import UserInputError
from guanxi.performance.api import PeriodQuery, visible_agent
from guanxi.performance.schemas import ScoreOut, score_out
from guanxi.performance.scorecard import manual_scores, scoring
from guanxi.web.api import ErrorOut, period_of, require

router = Router(tags=["performance"])
ENTER_SCORES = "performance.add_manualscore"


@router.get(
    "/scorecard",
    response=list[ScoreOut],
    summary="KPI 复合模型: scores per agent, ranked, with manual items",
    description=(
        "The shop's scorecard and thresholds. Manual items count when the period is one "
        "calendar month; an unscored manual item counts 0 and makes the total incomplete."
    ),
)
def scores(request: HttpRequest, query: Query[PeriodQuery]) -> list[dict[str, object]]:
    period = period_of(query)
    agent = visible_agent(request, query.agent)
    scored = scoring.scored_period(period)
    sees_all = request.user.has_perm("accounts.view_all_agents")
    return [
        score_out(s, rank if sees_all else None, scored.manual.get(s.agent, {}))
        for rank, s in zip(scoring.ranks(scored.scores), scored.scores, strict=True)
        if not agent or s.agent == agent
    ]


class ManualScoreIn(Schema):
    agent: str
    month: str  # 2024-06
    item: str  # the manual item's metric key, e.g. daily_work
    score: str | float  # 0–100
    note: str = ""


class ManualScoreOut(Schema):
    agent: str
    month: str
    item: str
    score: float
    note: str
    recorded_by: str
    recorded_at: dt.datetime


@router.put(
    "/scorecard/manual",
    response={200: ManualScoreOut, 400: ErrorOut},
    summary="Enter a manager's score for a manual scorecard item (per agent and month)",
)
def manual_score(request: HttpRequest, payload: ManualScoreIn) -> dict[str, object]:
    require(request, ENTER_SCORES, "enter manual scores")
    try:
        row = manual_scores.manual_score_record(
            user=cast(User, request.user),
            agent_id=payload.agent,
            month=manual_scores.parse_month(payload.month),
            item=payload.item,
            score=str(payload.score),
            note=payload.note,
        )
    except UserInputError as exc:
        raise HttpError(400, str(exc)) from exc
    return {
        "agent": row.agent_id,
        "month": f"{row.month:%Y-%m}",
        "item": row.item,
        "score": float(row.score),
        "note": row.note,
        "recorded_by": row.recorded_by_username,
        "recorded_at": row.recorded_at,
    }
