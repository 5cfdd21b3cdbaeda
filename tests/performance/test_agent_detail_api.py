"""The agent detail API: daily figures, distribution, stages, slowest rounds and one session,
with the page's permissions, in the OpenAPI schema. Hand computation: the module docstring
of tests/metrics/test_agent_detail.py."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.lake import Lake
from tests.customers.helpers import customer
from tests.factories import login
from tests.metrics.test_agent_detail import detail_shop  # noqa: F401 — the hand-made shop

pytestmark = pytest.mark.django_db
Q = "?start=2024-06-18&end=2024-06-19"
BASE = "/api/performance"


def test_daily_figures(client: Client, make_user, detail_shop: Lake) -> None:  # noqa: F811
    login(client, make_user, "manager")
    data = client.get(f"{BASE}/agents/kf1/daily{Q}").json()
    assert (data["agent"], data["has_data"]) == ("kf1", True)
    assert data["days"] == [
        {
            "day": "2024-06-18",
            "received_customers": 2,
            "first_response_seconds": 126.0,
            "avg_response_seconds": 99.0,
            "three_minute_rate": 0.5,
            "inquirers": 2,
            "inquiry_conversion_final": 1.0,
            "sales_amount": "99.11",
        },
        {
            "day": "2024-06-19",
            "received_customers": 5,
            "first_response_seconds": 63.25,
            "avg_response_seconds": 55.6,
            "three_minute_rate": 0.6667,
            "inquirers": 1,
            "inquiry_conversion_final": 0.0,
            "sales_amount": "50.50",
        },
    ]
    empty = client.get(f"{BASE}/agents/kf1/daily?start=2024-07-01&end=2024-07-03").json()
    assert (empty["has_data"], empty["days"]) == (False, [])
    bad = client.get(f"{BASE}/agents/kf1/daily?start=2024-06-19&end=2024-06-18")
    assert bad.status_code == 400


def test_distribution_stages_and_slowest(client: Client, make_user, detail_shop: Lake) -> None:  # noqa: F811
    login(client, make_user, "manager")
    dist = client.get(f"{BASE}/agents/kf1/distribution{Q}").json()
    assert (dist["rounds"], dist["median_seconds"], dist["p90_seconds"]) == (8, 27.5, 212.0)
    assert [(b["lower"], b["upper"], b["rounds"], b["share"]) for b in dist["buckets"]] == [
        (None, 10, 1, 0.125),
        (10, 20, 2, 0.25),
        (20, 30, 2, 0.25),
        (30, 60, 1, 0.125),
        (60, 180, 0, 0.0),
        (180, None, 2, 0.25),
    ]
    stages = client.get(f"{BASE}/agents/kf1/stages{Q}").json()
    assert stages["sessions"] == 6
    assert [(s["stage"], s["sessions"], s["share"]) for s in stages["stages"]] == [
        ("pre_sale", 3, 0.5),
        ("in_sale", 2, 0.3333),
        ("after_sale", 1, 0.1667),
    ]
    slowest = client.get(f"{BASE}/agents/kf1/slowest{Q}&limit=2").json()["rounds"]
    assert slowest == [
        {
            "session_id": "s2",
            "round_no": 1,
            "customer_key": "c2",
            "asked_at": "2024-06-18T23:58:00+08:00",
            "replied_at": "2024-06-19T00:02:00+08:00",
            "wait_seconds": 240.0,
        },
        {
            "session_id": "s4",
            "round_no": 1,
            "customer_key": "c4",
            "asked_at": "2024-06-19T10:00:00+08:00",
            "replied_at": "2024-06-19T10:03:20+08:00",
            "wait_seconds": 200.0,
        },
    ]
    assert client.get(f"{BASE}/agents/kf1/slowest{Q}&limit=0").status_code == 400


def test_one_session(client: Client, make_user, detail_shop: Lake) -> None:  # noqa: F811
    customer(customer_key="c2", name="王小明", mobile="13900001111")
    login(client, make_user, "manager")
    data = client.get(f"{BASE}/sessions/s2").json()
    assert (data["customer_key"], data["customer_name"], data["stage"]) == (
        "c2",
        "王**",
        "pre_sale",
    )
    assert data["agents"] == ["kf1", "kf2"]
    assert [(m["sender"], m["sent_at"], m["round_no"]) for m in data["messages"]] == [
        ("customer", "2024-06-18T23:58:00+08:00", 1),
        ("agent", "2024-06-19T00:02:00+08:00", 1),
        ("customer", "2024-06-19T00:03:00+08:00", 2),
        ("agent", "2024-06-19T00:03:20+08:00", 2),
        ("customer", "2024-06-19T00:04:00+08:00", 3),
        ("agent", "2024-06-19T00:04:25+08:00", 3),
    ]
    assert [(r["round_no"], r["answered_by"], r["wait_seconds"]) for r in data["rounds"]] == [
        (1, "kf1", 240.0),
        (2, "kf2", 20.0),
        (3, "kf1", 25.0),
    ]
    assert "王小明" not in str(data) and "13900001111" not in str(data)
    assert client.get(f"{BASE}/sessions/nope").status_code == 404


def test_permissions(client: Client, make_user, detail_shop: Lake) -> None:  # noqa: F811
    assert client.get(f"{BASE}/agents/kf1/daily{Q}").status_code == 401
    assert client.get(f"{BASE}/sessions/s1").status_code == 401
    login(client, make_user, "agent", agent_id="kf2")
    for part in ("daily", "distribution", "stages", "slowest"):
        assert client.get(f"{BASE}/agents/kf2/{part}{Q}").status_code == 200
        assert client.get(f"{BASE}/agents/kf1/{part}{Q}").status_code == 403
    assert client.get(f"{BASE}/sessions/s2").status_code == 200  # kf2 answered a round
    assert client.get(f"{BASE}/sessions/s1").status_code == 403
    client.logout()
    login(client, make_user, "marketing")
    assert client.get(f"{BASE}/agents/kf1/daily{Q}").status_code == 403
    assert client.get(f"{BASE}/sessions/s2").status_code == 403


def test_the_schema_lists_the_detail_endpoints(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user, "manager")
    paths = set(client.get("/api/openapi.json").json()["paths"])
    assert {
        "/api/performance/agents/{agent_id}/daily",
        "/api/performance/agents/{agent_id}/distribution",
        "/api/performance/agents/{agent_id}/stages",
        "/api/performance/agents/{agent_id}/slowest",
        "/api/performance/sessions/{session_id}",
    } <= paths
