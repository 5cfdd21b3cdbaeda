"""The scorecard ranking page's cells: per agent and item the value, band, score, weight and
weighted score, with the item's whole band table and the agent's band marked."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_noop

from guanxi.metrics import scorecard as engine
from guanxi.metrics.agents import AGENT_METRICS, KEYS
from guanxi.performance.models import ManualScore
from guanxi.performance.scorecard.scoring import ScoredPeriod, ranks
from guanxi.web.exports.values import text_value

KINDS = {m.key: m.kind for m in AGENT_METRICS}
ENGLISH = {m.key: (m.name_zh, m.name_en) for m in AGENT_METRICS}
# SPEC §3's scorecard's name, for the pages to translate ({% translate card.name %}).
DEFAULT_NAME = gettext_noop("默认 KPI 复合模型")


@functools.cache
def _spec_labels() -> dict[str, str]:
    return {i.metric: i.label for i in engine.load(None, KEYS).items}


def english_label(item: engine.Item) -> str:
    """A metric's English name when the item keeps a Chinese name SPEC gives it (the
    report's or the default scorecard's); else the label as the manager wrote it."""
    zh, en = ENGLISH.get(item.metric, ("", ""))
    spec = (zh, item.metric, _spec_labels().get(item.metric))
    return en if en and item.label in spec else item.label


def points(value: Decimal) -> str:
    return text_value(value, "score")


def weight(value: Decimal) -> str:
    return f"{points(value * 100)}%"


@dataclass(frozen=True)
class BandRow:
    text: str  # as written in the scorecard: [32%, 35%)
    describe: str  # 32 % ≤ X < 35 %
    score: str
    current: bool


@dataclass(frozen=True)
class Column:
    metric: str
    label: str
    label_en: str
    weight: str
    manual: bool
    bands: list[BandRow]


@dataclass(frozen=True)
class ItemCell:
    metric: str
    label: str
    manual: bool
    missing: bool
    value: str
    band: str  # the band's inequality, "" when none
    score: str
    weight: str
    weighted: str
    bands: list[BandRow]
    entered: str  # the manual score as typed back into the form ("" when none)
    recorded: ManualScore | None


@dataclass(frozen=True)
class RankRow:
    rank: int
    agent: str
    name: str
    total: str
    complete: bool
    cells: list[ItemCell]


def _bands(item: engine.Item, chosen: str | None) -> list[BandRow]:
    return [BandRow(b.text, b.describe(), points(b.score), b.text == chosen) for b in item.bands]


def columns(card: engine.Scorecard) -> list[Column]:
    return [
        Column(i.metric, i.label, english_label(i), weight(i.weight), i.manual, _bands(i, None))
        for i in card.items
    ]


def rows(scored: ScoredPeriod, names: dict[str, str], only: str = "") -> list[RankRow]:
    """Ranked rows (ties share a rank); ``only``: that agent's row alone."""
    items = {i.metric: i for i in scored.card.items}
    out = []
    for rank, s in zip(ranks(scored.scores), scored.scores, strict=True):
        if only and s.agent != only:
            continue
        recorded = scored.manual.get(s.agent, {})
        cells = []
        for i in s.items:
            item = items[i.metric]
            band = next((b for b in item.bands if b.text == i.band), None)
            if i.manual:
                value = "—" if i.value is None else points(i.value)
            else:
                value = text_value(i.value, KINDS.get(i.metric, "ratio"))
            cells.append(
                ItemCell(
                    metric=i.metric,
                    label=i.label,
                    manual=i.manual,
                    missing=i.missing,
                    value=value,
                    band=band.describe() if band else "",
                    score=points(i.score),
                    weight=weight(i.weight),
                    weighted=points(i.weighted),
                    bands=_bands(item, i.band),
                    entered="" if i.value is None or not i.manual else points(i.value),
                    recorded=recorded.get(i.metric),
                )
            )
        out.append(
            RankRow(rank, s.agent, names.get(s.agent, ""), points(s.total), s.complete, cells)
        )
    return out
