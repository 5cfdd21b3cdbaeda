"""Reads behind the scorecard (KPI 复合模型): every agent scored for a period with the shop's
scorecard, thresholds and the managers' manual scores, ranked by total.

Manual scores are monthly. They count when the period is exactly one calendar month; for
any other period a manual item is missing and the total is marked incomplete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from guanxi.core.timeutil import Period, month_period
from guanxi.metrics import scorecard as engine
from guanxi.performance import selectors as agent_selectors
from guanxi.performance import shop_settings
from guanxi.performance.models import ManualScore, ShopSettings
from guanxi.performance.scorecard import manual_scores


def whole_month(period: Period) -> dt.date | None:
    """The month ``period`` is exactly, else None."""
    if period == month_period(period.start.year, period.start.month):
        return period.start
    return None


@dataclass(frozen=True)
class ScoredPeriod:
    period: Period
    month: dt.date | None  # the month whose manual scores count (None: not a whole month)
    card: engine.Scorecard
    scores: list[engine.AgentScore]  # best first
    manual: dict[str, dict[str, ManualScore]]  # agent → item → the score that counts

    @property
    def manual_items(self) -> list[engine.Item]:
        return [i for i in self.card.items if i.manual]


def scored_period(
    period: Period, *, shop: ShopSettings | None = None, card: engine.Scorecard | None = None
) -> ScoredPeriod:
    """Every agent with figures in ``period``, scored and ranked (ties by agent id), with
    the shop's scorecard unless ``card`` is given."""
    shop = shop or shop_settings.current()
    card = card or shop_settings.scorecard(shop)
    reports = agent_selectors.agent_period_reports(period, shop=shop)
    month = whole_month(period)
    manual = manual_scores.latest_scores(month) if month else {}
    scores = [
        engine.score(
            card,
            r.unit,
            {m: getattr(r, m) for m in card.metrics},
            {item: row.score for item, row in manual.get(r.unit, {}).items()},
        )
        for r in reports
    ]
    scores.sort(key=lambda s: (-s.total, s.agent))
    return ScoredPeriod(period, month, card, scores, manual)


def ranks(scores: list[engine.AgentScore]) -> list[int]:
    """Competition ranking of totals sorted best first: 77.5, 77.5, 74 → 1, 1, 3."""
    out: list[int] = []
    previous: Decimal | None = None
    for position, s in enumerate(scores, start=1):
        out.append(out[-1] if previous is not None and s.total == previous else position)
        previous = s.total
    return out
