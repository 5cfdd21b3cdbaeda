"""DSR over a window of days (Douyin: 60), ending with each month's last local day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from guanxi.lake import Lake
from guanxi.metrics.dsr import dsr_months
from tests.factories import utc


def test_sixty_days_ending_with_the_month(lake: Lake) -> None:
    # 60 days ending 31 Dec 2025 begin on 2 Nov (31 Dec − 59 days), Shanghai time.
    rows = [
        ("before", "2025-11-01 23:59:59", (1, 1, 1)),  # a second too early
        ("first", "2025-11-02 00:00:00", (5, 4, 3)),
        ("last", "2025-12-31 23:59:59", (4, 4, 5)),
        ("after", "2026-01-01 00:00:00", (1, 1, 1)),  # January's
    ]
    lake.write(
        "dsr_ratings",
        pa.table(
            {
                "platform": ["douyin"] * 4,
                "order_id": [r[0] for r in rows],
                "customer_key": [r[0] for r in rows],
                "rated_at": [utc(r[1]) for r in rows],
                "description": [r[2][0] for r in rows],
                "service": [r[2][1] for r in rows],
                "logistics": [r[2][2] for r in rows],
            }
        ),
    )
    industry = {(dt.date(2025, 12, 1), "service"): Decimal("4.100")}
    months = dsr_months(
        lake.table("dsr_ratings"),
        (2026, 1),
        2,
        "Asia/Shanghai",
        lake.arrow,
        industry=industry,
        window_days=60,
    )
    december, january = months
    assert december.ratings == 2
    # description (5 + 4) / 2 = 4.5; service (4 + 4) / 2 = 4; logistics (3 + 5) / 2 = 4
    assert december.scores == {
        "description": Decimal("4.500"),
        "service": Decimal("4.000"),
        "logistics": Decimal("4.000"),
    }
    assert december.trend["service"] == "down" and december.below_industry == ["service"]
    # January's 60 days (3 Dec – 31 Jan) hold "last" and "after": (4 + 1) / 2 = 2.5
    assert january.ratings == 2
    assert january.scores["description"] == Decimal("2.500")
