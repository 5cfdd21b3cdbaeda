"""``/api/servicedesk/``: an agent sees only their own and their team's tickets (404 for
the others), refused changes are a 422 naming the field, free text masked."""

from __future__ import annotations

import json

import pytest

from guanxi.servicedesk import services
from guanxi.servicedesk.models import Ticket
from tests.customers.helpers import KEY, MOBILE, customer

pytestmark = pytest.mark.django_db
API = "/api/servicedesk/tickets"


def _post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_visibility_and_changes(desk, signed_in):
    customer()
    ours = services.create_ticket(
        kind="complaint", channel="chat", subject=f"回电 {MOBILE}", customer_key=KEY
    )
    theirs = services.create_ticket(kind="inquiry", channel="phone", subject="发票")
    services.assign(ours.pk, by=None, agent=desk.b)  # agent_a's team (售后组)
    services.assign(theirs.pk, by=None, agent=desk.c)
    agent = signed_in("agent_a")
    listed = agent.get(API, {"scope": "all"}).json()
    assert [t["id"] for t in listed["tickets"]] == [ours.pk]
    assert MOBILE not in json.dumps(listed, ensure_ascii=False)  # masked
    assert agent.get(f"{API}/{theirs.pk}").status_code == 404
    assert _post(agent, f"{API}/{theirs.pk}/note", {"note": "x"}).status_code == 404
    # a move the life cycle forbids: 422 naming the field, nothing changed
    refused = _post(agent, f"{API}/{ours.pk}/move", {"state": "closed"})
    assert refused.status_code == 422 and refused.json()["field"] == "state"
    moved = _post(agent, f"{API}/{ours.pk}/move", {"state": "in_progress", "note": "已联系"})
    assert moved.status_code == 200 and moved.json()["state"] == "in_progress"
    assert moved.json()["history"][-1]["from_value"] == "received"
    # agents may not reassign; a manager may
    assert _post(agent, f"{API}/{ours.pk}/assign", {"agent": "kf_a"}).status_code == 403
    manager = signed_in("mgr")
    assert MOBILE in manager.get(f"{API}/{ours.pk}").json()["subject"]  # may reveal
    done = _post(manager, f"{API}/{ours.pk}/assign", {"agent": "kf_a"})
    assert done.json()["assignee"] == "kf_a"
    assert _post(manager, f"{API}/{ours.pk}/assign", {"agent": "nobody"}).json()["field"] == "agent"
    # create: unknown order refused naming the field, nothing saved
    before = Ticket.objects.count()
    bad = _post(
        agent, API, {"kind": "complaint", "channel": "chat", "subject": "x", "order_id": "NOPE"}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "order_id"
    assert Ticket.objects.count() == before
    made = _post(agent, API, {"kind": "complaint", "channel": "chat", "subject": "破损"})
    assert made.status_code == 201
    # claim: the new ticket is nobody's; agent_a claims it, agent_c cannot see it
    new_id = made.json()["id"]
    services.assign(new_id, by=None, team="售后组")
    assert _post(agent, f"{API}/{new_id}/claim", {}).json()["assignee"] == "kf_a"
    assert _post(signed_in("agent_c"), f"{API}/{new_id}/claim", {}).status_code == 404
    assert signed_in("mkt").get(API).status_code == 403
