"""``/api/customers/…``: a customer's profile (identity masked, class and why, tier and score
history, RFM, loyalty, facts) and points (balance, ledger, redeem, adjust).

Who sees whom: ``customers.view_customer`` for any of it. A user without the shop's figures
(the agent role) sees only customers they served in a chat — any other key answers 404, as
an unknown one does, so the API does not tell which keys exist. Identity is always masked
here (the API has no reveal), so marketing never receives personal data. Points change
with ``customers.change_customer``; a refused change is a 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from guanxi.accounts.selectors import agent_id_of
from guanxi.customers import presenters, profile_presenters, profile_selectors, selectors
from guanxi.customers import rules as customer_rules
from guanxi.customers.models import Customer
from guanxi.loyalty import services as points
from guanxi.loyalty.models import PointsEntry
from guanxi.web.api import ErrorOut, require

router = Router(tags=["customers"])
VIEW = "customers.view_customer"
CHANGE = "customers.change_customer"
ALL_CUSTOMERS = "accounts.view_shop_figures"  # managers, admins, marketing; not agents
LEDGER_LIMIT = 500


def _customer(request: HttpRequest, customer_key: str) -> Customer:
    require(request, VIEW, "and staff may read customers")
    customer = selectors.customer_get(customer_key)
    if customer is None:
        raise HttpError(404, "no such customer")
    if not request.user.has_perm(ALL_CUSTOMERS):
        agent = agent_id_of(request.user)
        if not agent or not selectors.agent_served(agent, customer.customer_key):
            raise HttpError(404, "no such customer")
    return customer


# -- schemas -------------------------------------------------------------------------------------
class IdentityOut(Schema):
    name: str
    gender: str
    birth_date: str
    mobile: str
    email: str
    province: str
    city: str
    address: str
    tags: list[str]


class PinOut(Schema):
    customer_class: str
    reason: str
    pinned_by: str
    pinned_at: dt.datetime


class ClassOut(Schema):
    customer_class: str
    label: str
    rule_class: str | None
    rule: str | None
    figure: Decimal | None
    threshold: Decimal | None
    reason: str
    pin: PinOut | None


class ScoreOut(Schema):
    month: dt.date
    purchase: int
    interaction: int
    credit: int
    score: int
    tier: str


class RfmOut(Schema):
    recency_days: int | None
    frequency: int
    monetary: Decimal
    r_score: int | None
    f_score: int | None
    m_score: int | None
    group: str


class LoyaltyOut(Schema):
    level: str
    components: dict[str, object]


class FactsOut(Schema):
    as_of: dt.date
    orders: int
    paid_orders: int
    paid_amount: Decimal
    paid_items: int
    trailing_paid_orders: int
    trailing_paid_amount: Decimal
    first_order_at: dt.datetime | None
    last_order_at: dt.datetime | None
    mean_days_between: float | None
    categories: list[str]
    refunds: int
    refund_amount: Decimal
    returns: int
    sessions: int
    last_chat_at: dt.datetime | None
    reviews: int
    mean_rating: float | None


class ProfileOut(Schema):
    customer_key: str
    identity: IdentityOut
    customer_class: ClassOut
    member_tier: str
    member_score: int | None
    score_history: list[ScoreOut]
    points_balance: int
    rfm: RfmOut | None
    loyalty: LoyaltyOut | None
    facts: FactsOut | None


class EntryOut(Schema):
    id: int
    kind: str
    points: int
    platform: str
    order_id: str
    earned_at: dt.datetime | None
    expires_at: dt.datetime | None
    reason: str
    actor: str
    created_at: dt.datetime


class PointsOut(Schema):
    customer_key: str
    balance: int
    entries: int
    ledger: list[EntryOut]  # newest first, at most ``limit``


class PointsIn(Schema):
    points: int
    reason: str = ""


class ChangeOut(Schema):
    entry: EntryOut
    balance: int


# -- endpoints -----------------------------------------------------------------------------------
def _identity(customer: Customer) -> dict[str, object]:
    masked = {f.key: f.value for f in presenters.personal_fields(customer, reveal=False)}
    return {
        "name": masked["name"],
        "gender": customer.gender,
        "birth_date": masked["birth_date"],
        "mobile": masked["mobile"],
        "email": masked["email"],
        "province": customer.province,
        "city": customer.city,
        "address": masked["address"],
        "tags": sorted(t.name for t in customer.tags.all()),
    }


@router.get(
    "/{customer_key}",
    response={200: ProfileOut, 403: ErrorOut, 404: ErrorOut},
    summary="客户画像: masked identity, class and reason, tier, scores, RFM, loyalty, facts",
)
def customer_profile(request: HttpRequest, customer_key: str) -> dict[str, object]:
    customer = _customer(request, customer_key)
    standing = profile_selectors.standing_of(customer)
    pin = next(iter(customer.class_pins.filter(removed_at__isnull=True)), None)
    rules = customer_rules.class_rules()
    reason = profile_presenters.class_reason(standing, rules)
    s = standing
    return {
        "customer_key": customer.customer_key,
        "identity": _identity(customer),
        "customer_class": {
            "customer_class": customer.customer_class,
            "label": str(customer.get_customer_class_display()),
            "rule_class": s.rule_class if s else None,
            "rule": s.class_rule if s else None,
            "figure": s.class_figure if s else None,
            "threshold": s.class_threshold if s else None,
            "reason": reason,
            "pin": pin,
        },
        "member_tier": s.member_tier if s else "",
        "member_score": s.member_score if s else None,
        "score_history": profile_selectors.member_scores(customer),
        "points_balance": profile_selectors.points_balance(customer),
        "rfm": None
        if s is None
        else {
            "recency_days": s.recency_days,
            "frequency": s.frequency,
            "monetary": s.monetary,
            "r_score": s.r_score,
            "f_score": s.f_score,
            "m_score": s.m_score,
            "group": s.rfm_group,
        },
        "loyalty": None
        if s is None
        else {"level": s.loyalty, "components": dict(s.loyalty_components or {})},
        "facts": s,
    }


def _entry(entry: PointsEntry) -> dict[str, object]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "points": entry.points,
        "platform": entry.platform,
        "order_id": entry.order_id,
        "earned_at": entry.earned_at,
        "expires_at": entry.expires_at,
        "reason": entry.reason,
        "actor": entry.actor_name,
        "created_at": entry.created_at,
    }


@router.get(
    "/{customer_key}/points",
    response={200: PointsOut, 403: ErrorOut, 404: ErrorOut},
    summary="积分: balance and the ledger, newest first",
)
def customer_points(request: HttpRequest, customer_key: str, limit: int = 100) -> dict[str, object]:
    customer = _customer(request, customer_key)
    if not 1 <= limit <= LEDGER_LIMIT:
        raise HttpError(422, f"limit: give 1–{LEDGER_LIMIT}")
    entries = PointsEntry.objects.filter(customer=customer)
    return {
        "customer_key": customer.customer_key,
        "balance": profile_selectors.points_balance(customer),
        "entries": entries.count(),
        "ledger": [_entry(e) for e in entries.order_by("-id")[:limit]],
    }


def _change(
    request: HttpRequest, customer_key: str, body: PointsIn, kind: str
) -> dict[str, object]:
    customer = _customer(request, customer_key)
    require(request, CHANGE, "may change points")
    user = request.user
    actor = user if isinstance(user, User) else None
    try:
        if kind == "redeem":
            entry = points.redeem(customer, body.points, actor, reason=body.reason)
        else:
            entry = points.adjust(customer, body.points, body.reason, actor)
    except points.PointsError as exc:
        raise HttpError(422, str(exc)) from None
    return {"entry": _entry(entry), "balance": profile_selectors.points_balance(customer)}


@router.post(
    "/{customer_key}/points/redeem",
    response={200: ChangeOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="兑换积分 (oldest points first; never below 0)",
)
def points_redeem(request: HttpRequest, customer_key: str, body: PointsIn) -> dict[str, object]:
    return _change(request, customer_key, body, "redeem")


@router.post(
    "/{customer_key}/points/adjust",
    response={200: ChangeOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="人工调整积分 (a reason is required)",
)
def points_adjust(request: HttpRequest, customer_key: str, body: PointsIn) -> dict[str, object]:
    return _change(request, customer_key, body, "adjust")
