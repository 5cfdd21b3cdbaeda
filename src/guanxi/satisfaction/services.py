"""Writes of the survey builder and of distribution: surveys, their questions, invitations.

Rules kept here (the pages and the CLI both call these functions):

- a survey is edited only while it is a draft; once open its questions are frozen, because
  answers refer to them (an answer to a question whose wording changed would be a lie);
- a question is checked as a whole (``clean_question``) and an error names the field;
- an invitation is one customer's single right to answer (the model's unique constraint on
  survey + customer key), so sending to a segment twice asks nobody twice; ``send_*``
  report how many invitations were new and how many customers were already invited;
- invitations are made only while the survey is open (a link to a draft could not be
  answered, a link to a closed survey would be refused).

Public functions other parts use: ``create_from_template(kind, name, dimension_set, by)``,
``open_survey``, ``send_to_segment``, ``send_to_customer`` and ``phone_invitation``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import UserInputError
from guanxi.satisfaction import dimensions, templates_library
from guanxi.satisfaction.models import (
    Channel,
    DimensionSet,
    Indicator,
    Invitation,
    Question,
    QuestionKind,
    Survey,
    SurveyKind,
    SurveyState,
)

NAME_LENGTH = 120
TEXT_LENGTH = 300
CHOICE_LENGTH = 100
MAX_CHOICES = 20
MAX_LINK_DAYS = 365


class SurveyError(UserInputError):
    """Bad input for a survey or question; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


# -- surveys ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SurveyInput:
    name: str
    intro: str = ""
    link_days: int = 14
    dimension_set: str = DimensionSet.FIVE


def clean_survey(name: Any, intro: Any, link_days: Any, dimension_set: Any) -> SurveyInput:
    text = str(name or "").strip()
    if not text:
        raise SurveyError(_("name: 请给问卷起个名字"), "name")
    if len(text) > NAME_LENGTH:
        raise SurveyError(
            _("name: 共 %(n)s 字，请控制在 %(max)s 字以内") % {"n": len(text), "max": NAME_LENGTH},
            "name",
        )
    try:
        days = int(str(link_days).strip())
    except ValueError:
        raise SurveyError(_("link_days: 请填整数天数，例如 14"), "link_days") from None
    if not 1 <= days <= MAX_LINK_DAYS:
        raise SurveyError(
            _("link_days: %(days)s 不在 1 到 %(max)s 之间") % {"days": days, "max": MAX_LINK_DAYS},
            "link_days",
        )
    dset = str(dimension_set or DimensionSet.FIVE)
    if dset not in DimensionSet.values:
        raise SurveyError(
            _("dimension_set: “%(value)s”不是 five 或 ten") % {"value": dset}, "dimension_set"
        )
    return SurveyInput(text, str(intro or "").strip(), days, dset)


def _check_draft(survey: Survey) -> None:
    if survey.state != SurveyState.DRAFT:
        raise SurveyError(
            _("state: 只有草稿可以修改；开始收集后题目冻结（答复引用这些题目）"),
            "state",
        )


def create_survey(data: SurveyInput, kind: str = SurveyKind.CUSTOM, by: Any = None) -> Survey:
    if kind not in SurveyKind.values:
        raise SurveyError(
            _("kind: “%(value)s”不是问卷类型之一（%(all)s）")
            % {"value": kind, "all": ", ".join(SurveyKind.values)},
            "kind",
        )
    return Survey.objects.create(
        name=data.name,
        kind=kind,
        intro=data.intro,
        link_days=data.link_days,
        dimension_set=data.dimension_set,
        created_by=_user(by),
    )


@transaction.atomic
def update_survey(survey: Survey, data: SurveyInput) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_draft(survey)
    if data.dimension_set != survey.dimension_set:
        # SERVQUAL items name a dimension of the set; a switch must not leave them dangling.
        allowed = dimensions.of_set(data.dimension_set)
        stray = survey.questions.filter(kind=QuestionKind.SERVQUAL).exclude(dimension__in=allowed)
        if stray.exists():
            raise SurveyError(
                _("dimension_set: 有 SERVQUAL 条目使用另一套维度，请先修改这些条目的维度"),
                "dimension_set",
            )
    survey.name, survey.intro = data.name, data.intro
    survey.link_days, survey.dimension_set = data.link_days, data.dimension_set
    survey.save()
    return survey


@transaction.atomic
def create_from_template(
    kind: str, name: str, dimension_set: str = DimensionSet.FIVE, by: Any = None
) -> Survey:
    """A draft survey holding the question set ``kind`` (csat, nps, servqual, model)."""
    if kind not in templates_library.CODES:
        raise SurveyError(
            _("template: “%(value)s”不是模板之一（%(all)s）")
            % {"value": kind, "all": ", ".join(templates_library.CODES)},
            "template",
        )
    spec = templates_library.template(kind, str(dimension_set))
    data = clean_survey(name, spec.intro, 14, dimension_set)
    survey = create_survey(data, spec.survey_kind, by)
    for q in spec.questions:
        add_question(
            survey,
            kind=q.kind,
            text=q.text,
            choices=list(q.choices),
            required=q.required,
            indicator=q.indicator,
            dimension=q.dimension,
            scale_max=q.scale_max,
        )
    return survey


@transaction.atomic
def open_survey(survey: Survey, at: dt.datetime | None = None) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.state != SurveyState.DRAFT:
        raise SurveyError(_("state: 只有草稿可以开始收集"), "state")
    if not survey.questions.exists():
        raise SurveyError(_("questions: 开始收集前请至少添加一道题"), "questions")
    survey.state, survey.opened_at = SurveyState.OPEN, _now(at)
    survey.save(update_fields=["state", "opened_at"])
    return survey


@transaction.atomic
def close_survey(survey: Survey, at: dt.datetime | None = None) -> Survey:
    """Stop collecting: links still unanswered are refused from now on (410 closed)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.state != SurveyState.OPEN:
        raise SurveyError(_("state: 只有收集中的问卷可以结束"), "state")
    survey.state, survey.closed_at = SurveyState.CLOSED, _now(at)
    survey.save(update_fields=["state", "closed_at"])
    return survey


@transaction.atomic
def delete_draft(survey: Survey) -> None:
    """Only a draft is deleted: an open or closed survey has invitations and answers. The
    state is read from the locked row (the caller's object may be stale)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_draft(survey)
    survey.delete()


# -- questions -------------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionInput:
    kind: str
    text: str
    choices: list[str]
    required: bool
    indicator: str
    dimension: str
    scale_max: int
    importance: Decimal


def parse_choices(value: Any) -> list[str]:
    """Choices typed one per line (a list is taken as it is); blank lines dropped."""
    lines = value if isinstance(value, list | tuple) else str(value or "").splitlines()
    return [str(line).strip() for line in lines if str(line).strip()]


def clean_question(
    survey: Survey,
    *,
    kind: Any,
    text: Any,
    choices: Any = (),
    required: Any = True,
    indicator: Any = "",
    dimension: Any = "",
    scale_max: Any = 7,
    importance: Any = 1,
) -> QuestionInput:
    """One question checked against its survey; ``SurveyError`` names the field at fault."""
    kind = str(kind or "")
    if kind not in QuestionKind.values:
        raise SurveyError(
            _("kind: 请选择题型之一（%(all)s）") % {"all": ", ".join(QuestionKind.values)}, "kind"
        )
    words = str(text or "").strip()
    if not words:
        raise SurveyError(_("text: 请填写题目"), "text")
    if len(words) > TEXT_LENGTH:
        raise SurveyError(
            _("text: 共 %(n)s 字，请控制在 %(max)s 字以内") % {"n": len(words), "max": TEXT_LENGTH},
            "text",
        )
    indicator = str(indicator or "")
    if indicator not in Indicator.values:
        raise SurveyError(
            _("indicator: “%(value)s”不是已知的指标") % {"value": indicator}, "indicator"
        )
    options: list[str] = []
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        options = parse_choices(choices)
        if len(options) < 2:
            raise SurveyError(_("choices: 请至少填写两个选项，每行一个"), "choices")
        if len(options) > MAX_CHOICES:
            raise SurveyError(
                _("choices: 共 %(n)s 个选项，最多 %(max)s 个")
                % {"n": len(options), "max": MAX_CHOICES},
                "choices",
            )
        seen: set[str] = set()
        for option in options:
            if option in seen:
                raise SurveyError(
                    _("choices: 选项“%(value)s”重复了") % {"value": option}, "choices"
                )
            if len(option) > CHOICE_LENGTH:
                raise SurveyError(
                    _("choices: 选项“%(value)s…”超过 %(max)s 字")
                    % {"value": option[:20], "max": CHOICE_LENGTH},
                    "choices",
                )
            seen.add(option)
    dim, top, weight = "", 7, Decimal(1)
    if kind == QuestionKind.SERVQUAL:
        allowed = dimensions.of_set(survey.dimension_set)
        dim = str(dimension or "")
        if dim not in allowed:
            raise SurveyError(
                _("dimension: 请选择本问卷维度（%(all)s）之一")
                % {"all": ", ".join(str(v) for v in allowed.values())},
                "dimension",
            )
        try:
            top = int(str(scale_max).strip())
        except ValueError:
            raise SurveyError(_("scale_max: 请选择 5 或 7"), "scale_max") from None
        if top not in (5, 7):
            raise SurveyError(_("scale_max: %(value)s 不是 5 或 7") % {"value": top}, "scale_max")
        try:
            weight = Decimal(str(importance).strip())
        except InvalidOperation:
            raise SurveyError(
                _("importance: 请填大于 0 的数，例如 1 或 0.25"), "importance"
            ) from None
        if not weight.is_finite() or weight <= 0 or weight >= 1000:
            raise SurveyError(
                _("importance: %(value)s 必须大于 0（且小于 1000）") % {"value": importance},
                "importance",
            )
        weight = weight.quantize(Decimal("0.001"))
    return QuestionInput(kind, words, options, bool(required), indicator, dim, top, weight)


def _apply(question: Question, data: QuestionInput) -> None:
    question.kind, question.text, question.choices = data.kind, data.text, data.choices
    question.required, question.indicator = data.required, data.indicator
    question.dimension, question.scale_max, question.importance = (
        data.dimension,
        data.scale_max,
        data.importance,
    )


@transaction.atomic
def add_question(survey: Survey, **fields: Any) -> Question:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_draft(survey)
    data = clean_question(survey, **fields)
    last = survey.questions.aggregate(m=Max("position"))["m"]
    question = Question(survey=survey, position=0 if last is None else last + 1)
    _apply(question, data)
    question.save()
    return question


@transaction.atomic
def update_question(question: Question, **fields: Any) -> Question:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _check_draft(survey)
    data = clean_question(survey, **fields)
    _apply(question, data)
    question.save()
    return question


@transaction.atomic
def delete_question(question: Question) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _check_draft(survey)
    question.delete()


@transaction.atomic
def move_question(question: Question, direction: str) -> None:
    """Swap with the neighbour above (``up``) or below (``down``); renumbers 0..n-1 first so
    equal positions (rows added by hand) cannot make a move a no-op."""
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _check_draft(survey)
    if direction not in ("up", "down"):
        raise SurveyError(_("direction: 只能上移或下移"), "direction")
    ordered = list(survey.questions.order_by("position", "id"))
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, q in enumerate(ordered):
        if q.position != position:
            q.position = position
            q.save(update_fields=["position"])


# -- distribution ----------------------------------------------------------------------
@dataclass(frozen=True)
class SendResult:
    new: int  # invitations made now
    already: int  # customers who had one already (not asked twice)


def _check_sendable(survey: Survey) -> None:
    if survey.state != SurveyState.OPEN:
        raise SurveyError(_("state: 问卷开始收集后才能发送邀请"), "state")


def _invitation(survey: Survey, at: dt.datetime, by: Any, **fields: Any) -> Invitation:
    return Invitation(
        survey=survey,
        nonce=secrets.token_hex(16),
        created_by=_user(by),
        created_at=at,
        expires_at=at + dt.timedelta(days=survey.link_days),
        **fields,
    )


@transaction.atomic
def send_to_segment(
    survey: Survey, segment: Any, by: Any = None, at: dt.datetime | None = None
) -> SendResult:
    """One link invitation per member of the saved ``segment`` not yet invited. Concurrent
    sends are safe: the unique constraint skips a customer another send just invited
    (``ignore_conflicts``), and the result counts the rows actually made."""
    from guanxi.segments import selectors as segment_selectors

    at = _now(at)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_sendable(survey)
    members = list(segment_selectors.members(segment).values_list("pk", "customer_key"))
    # All of the survey's invited keys (no IN list: a segment may hold more keys than a
    # database accepts as parameters).
    invited = set(survey.invitations.values_list("customer_key", flat=True))
    fresh = [
        _invitation(
            survey, at, by, channel=Channel.LINK, customer_id=pk, customer_key=key, segment=segment
        )
        for pk, key in members
        if key not in invited
    ]
    before = survey.invitations.count()
    Invitation.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
    new = survey.invitations.count() - before
    return SendResult(new=new, already=len(members) - new)


@dataclass(frozen=True)
class Credit:
    """Where an answer is credited (all optional): the ticket it follows, its agent and
    team, the order and the product it is about."""

    ticket_id: int | None = None
    agent_id: str = ""
    team: str = ""
    order_id: str = ""
    product_id: str = ""


def _credit_fields(credit: Credit) -> dict[str, Any]:
    from guanxi.accounts.models import Agent
    from guanxi.servicedesk.models import Ticket

    fields: dict[str, Any] = {
        "order_id": credit.order_id.strip()[:64],
        "product_id": credit.product_id.strip()[:64],
        "team": credit.team.strip()[:40],
    }
    if credit.ticket_id is not None:
        ticket = Ticket.objects.filter(pk=credit.ticket_id).first()
        if ticket is None:
            raise SurveyError(_("ticket: 工单 #%(id)s 不存在") % {"id": credit.ticket_id}, "ticket")
        fields["ticket"] = ticket
        # A ticket brings its agent and team unless they were given.
        if not credit.agent_id and ticket.assignee is not None:
            fields["agent"] = ticket.assignee
        fields["team"] = fields["team"] or ticket.team or ""
        if not fields["team"] and "agent" in fields:
            fields["team"] = fields["agent"].team or ""
    if credit.agent_id:
        agent = Agent.objects.filter(agent_id=credit.agent_id.strip()).first()
        if agent is None:
            raise SurveyError(
                _("agent: 没有工号为“%(id)s”的客服") % {"id": credit.agent_id}, "agent"
            )
        fields["agent"] = agent
        fields["team"] = fields["team"] or agent.team or ""
    return fields


def _customer(customer_key: str) -> Any:
    from guanxi.customers.models import Customer

    key = str(customer_key or "").strip()
    if not key:
        raise SurveyError(_("customer: 请填写客户编号"), "customer")
    customer = Customer.objects.filter(customer_key=key, merged_into__isnull=True).first()
    if customer is None:
        raise SurveyError(_("customer: 没有编号为“%(key)s”的客户") % {"key": key}, "customer")
    return customer


@transaction.atomic
def send_to_customer(
    survey: Survey,
    customer_key: str,
    credit: Credit | None = None,
    by: Any = None,
    at: dt.datetime | None = None,
) -> tuple[Invitation, bool]:
    """The customer's link invitation: ``(invitation, True)`` when made now, the existing
    one and ``False`` when they were invited already (never two)."""
    at = _now(at)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_sendable(survey)
    customer = _customer(customer_key)
    existing = survey.invitations.filter(customer_key=customer.customer_key).first()
    if existing is not None:
        return existing, False
    fields = _credit_fields(credit or Credit())
    invitation = _invitation(
        survey,
        at,
        by,
        channel=Channel.LINK,
        customer=customer,
        customer_key=customer.customer_key,
        **fields,
    )
    invitation.save()
    return invitation, True


@transaction.atomic
def phone_invitation(
    survey: Survey,
    customer_key: str,
    credit: Credit | None = None,
    by: Any = None,
    at: dt.datetime | None = None,
) -> Invitation:
    """The invitation a phone interview is keyed in against: the customer's existing one
    (a link they have not used: the call answers it, and the link is then refused as used)
    or a new one with channel phone. Refused when the customer already answered."""
    at = _now(at)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_sendable(survey)
    customer = _customer(customer_key)
    existing = survey.invitations.filter(customer_key=customer.customer_key).first()
    if existing is not None:
        if existing.answered_at is not None:
            raise SurveyError(
                _("customer: 客户 %(key)s 已经回答过这份问卷") % {"key": customer.customer_key},
                "customer",
            )
        return existing
    fields = _credit_fields(credit or Credit())
    invitation = _invitation(
        survey,
        at,
        by,
        channel=Channel.PHONE,
        customer=customer,
        customer_key=customer.customer_key,
        **fields,
    )
    invitation.save()
    return invitation
