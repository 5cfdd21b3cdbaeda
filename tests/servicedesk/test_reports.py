"""The service desk's report figures, each computed by hand (pure functions, no database).

The shop's time zone is Asia/Shanghai (UTC+8); times below are local (``tests.factories.utc``).
The period is 2025-06-02 (Mon) – 2025-06-15 (Sun): ISO weeks W23 and W24; the open tickets
are counted at its end, 2025-06-16 00:00 local.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi.core.timeutil import Period
from guanxi.servicedesk import reports
from guanxi.servicedesk.reports import ALL, NOBODY, CsatRow, TicketRow
from tests.factories import utc

TZ = "Asia/Shanghai"
PERIOD = Period(dt.date(2025, 6, 2), dt.date(2025, 6, 15))
W = reports.window(PERIOD, TZ, utc("2025-07-01 00:00:00"))


def ticket(id: int, kind: str, tier: str, created: str, **fields: object) -> TicketRow:
    values: dict[str, object] = {
        "category": "product",
        "product_id": "",
        "team": "",
        "agent_id": "",
    } | fields
    for moment in ("resolved_at", "closed_at"):
        if isinstance(values.get(moment), str):
            values[moment] = utc(str(values[moment]))
    return TicketRow(id=id, kind=kind, tier=tier, created_at=utc(created), **values)  # type: ignore[arg-type]


C, INQ, A = "complaint", "inquiry", "after_sales"
ROWS = [
    ticket(1, C, "ordinary", "2025-06-02 10:00:00", product_id="P1", agent_id="kf1", team="A",
           first_response_seconds=600, resolved_at="2025-06-03 10:00:00", resolution_seconds=7200),
    ticket(2, C, "ordinary", "2025-06-03 09:00:00", product_id="P1", agent_id="kf1", team="A",
           first_response_seconds=1800, first_response_breached=True,
           resolved_at="2025-06-10 12:00:00", resolution_seconds=36000,
           resolution_breached=True, reopen_count=1),
    ticket(3, C, "difficult", "2025-06-09 08:00:00", category="logistics", product_id="P2",
           agent_id="kf2", team="A", first_response_seconds=900, resolution_breached=True),
    ticket(4, INQ, "ordinary", "2025-06-15 22:00:00", category="service"),
    ticket(5, C, "escalated", "2025-05-20 10:00:00", category="service", product_id="P3",
           agent_id="kf2", team="B", first_response_seconds=300,
           resolved_at="2025-06-05 10:00:00", resolution_seconds=50000, reopen_count=2),
    ticket(6, C, "ordinary", "2025-06-16 09:00:00", product_id="P1"),  # after the period
    ticket(7, C, "ordinary", "2025-06-14 12:00:00", product_id="P2", agent_id="kf1", team="A",
           first_response_breached=True),  # unanswered and already late
    ticket(8, A, "difficult", "2025-05-01 00:00:00", category=""),  # open for six weeks
]  # fmt: skip


def csat(ticket_id: int, rating: int, answered: str) -> CsatRow:
    row = next(r for r in ROWS if r.id == ticket_id)
    return CsatRow(ticket_id, rating, utc(answered), row.agent_id, row.team, row.tier)


CSATS = [
    csat(1, 5, "2025-06-04 10:00:00"),
    csat(2, 3, "2025-06-11 10:00:00"),
    csat(5, 4, "2025-06-06 10:00:00"),
    csat(3, 2, "2025-06-12 10:00:00"),
    csat(2, 1, "2025-06-16 10:00:00"),  # answered after the period
    csat(4, 4, "2025-06-15 20:00:00"),  # an unassigned ticket's
]


def test_window_is_the_local_days_and_the_open_count_at_its_end() -> None:
    assert W.start == utc("2025-06-02 00:00:00") and W.end == utc("2025-06-16 00:00:00")
    assert W.at == W.end
    # A period not over yet counts the open tickets now.
    now = utc("2025-06-10 15:00:00")
    assert reports.window(PERIOD, TZ, now).at == now


def test_age_bands_at_their_bounds() -> None:
    at = utc("2025-06-16 00:00:00")
    assert reports.age_band(at - dt.timedelta(hours=3, minutes=59), at) == "lt4h"
    assert reports.age_band(at - dt.timedelta(hours=4), at) == "4to24h"  # a bound goes up
    assert reports.age_band(at - dt.timedelta(hours=24), at) == "1to3d"
    assert reports.age_band(at - dt.timedelta(hours=72), at) == "3to7d"
    assert reports.age_band(at - dt.timedelta(hours=167, minutes=59), at) == "3to7d"
    assert reports.age_band(at - dt.timedelta(hours=168), at) == "gt7d"


def test_open_tickets_by_tier_and_age() -> None:
    rows = {r.tier: r for r in reports.open_by_tier_age(ROWS, W.at)}
    # Open at 06-16 00:00: #3 (06-09 08:00, 160 h → 3–7 d), #4 (22:00 the day before, 2 h →
    # < 4 h), #7 (06-14 12:00, 36 h → 1–3 d), #8 (05-01, > 7 d). #1, #2, #5 were resolved
    # before; #6 came after.
    assert rows["ordinary"].bands == {"lt4h": 1, "4to24h": 0, "1to3d": 1, "3to7d": 0, "gt7d": 0}
    assert (rows["ordinary"].total, rows["ordinary"].breached) == (2, 1)  # #7 is late
    assert rows["difficult"].bands == {"lt4h": 0, "4to24h": 0, "1to3d": 0, "3to7d": 1, "gt7d": 1}
    assert (rows["difficult"].total, rows["difficult"].breached) == (2, 1)  # #3 is late
    assert rows["escalated"].total == 0
    assert rows[ALL].bands == {"lt4h": 1, "4to24h": 0, "1to3d": 1, "3to7d": 1, "gt7d": 1}
    assert (rows[ALL].total, rows[ALL].breached) == (4, 2)


def test_a_ticket_resolved_after_the_end_was_open_at_the_end() -> None:
    late = ticket(9, C, "ordinary", "2025-06-15 12:00:00", resolved_at="2025-06-16 08:00:00")
    assert reports.is_open(late, W.at)
    assert not reports.is_open(late, utc("2025-06-16 08:00:00"))


def test_first_response_times_against_the_sla() -> None:
    rows = {r.tier: r for r in reports.first_response_times(ROWS, W)}
    # Created in the period and answered or already late: #1 (600 s), #2 (1800 s, late),
    # #3 (900 s), #7 (unanswered, late). #4 is neither yet: not counted.
    ordinary = rows["ordinary"]  # #1, #2, #7
    assert (ordinary.tickets, ordinary.timed) == (3, 2)
    # median and mean of 600 and 1800 = 1200; within: #1 only → 1/3
    assert ordinary.median_seconds == Decimal("1200.0") == ordinary.mean_seconds
    assert (ordinary.within, ordinary.within_share) == (1, Decimal("0.3333"))
    difficult = rows["difficult"]  # #3
    assert (difficult.tickets, difficult.median_seconds, difficult.within_share) == (
        1,
        Decimal("900.0"),
        Decimal("1.0000"),
    )
    assert rows["escalated"].tickets == 0 and rows["escalated"].within_share is None
    every = rows[ALL]
    # 600, 900, 1800 → median 900, mean 3300/3 = 1100; within #1, #3 → 2/4
    assert every.median_seconds == Decimal("900.0") and every.mean_seconds == Decimal("1100.0")
    assert (every.tickets, every.within, every.within_share) == (4, 2, Decimal("0.5000"))


def test_resolution_times_against_the_sla() -> None:
    rows = {r.tier: r for r in reports.resolution_times(ROWS, W)}
    # Resolved in the period: #1 (06-03, 7200 s), #2 (06-10, 36000 s, late), #5 (06-05,
    # 50000 s; created in May, still counted: it was resolved in June).
    ordinary = rows["ordinary"]
    # (7200 + 36000) / 2 = 21600 for both; within #1 → 1/2
    assert ordinary.median_seconds == Decimal("21600.0") == ordinary.mean_seconds
    assert ordinary.within_share == Decimal("0.5000")
    assert rows["escalated"].median_seconds == Decimal("50000.0")
    every = rows[ALL]
    # sorted 7200, 36000, 50000 → median 36000; mean 93200 / 3 = 31066.67 → 31066.7;
    # within #1, #5 → 2/3
    assert every.median_seconds == Decimal("36000.0")
    assert every.mean_seconds == Decimal("31066.7")
    assert every.within_share == Decimal("0.6667")


def test_reopen_rate() -> None:
    rate = reports.reopen_rate(ROWS, W)
    # resolved in the period: #1 (never reopened), #2 (once), #5 (twice) → 2/3
    assert (rate.numerator, rate.denominator, rate.value) == (2, 3, Decimal("0.6667"))


def test_complaint_rate_per_thousand_orders() -> None:
    rate = reports.complaint_rate(ROWS, W, orders=250)
    # complaints created in the period: #1, #2, #3, #7 (#5 in May, #6 after) → 4 × 1000 / 250
    assert (rate.numerator, rate.value) == (4, Decimal("16.00"))
    assert reports.complaint_rate(ROWS, W, orders=0).value is None  # no orders: no rate
    assert reports.complaint_rate(ROWS, W, orders=None).value is None


def test_top_complaint_categories_by_product() -> None:
    rows = reports.top_categories(ROWS, W)
    # (product, P1): #1, #2; (logistics, P2): #3; (product, P2): #7 — ties by category
    assert [(r.category, r.product_id, r.complaints, r.share) for r in rows] == [
        ("product", "P1", 2, Decimal("0.5000")),
        ("logistics", "P2", 1, Decimal("0.2500")),
        ("product", "P2", 1, Decimal("0.2500")),
    ]
    assert len(reports.top_categories(ROWS, W, top=1)) == 1


def test_weekly_trend_by_iso_week() -> None:
    rows = reports.weekly_trend(ROWS, W)
    # W23 (06-02–08): created #1, #2; resolved #1, #5; late among created: #2.
    # W24 (06-09–15): created #3, #4, #7; resolved #2; late among created: #3, #7.
    assert [(r.week, r.created, r.resolved, r.breached) for r in rows] == [
        ("2025-W23", 2, 2, 1),
        ("2025-W24", 3, 1, 2),
    ]


def test_iso_weeks_clip_the_first_and_last() -> None:
    weeks = reports.iso_weeks(Period(dt.date(2025, 6, 4), dt.date(2025, 6, 10)))
    assert [(p.start.isoformat(), p.end.isoformat()) for p in weeks] == [
        ("2025-06-04", "2025-06-08"),  # Wednesday to Sunday
        ("2025-06-09", "2025-06-10"),
    ]


def test_csat_per_agent_team_and_tier() -> None:
    def figures(by: str) -> dict[str, tuple[int, Decimal | None, Decimal | None]]:
        return {
            unit: (f.answered, f.mean, f.good_share)
            for unit, f in reports.csat_by(CSATS, W, by).items()
        }

    # answered in the period: #1 5 (kf1, A), #2 3 (kf1, A), #5 4 (kf2, B), #3 2 (kf2, A),
    # #4 4 (nobody); the 1 of 06-16 is after the period.
    assert figures("agent") == {
        NOBODY: (1, Decimal("4.00"), Decimal("1.0000")),
        "kf1": (2, Decimal("4.00"), Decimal("0.5000")),  # (5 + 3) / 2; one of two is 4–5
        "kf2": (2, Decimal("3.00"), Decimal("0.5000")),  # (4 + 2) / 2
    }
    assert figures("team")["A"] == (3, Decimal("3.33"), Decimal("0.3333"))  # 10/3; 5 only
    assert figures("team")["B"] == (1, Decimal("4.00"), Decimal("1.0000"))
    assert figures("tier") == {
        "difficult": (1, Decimal("2.00"), Decimal("0.0000")),
        "escalated": (1, Decimal("4.00"), Decimal("1.0000")),
        "ordinary": (3, Decimal("4.00"), Decimal("0.6667")),  # 5, 3, 4 → 12/3; 5 and 4
    }


def test_breaches_and_csat_per_unit_for_the_performance_pages() -> None:
    agents = {f.unit: f for f in reports.unit_figures(ROWS, CSATS, W, "agent")}
    # created in the period: #1, #2, #7 kf1 (first response late: #2, #7; resolution: #2);
    # #3 kf2 (resolution late); #4 nobody.
    kf1 = agents["kf1"]
    assert (kf1.tickets, kf1.first_response_breached, kf1.resolution_breached) == (3, 2, 1)
    assert (agents["kf2"].tickets, agents["kf2"].resolution_breached) == (1, 1)
    assert kf1.csat.answered == 2 and kf1.csat.mean == Decimal("4.00")
    assert list(agents) == [NOBODY, "kf1", "kf2"]
    tiers = reports.unit_figures(ROWS, CSATS, W, "tier")
    # every tier, in order: ordinary #1 #2 #4 #7 (late: #2 #7 first, #2 resolution)
    assert [
        (f.unit, f.tickets, f.first_response_breached, f.resolution_breached) for f in tiers
    ] == [
        ("ordinary", 4, 2, 1),
        ("difficult", 1, 0, 1),
        ("escalated", 0, 0, 0),
    ]
    assert tiers[2].csat.answered == 1  # #5's answer: created in May, answered in June


def test_whole_report_totals() -> None:
    report = reports.desk_report(ROWS, CSATS, W, orders=250)
    # created in the period: #1 #2 #3 #4 #7; resolved: #1 #2 #5; all CSAT: 5 3 4 2 4 → 18/5
    assert (report.created, report.resolved) == (5, 3)
    assert report.csat_all.mean == Decimal("3.60") and report.csat_all.good_share == Decimal(
        "0.6000"
    )
    assert report.has_data
    empty = reports.desk_report([], [], W, orders=None)
    assert not empty.has_data and empty.open[-1].total == 0


def test_durations_read_in_minutes_under_an_hour_and_the_json_keeps_numbers() -> None:
    from guanxi.servicedesk import report_presenters as presenters

    assert presenters.duration_text(Decimal("900.0")) == "15.0 分钟"  # 900 / 60
    assert presenters.duration_text(Decimal("3600.0")) == "1.00 小时"
    assert presenters.duration_text(None) == "—"
    data = presenters.as_json(reports.desk_report(ROWS, CSATS, W, orders=250))
    assert data["complaint_rate_per_1000_orders"] == {
        "numerator": 4,
        "denominator": 250,
        "value": 16.0,
        "orders": 250,
    }
    assert data["first_response"][-1] == {
        "tier": "all",
        "tickets": 4,
        "timed": 3,
        "median_seconds": 900.0,
        "mean_seconds": 1100.0,
        "within": 2,
        "within_share": 0.5,
    }
    assert [u["unit"] for u in data["csat"]["agent"]] == [None, "kf1", "kf2"]  # None: unassigned
