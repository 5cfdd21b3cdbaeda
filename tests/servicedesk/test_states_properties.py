"""The ticket life cycle under any sequence of actions (transition to any state, classify,
escalate, assign, claim, notes, reopen): it never reaches an invalid state — resolved_at is
set exactly in the finished states, closed_at exactly when closed, the state is always one
``states.MOVES`` leads to — every accepted change is in the history with the right
from→to, and a refused change leaves the ticket and its history as they were."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.accounts.models import Agent
from guanxi.servicedesk import services, states
from guanxi.servicedesk.models import Category, State, Ticket, TicketEvent, Tier

START = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)

action = st.one_of(
    st.tuples(st.just("move"), st.sampled_from(State.values)),
    st.tuples(st.just("classify"), st.sampled_from(Category.values)),
    st.tuples(st.just("escalate"), st.sampled_from(Tier.values), st.sampled_from(["", "315"])),
    st.tuples(st.just("assign"), st.integers(0, 1)),
    st.tuples(st.just("claim"), st.integers(0, 1)),
    st.tuples(st.just("note"), st.sampled_from(["", "已回电"]), st.booleans()),
)


def _check(ticket: Ticket) -> None:
    assert ticket.state in State.values
    assert (ticket.resolved_at is not None) == (ticket.state in states.FINISHED), ticket.state
    assert (ticket.closed_at is not None) == (ticket.state == State.CLOSED)
    if ticket.state == State.CLASSIFIED:
        assert ticket.category
    moves = list(ticket.events.filter(action="state").values_list("from_value", "to_value"))
    # the recorded moves chain up and each was allowed
    for (_, before), (after_from, _after) in itertools.pairwise(moves):
        assert before == after_from
    assert all(states.allowed(a, b) for a, b in moves)
    created = ticket.events.get(action="created")
    assert (moves[-1][1] if moves else created.to_value) == ticket.state
    assert ticket.reopen_count == sum(1 for _, b in moves if b == State.REOPENED)


def _do(ticket: Ticket, step: tuple, agents: list[Agent], at: dt.datetime) -> None:
    kind = step[0]
    if kind == "move":
        services.transition(ticket.pk, step[1], by=None, at=at)
    elif kind == "classify":
        services.classify(ticket.pk, step[1], by=None, at=at)
    elif kind == "escalate":
        services.escalate(ticket.pk, step[1], step[2], by=None, at=at)
    elif kind == "assign":
        services.assign(ticket.pk, by=None, agent=agents[step[1]], at=at)
    elif kind == "claim":
        services.claim(ticket.pk, agents[step[1]], by=None, at=at)
    else:
        services.add_note(ticket.pk, step[1], by=None, reply=step[2], at=at)


def _replay(steps: list[tuple]) -> None:
    agents = [Agent.objects.create(agent_id=f"p{i}", name=f"客服{i}", team="甲组") for i in (0, 1)]
    ticket = services.create_ticket(kind="complaint", channel="chat", subject="破损", at=START)
    _check(ticket)
    for n, step in enumerate(steps, start=1):
        at = START + dt.timedelta(minutes=n)
        before = model_to_dict(Ticket.objects.get(pk=ticket.pk))
        events_before = list(TicketEvent.objects.filter(ticket=ticket).values_list("id", flat=True))
        state_before = before["state"]
        try:
            _do(ticket, step, agents, at)
        except services.TicketError:
            after = model_to_dict(Ticket.objects.get(pk=ticket.pk))
            assert after == before, step  # refused: nothing changed …
            assert (
                list(TicketEvent.objects.filter(ticket=ticket).values_list("id", flat=True))
                == events_before
            )  # … and nothing recorded
            continue
        ticket = Ticket.objects.get(pk=ticket.pk)
        new = list(TicketEvent.objects.filter(ticket=ticket).exclude(id__in=events_before))
        if step[0] == "claim" and before["assignee"] == agents[step[1]].pk:
            assert new == []  # claiming one's own ticket again is no change
        else:
            assert new and all(e.at == at for e in new), step  # every accepted change recorded
        if step[0] == "move":
            assert [(e.from_value, e.to_value) for e in new if e.action == "state"] == [
                (state_before, step[1])
            ]
            assert states.allowed(state_before, step[1])
        _check(ticket)


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(action, max_size=25))
def test_no_sequence_of_actions_reaches_an_invalid_state(steps: list[tuple]) -> None:
    with transaction.atomic():
        _replay(steps)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_full_life_cycle_and_the_refusals_it_meets():
    # One hand-written walk through every state (the property test's shape, made explicit).
    _replay(
        [
            ("move", "closed"),  # refused: received → closed is not a move
            ("classify", "logistics"),  # received → classified
            ("move", "in_progress"),
            ("move", "waiting"),
            ("move", "resolved"),
            ("move", "feedback"),
            ("move", "closed"),
            ("note", "还有问题", False),  # refused: closed
            ("move", "reopened"),
            ("move", "resolved"),
        ]
    )
