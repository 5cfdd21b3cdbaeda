"""The scorecard ranking page and API, manual items, and SPEC §3's seed agents.

June 2024 on the attribution shop (tests/metrics/test_attribution.py), by hand. Store AOV:
orders created in June and paid — o1 ¥100 (c1), o4 ¥70 and o5 ¥80 (c3), o6 ¥90 (c4), o7 ¥30
(c5) — ¥370 ÷ 4 payers = ¥92.50.
- kf2: inquirer c1 converts → 100 % → 100 × 30 % = 30; o1 paid 1 ÷ 1 → 100 × 25 % = 25;
  AOV ¥100 ÷ 92.50 = 1.08 → 0; first reply of i1 in 60 s → 0; rounds answered in 60 s and
  60 s → 0; 1 return (r1 on o1) → 100 × 5 % = 5. Total 60.
- kf1: inquirers c1, c2, c5; c1 and c5 convert → 66.67 % → 30; o3 lost, o7 paid → 50 % →
  60 × 25 % = 15; AOV ¥30 → 0.32 → 0; first replies 60, 60, 120, 60, 120 s → 84 s → 0; the
  same rounds → 84 s → 0; no returns → 5. Total 50.
With a manual item 日常工作 at 5 %: kf1 scored 80 → 50 + 4 = 54; kf2 unscored → 60,
incomplete.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from guanxi.lake import Lake
from guanxi.metrics import scorecard as engine
from guanxi.performance import shop_settings
from guanxi.performance.models import ManualScore
from tests.factories import login
from tests.metrics.test_attribution import shop  # noqa: F401 — the hand-made shop fixture
from tests.metrics.test_scorecard import _values

pytestmark = pytest.mark.django_db
JUNE = "?start=2024-06-01&end=2024-06-30"
DAILY_WORK = (
    '\n[[items]]\nmetric = "daily_work"\nlabel = "日常工作"\nmanual = true\nweight = "5%"\n'
)


def _with_daily_work() -> None:
    shop_settings.scorecard_update(user=None, text=engine.default_text() + DAILY_WORK)


def test_the_seed_agents_score_77_5_74_77_5_with_the_shops_default() -> None:
    card = shop_settings.scorecard()  # nothing saved: SPEC §3's
    totals = {x: engine.score(card, x, _values(x)).total for x in "ABC"}
    assert totals == {"A": Decimal("77.5"), "B": Decimal("74"), "C": Decimal("77.5")}
    # The rest of the weight as daily work: A scored 90 → 77.5 + 4.5 = 82; B unscored.
    _with_daily_work()
    card = shop_settings.scorecard()
    a = engine.score(card, "A", _values("A"), {"daily_work": Decimal(90)})
    b = engine.score(card, "B", _values("B"), {})
    assert (a.total, a.complete) == (Decimal("82.0"), True)
    assert (b.total, b.complete) == (Decimal("74"), False)
    assert b.items[-1].missing and b.items[-1].weighted == 0


def test_the_ranking_page_ranks_and_explains_the_bands(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
) -> None:
    login(client, make_user, "manager")
    page = client.get("/performance/scorecard/?month=2024-06").content.decode()
    assert page.index('data-agent="kf2"') < page.index('data-agent="kf1"')
    assert 'data-total="60"' in page and 'data-total="50"' in page
    # kf1's payment rate: 50 % in the band 50 % ≤ X < 60 %, marked in the full band table.
    kf1 = page[page.index('data-agent="kf1"') :]
    cell = kf1[kf1.index('data-item="payment_rate"') :]
    cell = cell[: cell.index("</details>")]
    assert "50.00%" in cell and "× 25% = <strong" in cell and ">15</strong>" in cell
    assert '<tr class="current"><td>50 % ≤ X &lt; 60 %</td><td class="num">60</td></tr>' in cell
    assert cell.count("<tr") == 7  # the header and the six bands
    assert 'class="incomplete"' not in page  # no manual item in SPEC's scorecard


def test_a_manager_enters_a_manual_score_and_the_total_includes_it(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
) -> None:
    _with_daily_work()
    login(client, make_user, "manager")
    page = client.get("/performance/scorecard/?month=2024-06").content.decode()
    assert page.count('name="score"') == 2 and page.count('class="incomplete"') == 2
    response = client.post(
        "/performance/scorecard/",
        {"agent": "kf1", "item": "daily_work", "month": "2024-06", "score": "80"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?month=2024-06")
    row = ManualScore.objects.get()
    assert (row.agent_id, str(row.month), row.item, row.score) == (
        "kf1",
        "2024-06-01",
        "daily_work",
        Decimal("80.00"),
    )
    assert row.recorded_by_username == "manager1"
    page = client.get("/performance/scorecard/?month=2024-06").content.decode()
    assert 'data-total="54"' in page  # 50 + 80 × 5 %
    assert page.count('class="incomplete"') == 1  # kf2 still unscored
    assert "manager1 录入于" in page
    # A correction is a new row; the latest counts, the first stays on record.
    client.post(
        "/performance/scorecard/",
        {"agent": "kf1", "item": "daily_work", "month": "2024-06", "score": "60"},
    )
    assert list(ManualScore.objects.values_list("score", flat=True)) == [
        Decimal("60.00"),
        Decimal("80.00"),
    ]
    page = client.get("/performance/scorecard/?month=2024-06").content.decode()
    assert 'data-total="53"' in page  # 50 + 60 × 5 %
    # Bad entries are refused with the reason; nothing stored.
    for bad in ({"score": "101"}, {"score": "x"}, {"item": "returns"}):
        data = {"agent": "kf2", "item": "daily_work", "month": "2024-06", "score": "70"} | bad
        response = client.post("/performance/scorecard/", data, follow=True)
        assert "人工评分未保存" in response.content.decode()
    assert ManualScore.objects.count() == 2


def test_an_agent_sees_only_their_row_and_cannot_score(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
) -> None:
    _with_daily_work()
    ManualScore.objects.create(
        agent_id="kf1",
        month="2024-06-01",
        item="daily_work",
        score=Decimal(80),
        recorded_by_username="boss",
    )
    login(client, make_user, "agent", agent_id="kf1")
    page = client.get("/performance/scorecard/?month=2024-06").content.decode()
    assert 'data-agent="kf1"' in page and 'data-agent="kf2"' not in page
    assert 'name="score"' not in page and "排名" not in page
    assert 'data-total="54"' in page
    response = client.post(
        "/performance/scorecard/",
        {"agent": "kf1", "item": "daily_work", "month": "2024-06", "score": "100"},
    )
    assert response.status_code == 403
    assert ManualScore.objects.get().score == Decimal(80)
    api = client.get(f"/api/performance/scorecard{JUNE}").json()
    assert [(s["agent"], s["rank"], s["total"]) for s in api] == [("kf1", None, 54.0)]
    put = client.put(
        "/api/performance/scorecard/manual",
        {"agent": "kf1", "month": "2024-06", "item": "daily_work", "score": 100},
        content_type="application/json",
    )
    assert put.status_code == 403 and ManualScore.objects.count() == 1


def test_marketing_has_no_scorecard_page(client: Client, make_user, shop: Lake) -> None:  # noqa: F811
    login(client, make_user, "marketing")
    assert client.get("/performance/scorecard/").status_code == 403


def test_the_api_scores_with_manual_items_and_takes_manual_scores(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
) -> None:
    _with_daily_work()
    login(client, make_user, "manager")
    put = client.put(
        "/api/performance/scorecard/manual",
        {"agent": "kf2", "month": "2024-06", "item": "daily_work", "score": "90", "note": "好"},
        content_type="application/json",
    )
    assert put.status_code == 200
    assert {k: put.json()[k] for k in ("agent", "month", "item", "score", "recorded_by")} == {
        "agent": "kf2",
        "month": "2024-06",
        "item": "daily_work",
        "score": 90.0,
        "recorded_by": "manager1",
    }
    scores = client.get(f"/api/performance/scorecard{JUNE}").json()
    assert [(s["agent"], s["rank"], s["total"], s["complete"]) for s in scores] == [
        ("kf2", 1, 64.5, True),  # 60 + 90 × 5 %
        ("kf1", 2, 50.0, False),
    ]
    manual = scores[0]["items"][-1]
    assert (manual["label"], manual["manual"], manual["value"], manual["weighted"]) == (
        "日常工作",
        True,
        90.0,
        4.5,
    )
    assert manual["recorded_by"] == "manager1"
    # Manual scores are monthly: a one-day period leaves the item missing.
    day = client.get("/api/performance/scorecard?start=2024-06-18&end=2024-06-18").json()
    assert all(not s["complete"] and s["items"][-1]["missing"] for s in day)
    for bad, message in (
        ({"item": "smiles"}, "'smiles' is not a manual item of the scorecard"),
        ({"score": "120"}, "日常工作 score: 120 is outside 0–100"),
        ({"score": "50%"}, "not a percentage"),
        ({"month": "June"}, "'June' is not a month like 2024-06"),
        ({"agent": " "}, "agent: give the agent id"),
    ):
        body = {"agent": "kf1", "month": "2024-06", "item": "daily_work", "score": "70"} | bad
        response = client.put(
            "/api/performance/scorecard/manual", body, content_type="application/json"
        )
        assert response.status_code == 400 and message in response.json()["detail"]
    assert ManualScore.objects.count() == 1
    schema = client.get("/api/openapi.json").json()
    assert "put" in schema["paths"]["/api/performance/scorecard/manual"]


def test_the_scorecard_command_uses_the_shops_card_and_manual_scores(shop: Lake) -> None:  # noqa: F811
    import json
    from io import StringIO

    from django.contrib.auth.models import User
    from django.core.management import call_command

    from guanxi.performance.scorecard.manual_scores import manual_score_record

    _with_daily_work()
    boss = User.objects.create_user("boss")
    manual_score_record(
        user=boss,
        agent_id="kf1",
        month=dt.date(2024, 6, 1),
        item="daily_work",
        score="100",
    )
    out = StringIO()
    call_command(
        "scorecard", "--from", "2024-06-01", "--to", "2024-06-30", "--format", "json", stdout=out
    )
    result = {r["agent"]: (r["total"], r["complete"]) for r in json.loads(out.getvalue())}
    assert result == {"kf1": (55.0, True), "kf2": (60.0, False)}  # 50 + 100 × 5 %
    table = StringIO()
    call_command("scorecard", "--from", "2024-06-01", "--to", "2024-06-30", stdout=table)
    assert "incomplete" in table.getvalue() and "unscored" in table.getvalue()  # kf2 (wrapped)
