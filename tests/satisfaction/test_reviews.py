"""Review analytics: the stored sentiment equals classifying on the fly (and a refresh only
classifies what changed), the analytics page's 好评率 by hand (the reviews of
``tests/metrics/test_reviews.py``), the churn beside, the API's role check and numbers, the
CLI and the drivers' words."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.test import Client

from guanxi.lake import Lake
from guanxi.satisfaction import review_facts, review_selectors, sentiment_service
from tests.factories import login
from tests.metrics.test_reviews import REVIEWS, write_reviews

TEXTS = {
    "r1": "质量很好，物流也快，好评",
    "r2": "客服很耐心，谢谢",
    "r3": "物流太慢了，包装破损，差评",
    "r4": "一般般吧",
    "r5": "质量太差，物流慢，不太好",
    "r6": "不错，性价比高",
    "r7": "<script>alert(1)</script>好评",
}
Q = "start=2024-06-01&end=2024-07-31"


def test_stored_sentiment_equals_classifying_on_the_fly(lake: Lake) -> None:
    write_reviews(lake, texts=TEXTS)
    first = review_facts.refresh(lake)
    assert (first.reviews, first.classified, first.texts, first.written) == (7, 7, 7, True)
    stored = {r["review_id"]: r for r in lake.arrow(review_facts.table(lake)).to_pylist()}
    ids = [r[0] for r in REVIEWS]
    fly = sentiment_service.classify([TEXTS[i] for i in ids])
    for review_id, result in zip(ids, fly, strict=True):
        row = stored[review_id]
        assert row["sentiment"] == result.label
        assert row["score"] == pytest.approx(result.score)
        assert {t for t in review_facts.THEMES if row[f"theme_{t}"]} == set(result.themes)
        assert row["text_hash"] == review_facts.text_hash(TEXTS[review_id])
    # Nothing changed: nothing classified, no new version.
    version = review_facts.version(lake)
    again = review_facts.refresh(lake)
    assert (again.classified, again.written) == (0, False)
    assert review_facts.version(lake) == version
    # A re-import rewrites r4's text and adds r8 with a text already known: 2 reviews
    # classified, 1 distinct text sent to the model ("好评" for r8 is new, r4's is new → 2).
    write_reviews(lake, [REVIEWS[3]], texts={"r4": "物流慢"})
    write_reviews(lake, [("r8", REVIEWS[0][1], "P1", 5)], texts={"r8": "物流慢"})
    third = review_facts.refresh(lake)
    assert (third.reviews, third.classified, third.texts) == (8, 2, 1)
    assert review_facts.unscored(lake) == 0


def test_review_words_leave_stop_words_and_masks_out() -> None:
    words = review_selectors.review_words("物流太慢了，联系***也不回复")
    assert words == ["物流", "太慢", "联系", "不", "回复"]  # jieba cuts 太慢 as one word
    assert "了" not in words and "***" not in words and not any(" " in w for w in words)


@pytest.mark.django_db
def test_analytics_page_by_hand(client: Client, make_user, lake: Lake) -> None:
    write_reviews(lake, texts=TEXTS)
    review_facts.refresh(lake)
    login(client, make_user, "manager")
    page = client.get(f"/satisfaction/reviews/?{Q}").content.decode()
    # June 2 / 4 = 50.00 %, July 2 / 3 = 66.67 % (r5 at 01:00 on 1 July, Shanghai).
    assert '<tr data-month="2024-06"><td class="nowrap">2024-06</td><td class="num">4</td>' in page
    assert '<td class="num" data-col="good_rate">50.00%</td>' in page
    assert '<td class="num" data-col="good_rate">66.67%</td>' in page
    # P1 3 / 4 = 75.00 %, P2 1 / 3 = 33.33 %; the period 4 / 7 = 57.14 %.
    assert '<td class="num" data-col="good_rate">75.00%</td>' in page
    assert '<td class="num" data-col="good_rate">33.33%</td>' in page
    assert 'data-metric="good_rate"' in page and "57.14%" in page
    assert '<td class="num" data-col="churn">—</td>' in page  # no orders: no churn figure
    assert 'id="rate-chart"' in page and 'id="theme-table"' in page
    assert 'id="drivers"' in page or 'id="no-drivers"' in page  # the model decides
    # No review text goes into the page's chart data (numbers and labels only).
    assert "<script>alert(1)" not in page and "alert(1)" not in page
    english = client.get(f"/satisfaction/reviews/?{Q}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Good-review rate" in english and "Negative drivers" in english
    xlsx = client.get(f"/satisfaction/reviews/export?{Q}")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = client.get(f"/satisfaction/reviews/export?{Q}&format=csv").content.decode("utf-8-sig")
    assert "2024-06,4,2,1,1,0.5" in csv


@pytest.mark.django_db
def test_churn_beside_is_the_customer_analytics_retention(lake: Lake, roles: None) -> None:
    from guanxi.core.timeutil import Period

    # The window ends 2024-07-31: current 2023-08-01 … 2024-07-31, previous 2022-08-01 …
    # 2023-07-31. a, b, c paid in the previous one; only a paid again in the current one →
    # retention 1 / 3, churn (3 − 1) / 3 = 66.67 %.
    paid = [
        ("a", dt.datetime(2022, 9, 1, 4, tzinfo=dt.UTC)),
        ("b", dt.datetime(2022, 10, 1, 4, tzinfo=dt.UTC)),
        ("c", dt.datetime(2023, 7, 1, 4, tzinfo=dt.UTC)),
        ("a", dt.datetime(2024, 3, 1, 4, tzinfo=dt.UTC)),
    ]
    _orders(lake, paid)
    churn = review_selectors.churn_beside(Period(dt.date(2024, 6, 1), dt.date(2024, 7, 31)))
    assert (churn.months, churn.previous_buyers, churn.lost) == (12, 3, 2)
    assert churn.rate is not None and round(churn.rate * 100, 2) == 66.67
    # Month by month: at 2024-06-30 the previous window is 2022-07-01 … 2023-06-30 (a, b;
    # c paid on 1 July 2023, in the current one) and a paid again → churn 1 / 2 = 50 %.
    by_month = review_selectors.churn_by_month(Period(dt.date(2024, 6, 1), dt.date(2024, 7, 31)))
    june, july = by_month[dt.date(2024, 6, 1)], by_month[dt.date(2024, 7, 1)]
    assert (june.as_of, june.previous_buyers, june.lost, june.rate) == (
        dt.date(2024, 6, 30),
        2,
        1,
        0.5,
    )
    assert (july.as_of, july.previous_buyers, july.lost) == (dt.date(2024, 7, 31), 3, 2)


def _orders(lake: Lake, paid: list[tuple[str, dt.datetime]]) -> None:
    from guanxi.lake.schema import TABLES

    schema = TABLES["orders"].schema
    rows = []
    for i, (customer, at) in enumerate(paid):
        row: dict[str, Any] = dict.fromkeys(schema.names)
        given = {"platform": "taobao", "order_id": f"o{i}", "customer_key": customer}
        row.update(given, created_at=at, paid_at=at, status="paid")
        for field in schema:  # the other required columns: any value (not read here)
            if row[field.name] is None and not field.nullable:
                number = pa.types.is_integer(field.type) or pa.types.is_decimal(field.type)
                row[field.name] = 1 if number else "x"
        rows.append(row)
    lake.write("orders", pa.Table.from_pylist(rows, schema=schema))


@pytest.mark.django_db
def test_api_numbers_and_role_check(client: Client, make_user, lake: Lake) -> None:
    write_reviews(lake, texts=TEXTS)
    review_facts.refresh(lake)
    # Shop-wide figures: marketing reads them (it has the results permission), agents do not
    # (as elsewhere, agents see no shop figures); the alerts are not marketing's.
    login(client, make_user, "marketing")
    assert client.get(f"/api/satisfaction/reviews/good-rate?{Q}").status_code == 200
    assert client.get("/api/satisfaction/reviews/alerts").status_code == 403
    client.logout()
    login(client, make_user, "agent")
    assert client.get(f"/api/satisfaction/reviews/good-rate?{Q}").status_code == 403
    assert client.get(f"/api/satisfaction/reviews/themes?{Q}").status_code == 403
    assert client.get("/satisfaction/reviews/").status_code == 403
    assert client.get("/api/satisfaction/reviews/alerts").status_code == 200
    client.logout()
    login(client, make_user, "manager")
    body = client.get(f"/api/satisfaction/reviews/good-rate?{Q}").json()
    assert (body["total"]["reviews"], body["total"]["good"]) == (7, 4)
    assert [(m["key"], m["reviews"], m["good"]) for m in body["months"]] == [
        ("2024-06", 4, 2),
        ("2024-07", 3, 2),
    ]
    assert {p["key"]: p["good_rate"] for p in body["products"]} == pytest.approx(
        {"P1": 0.75, "P2": 1 / 3}
    )
    themes = client.get(f"/api/satisfaction/reviews/themes?{Q}").json()
    shop = themes[0]
    assert shop["product_id"] is None and shop["reviews"] == 7
    # 物流 in r1, r3, r5 → logistics 3 (the lexicon of stats.review_themes).
    assert {t["theme"]: t["reviews"] for t in shop["themes"]}["logistics"] == 3
    bad = client.get(f"/api/satisfaction/reviews/good-rate?start=2024-07-31&end={'2024-06-01'}")
    assert bad.status_code == 400


@pytest.mark.django_db
def test_cli_goodrate_by_product_json(lake: Lake) -> None:
    write_reviews(lake, texts=TEXTS)
    out = StringIO()
    args = ["--from", "2024-06-01", "--to", "2024-07-31", "--by", "product", "--format", "json"]
    call_command("reviews", "goodrate", *args, stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"]["good_rate"] == pytest.approx(4 / 7, abs=1e-6)
    assert [(r["product_id"], r["good"], r["reviews"]) for r in data["rows"]] == [
        ("P1", 3, 4),
        ("P2", 1, 3),
    ]
    table = StringIO()
    call_command("reviews", "goodrate", "--from", "2024-06-01", "--to", "2024-07-31", stdout=table)
    assert "66.67%" in table.getvalue()
