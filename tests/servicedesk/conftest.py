"""Shared service-desk fixtures: a manager, two agents of one team and one of another,
each login linked (Profile.agent_id) to a roster Agent, and a marketing user; plus a
signed-in client per role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client

from guanxi.accounts.models import Agent


@dataclass(frozen=True)
class Desk:
    manager: User
    agent_a: User  # 售后组
    agent_b: User  # 售后组
    agent_c: User  # 售前组
    marketing: User
    a: Agent
    b: Agent
    c: Agent


@pytest.fixture
def desk(make_user) -> Desk:
    a = Agent.objects.create(agent_id="kf_a", name="小安", team="售后组")
    b = Agent.objects.create(agent_id="kf_b", name="小白", team="售后组")
    c = Agent.objects.create(agent_id="kf_c", name="小陈", team="售前组")
    make_user("manager", "mgr")
    make_user("agent", "agent_a", agent_id="kf_a")
    make_user("agent", "agent_b", agent_id="kf_b")
    make_user("agent", "agent_c", agent_id="kf_c")
    make_user("marketing", "mkt")
    users = {u.username: u for u in User.objects.all()}
    return Desk(
        users["mgr"], users["agent_a"], users["agent_b"], users["agent_c"], users["mkt"], a, b, c
    )


@pytest.fixture
def signed_in(desk: Desk):
    """``signed_in("agent_a")`` → a test client signed in as that user."""

    def sign(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return sign
