"""The performance API: figures as JSON, agents limited to their own, the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.lake import Lake
from guanxi.metrics.agents import AGENT_METRICS
from tests.factories import login
from tests.metrics.test_attribution import shop  # noqa: F401 — the hand-made shop fixture

pytestmark = pytest.mark.django_db
Q = "?start=2024-06-18&end=2024-06-18"


def test_manager_sees_every_agent(client: Client, make_user, shop: Lake) -> None:  # noqa: F811
    login(client, make_user, "manager")
    data = client.get(f"/api/performance/agents{Q}").json()
    agents = {a["agent"]: a for a in data["agents"]}
    assert set(agents) == {"kf1", "kf2"}
    assert agents["kf2"]["sales_amount"] == "100.00" and agents["kf2"]["aov_ratio"] == 1.1111
    scores = client.get(f"/api/performance/scorecard{Q}").json()
    assert {s["agent"] for s in scores} == {"kf1", "kf2"}
    assert client.get("/api/store/dsr").json() == []  # no ratings in this shop
    bad = client.get("/api/performance/agents?start=2024-06-19&end=2024-06-18")
    assert bad.status_code == 400


def test_an_agent_sees_only_their_own(client: Client, make_user, shop: Lake) -> None:  # noqa: F811
    login(client, make_user, "agent", agent_id="kf1")
    data = client.get(f"/api/performance/agents{Q}").json()
    assert [a["agent"] for a in data["agents"]] == ["kf1"]
    assert client.get(f"/api/performance/agents{Q}&agent=kf2").status_code == 403
    assert client.get("/api/store/dsr").status_code == 403


def test_anonymous_is_refused_and_the_schema_lists_the_endpoints(
    client: Client, make_user, lake: Lake
) -> None:
    assert client.get(f"/api/performance/agents{Q}").status_code == 401
    refused = client.get("/api/openapi.json")  # the map of every endpoint is not public
    assert (refused.status_code, refused.json()) == (401, {"detail": "Unauthorized"})
    login(client, make_user, "manager")
    schema = client.get("/api/openapi.json").json()
    assert {"/api/performance/agents", "/api/performance/scorecard", "/api/store/dsr"} <= set(
        schema["paths"]
    )


def test_every_registry_metric_reaches_the_api(client: Client, make_user, shop: Lake) -> None:  # noqa: F811
    """The API's metric fields come from AGENT_METRICS: a metric added there cannot be left
    out of the schema or of an answer."""
    login(client, make_user, "manager")
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    keys = {m.key for m in AGENT_METRICS}
    for name in ("AgentOut", "UnitOut"):
        assert keys <= set(schemas[name]["properties"]), name
    row = client.get(f"/api/performance/agents{Q}").json()["agents"][0]
    assert keys <= set(row)
    unit = client.get(f"/api/performance/agents{Q}&view=shop").json()["units"][0]
    assert keys <= set(unit)
