"""The shop's configurable thresholds and windows (SPEC §1, §2, §9), apart from the Ibis code that
uses them: the app's settings model takes its defaults from here at start-up, which must not
import Ibis."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from guanxi.core.errors import UserInputError


@dataclass(frozen=True)
class ServiceRules:
    """Thresholds and windows of SPEC §2; every one configurable per shop."""

    slow_seconds: int = 60
    quick_seconds: int = 180
    quick_from_hour: int = 8
    quick_to_hour: int = 24


@dataclass(frozen=True)
class AttributionRules:
    after_sale_days: int = 15
    attribution_hours: int = 72
    next_day_days: int = 1  # 次日: paid by the end of the next local day
    final_days: int = 3  # 最终: paid by the end of the third local day after


@dataclass(frozen=True)
class PlatformRules:
    """The platforms' published thresholds and hours (SPEC §2 defaults)."""

    pdd_seconds: int = 3600
    pdd_from_hour: int = 8
    pdd_to_hour: int = 23
    douyin_seconds: int = 180
    douyin_from_hour: int = 8
    douyin_to_hour: int = 23


class RuleError(UserInputError):
    """A customer rule is out of range; the message names the field and its allowed values."""


CUSTOMER_CLASSES = ("vip", "core", "potential", "ordinary")
"""The classes of SPEC §1 by precedence (``customers.CustomerClass``'s values)."""


@dataclass(frozen=True)
class ClassRules:
    """The customer classes' thresholds (SPEC §1 defaults), checked on creation.

    - VIP客户: among the customers who paid in the trailing window, the top
      ``vip_top_share`` by paid amount in it (ties at the edge all in);
    - 核心客户: at least ``core_min_paid_orders`` orders paid in the window and a paid
      amount in it above the median of those customers';
    - 潜在客户: never paid, and in the window consulted (a chat session, when
      ``potential_by_chat``) or ordered without paying (when ``potential_by_unpaid_order``);
    - 普通客户: everyone else.

    ``trailing_months`` is the window of the facts the classes read: pass it to
    ``customers.customer_facts``.
    """

    trailing_months: int = 12
    vip_top_share: Decimal = Decimal("0.05")
    core_min_paid_orders: int = 2
    potential_by_chat: bool = True
    potential_by_unpaid_order: bool = True

    def __post_init__(self) -> None:
        _whole("trailing_months", self.trailing_months, 1, 120)
        share = self.vip_top_share
        if isinstance(share, bool) or not isinstance(share, Decimal | int | float | str):
            raise RuleError(f"vip_top_share: {share!r} is not a number; give e.g. 0.05 for 5 %")
        try:
            exact = Decimal(str(share))
        except InvalidOperation:
            raise RuleError(
                f"vip_top_share: {share!r} is not a number; give e.g. 0.05 for 5 %"
            ) from None
        if not (Decimal(0) < exact <= Decimal(1)):
            raise RuleError(
                f"vip_top_share: {share} is not a share between 0 and 1 "
                "(0 excluded); give e.g. 0.05 for the top 5 %"
            )
        object.__setattr__(self, "vip_top_share", exact)
        _whole("core_min_paid_orders", self.core_min_paid_orders, 1, 1000)
        for name in ("potential_by_chat", "potential_by_unpaid_order"):
            if not isinstance(getattr(self, name), bool):
                raise RuleError(f"{name}: {getattr(self, name)!r} is not true or false")


@dataclass(frozen=True)
class RfmRules:
    """RFM (SPEC §9): when a score counts as high for the eight groups, and whether refunds
    come off the monetary value.

    - ``high_score``: R, F or M is high (高) when its 1–5 score is at least this (default
      3: the upper three quintile scores; SPEC §9 does not say, see ``customers.rfm``);
    - ``deduct_refunds``: M is the paid amount less the customer's successful refunds
      (never below 0); off by default, as SPEC §9 and issue 15 say.
    """

    high_score: int = 3
    deduct_refunds: bool = False

    def __post_init__(self) -> None:
        _whole("high_score", self.high_score, 2, 5)
        if not isinstance(self.deduct_refunds, bool):
            raise RuleError(f"deduct_refunds: {self.deduct_refunds!r} is not true or false")


def _whole(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(f"{name}: {value!r} is not a whole number; give one from {low} to {high}")
    if not low <= value <= high:
        raise RuleError(
            f"{name}: {value} is out of range; give a whole number from {low} to {high}"
        )


LOYALTY_LEVELS = ("high", "medium", "low")
"""The loyalty levels of SPEC §7 (高度/中度/低度忠诚), best first; a component may also be
``unknown`` (nothing to judge it by)."""


@dataclass(frozen=True)
class LoyaltyRules:
    """Loyalty (SPEC §7, seed 002 §4.1): each component's high/medium edges and how the
    components combine (see ``metrics.loyalty``). Checked on creation.

    - purchase frequency: paid orders in the trailing window (``ClassRules.trailing_months``)
      at least ``frequency_high`` → high, at least ``frequency_medium`` → medium;
    - purchase amount: the paid amount in the window, among the customers who paid in it:
      the top ``amount_high_share`` → high, the top ``amount_medium_share`` → medium (ties
      at an edge all in), so the rule suits a ¥20 shop and a ¥5,000 shop alike;
    - willingness to recommend: the survey's 0–10 answer (NPS) at least
      ``recommend_high`` → high (promoter), at least ``recommend_medium`` → medium;
    - after-sales satisfaction: a mean star rating (1–5) at least ``satisfaction_high`` →
      high, at least ``satisfaction_medium`` → medium;
    - combined: a known component counts 2 (high), 1 (medium) or 0 (low); the average of
      the known ones at least ``high_points`` with no component low → high, at least
      ``medium_points`` → medium, else low.
    """

    frequency_high: int = 4
    frequency_medium: int = 2
    amount_high_share: Decimal = Decimal("0.20")
    amount_medium_share: Decimal = Decimal("0.50")
    recommend_high: int = 9
    recommend_medium: int = 7
    satisfaction_high: Decimal = Decimal("4.5")
    satisfaction_medium: Decimal = Decimal("3.5")
    high_points: Decimal = Decimal("1.5")
    medium_points: Decimal = Decimal("0.75")

    def __post_init__(self) -> None:
        _whole("frequency_high", self.frequency_high, 1, 1000)
        _whole("frequency_medium", self.frequency_medium, 1, 1000)
        _above("frequency_high", self.frequency_high, "frequency_medium", self.frequency_medium)
        for name, low, high in (
            ("amount_high_share", Decimal(0), Decimal(1)),
            ("amount_medium_share", Decimal(0), Decimal(1)),
            ("satisfaction_high", Decimal(1), Decimal(5)),
            ("satisfaction_medium", Decimal(1), Decimal(5)),
            ("high_points", Decimal(0), Decimal(2)),
            ("medium_points", Decimal(0), Decimal(2)),
        ):
            object.__setattr__(self, name, _decimal(name, getattr(self, name), low, high))
        if self.amount_high_share >= self.amount_medium_share:
            raise RuleError(
                f"amount_high_share: {self.amount_high_share} must be smaller than "
                f"amount_medium_share ({self.amount_medium_share}): the high group is the "
                "top of the medium one; give e.g. 0.20 and 0.50"
            )
        _whole("recommend_high", self.recommend_high, 0, 10)
        _whole("recommend_medium", self.recommend_medium, 0, 10)
        _above("recommend_high", self.recommend_high, "recommend_medium", self.recommend_medium)
        _above(
            "satisfaction_high",
            self.satisfaction_high,
            "satisfaction_medium",
            self.satisfaction_medium,
        )
        _above("high_points", self.high_points, "medium_points", self.medium_points)
        if self.medium_points == 0:
            raise RuleError(
                "medium_points: 0 would make every customer at least medium; give a number "
                "above 0 and up to 2, e.g. 0.75"
            )


def _decimal(name: str, value: object, low: Decimal, high: Decimal) -> Decimal:
    """``value`` as an exact Decimal within [low, high] (0 excluded for shares), or RuleError."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise RuleError(f"{name}: {value!r} is not a number; give one from {low} to {high}")
    try:
        exact = Decimal(str(value))
    except InvalidOperation:
        raise RuleError(
            f"{name}: {value!r} is not a number; give one from {low} to {high}"
        ) from None
    if (
        not exact.is_finite()
        or not low <= exact <= high
        or (name.endswith("_share") and exact == 0)
    ):
        raise RuleError(f"{name}: {value} is out of range; give a number from {low} to {high}")
    return exact


def _above(name: str, value: object, lower_name: str, lower: object) -> None:
    if not value > lower:  # type: ignore[operator]
        raise RuleError(
            f"{name}: {value} must be above {lower_name} ({lower}); the high edge is above "
            "the medium one"
        )
