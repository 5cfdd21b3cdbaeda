"""Reads behind the agent detail page and the conversation page: lake figures and rows.

The figures come from the lake's derived tables when they are current, else from the raw
messages of the agent's customers (the sessions that can matter for the period, as the
agent report does), so an agent's page never scans the shop's whole chat history.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from guanxi import lake
from guanxi.accounts.models import Agent
from guanxi.accounts.selectors import agent_schedules
from guanxi.core import pii
from guanxi.core.timeutil import Period
from guanxi.customers import selectors as customer_selectors
from guanxi.customers.models import Customer
from guanxi.imports.derived import figures_from_derived
from guanxi.ingest.pii import KnownValues, mask_free_text
from guanxi.metrics import agent_detail
from guanxi.metrics.agent_detail import AgentDay, ResponseDistribution, StageShare
from guanxi.metrics.agents import AgentReport, raw_facts, report_series
from guanxi.metrics.attribution import session_stages
from guanxi.metrics.chat import rounds
from guanxi.metrics.facts import ChatFacts, for_agents
from guanxi.performance import shop_settings

SLOWEST_LIMIT = 20
MESSAGE_LIMIT = 2000  # a conversation page shows at most this many messages


@contextmanager
def _agent_facts(agent_id: str, periods: list[Period]) -> Iterator[ChatFacts]:
    """The agents' facts for the agent's pages: the derived tables when current, else
    built from the raw messages of the agent's customers (``agent_detail.customers_of``:
    exact for this agent, a fraction of the shop's chats)."""
    shop = lake.get()
    if figures_from_derived():
        yield for_agents(shop.derived.facts())
        return
    with raw_facts(
        chat_messages=agent_detail.customers_of(shop.table("chat_messages"), agent_id),
        orders=shop.table("orders"),
        refunds=shop.table("refunds"),
        periods=periods,
        time_zone=settings.TIME_ZONE,
        rules=shop_settings.attribution_rules(),
    ) as built:
        yield for_agents(built)


def agent_days(agent_id: str, period: Period, facts: ChatFacts | None = None) -> list[AgentDay]:
    shop = lake.get()
    with _agent_facts(agent_id, [period]) if facts is None else nullcontext(facts) as f:
        return agent_detail.agent_days(
            shop.arrow,
            facts=f,
            orders=shop.table("orders"),
            period=period,
            time_zone=settings.TIME_ZONE,
            agent_id=agent_id,
            service_rules=shop_settings.service_rules(),
            attribution_rules=shop_settings.attribution_rules(),
        )


def response_distribution(
    agent_id: str, period: Period, facts: ChatFacts | None = None
) -> ResponseDistribution:
    shop = lake.get()
    with _agent_facts(agent_id, [period]) if facts is None else nullcontext(facts) as f:
        return agent_detail.response_distribution(
            f, period, agent_id, shop.arrow, rules=shop_settings.service_rules()
        )


def stage_mix(agent_id: str, period: Period, facts: ChatFacts | None = None) -> list[StageShare]:
    shop = lake.get()
    with _agent_facts(agent_id, [period]) if facts is None else nullcontext(facts) as f:
        return agent_detail.stage_mix(shop.arrow, f, period, agent_id)


def slowest_rounds(
    agent_id: str,
    period: Period,
    limit: int = SLOWEST_LIMIT,
    facts: ChatFacts | None = None,
) -> list[dict[str, Any]]:
    shop = lake.get()
    with _agent_facts(agent_id, [period]) if facts is None else nullcontext(facts) as f:
        return list(shop.arrow(agent_detail.slowest_rounds(f, period, agent_id, limit)).to_pylist())


def agent_reports_of(
    agent_id: str, periods: list[Period], facts: ChatFacts | None = None
) -> list[AgentReport | None]:
    """The agent report's figures of one agent for each of ``periods`` (None: no chat or
    sales in it)."""
    shop = lake.get()
    with _agent_facts(agent_id, periods) if facts is None else nullcontext(facts) as f:
        series = report_series(
            f,
            orders=shop.table("orders"),
            refunds=shop.table("refunds"),
            periods=periods,
            time_zone=settings.TIME_ZONE,
            arrow=shop.arrow,
            service_rules=shop_settings.service_rules(),
            attribution_rules=shop_settings.attribution_rules(),
            platform_rules=shop_settings.platform_rules(),
            schedules={a: s for a, s in agent_schedules().items() if a == agent_id},
        )
    return [next((r for r in reports if r.unit == agent_id), None) for reports in series]


def agent_report(agent_id: str, period: Period) -> AgentReport | None:
    return agent_reports_of(agent_id, [period])[0]


def agent_has_rota(agent_id: str) -> bool:
    """Whether the agent has a rota (排班), i.e. business-time figures (the report's rule)."""
    return agent_id in agent_schedules()


def masked_names(customer_keys: list[str]) -> dict[str, str]:
    """customer_key → the masked name from the master (张*), for the keys that have one.

    Only masked names leave this function: pages about chats never show personal data."""
    customers = Customer.objects.filter(customer_key__in=set(customer_keys)).only(
        "customer_key", "name"
    )
    return {c.customer_key: pii.mask_name(c.name) for c in customers if c.name}


def agent_name(agent_id: str) -> str:
    return Agent.objects.filter(agent_id=agent_id).values_list("name", flat=True).first() or ""


@dataclass(frozen=True)
class AgentDetail:
    agent_id: str
    name: str
    period: Period
    current: AgentReport | None  # None: the agent has no chat or sales in the period
    previous: AgentReport | None
    days: list[AgentDay]
    distribution: ResponseDistribution
    stages: list[StageShare]
    slowest: list[dict[str, Any]]
    customer_names: dict[str, str]
    has_rota: bool  # business-time figures exist only for agents with a rota

    @property
    def has_data(self) -> bool:
        return self.current is not None


def agent_overview(agent_id: str, period: Period) -> AgentDetail:
    """Everything the agent detail page shows for ``period`` (and the report of the one
    before, for comparison), from one set of facts."""
    has_rota = agent_has_rota(agent_id)
    previous_period = period.previous()
    cover = Period(min(period.start, previous_period.start), max(period.end, previous_period.end))
    with _agent_facts(agent_id, [cover]) as facts:
        current, previous = agent_reports_of(agent_id, [period, previous_period], facts)
        if current is None:  # nothing to chart: the page says so rather than showing zeros
            return AgentDetail(
                agent_id=agent_id,
                name=agent_name(agent_id),
                period=period,
                current=None,
                previous=previous,
                days=[],
                distribution=ResponseDistribution(0, [], None, None),
                stages=[],
                slowest=[],
                customer_names={},
                has_rota=has_rota,
            )
        slowest = slowest_rounds(agent_id, period, facts=facts)
        return AgentDetail(
            agent_id=agent_id,
            name=agent_name(agent_id),
            period=period,
            current=current,
            previous=previous,
            days=agent_days(agent_id, period, facts),
            distribution=response_distribution(agent_id, period, facts),
            stages=stage_mix(agent_id, period, facts),
            slowest=slowest,
            customer_names=masked_names([r["customer_key"] for r in slowest if r["customer_key"]]),
            has_rota=has_rota,
        )


# -- one conversation -------------------------------------------------------------------------
@dataclass(frozen=True)
class Conversation:
    """A session's messages in order (system messages too, shown but never counted), each
    non-system one with its ``round_no``/``round_start``, and the session's rounds."""

    session_id: str
    platform: str
    customer_key: str
    messages: list[dict[str, Any]]
    rounds: list[dict[str, Any]]
    stage: str  # pre_sale | in_sale | after_sale, "" when the customer never wrote
    agents: frozenset[str]  # the agents who sent a message in it
    truncated: bool


def masked_conversation(conversation: Conversation) -> Conversation:
    """The conversation with its text masked against what the master knows of its customer
    (for viewers who may not reveal personal data; text stored before a rule existed)."""
    key = conversation.customer_key
    known = customer_selectors.known_values([key]).get(key, KnownValues()) if key else KnownValues()
    texts = mask_free_text([m["text"] or "" for m in conversation.messages], known)
    messages = [m | {"text": t} for m, t in zip(conversation.messages, texts, strict=True)]
    return dataclasses.replace(conversation, messages=messages)


def conversation(session_id: str) -> Conversation | None:
    shop = lake.get()
    chats = shop.table("chat_messages")
    mine = chats.filter(chats.session_id == session_id)
    raw = shop.arrow(mine.order_by(["sent_at", "message_id"]).limit(MESSAGE_LIMIT + 1))
    rows = list(raw.to_pylist())
    if not rows:
        return None
    # Rounds numbered as ``service.rounds`` numbers them: a customer message whose previous
    # (non-system) message is not a customer's opens the next round. One session is small,
    # so this walks its messages in order here instead of running a window query.
    messages = []
    round_no = 0
    previous_sender: str | None = None
    for row in rows[:MESSAGE_LIMIT]:
        sender = row["sender"]
        starts = sender == "customer" and previous_sender != "customer"
        round_no += 1 if starts else 0
        messages.append(
            row
            | {
                # every message carries the round it follows (agents' replies included)
                "round_no": round_no if sender != "system" and round_no else None,
                "round_start": starts,
                # The first agent message after a customer's is the reply to that round.
                "answers_round": sender == "agent" and previous_sender == "customer",
            }
        )
        if sender != "system":
            previous_sender = sender
    stage = shop.arrow(session_stages(mine, shop.table("orders")).select("stage")).to_pylist()
    spoke = mine.filter((mine.sender == "agent") & mine.agent_id.notnull())
    agents = shop.arrow(spoke.select("agent_id").distinct()).column("agent_id").to_pylist()
    keys = [r["customer_key"] for r in rows if r["customer_key"]]
    return Conversation(
        session_id=session_id,
        platform=rows[0]["platform"],
        customer_key=keys[0] if keys else "",
        messages=messages,
        rounds=list(shop.arrow(rounds(mine).order_by("round_no")).to_pylist()),
        stage=stage[0]["stage"] if stage else "",
        agents=frozenset(agents),
        truncated=len(rows) > MESSAGE_LIMIT,
    )
