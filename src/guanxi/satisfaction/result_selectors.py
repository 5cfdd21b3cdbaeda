"""Reading survey results: a survey's invitations, responses and answers of a period, grouped
by month, agent, team, product or saved segment, and the figures of ``measures`` on them.

A survey's responses are at most a few thousand (a shop sends a survey to a segment or
after tickets), so one survey's rows are read once into memory and grouped in Python: one
query per table rather than one per group, and the same grouping for every breakdown.

Public for the dashboard: ``indicator_means(period)`` and ``nps_of(period)``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from guanxi.core.timeutil import Period, buckets, local_midnight_utc, month_period
from guanxi.satisfaction import dimensions, measures
from guanxi.satisfaction.models import (
    Answer,
    Indicator,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
)

BY = ("period", "agent", "team", "product", "segment")
NOBODY = ""  # the group of responses without an agent, team or product


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class ResponseRow:
    id: int
    day: dt.date  # local date of submission
    agent: str  # agent_id, "" for none
    agent_name: str
    team: str
    product: str
    customer_key: str


@dataclass(frozen=True)
class InvitationRow:
    day: dt.date  # local date sent
    answered: bool
    agent: str
    team: str
    product: str
    customer_key: str


@dataclass(frozen=True)
class AnswerRow:
    response: int
    question: int
    number: int | None
    expected: int | None
    choices: list[Any]


@dataclass
class SurveyData:
    """One survey's rows within a period (responses submitted, invitations sent in it)."""

    survey: Survey
    period: Period | None
    questions: list[Question]
    responses: list[ResponseRow]
    invitations: list[InvitationRow]
    answers: list[AnswerRow]
    by_question: dict[int, list[AnswerRow]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        grouped: dict[int, list[AnswerRow]] = defaultdict(list)
        for a in self.answers:
            grouped[a.question].append(a)
        self.by_question = dict(grouped)


def _local(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = settings.TIME_ZONE
    return (
        local_midnight_utc(period.start, tz),
        local_midnight_utc(period.end + dt.timedelta(days=1), tz),
    )


def _in(qs: QuerySet[Any], field_name: str, period: Period | None) -> QuerySet[Any]:
    if period is None:
        return qs
    start, end = _bounds(period)
    return qs.filter(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def survey_data(survey: Survey, period: Period | None = None) -> SurveyData:
    """The survey's questions and its rows of ``period`` (None: all of them)."""
    questions = list(survey.questions.all())
    responses = [
        ResponseRow(
            r["id"],
            _local(r["submitted_at"]),
            r["agent__agent_id"] or NOBODY,
            r["agent__name"] or "",
            r["team"],
            r["product_id"],
            r["customer_key"],
        )
        for r in _in(Response.objects.filter(survey=survey), "submitted_at", period).values(
            "id",
            "submitted_at",
            "agent__agent_id",
            "agent__name",
            "team",
            "product_id",
            "customer_key",
        )
    ]
    invitations = [
        InvitationRow(
            _local(i["created_at"]),
            i["answered_at"] is not None,
            i["agent__agent_id"] or NOBODY,
            i["team"],
            i["product_id"],
            i["customer_key"],
        )
        for i in _in(Invitation.objects.filter(survey=survey), "created_at", period).values(
            "created_at", "answered_at", "agent__agent_id", "team", "product_id", "customer_key"
        )
    ]
    ids = [r.id for r in responses]
    answers = [
        AnswerRow(a["response_id"], a["question_id"], a["number"], a["expected"], a["choices"])
        for a in Answer.objects.filter(response_id__in=ids).values(
            "response_id", "question_id", "number", "expected", "choices"
        )
    ]
    return SurveyData(survey, period, questions, responses, invitations, answers)


def default_period(survey: Survey, today: dt.date | None = None) -> Period:
    """From the month of the survey's first invitation (or its creation) to today, or to
    the day it closed (no answers come after that)."""
    today = today or timezone.localdate()
    first = survey.invitations.order_by("created_at").values_list("created_at", flat=True).first()
    start_day = _local(first or survey.created_at)
    start = month_period(start_day.year, start_day.month).start
    end = min(today, _local(survey.closed_at)) if survey.closed_at else today
    return Period(min(start, end), end)


# ---------------------------------------------------------------- headline figures


def csat_question(questions: Sequence[Question]) -> Question | None:
    """The survey's CSAT question: the 1–5 rating of overall satisfaction, else its first."""
    ratings = [q for q in questions if q.kind == QuestionKind.RATING5]
    overall = [q for q in ratings if q.indicator == Indicator.OVERALL]
    chosen = overall or ratings
    return chosen[0] if chosen else None


def nps_question(questions: Sequence[Question]) -> Question | None:
    """The survey's NPS question: the 0–10 recommend question, else its first 0–10 rating."""
    scores = [q for q in questions if q.kind == QuestionKind.RATING10]
    recommend = [q for q in scores if q.indicator == Indicator.RECOMMEND]
    chosen = recommend or scores
    return chosen[0] if chosen else None


def servqual_questions(questions: Sequence[Question]) -> list[Question]:
    return [q for q in questions if q.kind == QuestionKind.SERVQUAL]


@dataclass(frozen=True)
class Figures:
    """The figures of a set of responses (a survey, or one group of its breakdown)."""

    responses: int
    rate: measures.Rate  # of the invitations of the same group
    csat: measures.Csat | None  # None when the survey has no 1–5 question
    nps: measures.Nps | None  # None when it has no 0–10 question
    servqual: float | None  # the SERVQUAL score, when it has items


def figures(
    data: SurveyData,
    responses: Iterable[int] | None = None,
    invitations: Sequence[InvitationRow] | None = None,
) -> Figures:
    """The figures over ``responses`` (ids; default all of ``data``) and the response rate of
    ``invitations`` (default all; pass an empty list's None for no rate)."""
    chosen = {r.id for r in data.responses} if responses is None else set(responses)
    sent = data.invitations if invitations is None else invitations
    rate = measures.response_rate(len(sent), sum(1 for i in sent if i.answered))
    cq, nq = csat_question(data.questions), nps_question(data.questions)

    def numbers(q: Question) -> list[int | None]:
        return [a.number for a in data.by_question.get(q.pk, []) if a.response in chosen]

    items = servqual_questions(data.questions)
    score = servqual_of(data, items, chosen).score if items else None
    return Figures(
        len(chosen),
        rate,
        measures.csat(numbers(cq)) if cq else None,
        measures.nps(numbers(nq)) if nq else None,
        score,
    )


def servqual_items(
    data: SurveyData, items: Sequence[Question], chosen: set[int] | None = None
) -> list[measures.ServqualItem]:
    out = []
    for q in items:
        answers = data.by_question.get(q.pk, [])
        pairs = [(a.expected, a.number) for a in answers if chosen is None or a.response in chosen]
        out.append(measures.ServqualItem(q.pk, q.dimension, q.importance, pairs))
    return out


def dimension_codes(survey: Survey, view: str) -> list[str]:
    """The dimensions shown: the survey's set, or the five when ``view`` folds ten → five."""
    if view == "five" or survey.dimension_set != "ten":
        return list(dimensions.FIVE)
    return list(dimensions.TEN)


def servqual_of(
    data: SurveyData,
    items: Sequence[Question] | None = None,
    chosen: set[int] | None = None,
    view: str = "",
) -> measures.Servqual:
    """The survey's SERVQUAL gaps; ``view`` "five" reads ten-构面 items through the 1988 fold
    (``dimensions.FIVE_OF``); an item with a code of neither set is left out of the
    dimension rows but keeps its item row (it is under the dimension "")."""
    items = servqual_questions(data.questions) if items is None else items
    codes = dimension_codes(data.survey, view or data.survey.dimension_set)
    fold = view == "five" or data.survey.dimension_set != "ten"
    rows = []
    for item in servqual_items(data, items, chosen):
        code = dimensions.FIVE_OF.get(item.dimension, "") if fold else item.dimension
        code = code if code in codes else ""
        rows.append(measures.ServqualItem(item.key, code, item.importance, item.pairs))
    if any(r.dimension == "" for r in rows):
        codes = [*codes, ""]
    return measures.servqual(rows, codes)


# ---------------------------------------------------------------- breakdowns


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    figures: Figures


def _group_by(
    data: SurveyData,
    response_key: Callable[[ResponseRow], str],
    invitation_key: Callable[[InvitationRow], str],
    labels: dict[str, str],
) -> list[Group]:
    responses: dict[str, list[int]] = defaultdict(list)
    for r in data.responses:
        responses[response_key(r)].append(r.id)
    invitations: dict[str, list[InvitationRow]] = defaultdict(list)
    for i in data.invitations:
        invitations[invitation_key(i)].append(i)
    keys = sorted(set(responses) | set(invitations), key=lambda k: (k == NOBODY, k))
    return [
        Group(k, labels.get(k, k), figures(data, responses.get(k, []), invitations.get(k, [])))
        for k in keys
    ]


def breakdown(data: SurveyData, by: str) -> list[Group]:
    """The figures per month of the period, agent, team, product or saved segment.

    Invitations are counted where they were sent (month) or whom they credit (agent, team,
    product); a respondent is in every segment they are a member of today, so segment rows
    may overlap; a segment's response rate is that of the invitations sent to its members."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")
    if by == "period":
        period = data.period or _span(data)
        months = buckets(period, "month")

        def month(day: dt.date) -> str:
            return next((f"{m.start:%Y-%m}" for m in months if m.start <= day <= m.end), "")

        groups = _group_by(data, lambda r: month(r.day), lambda i: month(i.day), {})
        present = {g.key for g in groups}
        # every month of the period, answered or not (a gap is data too)
        empty = figures(data, [], [])
        for m in months:
            if f"{m.start:%Y-%m}" not in present:
                groups.append(Group(f"{m.start:%Y-%m}", f"{m.start:%Y-%m}", empty))
        return sorted(groups, key=lambda g: g.key)
    if by == "agent":
        names = {r.agent: f"{r.agent_name} ({r.agent})" for r in data.responses if r.agent}
        return _group_by(data, lambda r: r.agent, lambda i: i.agent, names)
    if by == "team":
        return _group_by(data, lambda r: r.team, lambda i: i.team, {})
    if by == "product":
        return _group_by(data, lambda r: r.product, lambda i: i.product, {})
    return segment_groups(data)


def _span(data: SurveyData) -> Period:
    days = [r.day for r in data.responses] + [i.day for i in data.invitations]
    today = timezone.localdate()
    return Period(min(days, default=today), max(days, default=today))


def segment_groups(data: SurveyData) -> list[Group]:
    """Per saved segment: its members among the respondents (by pseudonymous customer_key)
    and among the invited."""
    from guanxi.segments import selectors as segment_selectors
    from guanxi.segments.models import Segment

    keys = {r.customer_key for r in data.responses if r.customer_key}
    keys |= {i.customer_key for i in data.invitations if i.customer_key}
    out = []
    for segment in Segment.objects.all():
        members = set(
            segment_selectors.members(segment)
            .filter(customer_key__in=keys)
            .values_list("customer_key", flat=True)
        )
        if not members:
            continue
        out.append(
            Group(
                str(segment.pk),
                segment.name,
                figures(
                    data,
                    [r.id for r in data.responses if r.customer_key in members],
                    [i for i in data.invitations if i.customer_key in members],
                ),
            )
        )
    return out


# ---------------------------------------------------------------- per question


@dataclass(frozen=True)
class QuestionFigures:
    question: Question
    answered: int
    counts: list[tuple[str, int]]  # (value or choice, answers) in scale/choice order
    mean: float | None
    csat: measures.Csat | None
    nps: measures.Nps | None


def question_figures(data: SurveyData) -> list[QuestionFigures]:
    """Per question: the distribution of its ratings (every point of the scale), its choice
    counts, the NPS groups of a 0–10 question; text questions count their answers."""
    out = []
    for q in data.questions:
        answers = data.by_question.get(q.pk, [])
        numbers = [a.number for a in answers if a.number is not None]
        csat = nps = None
        if q.kind == QuestionKind.RATING5:
            scale = range(1, 6)
            csat = measures.csat(numbers)
        elif q.kind == QuestionKind.RATING10:
            scale = range(0, 11)
            nps = measures.nps(numbers)
        elif q.kind == QuestionKind.SERVQUAL:
            scale = range(1, q.scale_max + 1)
        else:
            scale = range(0)
        counter = Counter(numbers)
        counts = [(str(v), counter.get(v, 0)) for v in scale]
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            chosen = Counter(str(c) for a in answers for c in (a.choices or []))
            listed = [str(c) for c in q.choices]
            counts = [(c, chosen.get(c, 0)) for c in listed]
            counts += [(c, n) for c, n in sorted(chosen.items()) if c not in listed]
            answered = sum(1 for a in answers if a.choices)
        elif q.kind == QuestionKind.TEXT:
            answered = len(answers)
        else:
            answered = len(numbers)
        out.append(QuestionFigures(q, answered, counts, measures.mean(numbers), csat, nps))
    return out


# ---------------------------------------------------------------- overview


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    invitations: int
    figures: Figures


def overview(period: Period | None = None) -> list[SurveyRow]:
    """Every survey with its invitations and headline figures (all time by default)."""
    rows = []
    for survey in Survey.objects.all():
        data = survey_data(survey, period)
        rows.append(SurveyRow(survey, len(data.invitations), figures(data)))
    return rows


# ---------------------------------------------------------------- for the dashboard


def _to_five(value: int, low: int, high: int) -> float:
    """A score on low..high mapped linearly onto 1..5 (so scales can be compared)."""
    return 1 + 4 * (value - low) / (high - low)


def indicator_means(period: Period) -> dict[str, tuple[float | None, int]]:
    """{indicator: (mean, n)} over every survey's answers submitted in ``period``.

    Means are on a 1–5 scale: 1–5 ratings as given, 0–10 scores mapped linearly onto 1–5
    (0 → 1, 10 → 5), SERVQUAL items' perceived scores from 1..scale_max onto 1–5 (and their
    expected scores feed the "expectation" indicator). Every indicator is present; (None, 0)
    without answers."""
    start, end = _bounds(period)
    values: dict[str, list[float]] = {str(code): [] for code in Indicator.values if code}
    answers = Answer.objects.filter(
        response__submitted_at__gte=start, response__submitted_at__lt=end
    ).values_list(
        "question__kind", "question__indicator", "question__scale_max", "number", "expected"
    )
    for kind, indicator, scale_max, number, expected in answers:
        if kind == QuestionKind.SERVQUAL:
            top = max(int(scale_max), 2)
            if number is not None and indicator in values:
                values[indicator].append(_to_five(number, 1, top))
            if expected is not None:
                values[Indicator.EXPECTATION].append(_to_five(expected, 1, top))
            continue
        if number is None or indicator not in values:
            continue
        if kind == QuestionKind.RATING5:
            values[indicator].append(float(number))
        elif kind == QuestionKind.RATING10:
            values[indicator].append(_to_five(number, 0, 10))
    return {k: (measures.mean(v), len(v)) for k, v in values.items()}


def nps_of(period: Period) -> measures.Nps:
    """The shop's NPS of ``period``: every survey's answers to its NPS question (the 0–10
    recommend question, else its first 0–10 rating) submitted in the period."""
    start, end = _bounds(period)
    chosen = []
    for survey in Survey.objects.prefetch_related("questions"):
        q = nps_question(list(survey.questions.all()))
        if q is not None:
            chosen.append(q.pk)
    scores = Answer.objects.filter(
        question_id__in=chosen,
        response__submitted_at__gte=start,
        response__submitted_at__lt=end,
        number__isnull=False,
    ).values_list("number", flat=True)
    return measures.nps(list(scores))


# ---------------------------------------------------------------- text answers


@dataclass(frozen=True)
class TextAnswer:
    response: int
    question: Question
    customer_key: str
    day: dt.date
    text: str  # decrypted: personal data until masked (result_presenters.text_rows)


def text_answers(data: SurveyData) -> list[TextAnswer]:
    """The survey's non-empty text answers of the period, newest first. They are decrypted
    here, a few thousand at most per survey, so the search runs in Python over them."""
    questions = {q.pk: q for q in data.questions}
    responses = {r.id: r for r in data.responses}
    rows = Answer.objects.filter(response_id__in=list(responses)).exclude(text="")
    out = [
        TextAnswer(
            a["response_id"],
            questions[a["question_id"]],
            responses[a["response_id"]].customer_key,
            responses[a["response_id"]].day,
            a["text"],
        )
        for a in rows.values("response_id", "question_id", "text")
        if a["text"] and a["question_id"] in questions
    ]
    return sorted(out, key=lambda t: (t.day, t.response), reverse=True)
