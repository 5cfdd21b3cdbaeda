"""``/api/customers/rfm…``: the rows as the CLI's JSON, the groups and the grid, by role:
managers and marketing read them (no personal data in them), agents are refused."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.customers import standing
from guanxi.lake import Lake
from tests.customers import rfm_shop
from tests.customers.helpers import login
from tests.customers.rfm_shop import AS_OF, key

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(lake: Lake) -> Lake:
    rfm_shop.build(lake)
    standing.recompute(AS_OF)
    return lake


@pytest.mark.parametrize("role", ["manager", "marketing"])
def test_rows_groups_and_grid(client: Client, make_user, shop: Lake, role: str) -> None:
    login(client, make_user, role)
    page = client.get("/api/customers/rfm?limit=3&offset=1").json()
    assert (page["as_of"], page["total"], page["limit"], page["offset"]) == ("2025-06-30", 10, 3, 1)
    assert page["rows"] == rfm_shop.expected_json()[1:4]
    only = client.get("/api/customers/rfm?group=general_win_back&as_of=2025-06-30").json()
    assert [r["customer_key"] for r in only["rows"]] == [key(7), key(10)]
    body = client.get("/api/customers/rfm/groups").content.decode()
    assert "王" not in body and "1380000" not in body  # no personal data at all
    groups = {g["group"]: g for g in client.get("/api/customers/rfm/groups").json()["groups"]}
    value = groups["important_value"]
    assert (value["customers"], value["revenue"], value["share"]) == (4, "2200.00", 0.4)
    assert (value["revenue_share"], value["change"], value["rule"]) == (
        0.49,
        2,
        "R ≥ 3, F ≥ 3, M ≥ 3",
    )
    assert groups["general_develop"]["previous_customers"] == 2
    cells = client.get("/api/customers/rfm/grid").json()["cells"]
    assert len(cells) == 25
    cell = next(c for c in cells if (c["r_score"], c["f_score"]) == (2, 1))
    assert (cell["customers"], cell["mean_monetary"]) == (2, "375.00")
    earlier = client.get("/api/customers/rfm?as_of=2025-05-30").json()
    assert earlier["total"] == 9


def test_agents_are_refused(client: Client, make_user, shop: Lake) -> None:
    login(client, make_user, "agent", agent_id="kf1")
    for path in ("/api/customers/rfm", "/api/customers/rfm/groups", "/api/customers/rfm/grid"):
        response = client.get(path)
        assert response.status_code == 403
        assert "shop-wide" in response.json()["detail"]


def test_bad_queries(client: Client, make_user, shop: Lake) -> None:
    login(client, make_user, "manager")
    assert client.get("/api/customers/rfm?group=best").status_code == 400
    assert "group: 'best'" in client.get("/api/customers/rfm?group=best").json()["detail"]
    assert client.get("/api/customers/rfm?limit=0").status_code == 400
    assert client.get("/api/customers/rfm?as_of=2025-02-30").status_code == 422
    client.logout()
    assert client.get("/api/customers/rfm").status_code == 401
