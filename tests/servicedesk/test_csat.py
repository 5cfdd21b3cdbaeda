"""CSAT after resolution: the signed link (single use, expiry, tampering), the public page
without login, the agent's entry from a call, and the per-agent/team/tier figures checked
against a hand computation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from guanxi.accounts.models import Agent
from guanxi.servicedesk import csat, services
from guanxi.servicedesk.models import CsatRequest, State, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC)


def _resolved(subject: str = "快递慢", *, agent: Agent | None = None, tier: str = "ordinary"):
    ticket = services.create_ticket(
        kind="complaint", channel="chat", subject=subject, category="logistics", tier=tier, at=T0
    )
    if agent is not None:
        services.assign(ticket.pk, by=None, agent=agent, at=T0)
    return services.transition(ticket.pk, State.RESOLVED, by=None, at=T0)


def test_a_link_is_answered_once_and_moves_the_ticket_to_feedback():
    ticket = _resolved()
    (made,) = ticket.csat.all()  # resolving made the link (services.transition's hook)
    request = csat.request_for(ticket, T0)
    assert request is not None
    assert request == made and request.expires_at == T0 + dt.timedelta(days=7)
    assert csat.request_for(ticket, T0 + dt.timedelta(hours=1)) == request  # the open one
    token = csat.token_for(request)

    csat.answer(token, "4", "  送货慢了点，客服态度好  ", T0 + dt.timedelta(days=1))

    request.refresh_from_db()
    ticket.refresh_from_db()
    assert (request.rating, request.comment) == (4, "送货慢了点，客服态度好")
    assert ticket.state == State.FEEDBACK
    event = TicketEvent.objects.get(ticket=ticket, action="csat")
    assert (event.from_value, event.to_value) == ("link", "4")
    with pytest.raises(csat.CsatError) as caught:
        csat.answer(token, 5, "", T0 + dt.timedelta(days=1))
    assert caught.value.code == "used"
    assert csat.request_for(ticket, T0) is None  # rated: no new link


def test_expired_tampered_and_bad_answers_are_refused_and_change_nothing():
    ticket = _resolved()
    request = csat.request_for(ticket, T0)
    assert request is not None
    token = csat.token_for(request)
    # 7 days × 24 h after T0 the link is closed (expires_at <= now).
    with pytest.raises(csat.CsatError) as caught:
        csat.answer(token, 5, "", T0 + dt.timedelta(days=7))
    assert caught.value.code == "expired"
    for altered in (token[:-1] + ("A" if token[-1] != "A" else "B"), token + "x", "abc"):
        with pytest.raises(csat.CsatError) as caught:
            csat.answer(altered, 5, "", T0)
        assert caught.value.code == "tampered"
    for rating in ("0", "6", "好", ""):
        with pytest.raises(csat.CsatError) as caught:
            csat.answer(token, rating, "", T0)
        assert caught.value.field == "rating"
    with pytest.raises(csat.CsatError) as caught:
        csat.answer(token, 3, "长" * 1001, T0)
    assert caught.value.field == "comment"
    request.refresh_from_db()
    ticket.refresh_from_db()
    assert (request.answered_at, ticket.state) == (None, State.RESOLVED)
    assert not TicketEvent.objects.filter(action="csat").exists()


def test_an_agent_enters_a_rating_from_a_call():
    user = _user("agent1")
    open_ticket = services.create_ticket(kind="inquiry", channel="phone", subject="x", at=T0)
    with pytest.raises(csat.CsatError) as caught:
        csat.enter_from_call(open_ticket.pk, 5, "", by=user, at=T0)
    assert caught.value.field == "state"
    ticket = _resolved()
    link = csat.request_for(ticket, T0)
    assert link is not None
    entry = csat.enter_from_call(ticket.pk, 2, "电话里说还没收到退款", by=user, at=T0)
    assert (entry.source, entry.entered_by, entry.rating) == ("agent", user, 2)
    with pytest.raises(csat.CsatError) as caught:  # the link sent before is closed now
        csat.answer(csat.token_for(link), 5, "", T0)
    assert caught.value.code in ("used", "expired")
    with pytest.raises(csat.CsatError):
        csat.enter_from_call(ticket.pk, 3, "", by=user, at=T0)


def _user(name: str):
    from django.contrib.auth.models import User

    from guanxi.accounts.services import roles_ensure, user_create

    roles_ensure()
    return User.objects.get(username=user_create(username=name, role="agent").username)


def test_csat_summary_per_agent_team_and_tier_by_hand():
    a = Agent.objects.create(agent_id="a", name="甲", team="售前")
    b = Agent.objects.create(agent_id="b", name="乙", team="售后")
    ratings = [(a, "ordinary", 5), (a, "ordinary", 3), (a, "difficult", 4), (b, "difficult", 1)]
    for agent, tier, rating in ratings:
        ticket = _resolved(agent=agent, tier=tier)
        request = csat.request_for(ticket, T0)
        assert request is not None
        csat.answer(csat.token_for(request), rating, "", T0)
    unanswered = _resolved(agent=b, tier="ordinary")
    csat.request_for(unanswered, T0)  # asked, never answered

    rows = {(r.dimension, r.key): r for r in csat.csat_summary(Ticket.objects.all())}

    # All: asked 5, answered 4, mean (5+3+4+1)/4 = 3.25, satisfied (5, 4) = 2 → 50.0 %.
    total = rows[("all", "")]
    assert (total.asked, total.answered, total.mean, total.satisfied) == (5, 4, 3.25, 2)
    assert (total.csat_pct, total.response_pct) == (50.0, 80.0)
    # 甲: 5, 3, 4 → mean 12/3 = 4.0, satisfied 2/3 = 66.7 %.
    assert (rows[("agent", "a")].mean, rows[("agent", "a")].csat_pct) == (4.0, 66.7)
    assert rows[("agent", "a")].label == "甲"
    # 乙: one answer (1) of two asked → mean 1.0, 0 %, response 50 %.
    b_row = rows[("agent", "b")]
    assert (b_row.asked, b_row.answered, b_row.mean, b_row.csat_pct) == (2, 1, 1.0, 0.0)
    assert b_row.response_pct == 50.0
    # Teams follow the agents: 售前 = 甲, 售后 = 乙.
    assert rows[("team", "售前")].mean == 4.0 and rows[("team", "售后")].answered == 1
    # 普通: 5, 3 (+1 unanswered) → mean 4.0, 1 of 2 satisfied = 50.0 %.
    ordinary = rows[("tier", "ordinary")]
    assert (ordinary.asked, ordinary.mean, ordinary.csat_pct) == (3, 4.0, 50.0)
    # 疑难: 4, 1 → mean 2.5, 1 of 2 = 50.0 %.
    difficult = rows[("tier", "difficult")]
    assert (difficult.mean, difficult.satisfied, difficult.csat_pct) == (2.5, 1, 50.0)
    # A narrower queryset narrows the figures: 甲's tickets only.
    only_a = csat.csat_summary(Ticket.objects.filter(assignee=a))
    assert [r.answered for r in only_a if r.dimension == "all"] == [3]
    assert csat.csat_summary(Ticket.objects.none()) == []


def test_the_public_page_works_without_login(client):
    ticket = _resolved()
    request = csat.request_for(ticket, None)
    assert request is not None
    url = reverse("servicedesk:csat_answer", args=[csat.token_for(request)])

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert b'name="rating"' in page.content
    wrong = client.post(url, {"rating": "9", "comment": "很好"})
    assert wrong.status_code == 400 and b'id="csat-error"' in wrong.content
    assert "很好" in wrong.content.decode()  # what the customer typed is kept
    done = client.post(url, {"rating": "5", "comment": "很好"})
    assert done.status_code == 200
    assert CsatRequest.objects.get(pk=request.pk).rating == 5
    again = client.get(url)
    assert again.status_code == 410
    assert "已经使用".encode() in again.content
    bad = client.get(url[:-3] + "xx/")
    assert bad.status_code == 404
    refused = client.post(url[:-2] + "/", {"rating": "9"})
    assert refused.status_code in (404, 410)
