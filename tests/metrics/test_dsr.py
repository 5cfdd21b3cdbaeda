"""DSR against the industry — [004] table 1's December, rebuilt from rows.

1,000 ratings from July to December 2025 (the 6-month window ending in December):
description 942 fives + 58 fours = 4,942 → 4.942; service 891 fives + 109 fours = 4,891 →
4.891; logistics 788 fives + 212 fours = 4,788 → 4.788. Industry in December: 4.880,
4.850, 4.870 → description ↑, service ↑, logistics ↓ (review the carrier).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.lake import Lake
from guanxi.metrics.dsr import dsr_months

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def _ratings(lake: Lake) -> None:
    n = 1000
    months = [7, 8, 9, 10, 11, 12]
    # Spread over the six months; 12:00 Shanghai = 04:00 UTC, well inside each local day.
    rated = [dt.datetime(2025, months[i % 6], 1 + i % 28, 4, 0, tzinfo=UTC) for i in range(n)]
    lake.write(
        "dsr_ratings",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "order_id": [f"o{i}" for i in range(n)],
                "customer_key": [f"c{i}" for i in range(n)],
                "rated_at": rated,
                "description": [5 if i < 942 else 4 for i in range(n)],
                "service": [5 if i < 891 else 4 for i in range(n)],
                "logistics": [5 if i < 788 else 4 for i in range(n)],
            }
        ),
    )
    # One old rating in June 2025 that December's window must not count.
    lake.write(
        "dsr_ratings",
        pa.table(
            {
                "platform": ["taobao"],
                "order_id": ["old"],
                "customer_key": ["c"],
                "rated_at": [dt.datetime(2025, 6, 15, 4, tzinfo=UTC)],
                "description": [1],
                "service": [1],
                "logistics": [1],
            }
        ),
    )


def test_rolling_scores_and_industry_flags(lake: Lake) -> None:
    _ratings(lake)
    industry = {
        (dt.date(2025, 12, 1), "description"): Decimal("4.880"),
        (dt.date(2025, 12, 1), "service"): Decimal("4.850"),
        (dt.date(2025, 12, 1), "logistics"): Decimal("4.870"),
    }
    months = dsr_months(
        lake.table("dsr_ratings"), (2025, 12), 1, "Asia/Shanghai", lake.arrow, industry
    )
    december = months[0]
    assert december.ratings == 1000
    assert december.scores == {
        "description": Decimal("4.942"),
        "service": Decimal("4.891"),
        "logistics": Decimal("4.788"),
    }
    assert december.trend == {"description": "up", "service": "up", "logistics": "down"}
    assert december.below_industry == ["logistics"]
    # November's window (June–November) includes the old 1-star rating.
    november = dsr_months(lake.table("dsr_ratings"), (2025, 11), 1, "Asia/Shanghai", lake.arrow)[0]
    # Rating i falls in month index i mod 6; December's are i ≡ 5 (mod 6): 166 of them.
    assert november.ratings == 1000 - 166 + 1


def test_report_dsr_command_with_industry_file(lake: Lake, tmp_path: Path) -> None:
    _ratings(lake)
    industry = tmp_path / "industry.csv"
    industry.write_text(
        "month,description,service,logistics\n2025-12,4.880,4.850,4.870\n", encoding="utf-8"
    )
    out = StringIO()
    call_command(
        "report",
        "dsr",
        "--months",
        "6",
        "--industry",
        str(industry),
        "--format",
        "json",
        stdout=out,
        stderr=StringIO(),
    )
    data = json.loads(out.getvalue())
    assert [m["month"] for m in data] == [
        "2025-07",
        "2025-08",
        "2025-09",
        "2025-10",
        "2025-11",
        "2025-12",
    ]
    assert data[-1]["logistics"] == {
        "score": 4.788,
        "industry": 4.87,
        "trend": "down",
        "below_industry": True,
    }
    table = StringIO()
    call_command("report", "dsr", "--months", "2", stdout=table)
    assert (
        "物流服务 below industry" in table.getvalue() and "更换更好的快递公司" in table.getvalue()
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("month,description,service,logistics\n2025-12,4.9,6,4.8\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 2, column service: 6 is not between 1 and 5"):
        call_command("report", "dsr", "--industry", str(bad))
