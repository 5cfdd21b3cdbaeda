"""好评率 by month and product, by hand (on DuckDB and Spark), and the drivers' log-odds.

Seven reviews (Asia/Shanghai):

    r1 2024-06-10 12:00  P1  5★      r5 2024-07-01 01:00  P1  1★  (17:00 UTC on 30 June)
    r2 2024-06-15 12:00  P1  4★      r6 2024-07-05 12:00  P2  4★
    r3 2024-06-20 12:00  P2  2★      r7 2024-07-10 12:00  P1  5★
    r4 2024-06-30 23:00  P2  3★  (15:00 UTC, still 30 June)

June (local): r1–r4 → 好 2 (5, 4), 中 1 (3), 差 1 (2) → 2 / 4 = 50.00 %.
July (local): r5–r7 → 好 2 (4, 5), 差 1 (1) → 2 / 3 = 66.67 % — r5 is July at 01:00
Shanghai although its UTC day is 30 June (the local-month edge).
By product, June–July: P1 r1 r2 r5 r7 → 3 / 4 = 75.00 %; P2 r3 r4 r6 → 1 / 3 = 33.33 %.
All: 好 4, 中 1, 差 2 → 4 / 7 = 57.14 %.
"""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pytest

from guanxi.core.timeutil import Period, month_period
from guanxi.lake import Lake
from guanxi.metrics.reviews import drivers, good_rate, in_period, is_bad, monthly_good_rate

TZ = "Asia/Shanghai"
SH = dt.timezone(dt.timedelta(hours=8))

REVIEWS = [
    ("r1", dt.datetime(2024, 6, 10, 12, tzinfo=SH), "P1", 5),
    ("r2", dt.datetime(2024, 6, 15, 12, tzinfo=SH), "P1", 4),
    ("r3", dt.datetime(2024, 6, 20, 12, tzinfo=SH), "P2", 2),
    ("r4", dt.datetime(2024, 6, 30, 23, tzinfo=SH), "P2", 3),
    ("r5", dt.datetime(2024, 7, 1, 1, tzinfo=SH), "P1", 1),
    ("r6", dt.datetime(2024, 7, 5, 12, tzinfo=SH), "P2", 4),
    ("r7", dt.datetime(2024, 7, 10, 12, tzinfo=SH), "P1", 5),
]


def write_reviews(lake: Lake, rows=REVIEWS, texts: dict[str, str] | None = None) -> None:
    texts = texts or {}
    lake.write(
        "reviews",
        pa.table(
            {
                "platform": ["taobao"] * len(rows),
                "review_id": [r[0] for r in rows],
                "order_id": [f"o-{r[0]}" for r in rows],
                "product_id": [r[2] for r in rows],
                "customer_key": [f"c-{r[0]}" for r in rows],
                "created_at": pa.array(
                    [r[1].astimezone(dt.UTC) for r in rows], pa.timestamp("us", tz="UTC")
                ),
                "rating": pa.array([r[3] for r in rows], pa.int8()),
                "text": [texts.get(r[0], "好评") for r in rows],
            }
        ),
    )


JUNE_JULY = Period(dt.date(2024, 6, 1), dt.date(2024, 7, 31))


def test_good_rate_by_local_month(lake: Lake) -> None:
    write_reviews(lake)
    rows = lake.arrow(monthly_good_rate(lake.table("reviews"), JUNE_JULY, TZ)).to_pylist()
    by_month = {r["month"]: r for r in rows}
    june, july = by_month[dt.date(2024, 6, 1)], by_month[dt.date(2024, 7, 1)]
    assert (june["reviews"], june["good"], june["neutral"], june["bad"]) == (4, 2, 1, 1)
    assert june["good_rate"] == pytest.approx(2 / 4)
    assert (july["reviews"], july["good"], july["neutral"], july["bad"]) == (3, 2, 0, 1)
    assert round(july["good_rate"] * 100, 2) == 66.67


def test_good_rate_by_product_and_whole(lake: Lake) -> None:
    write_reviews(lake)
    r = in_period(lake.table("reviews"), JUNE_JULY, TZ)
    rows = {x["product_id"]: x for x in lake.arrow(good_rate(r, ("product_id",))).to_pylist()}
    assert (rows["P1"]["reviews"], rows["P1"]["good"]) == (4, 3)
    assert rows["P1"]["good_rate"] == pytest.approx(0.75)
    assert round(rows["P2"]["good_rate"] * 100, 2) == 33.33
    (whole,) = lake.arrow(good_rate(r)).to_pylist()
    assert (whole["reviews"], whole["good"], whole["neutral"], whole["bad"]) == (7, 4, 1, 2)
    assert round(whole["good_rate"] * 100, 2) == 57.14
    # June alone ends at local midnight: r4 (23:00 on the 30th) in, r5 (01:00 on 1 July) out.
    june_only = in_period(lake.table("reviews"), month_period(2024, 6), TZ)
    (june,) = lake.arrow(good_rate(june_only)).to_pylist()
    assert june["reviews"] == 4


def test_bad_review_rule() -> None:
    assert is_bad(2, "positive") and is_bad(5, "negative") and is_bad(1, "")
    assert not is_bad(3, "neutral") and not is_bad(4, "positive")


def test_drivers_by_hand() -> None:
    # 3 bad reviews, 4 others (words already cut):
    bad = [["物流", "慢"], ["物流", "慢", "破损"], ["质量", "差", "物流"]]
    others = [["物流", "快"], ["质量", "好"], ["质量", "好"], ["包装", "好"]]
    found = drivers(bad, others, min_count=2, alpha=0.5, top=5)
    # 慢: a=2 of N=3, b=0 of M=4 → ln(2.5/1.5) − ln(0.5/4.5) = 0.5108 + 2.1972 = 2.7081
    # 物流: a=3, b=1 → ln(3.5/0.5) − ln(1.5/3.5) = 1.9459 + 0.8473 = 2.7932
    # 破损, 差, 质量: in one bad review only (< min_count 2) → out.
    assert [d.word for d in found] == ["物流", "慢"]
    assert found[0].log_odds == pytest.approx(math.log(7) - math.log(1.5 / 3.5), abs=1e-4)
    assert found[0].log_odds == pytest.approx(2.7932, abs=1e-4)
    assert (found[1].negative, found[1].others) == (2, 0)
    assert found[1].log_odds == pytest.approx(2.7081, abs=1e-4)
    # A word as common in the others is no driver: 好 appears in no bad review at all, and
    # with min_count=1 质量 (a=1, b=2) gives ln(1.5/2.5) − ln(2.5/2.5) < 0 → left out.
    assert "质量" not in [d.word for d in drivers(bad, others, min_count=1)]
    # A word repeated in one review counts once.
    assert drivers([["慢", "慢"], ["慢"]], [["好"]], min_count=2)[0].negative == 2
