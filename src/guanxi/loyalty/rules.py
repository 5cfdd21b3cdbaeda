"""The points (积分) rules, apart from the ledger that applies them (no Django imports).

SPEC §7 says only that points are earned and redeemed; the defaults here are Guanxi's and
each is configurable per shop:

- ``points_per_yuan`` (default 1): an order earns ⌊paid amount × rate⌋ points, so 1 point
  per whole yuan paid (¥88.90 → 88). 0 switches earning off; a negative rate is refused.
- ``expiry_months`` (default 12): earned points expire that many calendar months after
  they were earned, in the shop's time zone (earned 2026-01-31 → lapse 2027-01-31 at the
  same local time; 31 March + 1 month → 30 April). 0: points never expire.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import zoneinfo
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation

from guanxi.core.errors import UserInputError

MAX_RATE = Decimal(1000)
MAX_EXPIRY_MONTHS = 120


class PointsRuleError(UserInputError):
    """A points rule is out of range; the message names the field and its allowed values."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class PointsRules:
    """How orders earn points and when points expire; checked on creation."""

    points_per_yuan: Decimal = Decimal(1)
    expiry_months: int = 12

    def __post_init__(self) -> None:
        rate = self.points_per_yuan
        if isinstance(rate, bool) or not isinstance(rate, Decimal | int | str):
            raise PointsRuleError(
                "points_per_yuan", f"{rate!r} is not a number; give e.g. 1 for 1 point per yuan"
            )
        try:
            exact = Decimal(str(rate).strip())
        except InvalidOperation:
            raise PointsRuleError(
                "points_per_yuan", f"{rate!r} is not a number; give e.g. 1 for 1 point per yuan"
            ) from None
        if not exact.is_finite() or exact < 0:
            raise PointsRuleError(
                "points_per_yuan",
                f"{rate} is not allowed; give a rate from 0 (no points) to {MAX_RATE}",
            )
        if exact > MAX_RATE:
            raise PointsRuleError(
                "points_per_yuan", f"{rate} is too large; give a rate from 0 to {MAX_RATE}"
            )
        if exact != exact.quantize(Decimal("0.01")):
            raise PointsRuleError(
                "points_per_yuan", f"{rate} has more than two decimals; round it to 0.01"
            )
        object.__setattr__(self, "points_per_yuan", exact)
        months = self.expiry_months
        if isinstance(months, bool) or not isinstance(months, int):
            raise PointsRuleError(
                "expiry_months",
                f"{months!r} is not a whole number; give 0 (never) to {MAX_EXPIRY_MONTHS}",
            )
        if not 0 <= months <= MAX_EXPIRY_MONTHS:
            raise PointsRuleError(
                "expiry_months",
                f"{months} is out of range; give 0 (never) to {MAX_EXPIRY_MONTHS} months",
            )

    def points_for(self, paid_amount: Decimal) -> int:
        """⌊paid amount × rate⌋, never below 0: ¥88.90 at 1 per yuan → 88."""
        if paid_amount <= 0:
            return 0
        return math.floor(Decimal(paid_amount) * self.points_per_yuan)

    def expires_at(self, earned_at: dt.datetime, time_zone: str) -> dt.datetime | None:
        """When points earned at ``earned_at`` lapse (``None``: never), in UTC."""
        if self.expiry_months == 0:
            return None
        return add_months(earned_at, self.expiry_months, time_zone)


def add_months(moment: dt.datetime, months: int, time_zone: str) -> dt.datetime:
    """``moment`` plus whole calendar months on the shop's local clock, the day clamped to
    the month's last (31 March + 1 month → 30 April); UTC out."""
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    index = local.year * 12 + local.month - 1 + months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    shifted = local.replace(year=year, month=month + 1, day=day)
    return shifted.astimezone(dt.UTC)


# -- the member score (会员成长值, in the style of 淘气值) -------------------------------------
TIERS = ("ordinary", "super", "apass")
"""The member tiers from low to high: 普通会员, 超级会员, APASS (eligible for invitation)."""
PERKS = ("daily", "premium")
"""The seed's two perk levels below the tiers: 日常福利 (≥400) and 尊享礼遇 (≥800)."""
MAX_WEIGHT = 100_000


class RuleError(UserInputError):
    """A member-score rule is out of range; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class MemberRules:
    """The member score's weights, caps, tier bounds and perk thresholds (seed 000 项目六
    任务二; SPEC §7), every one configurable. Counted over the trailing ``window_months``
    at an as-of date by ``metrics.member_score.member_scores``:

    purchase 购买分 = min(⌊paid amount × ``yuan_points``⌋, ``amount_cap``)
                    + min(paid orders × ``order_points``, ``orders_cap``)
    interaction 互动分 = min(reviews × ``review_points``
                    + reviews of ≥ ``long_review_chars`` characters × ``long_review_points``
                    + DSR ratings × ``dsr_points``
                    + min(chat sessions × ``session_points``, ``session_cap``),
                    ``interaction_cap``)
    credit 信用分 = ⌊``profile_points`` × filled ÷ profile fields⌋
                  + min(whole months since the first paid order × ``history_points_per_month``,
                        ``history_cap``)
                  + ⌊``payment_points`` × paid ÷ orders placed⌋ (orders placed in the window)
                  + max(``compliance_points`` − refunds not for quality × ``refund_penalty``, 0)
                    (only with a paid order in the window)
                  + min(reviews ever × ``review_history_points``, ``review_history_cap``)
    score 成长值 = purchase + interaction + credit.

    Tiers: score < ``super_from`` 普通会员; ``super_from`` ≤ score < ``apass_from`` 超级会员;
    ≥ ``apass_from`` APASS. Perks: ≥ ``perk_daily_from`` 日常福利, ≥ ``perk_premium_from``
    尊享礼遇 (the seed's 400 and 800). With the defaults the highest possible score is
    1500 + 500 + 1000 = 3000.
    """

    window_months: int = 12
    # purchase
    yuan_points: Decimal = Decimal("0.2")
    amount_cap: int = 1200
    order_points: int = 15
    orders_cap: int = 300
    # interaction
    review_points: int = 10
    long_review_chars: int = 20
    long_review_points: int = 10
    dsr_points: int = 5
    session_points: int = 2
    session_cap: int = 40
    interaction_cap: int = 500
    # credit
    profile_points: int = 200
    history_points_per_month: int = 10
    history_cap: int = 240
    payment_points: int = 200
    compliance_points: int = 200
    refund_penalty: int = 25
    review_history_points: int = 5
    review_history_cap: int = 160
    # tiers and perks
    super_from: int = 1000
    apass_from: int = 2500
    perk_daily_from: int = 400
    perk_premium_from: int = 800

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "yuan_points":
                object.__setattr__(self, f.name, _rate(value))
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise RuleError(f.name, f"{value!r} is not a whole number; give e.g. {f.default}")
            if value < 0:
                raise RuleError(f.name, f"{value} is negative; give 0 or more")
            if value > MAX_WEIGHT:
                raise RuleError(f.name, f"{value} is too large; give at most {MAX_WEIGHT}")
        if not 1 <= self.window_months <= 120:
            raise RuleError("window_months", f"{self.window_months}: give 1 to 120 months")
        if self.super_from < 1:
            raise RuleError("super_from", "give a score of 1 or more (0 makes everyone super)")
        if self.apass_from <= self.super_from:
            raise RuleError(
                "apass_from",
                f"{self.apass_from} overlaps the super-member tier (超级会员), which starts at "
                f"{self.super_from}; give a score above it",
            )
        if self.perk_daily_from < 1:
            raise RuleError("perk_daily_from", "give a score of 1 or more")
        if self.perk_premium_from <= self.perk_daily_from:
            raise RuleError(
                "perk_premium_from",
                f"{self.perk_premium_from} is not above the daily-perks threshold (日常福利) "
                f"{self.perk_daily_from}; give a higher score",
            )
        for name in ("apass_from", "super_from", "perk_premium_from"):
            if getattr(self, name) > self.max_score:
                raise RuleError(
                    name,
                    f"{getattr(self, name)} is above the highest possible score "
                    f"{self.max_score} (the sum of the caps); nobody could reach it",
                )

    @property
    def max_purchase(self) -> int:
        return self.amount_cap + self.orders_cap

    @property
    def max_credit(self) -> int:
        return (
            self.profile_points
            + self.history_cap
            + self.payment_points
            + self.compliance_points
            + self.review_history_cap
        )

    @property
    def max_score(self) -> int:
        return self.max_purchase + self.interaction_cap + self.max_credit

    def tier_of(self, score: int) -> str:
        if score >= self.apass_from:
            return "apass"
        if score >= self.super_from:
            return "super"
        return "ordinary"

    def perks_of(self, score: int) -> tuple[str, ...]:
        """The perk levels a score reaches (both, one or none)."""
        reached = []
        if score >= self.perk_daily_from:
            reached.append("daily")
        if score >= self.perk_premium_from:
            reached.append("premium")
        return tuple(reached)


def _rate(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise RuleError("yuan_points", f"{value!r} is not a number; give e.g. 0.2 points per yuan")
    try:
        exact = Decimal(str(value).strip())
    except InvalidOperation:
        raise RuleError(
            "yuan_points", f"{value!r} is not a number; give e.g. 0.2 points per yuan"
        ) from None
    if not exact.is_finite() or exact < 0:
        raise RuleError("yuan_points", f"{value} is negative; give 0 or more points per yuan")
    if exact > MAX_RATE:
        raise RuleError("yuan_points", f"{value} is too large; give at most {MAX_RATE}")
    if exact != exact.quantize(Decimal("0.0001")):
        raise RuleError("yuan_points", f"{value} has more than four decimals; round it")
    return exact
