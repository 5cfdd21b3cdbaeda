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
from dataclasses import dataclass
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
