"""Reads of the survey pages: the list with its counts, one survey's figures, the
invitation list (masked customers, status, link) and the link export's rows.

Personal data: the invitation list shows the customer's masked name (``core.pii``); the
export for the shop's SMS/旺旺 tool carries the customer key, the masked name and the link,
never a phone: the tool maps keys to its own contacts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from guanxi.core import pii
from guanxi.satisfaction import links
from guanxi.satisfaction.models import Invitation, Question, Survey

SENT, ANSWERED, EXPIRED = "sent", "answered", "expired"


def survey_list() -> QuerySet[Survey]:
    return Survey.objects.annotate(
        n_questions=Count("questions", distinct=True),
        n_invited=Count("invitations", distinct=True),
        n_answered=Count("responses", distinct=True),
    )


def survey_get(survey_id: int) -> Survey | None:
    return Survey.objects.filter(pk=survey_id).first()


@dataclass(frozen=True)
class Counts:
    invited: int
    answered: int
    expired: int  # links past their date, unanswered
    waiting: int  # sent, neither answered nor expired

    @property
    def response_pct(self) -> float | None:
        """answered ÷ invited × 100, one decimal (None before anyone is invited)."""
        return round(100 * self.answered / self.invited, 1) if self.invited else None


def counts(survey: Survey, at: dt.datetime | None = None) -> Counts:
    at = at or timezone.now()
    values = survey.invitations.aggregate(
        invited=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        expired=Count("pk", filter=Q(answered_at__isnull=True, expires_at__lte=at)),
    )
    waiting = values["invited"] - values["answered"] - values["expired"]
    return Counts(values["invited"], values["answered"], values["expired"], waiting)


def status_of(invitation: Invitation, at: dt.datetime) -> str:
    if invitation.answered_at is not None:
        return ANSWERED
    return EXPIRED if invitation.expires_at <= at else SENT


@dataclass(frozen=True)
class InvitationRow:
    pk: int
    customer_key: str
    masked_name: str
    channel: str
    status: str
    created_at: dt.datetime
    expires_at: dt.datetime
    answered_at: dt.datetime | None
    path: str  # the answer page (relative); "" once answered (no point in sending it)
    agent: str
    product_id: str


STATUS_FILTERS = {
    SENT: lambda at: Q(answered_at__isnull=True, expires_at__gt=at),
    ANSWERED: lambda at: Q(answered_at__isnull=False),
    EXPIRED: lambda at: Q(answered_at__isnull=True, expires_at__lte=at),
}


def invitations(
    survey: Survey, status: str = "", at: dt.datetime | None = None
) -> QuerySet[Invitation]:
    at = at or timezone.now()
    rows = survey.invitations.select_related("customer", "agent").order_by("-created_at", "-id")
    if status in STATUS_FILTERS:
        rows = rows.filter(STATUS_FILTERS[status](at))
    return rows


def invitation_row(invitation: Invitation, at: dt.datetime) -> InvitationRow:
    customer = invitation.customer
    status = status_of(invitation, at)
    return InvitationRow(
        pk=invitation.pk,
        customer_key=invitation.customer_key,
        masked_name=pii.mask_name(customer.name) if customer is not None and customer.name else "",
        channel=invitation.channel,
        status=status,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        answered_at=invitation.answered_at,
        path=links.path_for(invitation) if status == SENT else "",
        agent=invitation.agent.name if invitation.agent is not None else "",
        product_id=invitation.product_id,
    )


def questions_of(survey: Survey) -> list[Question]:
    """The survey's questions in order, each with ``dimension_label`` (translated)."""
    from guanxi.satisfaction.dimensions import label

    questions = list(survey.questions.order_by("position", "id"))
    for q in questions:
        q.dimension_label = label(q.dimension) if q.dimension else ""  # type: ignore[attr-defined]
    return questions


def link_export_rows(
    survey: Survey, absolute: Callable[[str], str], at: dt.datetime | None = None
) -> list[list[Any]]:
    """The links worth sending (unanswered, unexpired) for the shop's SMS/旺旺 tool:
    customer key, masked name, link, sent and expiry times (local). No phone, ever."""
    at = at or timezone.now()
    rows = []
    for invitation in invitations(survey, SENT, at).iterator(chunk_size=1000):
        row = invitation_row(invitation, at)
        rows.append(
            [
                row.customer_key,
                row.masked_name,
                absolute(row.path),
                timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(row.expires_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return rows


def latest_recommend_answers(until: dt.datetime) -> dict[str, int]:
    """Each customer's latest 0–10 answer to a "would you recommend us" question (indicator
    推荐意愿) submitted before ``until``: customer key → score. Loyalty's recommend
    component reads it (seed 002's 推荐意愿; ``metrics.loyalty``). Answers without a customer
    (a link sent to nobody in the master) count for no one."""
    from guanxi.satisfaction.models import Answer, Indicator, QuestionKind

    rows = (
        Answer.objects.filter(
            question__indicator=Indicator.RECOMMEND,
            question__kind=QuestionKind.RATING10,
            number__isnull=False,
            response__submitted_at__lt=until,
        )
        .exclude(response__customer_key="")
        .order_by("response__customer_key", "response__submitted_at", "response_id")
        .values_list("response__customer_key", "number")
    )
    latest: dict[str, int] = {}
    for key, number in rows.iterator(chunk_size=5000):
        if number is not None:  # (filtered out above; keeps the type checker honest)
            latest[key] = int(number)  # ordered oldest first: the last one stays
    return latest
