"""The roster page (客服名单): managers set names and rotas; bad hours are named, nothing saved."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.accounts.models import Agent
from guanxi.lake import Lake
from tests.metrics.test_business_hours import shop  # noqa: F401 — chats across a holiday

pytestmark = pytest.mark.django_db


def _post(client: Client, rows: list[dict[str, str]]) -> object:
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(sum(1 for row in rows if "id" in row)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return client.post("/accounts/agents/", data)


def test_manager_sets_a_rota_and_the_agents_page_shows_business_time(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
) -> None:
    kf1 = Agent.objects.create(agent_id="kf1", name="小美")
    creds = make_user("manager")
    client.login(username=creds.username, password=creds.password)
    page = client.get("/accounts/agents/")
    assert page.status_code == 200 and "工作日班次" in page.content.decode()
    before = client.get("/performance/agents/?start=2025-09-29&end=2025-10-31").content.decode()
    assert "首次响应时间（工作时间）" not in before  # no rota yet: no business-time columns
    response = _post(
        client,
        [
            {"id": str(kf1.pk), "agent_id": "kf1", "name": "小美", "nicknames": "",
             "active": "on", "workday_hours": "09:00-18:00", "restday_hours": ""},
            {"agent_id": "kf3", "name": "阿杰", "nicknames": "杰", "active": "on",
             "workday_hours": "09:00-18:00", "restday_hours": "10:00-16:00"},
        ],
    )  # fmt: skip
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert Agent.objects.get(agent_id="kf3").restday_hours == "10:00-16:00"
    after = client.get("/performance/agents/?start=2025-09-29&end=2025-10-31").content.decode()
    assert "首次响应时间（工作时间）" in after
    # kf1's business first response (tests/metrics/test_business_hours.py): 22.50 s
    assert 'data-metric="first_response_business_seconds" data-value="22.50"' in after


def test_bad_hours_are_named_and_nothing_is_saved(client: Client, make_user) -> None:
    kf1 = Agent.objects.create(agent_id="kf1", name="小美", workday_hours="09:00-18:00")
    creds = make_user("manager")
    client.login(username=creds.username, password=creds.password)
    response = _post(
        client,
        [
            {"id": str(kf1.pk), "agent_id": "kf1", "name": "小美改名", "nicknames": "",
             "active": "on", "workday_hours": "18:00-09:00", "restday_hours": ""},
        ],
    )  # fmt: skip
    text = response.content.decode()  # type: ignore[attr-defined]
    assert "“18:00-09:00”结束早于开始；夜班请写成两段" in text
    kf1.refresh_from_db()
    assert (kf1.name, kf1.workday_hours) == ("小美", "09:00-18:00")


def test_agents_and_marketing_cannot_edit_the_roster(client: Client, make_user) -> None:
    for role in ("agent", "marketing"):
        creds = make_user(role)
        client.login(username=creds.username, password=creds.password)
        assert client.get("/accounts/agents/").status_code == 403
        client.logout()
