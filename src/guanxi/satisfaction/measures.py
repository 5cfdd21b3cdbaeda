"""The survey measures (SPEC §5; seed 002 §3.1; seed 000 项目二 任务一): CSAT, NPS with its
confidence interval, the response rate and SERVQUAL's gaps. Pure functions on numbers — no
Django, no database — so the pages, the API, the CLI and the dashboard compute them alike.

CSAT (满意度)
    On a 1–5 rating: the share of 4 and 5 answers (satisfied ÷ answered), and the mean.

NPS (净推荐值)
    On 0–10 "how likely are you to recommend us": promoters answer 9–10, passives 7–8,
    detractors 0–6; NPS = %promoters − %detractors, in points from −100 to 100.

    Its 95 % confidence interval: the NPS is the mean of a variable that is +1 for a
    promoter, 0 for a passive and −1 for a detractor. That variable's variance is
    E[X²] − E[X]² = (p_P + p_D) − (p_P − p_D)², so the mean's variance is
    Var = (p_P + p_D − (p_P − p_D)²) / n and the interval is NPS ± 1.96·√Var (×100 for
    points), clipped to [−100, 100] (normal approximation). Under ``SMALL_SAMPLE`` answers
    the approximation is rough and the pages say so; with every answer alike (all
    promoters) the variance is 0 and the interval collapses to the point, which says
    nothing about the next customer: the small-sample note covers it too.

Response rate (回收率)
    Answered invitations ÷ invitations sent. Expired, unanswered invitations stay in the
    denominator: a link nobody opened is a customer who did not answer.

SERVQUAL (服务质量差距)
    The seed's Servqual 分数 = 实际感受分数 − 期望分数. Per item: gap = mean(perceived) −
    mean(expected) over the respondents who gave both scores (a half-answered item would
    compare different people). Importance weights are the items' ``importance`` divided by
    their sum over all the survey's items, so they sum to 1; weighted gap = gap × weight.
    Per dimension: expected, perceived and gap are the means of its items' (each item
    counts once, whatever its number of answers), the weight is the sum of its items'
    weights and the weighted gap the sum of its items' weighted gaps (its share of the
    score). The SERVQUAL score is the weighted mean gap: Σ wᵢ·gapᵢ ÷ Σ wᵢ over the items
    with answers (items nobody answered neither pull it to 0 nor count).
    "Fix first" ranks the items by weighted gap, the negative ones (perception below
    expectation) on top, most negative first; then the others; items without answers last.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

Z95 = 1.96  # the normal quantile of a two-sided 95 % interval
SMALL_SAMPLE = 30  # fewer answers than this: the interval is a rough guide (said on the page)
SATISFIED = 4  # a 1–5 rating of 4 or 5 counts as satisfied
PROMOTER = 9  # 9–10
PASSIVE = 7  # 7–8; 0–6 are detractors


def mean(values: Iterable[float | int | None]) -> float | None:
    """The arithmetic mean of the values given (``None`` skipped); None when there are none."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


@dataclass(frozen=True)
class Csat:
    n: int  # ratings given
    satisfied: int  # of which 4 or 5
    share: float | None  # satisfied ÷ n (0.75 = 75 %)
    mean: float | None  # the mean rating, 1–5


def csat(ratings: Iterable[int | None]) -> Csat:
    """CSAT of 1–5 ratings: the share of 4–5 and the mean (``None`` = not answered)."""
    given = [int(r) for r in ratings if r is not None]
    for r in given:
        if not 1 <= r <= 5:
            raise ValueError(f"a CSAT rating is 1 to 5, not {r}")
    satisfied = sum(1 for r in given if r >= SATISFIED)
    n = len(given)
    return Csat(n, satisfied, satisfied / n if n else None, mean(given))


@dataclass(frozen=True)
class Nps:
    promoters: int
    passives: int
    detractors: int
    nps: float | None  # points, −100 to 100; None without answers
    low: float | None  # the 95 % interval, points, clipped to [−100, 100]
    high: float | None

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def small(self) -> bool:
        """Fewer than ``SMALL_SAMPLE`` answers: the interval is a rough guide."""
        return 0 < self.n < SMALL_SAMPLE

    @property
    def margin(self) -> float | None:
        """The interval's half width before clipping (points)."""
        if self.nps is None or self.low is None or self.high is None:
            return None
        return _half_width(self.promoters, self.detractors, self.n)


def _half_width(promoters: int, detractors: int, n: int) -> float:
    p_p, p_d = promoters / n, detractors / n
    variance = (p_p + p_d - (p_p - p_d) ** 2) / n
    return Z95 * math.sqrt(max(variance, 0.0)) * 100


def nps_of_counts(promoters: int, passives: int, detractors: int) -> Nps:
    """The NPS and its 95 % interval from the three counts (see the module's docstring)."""
    if min(promoters, passives, detractors) < 0:
        raise ValueError("counts cannot be negative")
    n = promoters + passives + detractors
    if n == 0:
        return Nps(0, 0, 0, None, None, None)
    point = (promoters - detractors) / n * 100
    half = _half_width(promoters, detractors, n)
    return Nps(
        promoters, passives, detractors, point, max(-100.0, point - half), min(100.0, point + half)
    )


def nps_group(score: int) -> str:
    """ "promoter" (9–10), "passive" (7–8) or "detractor" (0–6) for a 0–10 score."""
    if not 0 <= score <= 10:
        raise ValueError(f"an NPS score is 0 to 10, not {score}")
    if score >= PROMOTER:
        return "promoter"
    return "passive" if score >= PASSIVE else "detractor"


def nps(scores: Iterable[int | None]) -> Nps:
    """NPS of 0–10 scores (``None`` = not answered) with its 95 % interval."""
    counts = {"promoter": 0, "passive": 0, "detractor": 0}
    for s in scores:
        if s is not None:
            counts[nps_group(int(s))] += 1
    return nps_of_counts(counts["promoter"], counts["passive"], counts["detractor"])


@dataclass(frozen=True)
class Rate:
    sent: int
    answered: int

    @property
    def rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None


def response_rate(sent: int, answered: int) -> Rate:
    """Answered ÷ sent; expired invitations stay among the sent (see the module docstring)."""
    if sent < 0 or answered < 0 or answered > sent:
        raise ValueError(f"{answered} answered of {sent} sent is not a response count")
    return Rate(sent, answered)


# ---------------------------------------------------------------- SERVQUAL


@dataclass(frozen=True)
class ServqualItem:
    """One item's answers: (expected, perceived) per respondent, either may be None."""

    key: int | str
    dimension: str
    importance: Decimal | float
    pairs: Sequence[tuple[int | None, int | None]]


@dataclass(frozen=True)
class ItemGap:
    key: int | str
    dimension: str
    n: int  # respondents who gave both scores
    expected: float | None
    perceived: float | None
    gap: float | None
    weight: float  # importance normalised over the survey's items (they sum to 1)
    weighted: float | None

    @property
    def negative(self) -> bool:
        return self.gap is not None and self.gap < 0


@dataclass(frozen=True)
class DimensionGap:
    dimension: str
    items: int  # items with answers
    expected: float | None
    perceived: float | None
    gap: float | None
    weight: float
    weighted: float | None


@dataclass(frozen=True)
class Servqual:
    items: list[ItemGap]
    dimensions: list[DimensionGap]
    score: float | None  # the weighted mean gap
    ranking: list[ItemGap] = field(default_factory=list)  # "fix first"

    @property
    def respondents(self) -> int:
        return max((i.n for i in self.items), default=0)


def _weights(items: Sequence[ServqualItem]) -> list[float]:
    importances = [float(i.importance) for i in items]
    if any(w < 0 for w in importances):
        raise ValueError("an importance weight cannot be negative")
    total = sum(importances)
    if total == 0:  # no weights given: every item counts the same
        return [1 / len(items)] * len(items) if items else []
    return [w / total for w in importances]


def item_gap(item: ServqualItem, weight: float) -> ItemGap:
    both = [(e, p) for e, p in item.pairs if e is not None and p is not None]
    expected = mean(e for e, _p in both)
    perceived = mean(p for _e, p in both)
    gap = perceived - expected if expected is not None and perceived is not None else None
    weighted = gap * weight if gap is not None else None
    return ItemGap(item.key, item.dimension, len(both), expected, perceived, gap, weight, weighted)


def rank(items: Iterable[ItemGap]) -> list[ItemGap]:
    """Fix first: negative gaps by weighted gap ascending, then the others ascending, then
    the items without answers."""
    items = list(items)
    answered = [i for i in items if i.weighted is not None]
    negative = sorted((i for i in answered if i.negative), key=lambda i: i.weighted or 0.0)
    other = sorted((i for i in answered if not i.negative), key=lambda i: i.weighted or 0.0)
    return negative + other + [i for i in items if i.weighted is None]


def servqual(items: Sequence[ServqualItem], dimensions: Sequence[str]) -> Servqual:
    """Item and dimension gaps, their weights, the score and the ranking. ``dimensions``
    orders the dimension rows (each item's ``dimension`` must be one of them)."""
    gaps = [item_gap(item, w) for item, w in zip(items, _weights(items), strict=True)]
    rows = []
    for code in dimensions:
        mine = [g for g in gaps if g.dimension == code]
        answered = [g for g in mine if g.gap is not None]
        rows.append(
            DimensionGap(
                code,
                len(answered),
                mean(g.expected for g in answered),
                mean(g.perceived for g in answered),
                mean(g.gap for g in answered),
                sum(g.weight for g in mine),
                sum(g.weighted or 0.0 for g in answered) if answered else None,
            )
        )
    unknown = {g.dimension for g in gaps} - set(dimensions)
    if unknown:
        raise ValueError(f"items of unknown dimensions: {', '.join(sorted(unknown))}")
    answered = [g for g in gaps if g.weighted is not None]
    weight = sum(g.weight for g in answered)
    score = sum(g.weighted or 0.0 for g in answered) / weight if answered and weight else None
    return Servqual(gaps, rows, score, rank(gaps))
