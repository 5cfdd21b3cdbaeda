"""``/api/satisfaction/surveys/…``: survey results as JSON — the list with headline figures,
a survey's results by month, agent, team, product or segment, its NPS and its SERVQUAL gaps.

Every endpoint needs ``satisfaction.view_results`` (403 otherwise; an unknown survey is a
404). A period is optional (``?start=&end=``, local days, both included): without one a
survey's figures cover all its answers. Shares are fractions (0.75 = 75 %), NPS and its
interval points (−100 to 100, two decimals); no data is null, never 0. No personal data:
groups name agents, teams, products and segments, never customers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from guanxi.core.timeutil import Period, period_between
from guanxi.satisfaction import measures
from guanxi.satisfaction import result_presenters as presenters
from guanxi.satisfaction import result_selectors as sel
from guanxi.satisfaction.models import Survey

router = Router(tags=["satisfaction"])
VIEW = "satisfaction.view_results"


class MaybePeriod(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW):
        raise HttpError(403, "needs the survey results (satisfaction.view_results)")


def _period(query: MaybePeriod) -> Period | None:
    if query.start is None and query.end is None:
        return None
    if query.start is None or query.end is None:
        raise HttpError(400, "give both start and end (YYYY-MM-DD), or neither for all answers")
    try:
        return period_between(query.start, query.end)
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None


def _survey(request: HttpRequest, survey_id: int) -> Survey:
    _allowed(request)
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        raise HttpError(404, f"no survey {survey_id}")
    return survey


def _period_json(period: Period | None) -> dict[str, str] | None:
    return None if period is None else {"start": str(period.start), "end": str(period.end)}


@router.get("surveys/", response=list[dict[str, Any]], summary="Surveys with headline figures")
def surveys(request: HttpRequest, query: Query[MaybePeriod]) -> list[dict[str, Any]]:
    """Every survey: kind, state, invitations, responses, response rate (answered ÷ sent,
    expired invitations included), CSAT, NPS with its 95 % interval, SERVQUAL score."""
    _allowed(request)
    return [presenters.survey_json(r) for r in sel.overview(_period(query))]


@router.get("surveys/{survey_id}/results", response=dict[str, Any], summary="Results by group")
def results(
    request: HttpRequest,
    survey_id: int,
    query: Query[MaybePeriod],
    by: Literal["period", "agent", "team", "product", "segment"] = "period",
) -> dict[str, Any]:
    """The survey's figures overall and per month (``by=period``), agent, team, product or
    saved segment (a respondent counts in every segment they belong to today; its response
    rate is that of the invitations sent to its members)."""
    survey = _survey(request, survey_id)
    period = _period(query)
    data = sel.survey_data(survey, period)
    groups = sel.breakdown(data, by)
    return {
        "survey": survey.pk,
        "period": _period_json(period),
        "by": by,
        "overall": presenters.figures_json(sel.figures(data)),
        "groups": [
            {
                "key": g.key or None,
                "label": g.label or None,
                **presenters.figures_json(g.figures),
            }
            for g in groups
        ],
    }


@router.get("surveys/{survey_id}/nps", response=dict[str, Any], summary="NPS and its interval")
def nps(request: HttpRequest, survey_id: int, query: Query[MaybePeriod]) -> dict[str, Any]:
    """Counts of promoters (9–10), passives (7–8), detractors (0–6), the NPS in points and
    its 95 % interval NPS ± 1.96·√((p_P + p_D − (p_P − p_D)²)/n), clipped to [−100, 100]."""
    survey = _survey(request, survey_id)
    data = sel.survey_data(survey, _period(query))
    question = sel.nps_question(data.questions)
    if question is None:
        raise HttpError(404, f"survey {survey_id} has no 0–10 question")
    numbers = [a.number for a in data.by_question.get(question.pk, [])]
    out = presenters.nps_json(measures.nps(numbers)) or {}
    return {"survey": survey.pk, "question": question.pk, **out}


@router.get("surveys/{survey_id}/servqual", response=dict[str, Any], summary="SERVQUAL gaps")
def servqual(
    request: HttpRequest,
    survey_id: int,
    query: Query[MaybePeriod],
    view: Literal["", "five", "ten"] = "",
) -> dict[str, Any]:
    """Per item and dimension: expected, perceived, gap, weight (importance normalised to
    sum 1), weighted gap; the score (weighted mean gap) and the fix-first order. ``view``
    "five" folds ten-构面 items into the five dimensions."""
    survey = _survey(request, survey_id)
    if view == "ten" and survey.dimension_set != "ten":
        # Items written against the five dimensions cannot be split into the ten 构面.
        raise HttpError(422, "view: this survey's items use the five dimensions; use view=five")
    data = sel.survey_data(survey, _period(query))
    items = sel.servqual_questions(data.questions)
    if not items:
        raise HttpError(404, f"survey {survey_id} has no SERVQUAL items")
    sq = sel.servqual_of(data, view=view)
    return {
        "survey": survey.pk,
        "dimension_set": view or survey.dimension_set,
        **presenters.servqual_json(sq, {q.pk: q for q in items}),
    }
