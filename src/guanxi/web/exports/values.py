"""How figures are written out: JSON (exact amounts as strings) and plain text."""

from __future__ import annotations

from decimal import Decimal
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
    """For tables: percentages with two decimals, yuan with thousands separators, — for none."""
    if value is None:
        return "—"
    if kind == "percent":
        return f"{value * 100:.2f}%"
    if kind == "money":
        return f"¥{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)
