"""``/api/insight/``: runs list/detail, queueing a run, the serving metrics and a customer's
predictions, with role checks (agents: 403; marketing reads but cannot run)."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.customers.models import Customer
from guanxi.insight.models import ModelRun
from tests.factories import login
from tests.insight.conftest import FakeJob

pytestmark = pytest.mark.django_db


def test_a_manager_queues_a_run_and_reads_it(client: Client, make_user, fake_clv: FakeJob) -> None:
    Customer.objects.create(customer_key="k1", name="王芳", mobile="13800001111")
    fake_clv.customers = {"k1": {"p_alive": 0.75, "clv": 120.5}}
    fake_clv.metrics = {"customers": 1, "r": 0.243}
    login(client, make_user, "manager")
    answer = client.post(
        "/api/insight/runs", {"kind": "clv", "params": {"margin": 0.4}}, "application/json"
    )
    assert answer.status_code == 202, answer.content
    run = answer.json()
    assert (run["kind"], run["state"], run["serving"]) == ("clv", "done", True)  # immediate tasks
    assert run["params"] == {
        "margin": 0.4, "annual_discount_rate": 0.1, "months": 12, "holdout_days": 90,
        "unit": "week",
    }  # fmt: skip
    listed = client.get("/api/insight/runs").json()
    assert [r["id"] for r in listed] == [run["id"]]
    detail = client.get(f"/api/insight/runs/{run['id']}").json()
    assert detail["metrics"] == {"customers": 1, "r": 0.243}
    assert client.get("/api/insight/serving").json()["clv"]["id"] == run["id"]
    mine = client.get("/api/insight/customers/k1").json()
    assert (mine["p_alive"], mine["clv"], mine["runs"]["clv"]) == (0.75, "120.50", run["id"])
    text = str(mine)
    assert "王芳" not in text and "13800001111" not in text  # no personal data
    assert client.get("/api/insight/customers/nobody").status_code == 404
    assert client.get("/api/insight/runs/999999").status_code == 404


def test_bad_runs_are_refused_with_the_field_named(client: Client, make_user, fake_clv) -> None:
    login(client, make_user, "manager")
    bad = client.post(
        "/api/insight/runs", {"kind": "clv", "params": {"margin": 2}}, "application/json"
    )
    assert bad.status_code == 400 and bad.json()["detail"].startswith("margin: must be at most")
    unknown = client.post("/api/insight/runs", {"kind": "ltv"}, "application/json")
    assert unknown.status_code == 400 and unknown.json()["detail"].startswith("kind: unknown")
    assert client.get("/api/insight/runs?kind=ltv").status_code == 400
    assert not ModelRun.objects.exists()


def test_roles(client: Client, make_user, fake_clv: FakeJob) -> None:
    login(client, make_user, "agent", agent_id="kf1")
    assert client.get("/api/insight/runs").status_code == 403
    assert client.get("/api/insight/customers/k1").status_code == 403
    assert client.post("/api/insight/runs", {"kind": "clv"}, "application/json").status_code == 403
    client.logout()
    login(client, make_user, "marketing")
    assert client.get("/api/insight/runs").status_code == 200
    assert client.get("/api/insight/serving").json() == {}
    assert client.post("/api/insight/runs", {"kind": "clv"}, "application/json").status_code == 403
    assert not ModelRun.objects.exists()
