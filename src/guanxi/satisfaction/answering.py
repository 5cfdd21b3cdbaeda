"""Storing an answer exactly once.

``submit(invitation, answers_by_question_id, channel, entered_by, at)`` is the one way a
response is written — by the public link page, by a phone interview keyed in by staff, and
by the demo. It

1. checks every answer against its question (``clean``) and gathers ALL the errors, each
   naming its question, so the page can show them beside the fields;
2. locks the invitation row (``select_for_update``) and checks again that it is unanswered,
   unexpired (links only) and that the survey is open: of two concurrent submissions on
   PostgreSQL the second waits for the first and then sees it answered;
3. relies on the one-to-one ``Response.invitation`` as the last guard (SQLite ignores the
   lock, a replayed request may race): a duplicate raises ``IntegrityError``, the whole
   transaction is rolled back, and the caller gets ``LinkError("used")`` — nothing is ever
   half-written.

Answer values (``answers_by_question_id``: question id → value):
rating5 / rating10: an int or its text; single: the choice's text; multiple: a list of choice
texts; text: a string; servqual: ``(expected, perceived)``. A missing optional answer is
simply not stored. Free text is stored encrypted (``Answer.text``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import UserInputError
from guanxi.satisfaction.links import LinkError, check_open
from guanxi.satisfaction.models import (
    Answer,
    Channel,
    Invitation,
    Question,
    QuestionKind,
    Response,
)

TEXT_LENGTH = 1000  # characters of one text answer


class AnswerError(UserInputError):
    """Answers that cannot be stored; ``errors`` maps a question id to what is wrong."""

    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__("; ".join(f"question {qid}: {msg}" for qid, msg in errors.items()))
        self.errors = errors


@dataclass
class Cleaned:
    number: int | None = None
    expected: int | None = None
    choices: list[str] = field(default_factory=list)
    text: str = ""


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(_blank(v) for v in value)
    return False


def _score(value: Any, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(
            _("请选择 %(low)s 到 %(high)s 之间的分数") % {"low": low, "high": high}
        ) from None
    if not low <= number <= high:
        raise ValueError(
            _("%(n)s 不在 %(low)s 到 %(high)s 之间") % {"n": number, "low": low, "high": high}
        )
    return number


def _clean_one(question: Question, value: Any) -> Cleaned:
    kind = question.kind
    if kind == QuestionKind.RATING5:
        return Cleaned(number=_score(value, 1, 5))
    if kind == QuestionKind.RATING10:
        return Cleaned(number=_score(value, 0, 10))
    if kind == QuestionKind.SERVQUAL:
        if not isinstance(value, list | tuple) or len(value) != 2 or any(_blank(v) for v in value):
            raise ValueError(
                _("请给出期望和感知两个分数（1 到 %(top)s）") % {"top": question.scale_max}
            )
        expected = _score(value[0], 1, question.scale_max)
        perceived = _score(value[1], 1, question.scale_max)
        return Cleaned(number=perceived, expected=expected)
    if kind == QuestionKind.SINGLE:
        choice = str(value).strip()
        if choice not in question.choices:
            raise ValueError(_("“%(choice)s”不是本题的选项") % {"choice": choice})
        return Cleaned(choices=[choice])
    if kind == QuestionKind.MULTIPLE:
        picked = [str(v).strip() for v in (value if isinstance(value, list | tuple) else [value])]
        picked = [p for p in picked if p]
        stray = [p for p in picked if p not in question.choices]
        if stray:
            raise ValueError(_("“%(choice)s”不是本题的选项") % {"choice": stray[0]})
        # Kept in the question's order, each once.
        return Cleaned(choices=[c for c in question.choices if c in picked])
    text = str(value).strip()
    if len(text) > TEXT_LENGTH:
        raise ValueError(
            _("共 %(n)s 字，请控制在 %(max)s 字以内") % {"n": len(text), "max": TEXT_LENGTH}
        )
    return Cleaned(text=text)


def clean(
    questions: Sequence[Question], answers_by_question_id: Mapping[int, Any]
) -> dict[int, Cleaned]:
    """Every answer checked; ``AnswerError`` lists every question at fault at once."""
    errors: dict[int, str] = {}
    cleaned: dict[int, Cleaned] = {}
    known = {q.pk for q in questions}
    for qid in answers_by_question_id:
        if qid not in known:
            errors[int(qid)] = _("不是这份问卷的题目")
    for question in questions:
        value = answers_by_question_id.get(question.pk)
        if _blank(value):
            if question.required:
                errors[question.pk] = _("这道题需要回答")
            continue
        try:
            cleaned[question.pk] = _clean_one(question, value)
        except ValueError as exc:
            errors[question.pk] = str(exc)
    if errors:
        raise AnswerError(errors)
    return cleaned


def from_post(questions: Sequence[Question], post: Any) -> dict[int, Any]:
    """The answers of the page's form: field ``q<ID>`` (``q<ID>_e`` and ``q<ID>_p`` for a
    SERVQUAL item's expected and perceived scores; a list for multiple choice)."""
    answers: dict[int, Any] = {}
    for q in questions:
        name = f"q{q.pk}"
        if q.kind == QuestionKind.SERVQUAL:
            answers[q.pk] = (post.get(f"{name}_e", ""), post.get(f"{name}_p", ""))
        elif q.kind == QuestionKind.MULTIPLE:
            answers[q.pk] = post.getlist(name)
        else:
            answers[q.pk] = post.get(name, "")
    return answers


def submit(
    invitation: Invitation,
    answers_by_question_id: Mapping[int, Any],
    channel: str = Channel.LINK,
    entered_by: Any = None,
    at: dt.datetime | None = None,
) -> Response:
    """Store the invitation's one response (see the module's docstring). Raises
    ``AnswerError`` (bad answers, nothing stored) or ``LinkError`` (used, expired, closed)."""
    at = at or timezone.now()
    if channel not in Channel.values:
        raise UserInputError(f"channel: {channel!r} is not one of link, phone")
    try:
        return _store(invitation.pk, answers_by_question_id, channel, entered_by, at)
    except IntegrityError:
        # Another submission stored the response between our check and our insert.
        raise LinkError("this survey was already answered: thank you", "used") from None


@transaction.atomic
def _store(
    invitation_id: int,
    answers_by_question_id: Mapping[int, Any],
    channel: str,
    entered_by: Any,
    at: dt.datetime,
) -> Response:
    invitation = (
        Invitation.objects.select_for_update().select_related("survey").get(pk=invitation_id)
    )
    check_open(invitation, at, link=channel == Channel.LINK)
    questions = list(invitation.survey.questions.all())
    cleaned = clean(questions, answers_by_question_id)
    response = Response.objects.create(
        survey=invitation.survey,
        invitation=invitation,
        channel=channel,
        customer_key=invitation.customer_key,
        customer_id=invitation.customer_id,
        agent_id=invitation.agent_id,
        team=invitation.team,
        product_id=invitation.product_id,
        entered_by=entered_by if getattr(entered_by, "pk", None) else None,
        submitted_at=at,
    )
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question_id=qid,
            number=value.number,
            expected=value.expected,
            choices=value.choices,
            text=value.text,
        )
        for qid, value in cleaned.items()
    )
    invitation.answered_at = at
    invitation.save(update_fields=["answered_at"])
    return response
