"""The shop's settings: SPEC defaults, thresholds that change figures, the scorecard editor.

Hand computations on the attribution shop (tests/metrics/test_attribution.py), 2024-06-18:
- kf1 answers four rounds in 08:00–24:00: p1 10:00 in 60 s, p3 09:00 in 120 s, a1 14:00 in
  60 s, p5 20:00 in 120 s. With the 180 s threshold all four are quick (100 %); with 90 s
  two are (2 ÷ 4 = 50 %).
- Slow responses (> 60 s): kf1's customers c2 and c5 (120 s) → 2; with a 30 s threshold
  every answered customer is slow: kf1 c1, c2, c3, c5 → 4; kf2 c1, c4 → 2.
- o2 (c2, created 06-18 08:00, unpaid, still open) follows kf1's pre-sale message of 06-15
  07:01 by 72 h 59 min: nobody's with the 72 h window, kf1's with a 74 h window. kf1 then
  has o2 and o3 (closed unpaid): order loss 1 ÷ 2 = 50 % instead of 1 ÷ 1 = 100 %.

The platform reply rules use the Pinduoduo / Douyin chats of tests/metrics/test_platform_rules.py
(its docstring computes SPEC's figures: kf1 1 ÷ 3 on Pinduoduo, 3 ÷ 5 on Douyin); the changed
settings' figures are computed by hand beside each test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from django.test import Client

from guanxi.core.timeutil import Period
from guanxi.lake import Lake
from guanxi.metrics import scorecard as engine
from guanxi.metrics.attribution import AttributionRules
from guanxi.metrics.chat import ServiceRules
from guanxi.metrics.platform_rules import PlatformRules
from guanxi.performance import selectors as agent_selectors
from guanxi.performance import shop_settings
from guanxi.performance.detail import selectors as detail_selectors
from guanxi.performance.models import ShopSettings
from guanxi.store import selectors as store_selectors
from tests.factories import chats_table, login, reports_by_agent
from tests.metrics import test_platform_rules
from tests.metrics.test_attribution import shop  # noqa: F401 — the hand-made shop fixture

pytestmark = pytest.mark.django_db
Q = "?start=2024-06-18&end=2024-06-18"
DAY = Period(dt.date(2024, 6, 18), dt.date(2024, 6, 18))
SPEC = {
    "slow_seconds": 60,
    "quick_seconds": 180,
    "quick_from_hour": 8,
    "quick_to_hour": 24,
    "pdd_seconds": 3600,
    "pdd_from_hour": 8,
    "pdd_to_hour": 23,
    "douyin_seconds": 180,
    "douyin_from_hour": 8,
    "douyin_to_hour": 23,
    "after_sale_days": 15,
    "attribution_hours": 72,
    "next_day_days": 1,
    "final_days": 3,
    "dsr_window_unit": "month",
    "dsr_window_length": 6,
}


def _card(bands: str, metric: str = "inquiry_conversion_final") -> str:
    return (
        f'[[items]]\nmetric = "{metric}"\nlabel = "咨询转化率"\nweight = "30%"\nbands = {bands}\n'
    )


def test_the_defaults_are_spec_s() -> None:
    assert not ShopSettings.objects.exists()
    assert shop_settings.defaults() == SPEC
    assert shop_settings.service_rules() == ServiceRules(60, 180, 8, 24)
    assert shop_settings.attribution_rules() == AttributionRules(15, 72, 1, 3)
    assert shop_settings.platform_rules() == PlatformRules(3600, 8, 23, 180, 8, 23)
    assert shop_settings.dsr_window() == ("month", 6)
    card = shop_settings.scorecard()
    assert [(i.label, i.weight) for i in card.items] == [
        ("询单→最终付款成功率", Decimal("0.30")),
        ("支付率", Decimal("0.25")),
        ("落实客单价", Decimal("0.20")),
        ("首次响应时间", Decimal("0.10")),
        ("平均响应时间", Decimal("0.05")),
        ("月退货量", Decimal("0.05")),
    ]
    assert shop_settings.scorecard_text() == engine.default_text()


def test_changed_thresholds_change_the_figures(client: Client, make_user, shop: Lake) -> None:  # noqa: F811
    login(client, make_user, "manager")
    before = {a["agent"]: a for a in client.get(f"/api/performance/agents{Q}").json()["agents"]}
    assert before["kf1"]["three_minute_rate"] == 1.0
    assert (before["kf1"]["slow_response_customers"], before["kf2"]["slow_response_customers"]) == (
        2,
        0,
    )
    assert before["kf1"]["order_loss_rate"] == 1.0
    changed = SPEC | {"quick_seconds": 90, "slow_seconds": 30, "attribution_hours": 74}
    response = client.post("/performance/settings/", changed | {"action": "rules"})
    assert response.status_code == 302
    after = {a["agent"]: a for a in client.get(f"/api/performance/agents{Q}").json()["agents"]}
    assert after["kf1"]["three_minute_rate"] == 0.5
    assert (after["kf1"]["slow_response_customers"], after["kf2"]["slow_response_customers"]) == (
        4,
        2,
    )
    assert after["kf1"]["order_loss_rate"] == 0.5
    # The pages and the CLI's selector read the same settings.
    kf1 = next(r for r in agent_selectors.agent_period_reports(DAY) if r.unit == "kf1")
    assert kf1.three_minute_rate == Decimal("0.5000")
    # Reset: SPEC's figures again.
    client.post("/performance/settings/", {"action": "rules_reset"})
    assert shop_settings.defaults() == {
        name: getattr(ShopSettings.objects.get(), name) for name in SPEC
    }
    again = {a["agent"]: a for a in client.get(f"/api/performance/agents{Q}").json()["agents"]}
    assert again["kf1"]["three_minute_rate"] == 1.0


def test_the_settings_page_shows_units_and_defaults_and_refuses_bad_hours(
    client: Client, make_user
) -> None:
    login(client, make_user, "manager")
    page = client.get("/performance/settings/").content.decode()
    assert 'data-field="attribution_hours"' in page and "小时" in page
    assert '<td class="num default">72</td>' in page
    assert "默认 KPI 复合模型" in page  # the scorecard preview
    assert "32 % ≤ X &lt; 35 %" in page
    bad = SPEC | {"quick_from_hour": 20, "quick_to_hour": 8}
    response = client.post("/performance/settings/", bad | {"action": "rules"})
    assert response.status_code == 200
    assert "the hours must start before they end (20 ≥ 8)" in response.content.decode()
    assert not ShopSettings.objects.exists()  # nothing saved
    response = client.post(
        "/performance/settings/", SPEC | {"slow_seconds": "abc", "action": "rules"}
    )
    assert response.status_code == 200 and not ShopSettings.objects.exists()


@pytest.mark.parametrize("role", ["agent", "marketing"])
def test_only_managers_open_the_settings(client: Client, make_user, role: str) -> None:
    login(client, make_user, role, agent_id="kf1" if role == "agent" else "")
    assert client.get("/performance/settings/").status_code == 403
    response = client.post("/performance/settings/", SPEC | {"action": "rules"})
    assert response.status_code == 403
    assert client.get("/api/performance/settings").status_code == 403
    assert (
        client.put("/api/performance/settings", SPEC, content_type="application/json").status_code
        == 403
    )
    assert not ShopSettings.objects.exists()


def test_anonymous_is_sent_to_log_in(client: Client) -> None:
    response = client.get("/performance/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


BAD_CARDS = [
    pytest.param(
        _card('{ "[32%, )" = 70, "[28%, 31%)" = 60, "(, 28%)" = 0 }'),
        "咨询转化率: no band covers 31 % ≤ X &lt; 32 %",
        id="gap",
    ),
    pytest.param(
        _card('{ "[60%, )" = 70, "[50%, 65%)" = 60, "(, 50%)" = 0 }'),
        "咨询转化率: bands [50%, 65%) and [60%, ) overlap",
        id="overlap",
    ),
    pytest.param(
        _card('{ "(, )" = 100 }', metric="smiles"),
        "scorecard: 咨询转化率: unknown metric &#x27;smiles&#x27;",
        id="unknown metric",
    ),
    pytest.param(
        _card('{ "[3x%, )" = 70, "(, 3x%)" = 0 }'),
        "scorecard: 咨询转化率 [3x%, ): &#x27;3x%&#x27; is not a number",
        id="non-numeric bound",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_CARDS)
def test_a_bad_scorecard_is_named_on_the_page_and_nothing_saved(
    client: Client, make_user, text: str, message: str
) -> None:
    login(client, make_user, "manager")
    for action in ("scorecard", "scorecard_preview"):
        response = client.post("/performance/settings/", {"action": action, "scorecard": text})
        page = response.content.decode()
        assert response.status_code == 200
        assert message in page, page[page.find("card-error") :][:400]
        assert "考核表有误，未保存" in page
    assert not ShopSettings.objects.exists()
    assert len(shop_settings.scorecard().items) == 6  # still SPEC's


@pytest.mark.parametrize(("text", "message"), BAD_CARDS)
def test_a_bad_scorecard_is_named_by_the_api_and_nothing_saved(
    client: Client, make_user, text: str, message: str
) -> None:
    login(client, make_user, "manager")
    body = SPEC | {"slow_seconds": 30, "scorecard_toml": text}
    response = client.put("/api/performance/settings", body, content_type="application/json")
    assert response.status_code == 400
    expected = message.replace("&lt;", "<").replace("&#x27;", "'")
    assert expected in response.json()["detail"]
    assert not ShopSettings.objects.exists()  # not even the threshold
    assert client.get("/api/performance/settings").json()["slow_seconds"] == 60


def test_the_api_reads_and_replaces_the_settings(client: Client, make_user) -> None:
    login(client, make_user, "manager")
    data = client.get("/api/performance/settings").json()
    assert {k: data[k] for k in SPEC} == SPEC and data["defaults"] == SPEC
    assert data["scorecard_is_default"] is True
    assert data["scorecard_toml"] == engine.default_text()
    card = _card('{ "[30%, )" = 100, "(, 30%)" = 0 }')
    body: dict[str, Any] = SPEC | {
        "dsr_window_unit": "day",
        "dsr_window_length": 90,
        "scorecard_toml": card,
    }
    saved = client.put("/api/performance/settings", body, content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()["dsr_window_unit"] == "day" and saved.json()["scorecard_toml"] == card
    assert saved.json()["updated_by"] == "manager1"
    assert shop_settings.dsr_window() == ("day", 90)
    assert [i.label for i in shop_settings.scorecard().items] == ["咨询转化率"]
    bad = client.put(
        "/api/performance/settings",
        SPEC | {"final_days": 0, "scorecard_toml": None},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("final_days: the final window (0) is shorter")
    body["scorecard_toml"] = None  # back to SPEC's scorecard
    client.put("/api/performance/settings", body, content_type="application/json")
    assert len(shop_settings.scorecard().items) == 6
    schema = client.get("/api/openapi.json").json()
    assert {"get", "put"} <= set(schema["paths"]["/api/performance/settings"])


def test_the_scorecard_editor_previews_saves_and_resets(client: Client, make_user) -> None:
    login(client, make_user, "manager")
    card = _card('{ "[30%, )" = 100, "(, 30%)" = 0 }')
    preview = client.post(
        "/performance/settings/", {"action": "scorecard_preview", "scorecard": card}
    )
    page = preview.content.decode()
    assert "预览（未保存）" in page and "X ≥ 30 %" in page
    assert not ShopSettings.objects.exists()
    client.post("/performance/settings/", {"action": "scorecard", "scorecard": card})
    assert ShopSettings.objects.get().scorecard_toml == card
    client.post("/performance/settings/", {"action": "scorecard_reset"})
    assert ShopSettings.objects.get().scorecard_toml == ""
    assert shop_settings.scorecard_text() == engine.default_text()


def test_the_dsr_window_in_days(lake: Lake) -> None:
    """Ratings on 2025-10-01 (1s), 11-02 (3s) and 12-31 (5s). December's last 30 days hold
    only 12-31 → 5.000; its last 60 days (from 11-02) → (5 + 3) ÷ 2 = 4.000; its last 92
    (from 10-01) → (5 + 3 + 1) ÷ 3 = 3.000. Six months: all three → 3.000 as well."""
    days = [dt.datetime(2025, 10, 1, 4), dt.datetime(2025, 11, 2, 4), dt.datetime(2025, 12, 31, 4)]
    lake.write(
        "dsr_ratings",
        pa.table(
            {
                "platform": ["douyin"] * 3,
                "order_id": ["a", "b", "c"],
                "customer_key": ["c1", "c2", "c3"],
                "rated_at": [d.replace(tzinfo=dt.UTC) for d in days],
                "description": [1, 3, 5],
                "service": [1, 3, 5],
                "logistics": [1, 3, 5],
            }
        ),
    )
    results = {}
    for length in (30, 60, 92):
        shop_settings.rules_update(
            user=None, values=SPEC | {"dsr_window_unit": "day", "dsr_window_length": length}
        )
        (december,) = store_selectors.dsr_trend((2025, 12), 1)
        results[length] = (december.ratings, december.scores["service"])
    assert results == {
        30: (1, Decimal("5.000")),
        60: (2, Decimal("4.000")),
        92: (3, Decimal("3.000")),
    }
    shop_settings.rules_reset(user=None)
    november, december = store_selectors.dsr_trend((2025, 12), 2)
    assert (november.ratings, december.ratings) == (2, 3)  # months: Jun–Nov, Jul–Dec
    assert store_selectors.dsr_trend((2025, 12), 1, window=1)[0].ratings == 1  # an explicit window


# -- platform reply rules (SPEC §2: Pinduoduo 1 h in 08:00–23:00, Douyin 180 s in 08:00–23:00)
def _platform_chats(lake: Lake, platform: str) -> None:
    lake.write("chat_messages", chats_table(test_platform_rules.CHATS, platform=platform))


def _rates(key: str) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """kf1's and kf2's rate through the selector behind the agents pages, API, CLI and monthly
    report, and kf1's through the agent detail page's selector."""
    team = {r.unit: r for r in agent_selectors.agent_period_reports(DAY)}
    detail = detail_selectors.agent_report("kf1", DAY)
    assert detail is not None
    return getattr(team["kf1"], key), getattr(team["kf2"], key), getattr(detail, key)


# kf1's Pinduoduo rounds on 06-18 (start → wait): c1 09:00 → 120 s and 09:10 → 180 s; c2 10:00
# → 5,400 s; c3 23:30 → 900 s; c4 07:59 → 70 s and 08:05 → never. kf2: c5 14:00 → 59 s.
PDD_CASES = [
    # SPEC: c1, c2, c4 in hours; only c1 always within the hour → 1/3.
    pytest.param({}, Decimal("0.3333"), Decimal("1.0000"), id="spec"),
    # 5,400 s: c2's wait is exactly the limit (≤ counts) → c1, c2 of c1, c2, c4 → 2/3.
    pytest.param({"pdd_seconds": 5400}, Decimal("0.6667"), Decimal("1.0000"), id="seconds"),
    # From 09:00: c4's rounds (07:59, 08:05) drop out → c1 of c1, c2 → 1/2.
    pytest.param({"pdd_from_hour": 9}, Decimal("0.5000"), Decimal("1.0000"), id="from"),
    # Until midnight: c3's 23:30 round (900 s) counts → c1, c3 of c1, c2, c3, c4 → 2/4.
    pytest.param({"pdd_to_hour": 24}, Decimal("0.5000"), Decimal("1.0000"), id="to"),
    # 30 s: nobody's rounds are all that quick (kf2 took 59 s) → 0/3 and 0/1.
    pytest.param({"pdd_seconds": 30}, Decimal("0.0000"), Decimal("0.0000"), id="strict"),
]


@pytest.mark.parametrize(("change", "kf1", "kf2"), PDD_CASES)
def test_pinduoduo_settings_change_the_effective_reply_rate(
    lake: Lake, change: dict[str, int], kf1: Decimal, kf2: Decimal
) -> None:
    _platform_chats(lake, "pdd")
    shop_settings.rules_update(user=None, values=SPEC | change)
    assert _rates("pdd_effective_reply_rate") == (kf1, kf2, kf1)
    # The accessor is what the callers pass to ``agent_reports``.
    direct = reports_by_agent(lake, DAY, platform_rules=shop_settings.platform_rules())
    assert direct["kf1"].pdd_effective_reply_rate == kf1


def test_douyin_settings_change_the_manual_reply_rate(lake: Lake) -> None:
    """kf1's Douyin customer messages (sent → answered after): c1 09:00 → 120 s, 09:10 →
    180 s, 09:12:30 → 30 s; c2 10:00 → 5,400 s; c3 23:30 → 900 s; c4 07:59 → 70 s, 08:05 →
    never. kf2: c5 14:00 → 59 s."""
    _platform_chats(lake, "douyin")
    assert _rates("douyin_three_minute_rate")[:2] == (Decimal("0.6000"), Decimal("1.0000"))
    # 30 s: of the five messages in 08:00–23:00 only 09:12:30's → 1/5; kf2's 59 s is late.
    shop_settings.rules_update(user=None, values=SPEC | {"douyin_seconds": 30})
    assert _rates("douyin_three_minute_rate")[:2] == (Decimal("0.2000"), Decimal("0.0000"))
    # All day, 180 s: c3 23:30 (900 s, late) and c4 07:59 (70 s, on time) join → 4/7.
    shop_settings.rules_update(
        user=None, values=SPEC | {"douyin_from_hour": 0, "douyin_to_hour": 24}
    )
    assert _rates("douyin_three_minute_rate")[:2] == (Decimal("0.5714"), Decimal("1.0000"))
    assert _rates("pdd_effective_reply_rate") == (None, None, None)  # no Pinduoduo chats


def _pdd_rate(client: Client) -> float | None:
    data = client.get(f"/api/performance/agents{Q}").json()["agents"]
    return next(a["pdd_effective_reply_rate"] for a in data if a["agent"] == "kf1")


def test_the_settings_page_sets_the_pinduoduo_rule(client: Client, make_user, lake: Lake) -> None:
    _platform_chats(lake, "pdd")
    login(client, make_user, "manager")
    page = client.get("/performance/settings/").content.decode()
    assert "平台回复规则" in page
    for name, default in (("pdd_seconds", 3600), ("pdd_to_hour", 23), ("douyin_seconds", 180)):
        row = page[page.index(f'data-field="{name}"') :]
        assert f'<td class="num default">{default}</td>' in row[: row.index("</tr>")]
    assert _pdd_rate(client) == 0.3333
    # All day with 5,400 s: c1 ✓, c2 ✓ (5,400 s), c3 ✓ (900 s), c4 ✗ (08:05 never answered;
    # its 07:59 round now counts, answered in 70 s) → 3/4.
    changed = SPEC | {"pdd_seconds": 5400, "pdd_from_hour": 0, "pdd_to_hour": 24}
    response = client.post("/performance/settings/", changed | {"action": "rules"})
    assert response.status_code == 302
    assert shop_settings.platform_rules() == PlatformRules(5400, 0, 24, 180, 8, 23)
    assert _pdd_rate(client) == 0.75
    page = client.get("/performance/settings/").content.decode()
    assert '<tr data-field="pdd_seconds" class="changed">' in page
    assert '<tr data-field="douyin_seconds">' in page  # unchanged
    client.post("/performance/settings/", {"action": "rules_reset"})
    assert shop_settings.platform_rules() == PlatformRules()
    assert _pdd_rate(client) == 0.3333


BAD_PLATFORM = [
    pytest.param({"pdd_seconds": 0}, "pdd_seconds", "0 is outside 1–86400", id="pdd seconds"),
    pytest.param(
        {"pdd_from_hour": 23, "pdd_to_hour": 8},
        "pdd_to_hour",
        "the hours must start before they end (23 ≥ 8)",
        id="pdd hours reversed",
    ),
    pytest.param({"pdd_to_hour": 25}, "pdd_to_hour", "25 is outside 1–24", id="pdd to 25"),
    pytest.param(
        {"douyin_seconds": 3601}, "douyin_seconds", "3601 is outside 1–3600", id="douyin seconds"
    ),
    pytest.param(
        {"douyin_from_hour": 12, "douyin_to_hour": 12},
        "douyin_to_hour",
        "the hours must start before they end (12 ≥ 12)",
        id="douyin empty hours",
    ),
    pytest.param(
        {"douyin_from_hour": -1}, "douyin_from_hour", "-1 is outside 0–23", id="douyin from -1"
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_PLATFORM)
def test_bad_platform_rules_are_named_and_nothing_saved(
    client: Client, make_user, change: dict[str, int], field: str, message: str
) -> None:
    with pytest.raises(shop_settings.SettingsError) as caught:
        shop_settings.rules_update(user=None, values=SPEC | change)
    assert (caught.value.field, str(caught.value)) == (field, f"{field}: {message}")
    login(client, make_user, "manager")
    response = client.put(
        "/api/performance/settings", SPEC | change, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["detail"] == f"{field}: {message}"
    # The page shows the error in the field's own row (range errors in the form's words).
    page = client.post("/performance/settings/", SPEC | change | {"action": "rules"})
    assert page.status_code == 200
    html = page.content.decode()
    row = html[html.index(f'data-field="{field}"') :]
    assert 'class="errorlist"' in row[: row.index("</tr>")]
    if "hours" in message:
        assert message in row[: row.index("</tr>")]
    assert not ShopSettings.objects.exists()


def test_the_api_round_trips_the_platform_rules(client: Client, make_user, lake: Lake) -> None:
    _platform_chats(lake, "pdd")
    login(client, make_user, "manager")
    data = client.get("/api/performance/settings").json()
    platform = {k: v for k, v in SPEC.items() if k.startswith(("pdd_", "douyin_"))}
    assert {k: data[k] for k in platform} == platform == {k: data["defaults"][k] for k in platform}
    body = SPEC | {"pdd_seconds": 5400, "pdd_from_hour": 0, "pdd_to_hour": 24}
    body |= {"douyin_seconds": 60, "douyin_from_hour": 9, "douyin_to_hour": 21}
    saved = client.put("/api/performance/settings", body, content_type="application/json")
    assert saved.status_code == 200
    again = client.get("/api/performance/settings").json()
    assert {k: again[k] for k in SPEC} == body
    assert again["defaults"]["pdd_seconds"] == 3600  # the defaults stay SPEC's
    assert shop_settings.platform_rules() == PlatformRules(5400, 0, 24, 60, 9, 21)
    assert _pdd_rate(client) == 0.75  # as on the page: 3/4
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert {"pdd_seconds", "douyin_to_hour"} <= set(schema["SettingsIn"]["required"])
