"""The agent performance page: the team for managers, one's own row for an agent."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.lake import Lake
from tests.metrics.test_attribution import shop  # noqa: F401 — the hand-made shop fixture

pytestmark = pytest.mark.django_db
Q = "?start=2024-06-18&end=2024-06-18"


def test_manager_sees_the_team_with_diagnosis(client: Client, make_user, shop: Lake) -> None:  # noqa: F811
    user = make_user("manager")
    client.login(username=user.username, password=user.password)
    page = client.get(f"/performance/agents/{Q}").content.decode()
    assert 'data-agent="kf1"' in page and 'data-agent="kf2"' in page
    assert 'data-metric="sales_amount" data-value="100.00">¥100.00' in page  # kf2
    assert "<tfoot>" in page  # the team row
    assert "上期" in page


def test_an_agent_sees_only_their_row_and_marketing_nothing(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
) -> None:
    agent = make_user("agent", agent_id="kf1")
    client.login(username=agent.username, password=agent.password)
    page = client.get(f"/performance/agents/{Q}").content.decode()
    assert 'data-agent="kf1"' in page and 'data-agent="kf2"' not in page
    assert "<tfoot>" not in page
    client.logout()
    marketing = make_user("marketing")
    client.login(username=marketing.username, password=marketing.password)
    assert client.get(f"/performance/agents/{Q}").status_code == 403


def test_empty_period_says_so(client: Client, make_user, lake: Lake) -> None:
    user = make_user("manager")
    client.login(username=user.username, password=user.password)
    page = client.get("/performance/agents/?start=2020-01-01&end=2020-01-31").content.decode()
    assert "本期间没有客服数据" in page
