"""The KPI composite scorecard (KPI复合模型) of SPEC §3: bands, band scores, weights.

A scorecard is a TOML file (``scorecards/default.toml`` is SPEC §3's). Each item scores one
metric: its value falls in exactly one band, whose score times the item's weight adds to
the agent's total. Manual items (``manual = true``, e.g. daily work) take a score entered by
the manager. Everything is ``Decimal``: 88 ÷ 275 is exactly 32 % and lands in [32 %, 35 %).

Validation rejects, naming the item and the bands: a gap ("咨询转化率: no band covers
31 % ≤ X < 32 %"), an overlap, an unknown metric, a bound or weight that is not a number.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from guanxi.core.errors import UserInputError

DEFAULT = Path(__file__).parent / "scorecards" / "default.toml"
_BAND = re.compile(r"^\s*([\[(])\s*([^,]*?)\s*,\s*([^\])]*?)\s*([\])])\s*$")


class ScorecardError(UserInputError):
    """A scorecard or its input is malformed; the message names the item and the band."""


@dataclass(frozen=True)
class Band:
    lower: Decimal | None  # None: unbounded
    upper: Decimal | None
    lower_closed: bool
    upper_closed: bool
    score: Decimal
    text: str
    percent: bool  # written with % (shown back that way)

    def contains(self, x: Decimal) -> bool:
        if self.lower is not None and (
            x < self.lower or (x == self.lower and not self.lower_closed)
        ):
            return False
        return not (
            self.upper is not None
            and (x > self.upper or (x == self.upper and not self.upper_closed))
        )

    def describe(self) -> str:
        """The band as an inequality: "32 % ≤ X < 35 %", "X ≥ 41 %", "X ≤ 10"."""
        low = None if self.lower is None else _show(self.lower, self.percent)
        high = None if self.upper is None else _show(self.upper, self.percent)
        left = "≤" if self.lower_closed else "<"
        right = "≤" if self.upper_closed else "<"
        if low is None and high is None:
            return "X"
        if low is None:
            return f"X {right} {high}"
        if high is None:
            return f"X {'≥' if self.lower_closed else '>'} {low}"
        return f"{low} {left} X {right} {high}"


@dataclass(frozen=True)
class Item:
    metric: str  # a metric key, or a free name for a manual item
    label: str
    weight: Decimal
    bands: tuple[Band, ...]
    manual: bool = False

    def band_for(self, value: Decimal) -> Band:
        for band in self.bands:
            if band.contains(value):
                return band
        raise ScorecardError(f"{self.label}: no band covers {value}")  # validated: unreachable


@dataclass(frozen=True)
class Scorecard:
    name: str
    items: tuple[Item, ...]

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(i.metric for i in self.items if not i.manual)


def number(text: Any, where: str) -> tuple[Decimal, bool]:
    """A Decimal from 0.32, "0.32", "32%" or "32 %"; the flag says it was a percentage."""
    raw = str(text).strip()
    percent = raw.endswith("%")
    try:
        value = Decimal(raw.rstrip("%").strip())
    except InvalidOperation:
        raise ScorecardError(f"{where}: {raw!r} is not a number") from None
    if not value.is_finite():
        raise ScorecardError(f"{where}: {raw!r} is not a number")
    return (value / 100 if percent else value), percent


def _band(text: str, score: Any, where: str) -> Band:
    match = _BAND.match(text)
    if not match:
        raise ScorecardError(
            f'{where}: band {text!r} is not an interval like "[32%, 35%)", "(10, 15]" or "[41%, )"'
        )
    left, low, high, right = match.groups()
    lower, lp = number(low, f"{where} {text}") if low else (None, False)
    upper, up = number(high, f"{where} {text}") if high else (None, False)
    if lower is not None and upper is not None and lower >= upper:
        raise ScorecardError(
            f"{where}: band {text} is empty (its lower bound is not below its upper)"
        )
    value, _ = number(score, f"{where} {text} score")
    return Band(
        lower,
        upper,
        left == "[" and lower is not None,
        right == "]" and upper is not None,
        value,
        text.strip(),
        lp or up,
    )


def _show(x: Decimal, percent: bool) -> str:
    if percent:
        return f"{(x * 100).normalize():f} %"
    return f"{x.normalize():f}"


def check_bands(label: str, bands: list[Band]) -> None:
    """Every value in exactly one band: no gap, no overlap, both ends unbounded."""
    if not bands:
        raise ScorecardError(f"{label}: no bands")
    ordered = sorted(bands, key=lambda b: (b.lower is not None, b.lower or 0, not b.lower_closed))
    first, last = ordered[0], max(bands, key=lambda b: (b.upper is None, b.upper or 0))
    if first.lower is not None:
        sign = "<" if first.lower_closed else "≤"
        raise ScorecardError(
            f"{label}: no band covers X {sign} {_show(first.lower, first.percent)}"
        )
    if last.upper is not None:
        sign = ">" if last.upper_closed else "≥"
        raise ScorecardError(f"{label}: no band covers X {sign} {_show(last.upper, last.percent)}")
    for prev, nxt in itertools.pairwise(ordered):
        if (
            prev.upper is None
            or (nxt.lower is not None and prev.upper > nxt.lower)
            or (prev.upper == nxt.lower and prev.upper_closed and nxt.lower_closed)
        ):
            raise ScorecardError(f"{label}: bands {prev.text} and {nxt.text} overlap")
        assert nxt.lower is not None
        pct = prev.percent or nxt.percent
        if prev.upper == nxt.lower and not prev.upper_closed and not nxt.lower_closed:
            raise ScorecardError(f"{label}: no band covers X = {_show(prev.upper, pct)}")
        if prev.upper < nxt.lower:
            low_sign = "<" if prev.upper_closed else "≤"
            high_sign = "≤" if not nxt.lower_closed else "<"
            raise ScorecardError(
                f"{label}: no band covers {_show(prev.upper, pct)} {low_sign} X {high_sign} "
                f"{_show(nxt.lower, pct)}"
            )


def parse(data: dict[str, Any], source: str, known_metrics: tuple[str, ...]) -> Scorecard:
    items_raw = data.get("items")
    if not isinstance(items_raw, list) or not items_raw:
        raise ScorecardError(f"{source}: no [[items]]")
    items: list[Item] = []
    for i, raw in enumerate(items_raw, start=1):
        if not isinstance(raw, dict):
            raise ScorecardError(f"{source}: item {i} is not a table")
        manual = bool(raw.get("manual", False))
        metric = str(raw.get("metric", "")).strip()
        label = str(raw.get("label") or metric or f"item {i}")
        if not metric:
            raise ScorecardError(f"{source}: item {i} ({label}) names no metric")
        if not manual and metric not in known_metrics:
            raise ScorecardError(
                f"{source}: {label}: unknown metric {metric!r}; known: {', '.join(known_metrics)}"
                " (or set manual = true for a score the manager enters)"
            )
        weight, _ = number(raw.get("weight", ""), f"{source}: {label} weight")
        bands_raw = raw.get("bands", {})
        if manual:
            bands: list[Band] = []
        elif not isinstance(bands_raw, dict) or not bands_raw:
            raise ScorecardError(f"{source}: {label}: bands must be a table of interval = score")
        else:
            bands = [_band(k, v, f"{source}: {label}") for k, v in bands_raw.items()]
            check_bands(label, bands)
        if any(earlier.metric == metric for earlier in items):
            raise ScorecardError(f"{source}: {label}: the metric {metric!r} is scored twice")
        items.append(Item(metric, label, weight, tuple(bands), manual))
    return Scorecard(str(data.get("name", source)), tuple(items))


def loads(text: str, source: str, known_metrics: tuple[str, ...]) -> Scorecard:
    """A scorecard from TOML text (a settings page's textarea); ``source`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScorecardError(f"{source}: not valid TOML: {exc}") from exc
    return parse(data, source, known_metrics)


def default_text() -> str:
    """SPEC §3's default scorecard as TOML."""
    return DEFAULT.read_text(encoding="utf-8")


def load(path: Path | None, known_metrics: tuple[str, ...]) -> Scorecard:
    path = path or DEFAULT
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScorecardError(f"{path}: cannot read the scorecard: {exc.strerror}") from exc
    return loads(text, path.name, known_metrics)


@dataclass(frozen=True)
class ItemScore:
    metric: str
    label: str
    value: Decimal | None
    band: str | None
    score: Decimal
    weight: Decimal
    weighted: Decimal
    manual: bool = False
    missing: bool = False  # a manual item the manager has not scored yet


@dataclass(frozen=True)
class AgentScore:
    agent: str
    total: Decimal
    items: tuple[ItemScore, ...]

    @property
    def complete(self) -> bool:
        """False while a manual item has no score: the total then counts it as 0."""
        return not any(i.missing for i in self.items)


def score(
    card: Scorecard,
    agent: str,
    values: dict[str, Decimal | None],
    manual: dict[str, Decimal] | None = None,
) -> AgentScore:
    """Score one agent. A metric without a value (no data) scores 0 in no band; a manual
    item without a score counts 0 and is marked ``missing`` (the total is incomplete)."""
    manual = manual or {}
    items = []
    for item in card.items:
        missing = False
        if item.manual:
            value = manual.get(item.metric)
            missing = value is None
            points = value if value is not None else Decimal(0)
            band = None
        else:
            raw = values.get(item.metric)
            value = None if raw is None else Decimal(raw)  # counts arrive as int
            if value is None:
                points, band = Decimal(0), None
            else:
                chosen = item.band_for(value)
                points, band = chosen.score, chosen.text
        items.append(
            ItemScore(
                item.metric,
                item.label,
                value,
                band,
                points,
                item.weight,
                points * item.weight,
                manual=item.manual,
                missing=missing,
            )
        )
    total = sum((i.weighted for i in items), Decimal(0))
    return AgentScore(agent, total, tuple(items))
