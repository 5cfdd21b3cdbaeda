"""``/api/performance/agents?view=`` and ``/api/performance/trend``: the teams' and the shop's
own figures, by day, week or month, on the hand-made shop of
``tests/metrics/test_units_and_series.py`` (its docstring has the hand computation)."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.lake import Lake
from tests.factories import login
from tests.metrics.test_units_and_series import shop  # noqa: F401 — the hand-made shop
from tests.web.test_report_views import teams  # noqa: F401 — kf1, kf2 in 售前; kf3 in none

pytestmark = pytest.mark.django_db
TUESDAY = "start=2024-06-18&end=2024-06-18"
WEEK = "start=2024-06-18&end=2024-06-24"


def test_team_and_shop_views(client: Client, make_user, shop: Lake, teams: None) -> None:  # noqa: F811
    login(client, make_user, "manager")
    data = client.get(f"/api/performance/agents?{TUESDAY}&view=team").json()
    assert (data["view"], data["has_data"], data["agents"]) == ("team", True, [])
    assert [(u["unit"], u["label"]) for u in data["units"]] == [
        ("售前", "售前"),
        ("*none", "未分组"),
    ]
    team = data["units"][0]
    assert team["consulting_customers"] == 1  # c1 once, though kf1 and kf2 served them
    assert (team["avg_response_seconds"], team["first_response_seconds"]) == (36.67, 25.0)
    assert (team["sales_amount"], team["reply_rate"]) == ("100.00", 1.0)
    assert team["first_response_business_seconds"] is None
    (whole,) = client.get(f"/api/performance/agents?{TUESDAY}&view=shop").json()["units"]
    assert (whole["unit"], whole["label"]) == ("*shop", "全店")
    assert (whole["consulting_customers"], whole["avg_response_seconds"]) == (2, 57.5)
    assert (whole["aov"], whole["aov_ratio"]) == ("75.00", 1.0)
    agents = client.get(f"/api/performance/agents?{TUESDAY}").json()["agents"]
    assert {a["agent"]: a["team"] for a in agents} == {"kf1": "售前", "kf2": "售前", "kf3": ""}


def test_agent_view_keeps_its_response(client: Client, make_user, shop: Lake) -> None:  # noqa: F811
    login(client, make_user, "manager")
    data = client.get(f"/api/performance/agents?{TUESDAY}").json()
    assert (data["view"], data["units"]) == ("agent", [])
    agents = {a["agent"]: a for a in data["agents"]}
    assert set(agents) == {"kf1", "kf2", "kf3"}
    assert agents["kf2"]["sales_amount"] == "100.00" and agents["kf2"]["diagnosis"] == []
    bad = client.get(f"/api/performance/agents?{TUESDAY}&view=team&agent=kf1")
    assert (bad.status_code, bad.json()["detail"]) == (400, "agent needs view=agent")


def test_shop_trend_by_week(client: Client, make_user, shop: Lake) -> None:  # noqa: F811
    login(client, make_user, "manager")
    data = client.get(f"/api/performance/trend?{WEEK}&by=week&view=shop").json()
    assert (data["by"], data["view"], data["unit"], data["has_data"]) == (
        "week",
        "shop",
        "*shop",
        True,
    )
    first, second = data["periods"]
    assert (first["start"], first["end"], second["start"], second["end"]) == (
        "2024-06-18",
        "2024-06-23",
        "2024-06-24",
        "2024-06-24",
    )
    (week1,) = first["rows"]
    assert (week1["consulting_customers"], week1["avg_response_seconds"]) == (2, 57.5)
    (week2,) = second["rows"]
    assert (week2["reply_rate"], week2["avg_response_seconds"]) == (0.5, 10.0)
    assert week2["sales_amount"] == "0.00"
    # Tuesday–Sunday and Monday alone: each less than its Monday–Sunday week
    assert [p["partial"] for p in data["periods"]] == [True, True]
    whole = client.get("/api/performance/trend?start=2024-06-17&end=2024-06-23&by=week&view=shop")
    assert [p["partial"] for p in whole.json()["periods"]] == [False]


def test_team_trend_by_day_has_empty_days(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
    teams: None,  # noqa: F811
) -> None:
    login(client, make_user, "manager")
    data = client.get(f"/api/performance/trend?{WEEK}&by=day&view=team&unit=售前").json()
    assert len(data["periods"]) == 7
    filled = [p["start"] for p in data["periods"] if p["rows"]]
    assert filled == ["2024-06-18", "2024-06-24"]
    assert data["periods"][0]["rows"][0]["avg_response_seconds"] == 36.67
    every = client.get(f"/api/performance/trend?{TUESDAY}&view=team").json()
    assert [r["unit"] for r in every["periods"][0]["rows"]] == ["售前", "*none"]
    assert every["unit"] is None


def test_an_agent_gets_only_their_own_trend(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
    teams: None,  # noqa: F811
) -> None:
    login(client, make_user, "agent", agent_id="kf1")
    data = client.get(f"/api/performance/trend?{WEEK}&by=week").json()
    assert data["unit"] == "kf1"
    assert [[r["unit"] for r in p["rows"]] for p in data["periods"]] == [["kf1"], ["kf1"]]
    refused = [
        f"/api/performance/trend?{WEEK}&unit=kf2",
        f"/api/performance/trend?{WEEK}&view=team&unit=售前",
        f"/api/performance/trend?{WEEK}&view=shop",
        f"/api/performance/agents?{TUESDAY}&view=team",
        f"/api/performance/agents?{TUESDAY}&view=shop",
    ]
    assert [client.get(url).status_code for url in refused] == [403] * 5


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (f"/api/performance/trend?{WEEK}&by=fortnight", "by"),
        (f"/api/performance/trend?{WEEK}&view=everyone", "view"),
        (f"/api/performance/agents?{TUESDAY}&view=everyone", "view"),
    ],
)
def test_bad_choices_are_422_naming_the_parameter(
    client: Client,
    make_user,
    lake: Lake,
    url: str,
    parameter: str,
) -> None:
    login(client, make_user, "manager")
    response = client.get(url)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", parameter]


def test_too_many_parts_and_a_shop_unit(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user, "manager")
    response = client.get("/api/performance/trend?start=2024-01-01&end=2025-01-01&by=day")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "by=day cuts 2024-01-01 – 2025-01-01 into 367 parts; at most 366: shorten the period "
        "or choose a longer step"
    )
    bad = client.get(f"/api/performance/trend?{WEEK}&view=shop&unit=kf1")
    assert bad.status_code == 400


def test_the_schema_lists_the_trend(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user, "manager")
    schema = client.get("/api/openapi.json").json()
    trend = schema["paths"]["/api/performance/trend"]["get"]
    params = {p["name"]: p for p in trend["parameters"]}
    assert set(params) == {"start", "end", "by", "view", "unit"}
    assert params["by"]["schema"]["enum"] == ["day", "week", "month"]
    agents = schema["paths"]["/api/performance/agents"]["get"]
    assert "view" in {p["name"] for p in agents["parameters"]}
