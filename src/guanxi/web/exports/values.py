"""How figures are written out: JSON (exact amounts as strings) and plain text."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def json_value(value: Any, kind: str) -> Any:
    """Amounts as strings with two decimals (exact); other figures as numbers; None stays."""
    if value is None:
        return None
    if kind == "money":
        return f"{value:.2f}"
    if isinstance(value, Decimal):
        return float(value)
    return value


def text_value(value: Any, kind: str) -> str:
    """For pages and tables: percentages and ratios with two decimals, seconds with one, yuan
    and counts with thousands separators (as the platforms' back-ends show them), scorecard
    points as written (77.5, 21, 4.125), — for none."""
    if value is None:
        return "—"
    if kind == "percent":
        return f"{Decimal(value) * 100:.2f}%"
    if kind == "money":
        return f"¥{Decimal(value):,.2f}"
    if kind == "ratio":
        return f"{Decimal(value):.2f}"
    if kind == "seconds":
        return f"{Decimal(value):.1f}"
    if kind == "score":  # scorecard points and weights: exact to 4 decimals, no trailing zeros
        points = Decimal(value).quantize(Decimal("0.0001"), ROUND_HALF_UP).normalize()
        return f"{points:f}"
    return f"{int(value):,}"
