"""A figure tile: the value, the previous period's beside it, the change and its colour."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    formula: str
    value: str
    previous: str
    change: str  # "+12.5%" or ""
    direction: str  # "up" (rose), "down" (fell) or "": the arrow
    trend: str  # "good", "bad" or "": the colour (a rising refund rate is bad)
    bar_percent: int | None  # progress bar for rates, 0–100


def change_ratio(current: Any, previous: Any) -> Decimal | None:
    if current is None or previous in (None, 0):
        return None
    return (Decimal(current) - Decimal(previous)) / Decimal(previous)
