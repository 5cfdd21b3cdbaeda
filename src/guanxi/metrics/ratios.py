"""Exact ratios for every metric family."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def ratio(numerator: Any, denominator: Any, places: int) -> Decimal | None:
    """``numerator ÷ denominator`` as a Decimal rounded to ``places``; ``None`` — "no data",
    never 0 — when either is missing or the denominator is zero."""
    if numerator is None or not denominator:
        return None
    if isinstance(numerator, float):  # sums of seconds: microsecond precision is plenty
        numerator = Decimal(repr(round(numerator, 6)))
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1).scaleb(-places))
