"""The satisfaction dashboard over a small shop written in the test: surveys, reviews, DSR,
desk CSAT and orders, each figure computed by hand below; the page and its exports."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from django.urls import reverse

from guanxi.core.timeutil import Period
from guanxi.lake import Lake
from guanxi.satisfaction import dashboard_selectors as selectors
from guanxi.satisfaction.models import Answer, Invitation, Question, Response, Survey
from guanxi.servicedesk.models import CsatRequest, Ticket
from tests.factories import login, orders_table, utc

pytestmark = pytest.mark.django_db

JUNE = Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30))


def _reviews(lake: Lake) -> None:
    rows = [  # (customer, local time, stars)
        ("A", "2026-05-10 10:00", 5),  # before June: A's past experience
        ("A", "2026-06-05 10:00", 4),
        ("B", "2026-04-01 10:00", 3),  # before June: B's past experience
        ("B", "2026-06-06 10:00", 1),
        ("C", "2026-06-07 10:00", 5),
        ("D", "2026-06-08 10:00", 3),
        (None, "2026-06-30 23:30", 2),  # still June in Shanghai
        ("E", "2026-07-01 00:10", 1),  # July: outside
    ]
    n = len(rows)
    lake.write(
        "reviews",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "review_id": [f"r{i}" for i in range(n)],
                "order_id": [f"o{i}" for i in range(n)],
                "product_id": ["p1"] * n,
                "customer_key": [r[0] for r in rows],
                "created_at": [utc(r[1]) for r in rows],
                "rating": pa.array([r[2] for r in rows], pa.int8()),
                "text": ["好"] * n,
            }
        ),
    )
    ratings = [("2026-06-03 09:00", 5, 4, 3), ("2026-06-20 09:00", 4, 4, 5)]
    lake.write(
        "dsr_ratings",
        pa.table(
            {
                "platform": ["taobao"] * 2,
                "order_id": ["d1", "d2"],
                "customer_key": ["A", "B"],
                "rated_at": [utc(r[0]) for r in ratings],
                "description": pa.array([r[1] for r in ratings], pa.int8()),
                "service": pa.array([r[2] for r in ratings], pa.int8()),
                "logistics": pa.array([r[3] for r in ratings], pa.int8()),
            }
        ),
    )
    lake.write(
        "orders",
        orders_table(
            [  # A, B, C, D paid in 2025-03 (the previous 12 months); only A again in 2026-01
                ("x1", "A", "2025-03-01 10:00", "2025-03-01 10:05", "99"),
                ("x2", "B", "2025-03-02 10:00", "2025-03-02 10:05", "99"),
                ("x3", "C", "2025-03-03 10:00", "2025-03-03 10:05", "99"),
                ("x4", "D", "2025-03-04 10:00", "2025-03-04 10:05", "99"),
                ("x5", "A", "2026-01-04 10:00", "2026-01-04 10:05", "99"),
            ]
        ),
    )


def _survey() -> None:
    s = Survey.objects.create(name="模型问卷", kind="custom", state="open")
    q = {
        key: Question.objects.create(survey=s, position=i, kind=kind, text=key, indicator=ind)
        for i, (key, kind, ind) in enumerate(
            [
                ("product", "rating5", "product"),
                ("value", "rating10", "value"),
                ("service", "rating5", "service"),
                ("expect", "rating10", "expectation"),
                ("overall", "rating5", "overall"),  # an outcome: not in the balance
            ]
        )
    }
    q["sq"] = Question.objects.create(
        survey=s, position=9, kind="servqual", text="回复及时", dimension="responsiveness"
    )
    answers = [  # submitted (local), product, value, service, expect, overall, sq (perc, exp)
        ("2026-06-02 10:00", 4, 8, 5, 9, 1, (4, 7)),
        ("2026-06-15 10:00", 2, 6, 3, 7, 5, (6, 5)),
        ("2026-05-20 10:00", 1, 0, 1, 10, 1, (1, 7)),  # May: outside
    ]
    for i, (at, *numbers, (perceived, expected)) in enumerate(answers):
        inv = Invitation.objects.create(
            survey=s,
            nonce=f"n{i}",
            channel="link",
            customer_key=f"K{i}",
            created_at=utc(at),
            expires_at=utc(at),
            answered_at=utc(at),
        )
        r = Response.objects.create(
            survey=s, invitation=inv, channel="link", customer_key=f"K{i}", submitted_at=utc(at)
        )
        for key, value in zip(
            ("product", "value", "service", "expect", "overall"), numbers, strict=True
        ):
            Answer.objects.create(response=r, question=q[key], number=value)
        Answer.objects.create(response=r, question=q["sq"], number=perceived, expected=expected)


def _csat() -> None:
    for i, (answered, rating) in enumerate(
        [("2026-06-10 10:00", 5), ("2026-06-11 10:00", 2), (None, None), ("2026-05-11 10:00", 1)]
    ):
        t = Ticket.objects.create(
            kind="after_sales", channel="chat", subject="退货", created_at=utc("2026-05-01 09:00")
        )
        CsatRequest.objects.create(
            ticket=t,
            source="link",
            nonce=f"c{i}",
            created_at=utc("2026-05-01 09:00"),
            expires_at=utc("2026-07-01 09:00"),
            answered_at=utc(answered) if answered else None,
            rating=rating,
        )


@pytest.fixture
def shop(lake: Lake) -> Lake:
    _reviews(lake)
    _survey()
    _csat()
    return lake


def test_figures_by_hand(shop: Lake) -> None:
    board = selectors.dashboard(JUNE)
    s = {x.key: x for x in board.sources}
    # June reviews: 4, 1, 5, 3, 2 → 5 reviews, good 2 (4, 5), bad 2 (1, 2); 好评率 0.4 → 40.0
    assert (board.reviews.reviews, board.reviews.good, board.reviews.bad) == (5, 2, 2)
    assert s["good_rate"].value == 40.0 and s["good_rate"].n == 5
    # past: A's 5 and B's 3 before June → mean 4.0 → (4 − 1) ÷ 4 × 100 = 75.0 (n 2)
    assert (s["past_ratings"].raw, s["past_ratings"].n, s["past_ratings"].value) == (4.0, 2, 75.0)
    # DSR June window: description (5 + 4) ÷ 2 = 4.5 → 87.5; service 4.0 → 75.0; logistics
    # (3 + 5) ÷ 2 = 4.0 → 75.0; 2 ratings
    assert s["dsr_description"].value == 87.5 and s["dsr_description"].n == 2
    assert s["dsr_service"].value == 75.0 and s["dsr_logistics"].value == 75.0
    # survey product items (June): 4, 2 (1–5 → 75, 25) and 8, 6 (0–10 → 80, 60) → 60.0, n 4
    assert (s["survey_product"].value, s["survey_product"].n) == (60.0, 4)
    # service items 5, 3 → 100, 50 → 75.0; SERVQUAL perceived 4, 6 on 1–7 → 50, 83.3 → 66.7
    assert s["survey_service"].value == 75.0
    assert s["servqual_perceived"].value == 66.7
    # expectation items 9, 7 → 90, 70 → 80.0; SERVQUAL expected 7, 5 → 100, 66.7 → 83.3
    assert s["survey_expectation"].value == 80.0
    assert s["servqual_expected"].value == 83.3
    # CSAT answered in June: 5 and 2 → mean 3.5 → 62.5 (n 2); satisfied 1, unsatisfied 1
    assert (s["csat"].raw, s["csat"].n, s["csat"].value) == (3.5, 2, 62.5)
    b = board.balance
    # product = (60.0 + 87.5 + 40.0) ÷ 3 = 62.5
    # service = (75.0 + 66.7 + 75.0 + 75.0 + 62.5) ÷ 5 = 354.2 ÷ 5 = 70.84 → 70.8
    # perceived = (62.5 + 70.8) ÷ 2 = 66.65 ≈ 66.6/66.7; expectation = (80.0 + 83.3 + 75.0)
    # ÷ 3 = 79.43 → 79.4; gap ≈ −12.8
    assert (b.product, b.service, b.expectation) == (62.5, 70.8, 79.4)
    assert b.perceived == pytest.approx(66.65, abs=0.06)
    assert b.verdict == "below" and b.gap == pytest.approx(-12.75, abs=0.11)
    assert b.levers[:3] == ("detail_page", "packaging", "product_value")  # product is weaker
    # word of mouth: satisfied 2 reviews + 1 CSAT = 3 → 36; unsatisfied 2 + 1 = 3 → 60; 96
    w = board.word_of_mouth
    assert (w.satisfied, w.unsatisfied, w.reach) == (3, 3, 96)
    # churn: 4 bought in 2024-07 … 2025-06, only A again in 2025-07 … 2026-06 → 3 ÷ 4
    assert board.churn is not None and board.churn.rate == 0.75


def test_empty_shop_shows_no_data_not_zero(lake: Lake) -> None:
    board = selectors.dashboard(JUNE)
    assert all(not s.available and s.value is None for s in board.sources)
    assert board.balance.verdict == "unknown" and board.word_of_mouth.reach == 0


def test_page_and_exports(client, make_user, shop: Lake) -> None:
    login(client, make_user, "agent", agent_id="a1", username="ag")
    assert client.get(reverse("satisfaction:dashboard")).status_code == 403
    client.logout()
    login(client, make_user, "manager")
    page = client.get(
        reverse("satisfaction:dashboard"), {"start": "2026-06-01", "end": "2026-06-30"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="balance" data-verdict="below"' in html
    assert "课程资料的经验值" in html and ">96<" in html
    assert "75.0%" in html  # churn tile
    bad = client.get(reverse("satisfaction:dashboard"), {"start": "2026-06-31", "end": "x"})
    assert bad.status_code == 200 and "flash error" in bad.content.decode()
    xlsx = client.get(
        reverse("satisfaction:dashboard_export"), {"start": "2026-06-01", "end": "2026-06-30"}
    )
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = client.get(
        reverse("satisfaction:dashboard_export"),
        {"start": "2026-06-01", "end": "2026-06-30", "format": "csv"},
    ).content.decode("utf-8-sig")
    assert "好评率" in csv and "0.4" in csv and "96" in csv
