"""The service desk's report figures (SPEC §6, issue item 10): open tickets by tier and age,
first-response and resolution times against the SLA, the reopen rate, complaints per 1,000
orders, the top complaint categories by product, the weekly trend and CSAT.

Everything here is a pure function over plain rows (``TicketRow``, ``CsatRow``): the page,
the API, the CLI, the monthly report and the performance pages read the rows once through
``rows_of`` / ``csat_rows_of`` from the tickets the user may see (``visible_tickets``) and
count the same way. The times on the tickets are the SLA clock's stored readings
(``servicedesk.sla``): business seconds on the rota and the holiday calendar, pauses while
waiting on the customer left out — nothing is re-timed here.

Definitions (each a decision, written where the page shows it):

- A ticket is *open* at a moment when it was created before it and neither resolved nor
  closed by then. A ticket reopened later has lost its ``resolved_at`` (the services clear
  it), so a past report counts it open from its creation: the stored fields keep only the
  last resolution.
- First response: the tickets created in the period whose first-response clock has stopped
  (answered) or has already run out (breached, even if still unanswered). The median and mean
  are over the answered ones; *within target* = answered and not breached ÷ all of them.
- Resolution: the tickets resolved in the period (``resolved_at`` inside it), with their
  stored resolution seconds; within target = not ``resolution_breached``.
- Reopen rate = tickets resolved in the period that were reopened at least once (before
  this resolution) ÷ tickets resolved in the period.
- Complaint rate = complaints (kind ``complaint``) created in the period ÷ orders created in
  the period (the lake) × 1,000.
- Weekly trend: per ISO week of the period (clipped to the period's days), tickets created,
  tickets resolved, and tickets created that week that breached either target.
- CSAT: answers (a rating 1–5) given in the period, grouped by the ticket's agent, team or
  tier: answered, mean rating, and the share of 4 and 5.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from guanxi.core.timeutil import Period
from guanxi.metrics.ratios import ratio
from guanxi.servicedesk.models import Kind, Tier

TIERS: tuple[str, ...] = (Tier.ORDINARY, Tier.DIFFICULT, Tier.ESCALATED)
ALL = "*all"  # the row over every tier
NOBODY = "*none"  # tickets without an agent, or an agent without a team

# Age bands of an open ticket at the report's end: (key, lower bound in hours).
AGE_BANDS: tuple[tuple[str, int], ...] = (
    ("lt4h", 0),
    ("4to24h", 4),
    ("1to3d", 24),
    ("3to7d", 72),
    ("gt7d", 168),
)
TOP_CATEGORIES = 10


@dataclass(frozen=True)
class TicketRow:
    """What the reports read of one ticket (no free text, no personal data)."""

    id: int
    kind: str
    tier: str
    category: str
    product_id: str
    team: str
    agent_id: str  # the assignee's agent id, "" when unassigned
    created_at: dt.datetime
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    reopen_count: int = 0
    first_response_seconds: int | None = None
    resolution_seconds: int | None = None
    first_response_breached: bool = False
    resolution_breached: bool = False


@dataclass(frozen=True)
class CsatRow:
    """One answered satisfaction question and the ticket's agent, team and tier."""

    ticket_id: int
    rating: int
    answered_at: dt.datetime
    agent_id: str
    team: str
    tier: str


@dataclass(frozen=True)
class Window:
    """The report's moments in UTC: [start, end) of the period's local days, and the moment
    the open tickets are counted at (the period's end, or now when that is earlier)."""

    start: dt.datetime
    end: dt.datetime
    at: dt.datetime
    period: Period
    time_zone: str

    def contains(self, moment: dt.datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def window(period: Period, time_zone: str, now: dt.datetime) -> Window:
    start, end = period.utc_bounds(time_zone)
    return Window(start, end, min(end, now), period, time_zone)


# -- open tickets by tier and age -------------------------------------------------------------
def is_open(row: TicketRow, at: dt.datetime) -> bool:
    if row.created_at >= at:
        return False
    finished = [m for m in (row.resolved_at, row.closed_at) if m is not None]
    return not any(m <= at for m in finished)


def age_band(created_at: dt.datetime, at: dt.datetime) -> str:
    """The band of an age: < 4 h, 4–24 h, 1–3 d, 3–7 d, > 7 d (a bound belongs above)."""
    hours = (at - created_at).total_seconds() / 3600
    band = AGE_BANDS[0][0]
    for key, low in AGE_BANDS:
        if hours >= low:
            band = key
    return band


@dataclass(frozen=True)
class OpenRow:
    tier: str  # a tier or ALL
    bands: dict[str, int]  # age band → open tickets
    total: int
    breached: int  # of them, past either SLA target now


def open_by_tier_age(rows: Iterable[TicketRow], at: dt.datetime) -> list[OpenRow]:
    counts: dict[str, Counter[str]] = {t: Counter() for t in TIERS}
    breached: Counter[str] = Counter()
    for r in rows:
        if not is_open(r, at):
            continue
        counts.setdefault(r.tier, Counter())[age_band(r.created_at, at)] += 1
        if r.first_response_breached or r.resolution_breached:
            breached[r.tier] += 1
    out = []
    for tier, bands in counts.items():
        out.append(
            OpenRow(tier, {k: bands[k] for k, _ in AGE_BANDS}, sum(bands.values()), breached[tier])
        )
    every: Counter[str] = Counter()
    for bands in counts.values():
        every.update(bands)
    out.append(
        OpenRow(
            ALL, {k: every[k] for k, _ in AGE_BANDS}, sum(every.values()), sum(breached.values())
        )
    )
    return out


# -- times against the SLA --------------------------------------------------------------------
@dataclass(frozen=True)
class TimeRow:
    """One tier's (or ALL's) clock: how many tickets, the median and mean business seconds
    of those with a stopped clock, and the share within target."""

    tier: str
    tickets: int
    timed: int
    median_seconds: Decimal | None
    mean_seconds: Decimal | None
    within: int
    within_share: Decimal | None


def _time_row(tier: str, seconds: list[int], tickets: int, within: int) -> TimeRow:
    return TimeRow(
        tier=tier,
        tickets=tickets,
        timed=len(seconds),
        median_seconds=Decimal(str(statistics.median(seconds))).quantize(Decimal("0.1"))
        if seconds
        else None,
        mean_seconds=ratio(sum(seconds), len(seconds), 1),
        within=within,
        within_share=ratio(within, tickets, 4),
    )


def _times(
    rows: Sequence[TicketRow], take: Callable[[TicketRow], tuple[int | None, bool]]
) -> list[TimeRow]:
    """Per tier then ALL: ``take`` gives (seconds or None, breached) of a counted row."""
    out = []
    for tier in (*TIERS, ALL):
        mine = [r for r in rows if tier in (ALL, r.tier)]
        seconds = [s for s, _b in map(take, mine) if s is not None]
        within = sum(1 for s, b in map(take, mine) if s is not None and not b)
        out.append(_time_row(tier, seconds, len(mine), within))
    return out


def first_response_times(rows: Iterable[TicketRow], w: Window) -> list[TimeRow]:
    counted = [
        r
        for r in rows
        if w.contains(r.created_at)
        and (r.first_response_seconds is not None or r.first_response_breached)
    ]
    return _times(counted, lambda r: (r.first_response_seconds, r.first_response_breached))


def resolution_times(rows: Iterable[TicketRow], w: Window) -> list[TimeRow]:
    counted = [r for r in rows if w.contains(r.resolved_at)]
    return _times(counted, lambda r: (r.resolution_seconds, r.resolution_breached))


# -- reopen and complaint rates ---------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int
    value: Decimal | None  # None: no denominator (no data, never 0)


def reopen_rate(rows: Iterable[TicketRow], w: Window) -> Rate:
    resolved = [r for r in rows if w.contains(r.resolved_at)]
    reopened = sum(1 for r in resolved if r.reopen_count >= 1)
    return Rate(reopened, len(resolved), ratio(reopened, len(resolved), 4))


def complaints_created(rows: Iterable[TicketRow], w: Window) -> list[TicketRow]:
    return [r for r in rows if r.kind == Kind.COMPLAINT and w.contains(r.created_at)]


def complaint_rate(rows: Iterable[TicketRow], w: Window, orders: int | None) -> Rate:
    """Complaints per 1,000 orders (``orders``: created in the period; None when unknown)."""
    complaints = len(complaints_created(rows, w))
    value = ratio(complaints * 1000, orders, 2) if orders is not None else None
    return Rate(complaints, orders or 0, value)


# -- top complaint categories by product ------------------------------------------------------
@dataclass(frozen=True)
class CategoryRow:
    category: str
    product_id: str
    complaints: int
    share: Decimal | None  # of the period's complaints


def top_categories(
    rows: Iterable[TicketRow], w: Window, top: int = TOP_CATEGORIES
) -> list[CategoryRow]:
    complaints = complaints_created(rows, w)
    counts = Counter((r.category, r.product_id) for r in complaints)
    # Most complaints first; ties in a fixed order (category, then product) so the page,
    # the export and the tests agree.
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        CategoryRow(cat, product, n, ratio(n, len(complaints), 4))
        for (cat, product), n in ranked[:top]
    ]


# -- the weekly trend -------------------------------------------------------------------------
@dataclass(frozen=True)
class WeekRow:
    week: str  # ISO week, e.g. 2025-W23
    start: dt.date  # the first of the week's days inside the period
    end: dt.date
    created: int
    resolved: int
    breached: int


def iso_weeks(period: Period) -> list[Period]:
    """The period cut at ISO week boundaries (Monday–Sunday), first and last clipped."""
    parts = []
    day = period.start
    while day <= period.end:
        sunday = day + dt.timedelta(days=6 - day.weekday())
        parts.append(Period(day, min(sunday, period.end)))
        day = sunday + dt.timedelta(days=1)
    return parts


def weekly_trend(rows: Iterable[TicketRow], w: Window) -> list[WeekRow]:
    zone = zoneinfo.ZoneInfo(w.time_zone)
    weeks = iso_weeks(w.period)
    created: Counter[int] = Counter()
    resolved: Counter[int] = Counter()
    breached: Counter[int] = Counter()

    def index(moment: dt.datetime) -> int:
        day = moment.astimezone(zone).date()
        return next(i for i, p in enumerate(weeks) if p.start <= day <= p.end)

    for r in rows:
        if w.contains(r.created_at):
            i = index(r.created_at)
            created[i] += 1
            if r.first_response_breached or r.resolution_breached:
                breached[i] += 1
        if r.resolved_at is not None and w.contains(r.resolved_at):
            resolved[index(r.resolved_at)] += 1
    out = []
    for i, p in enumerate(weeks):
        year, number, _day = p.start.isocalendar()
        out.append(
            WeekRow(f"{year}-W{number:02d}", p.start, p.end, created[i], resolved[i], breached[i])
        )
    return out


# -- CSAT and breaches per agent, team, tier --------------------------------------------------
@dataclass(frozen=True)
class CsatFigures:
    answered: int
    mean: Decimal | None  # two decimals
    good: int  # ratings of 4 or 5
    good_share: Decimal | None


def csat_figures(ratings: Sequence[int]) -> CsatFigures:
    good = sum(1 for r in ratings if r >= 4)
    return CsatFigures(
        len(ratings), ratio(sum(ratings), len(ratings), 2), good, ratio(good, len(ratings), 4)
    )


BY_KEYS: dict[str, Callable[[Any], str]] = {
    "agent": lambda r: r.agent_id or NOBODY,
    "team": lambda r: r.team or NOBODY,
    "tier": lambda r: r.tier,
}


def csat_by(csats: Iterable[CsatRow], w: Window, by: str) -> dict[str, CsatFigures]:
    """CSAT of the answers given in the period, per agent, team or tier (``by``)."""
    key = BY_KEYS[by]
    groups: dict[str, list[int]] = defaultdict(list)
    for c in csats:
        if w.contains(c.answered_at):
            groups[key(c)].append(c.rating)
    return {unit: csat_figures(ratings) for unit, ratings in sorted(groups.items())}


@dataclass(frozen=True)
class UnitDesk:
    """The service desk's figures of one agent, team or tier (the performance pages)."""

    unit: str
    tickets: int  # created in the period
    first_response_breached: int
    resolution_breached: int
    csat: CsatFigures


def unit_figures(
    rows: Iterable[TicketRow], csats: Iterable[CsatRow], w: Window, by: str
) -> list[UnitDesk]:
    """Per agent, team or tier: tickets created in the period, how many of them breached the
    first-response and the resolution target, and the CSAT answered in the period. A tier
    appears always (all three, in order); agents and teams when they have any figure."""
    key = BY_KEYS[by]
    created: Counter[str] = Counter()
    first: Counter[str] = Counter()
    resolution: Counter[str] = Counter()
    for r in rows:
        if not w.contains(r.created_at):
            continue
        unit = key(r)
        created[unit] += 1
        first[unit] += r.first_response_breached
        resolution[unit] += r.resolution_breached
    csat = csat_by(csats, w, by)
    units = list(TIERS) if by == "tier" else sorted(set(created) | set(csat))
    empty = csat_figures([])
    return [UnitDesk(u, created[u], first[u], resolution[u], csat.get(u, empty)) for u in units]


# -- the whole report -------------------------------------------------------------------------
@dataclass(frozen=True)
class DeskReport:
    window: Window
    open: list[OpenRow]
    first_response: list[TimeRow]
    resolution: list[TimeRow]
    reopen: Rate
    complaints: Rate
    orders: int | None  # orders created in the period (the lake); None when unknown
    categories: list[CategoryRow]
    weeks: list[WeekRow]
    csat: dict[str, dict[str, CsatFigures]]  # by "agent" | "team" | "tier" → unit → figures
    csat_all: CsatFigures
    created: int  # tickets created in the period
    resolved: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return bool(self.created or self.resolved or self.open[-1].total or self.csat_all.answered)


def desk_report(
    rows: Sequence[TicketRow], csats: Sequence[CsatRow], w: Window, orders: int | None
) -> DeskReport:
    return DeskReport(
        window=w,
        open=open_by_tier_age(rows, w.at),
        first_response=first_response_times(rows, w),
        resolution=resolution_times(rows, w),
        reopen=reopen_rate(rows, w),
        complaints=complaint_rate(rows, w, orders),
        orders=orders,
        categories=top_categories(rows, w),
        weeks=weekly_trend(rows, w),
        csat={by: csat_by(csats, w, by) for by in ("agent", "team", "tier")},
        csat_all=csat_figures([c.rating for c in csats if w.contains(c.answered_at)]),
        created=sum(1 for r in rows if w.contains(r.created_at)),
        resolved=sum(1 for r in rows if w.contains(r.resolved_at)),
    )
