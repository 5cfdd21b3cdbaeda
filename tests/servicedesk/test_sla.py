"""The ticket's SLA clock from its history (refresh_ticket, sweep) and the breach counts.

Shop time Asia/Shanghai (UTC+8). Default targets (migration 0002): 普通 first response 60
min, resolution 720 min; 升级 15 / 900; at risk from 80 %. Default service hours 09:00-24:00
every day; an agent with a rota is measured on it instead."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.accounts.models import Agent
from guanxi.servicedesk.models import SlaState, State, Ticket, TicketEvent, Tier
from guanxi.servicedesk.sla import refresh_ticket, sweep
from guanxi.servicedesk.sla_selectors import breach_counts

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


def ticket(created: str, *, tier: str = Tier.ORDINARY, **fields) -> Ticket:
    return Ticket.objects.create(
        kind="complaint",
        channel="chat",
        subject="物流太慢",
        tier=tier,
        created_at=at(created),
        **fields,
    )


def move(t: Ticket, when: str, to: str) -> None:
    """A state change in the history, and the ticket's state with it."""
    TicketEvent.objects.create(
        ticket=t, at=at(when), action="state", from_value=t.state, to_value=to
    )
    t.state = to
    t.save(update_fields=["state"])


def refreshed(t: Ticket, now: str) -> Ticket:
    refresh_ticket(t, at(now))
    return Ticket.objects.get(pk=t.pk)


def test_on_track_then_at_risk_then_breached():
    t = ticket("2025-06-10 10:00")
    # 47 of 60 min = 78 % < 80 %: on track. Resolution due: 720 min = 12 h from 10:00 → 22:00.
    r = refreshed(t, "2025-06-10 10:47")
    assert (r.sla_state, r.first_response_seconds) == (SlaState.ON_TRACK, 47 * 60)
    assert r.first_response_due == at("2025-06-10 11:00")
    assert r.resolution_due == at("2025-06-10 22:00")
    # 48 of 60 = 80 %: at risk.
    assert refreshed(t, "2025-06-10 10:48").sla_state == SlaState.AT_RISK
    # 61 min with no response: breached (3,660 s > 3,600 s).
    r = refreshed(t, "2025-06-10 11:01")
    assert (r.sla_state, r.first_response_breached, r.first_response_seconds) == (
        SlaState.BREACHED,
        True,
        3660,
    )
    assert r.resolution_breached is False


def test_met_when_resolved_within_both_targets():
    t = ticket("2025-06-10 10:00", first_response_at=at("2025-06-10 10:30"))
    move(t, "2025-06-10 10:30", State.IN_PROGRESS)
    move(t, "2025-06-10 20:00", State.RESOLVED)
    t.resolved_at = at("2025-06-10 20:00")
    t.save()
    r = refreshed(t, "2025-06-12 12:00")
    # First response 30 min = 1,800 s; resolution 10:00 → 20:00 = 10 h = 36,000 s ≤ 43,200.
    assert (r.first_response_seconds, r.resolution_seconds) == (1800, 36000)
    assert r.sla_state == SlaState.MET
    assert (r.first_response_breached, r.resolution_breached) == (False, False)


def test_waiting_on_the_customer_pauses_both_clocks():
    t = ticket("2025-06-10 10:00", first_response_at=at("2025-06-10 10:10"))
    move(t, "2025-06-10 10:10", State.IN_PROGRESS)
    move(t, "2025-06-10 11:00", State.WAITING)
    r = refreshed(t, "2025-06-10 15:00")
    # Used 10:00 → 11:00 = 3,600 s; 11:00 → 15:00 paused. Due if it resumed now: 1 h used,
    # 11 h left from 15:00: 9 h to 24:00, then 2 h from Wed 09:00 → Wed 11:00.
    assert (r.sla_state, r.resolution_seconds) == (SlaState.PAUSED, 3600)
    assert r.resolution_due == at("2025-06-11 11:00")
    # Back in progress at 16:00, now 17:00: 1 h + 1 h = 7,200 s; the pause stays out.
    move(t, "2025-06-10 16:00", State.IN_PROGRESS)
    r = refreshed(t, "2025-06-10 17:00")
    assert (r.sla_state, r.resolution_seconds) == (SlaState.ON_TRACK, 7200)
    assert r.resolution_due == at("2025-06-11 12:00")  # paused 11:00-16:00 = 5 h: 22:00 + 5 h


def test_agent_rota_across_a_night_and_an_adjusted_working_saturday():
    # Rota 09:00-18:00 on working days, off on rest days; Sat 2025-10-11 is a 调休 working day.
    agent = Agent.objects.create(agent_id="kf1", name="小李", workday_hours="09:00-18:00")
    t = ticket("2025-10-10 17:30", assignee=agent)
    # Fri 17:30 → 18:00 (30 min) + Sat 09:00 → 09:20 (20 min) = 50 min = 83 % of 60: at risk.
    r = refreshed(t, "2025-10-11 09:20")
    assert (r.first_response_seconds, r.sla_state) == (3000, SlaState.AT_RISK)
    assert r.first_response_due == at("2025-10-11 09:30")
    # Without the rota (service hours 09:00-24:00): Fri 17:30 → 24:00 = 6.5 h: breached.
    t.assignee = None
    t.save()
    assert refreshed(t, "2025-10-11 09:20").first_response_seconds == 6 * 3600 + 30 * 60 + 20 * 60


def test_escalation_measures_the_new_tier_from_creation():
    t = ticket("2025-06-10 10:00")
    assert refreshed(t, "2025-06-10 10:20").sla_state == SlaState.ON_TRACK  # 20 of 60 min
    t.tier = Tier.ESCALATED
    t.save()
    # 升级: 15 min first response, counted from 10:00 → due 10:15; 20 min used: breached.
    r = refreshed(t, "2025-06-10 10:20")
    assert (r.sla_state, r.first_response_due) == (SlaState.BREACHED, at("2025-06-10 10:15"))
    # Resolution 900 min = 15 h from 10:00: 14 h to 24:00, 1 h on Wed → Wed 10:00.
    assert r.resolution_due == at("2025-06-11 10:00")


def test_reopened_ticket_resumes_the_resolution_clock():
    t = ticket("2025-06-10 10:00", first_response_at=at("2025-06-10 10:05"))
    move(t, "2025-06-10 10:05", State.IN_PROGRESS)
    move(t, "2025-06-10 12:00", State.RESOLVED)
    move(t, "2025-06-11 09:00", State.REOPENED)
    r = refreshed(t, "2025-06-11 10:00")
    # 10:00 → 12:00 (2 h) + Wed 09:00 → 10:00 (1 h) = 10,800 s; lying resolved is a pause.
    assert (r.resolution_seconds, r.sla_state) == (10800, SlaState.ON_TRACK)
    # Due: 2 h used Tuesday, 10 h left from Wed 09:00 → Wed 19:00.
    assert r.resolution_due == at("2025-06-11 19:00")


def test_sweep_refreshes_the_open_tickets_only():
    late = ticket("2025-06-10 08:00")  # before the 09:00 opening: the clock starts at 09:00
    fresh = ticket("2025-06-10 11:30")
    done = ticket("2025-06-10 09:00", state=State.CLOSED, closed_at=at("2025-06-10 09:30"))
    assert sweep(at("2025-06-10 11:45")) == 2
    late.refresh_from_db()
    fresh.refresh_from_db()
    done.refresh_from_db()
    # 09:00 → 11:45 = 165 min > 60: breached; 11:30 → 11:45 = 15 min: on track.
    assert (late.sla_state, late.first_response_seconds) == (SlaState.BREACHED, 165 * 60)
    assert (fresh.sla_state, fresh.first_response_seconds) == (SlaState.ON_TRACK, 900)
    assert (done.sla_state, done.first_response_due) == (SlaState.ON_TRACK, None)  # untouched


def test_breach_counts_per_agent_team_and_tier():
    a = Agent.objects.create(agent_id="kf1", name="小李", team="售后组")
    b = Agent.objects.create(agent_id="kf2", name="小王", team="售前组")
    rows = [
        (a, "售后组", Tier.ORDINARY, True, True),
        (a, "售后组", Tier.DIFFICULT, False, True),
        (b, "售前组", Tier.ORDINARY, False, False),
        (None, "", Tier.ESCALATED, True, False),
    ]
    for agent, team, tier, fr, res in rows:
        ticket(
            "2025-06-10 10:00",
            tier=tier,
            assignee=agent,
            team=team,
            first_response_breached=fr,
            resolution_breached=res,
        )
    got = {
        (r.dimension, r.key): (r.measured, r.first_response_breached, r.resolution_breached)
        for r in breach_counts(Ticket.objects.all())
    }
    assert got == {
        ("agent", ""): (1, 1, 0),
        ("agent", "kf1"): (2, 1, 2),  # fr: the ordinary one; res: both
        ("agent", "kf2"): (1, 0, 0),
        ("team", ""): (1, 1, 0),
        ("team", "售前组"): (1, 0, 0),
        ("team", "售后组"): (2, 1, 2),
        ("tier", "ordinary"): (2, 1, 1),
        ("tier", "difficult"): (1, 0, 1),
        ("tier", "escalated"): (1, 1, 0),
    }


def test_background_task_sweeps_and_would_requeue():
    from guanxi.servicedesk.models import SlaSettings
    from guanxi.servicedesk.sla_tasks import schedule_sweep, sla_sweep_task

    SlaSettings.objects.update_or_create(
        pk=1, defaults={"workday_hours": "00:00-24:00", "restday_hours": "00:00-24:00"}
    )
    late = Ticket.objects.create(
        kind="complaint",
        channel="chat",
        subject="未回复",
        created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=90),
    )
    result = sla_sweep_task.enqueue()  # the tests' backend runs it at once
    assert result.return_value == "1 tickets"
    late.refresh_from_db()
    assert late.sla_state == SlaState.BREACHED  # 90 of 60 min, round the clock
    assert schedule_sweep() is False  # the immediate backend cannot defer the next run


def test_sweep_leaves_a_ticket_changed_since_it_was_read(monkeypatch):
    from guanxi.servicedesk import sla

    t = ticket("2025-06-10 10:00")
    real = sla._save_readings

    def agent_answers_meanwhile(batch):
        # Between the sweep's read and its write, the ticket is saved (updated_at moves).
        Ticket.objects.get(pk=t.pk).save()
        real(batch)

    monkeypatch.setattr(sla, "_save_readings", agent_answers_meanwhile)
    assert sweep(at("2025-06-10 11:30")) == 1
    t.refresh_from_db()
    assert (t.sla_state, t.first_response_seconds) == (SlaState.ON_TRACK, None)  # not written
    monkeypatch.undo()
    sweep(at("2025-06-10 11:30"))
    t.refresh_from_db()
    assert (t.sla_state, t.first_response_seconds) == (SlaState.BREACHED, 90 * 60)
