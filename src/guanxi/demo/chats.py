"""Customer-service chats of one month: sessions, rounds and messages, vectorised.

Sessions come from the month's business: a pre-sale chat before each consulted order (won),
pre-sale chats that sell nothing (lost; per agent ``won × (1 − conversion) / conversion``, so
each agent's inquiry conversion comes out as designed), "when do you ship?" chats between
payment and shipping, logistics chats in transit and after-sale chats around refunds.

A session is a run of rounds: 1–3 customer messages, then (if answered) 1–3 agent messages
after the agent's response delay (slower at night and on promotion days). Only a session's
last round can stay unanswered — an earlier one would merge with the next by definition —
and some night inquiries get no answer at all. A few sessions are transferred: a system
message "会话已转接给 …" and a second agent from then on. Every step is an array operation
over all sessions, rounds or messages of the month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guanxi.demo import rhythm, texts
from guanxi.demo.aftersales import MonthRefunds
from guanxi.demo.catalog import AGENTS, agent_array
from guanxi.demo.columns import NO_TIME
from guanxi.demo.orders import DAY, HOUR, SECOND, MonthOrders
from guanxi.demo.people import Population

CUSTOMER, AGENT, SYSTEM = range(3)  # index into guanxi.lake.schema.SENDERS
AFTERSALE_AGENT = len(AGENTS) - 1  # 晓晓 takes transferred after-sale cases


@dataclass
class MonthChats:
    sessions: int
    session: np.ndarray  # session number within the month, per message
    customer: np.ndarray
    agent: np.ndarray  # -1 for customer and system messages
    sender: np.ndarray
    sent_at: np.ndarray
    text: np.ndarray  # index into texts.CHAT_TEXTS


@dataclass
class _Sessions:
    kind: np.ndarray
    customer: np.ndarray
    agent: np.ndarray
    start: np.ndarray


def _pick_agents(rng: np.random.Generator, n: int, share: str) -> np.ndarray:
    weights = agent_array(share)
    return rng.choice(len(AGENTS), size=n, p=weights / weights.sum())


def _sessions(
    rng: np.random.Generator, pop: Population, o: MonthOrders, r: MonthRefunds, month: int
) -> _Sessions:
    parts: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []

    won = np.flatnonzero(o.agent >= 0)
    lag = np.select(
        [rng.random(len(won)) < 0.6, rng.random(len(won)) < 0.75],
        [rng.uniform(2, 30, len(won)) * 60, rng.uniform(0.5, 6, len(won)) * 3600],
        rng.uniform(6, 20, len(won)) * 3600,
    )
    won_start = o.created[won] - (lag * SECOND).astype(np.int64)
    parts.append((texts.PRESALE_WON, o.customer[won], o.agent[won], won_start))

    # Lost inquiries: as many per agent as its conversion rate implies.
    conversion = agent_array("conversion")
    won_by_agent = np.bincount(o.agent[won], minlength=len(AGENTS))
    lost_by_agent = rng.poisson(won_by_agent * (1 - conversion) / conversion)
    lost_agent = np.repeat(np.arange(len(AGENTS)), lost_by_agent)
    days = rhythm.month_days(month)
    weights = rhythm.day_weights()[days]
    lost_day = rng.choice(days, size=len(lost_agent), p=weights / weights.sum())
    present = (pop.join_day <= days[-1]) & (pop.churn_day > days[0])
    p = pop.activity * present * np.where(pop.never_buys, 3.0, 1.0)
    lost_customer = rng.choice(pop.size, size=len(lost_agent), p=p / p.sum())
    lost_start = rhythm.to_utc_us(lost_day, rhythm.seconds_of_day(rng, lost_day))
    parts.append((texts.PRESALE_LOST, lost_customer, lost_agent, lost_start))

    paid = np.flatnonzero((o.paid != NO_TIME) & (rng.random(o.size) < 0.12))
    wait = np.where(o.shipped[paid] != NO_TIME, o.shipped[paid] - o.paid[paid], DAY)
    start = o.paid[paid] + (rng.uniform(0.2, 0.9, len(paid)) * wait).astype(np.int64)
    parts.append((texts.INSALE, o.customer[paid], _pick_agents(rng, len(paid), "aftersale_share"),
                  start))  # fmt: skip

    moving = np.flatnonzero((o.signed != NO_TIME) & (rng.random(o.size) < 0.1))
    transit = o.signed[moving] - o.shipped[moving]
    start = o.shipped[moving] + (rng.uniform(0.2, 0.9, len(moving)) * transit).astype(np.int64)
    parts.append((texts.LOGISTICS, o.customer[moving],
                  _pick_agents(rng, len(moving), "aftersale_share"), start))  # fmt: skip

    asked = np.flatnonzero(rng.random(r.size) < 0.75)
    order = r.order[asked]
    base = np.where(r.preship[asked], o.paid[order], o.signed[order])
    base = np.where(base == NO_TIME, o.paid[order], base)
    room = np.minimum(2 * HOUR, r.requested[asked] - base)
    start = r.requested[asked] - (rng.random(len(asked)) * room).astype(np.int64)
    parts.append((texts.RETURN, o.customer[order],
                  _pick_agents(rng, len(asked), "aftersale_share"), start))  # fmt: skip

    kind = np.concatenate([np.full(len(c), k) for k, c, _, _ in parts])
    sessions = _Sessions(
        kind=kind,
        customer=np.concatenate([c for _, c, _, _ in parts]).astype(np.int64),
        agent=np.concatenate([a for _, _, a, _ in parts]).astype(np.int64),
        start=np.concatenate([s for _, _, _, s in parts]),
    )
    # Sessions after the snapshot have not happened; time order makes ids follow time.
    keep = np.flatnonzero(sessions.start < rhythm.AS_OF_US - HOUR)
    keep = keep[np.argsort(sessions.start[keep], kind="stable")]
    return _Sessions(*(getattr(sessions, f)[keep] for f in ("kind", "customer", "agent", "start")))


def generate(
    rng: np.random.Generator, pop: Population, o: MonthOrders, r: MonthRefunds, month: int
) -> MonthChats:
    s = _sessions(rng, pop, o, r, month)
    n = len(s.kind)
    night = rhythm.local_hour(s.start) < 8
    rounds = np.where(s.kind == texts.PRESALE_WON, rng.integers(2, 6, n), rng.integers(1, 5, n))
    silent = (s.kind == texts.PRESALE_LOST) & (rng.random(n) < np.where(night, 0.25, 0.03))
    rounds = np.where(silent, 1, rounds)
    transfer_p = np.where(s.kind == texts.RETURN, 0.12, 0.04)
    transfer = ~silent & (rounds >= 2) & (rng.random(n) < transfer_p)
    transfer_round = np.where(transfer, rng.integers(1, 1 << 30, n) % np.maximum(rounds - 1, 1) + 1,
                              -1)  # fmt: skip
    agent2 = np.where(
        (s.kind == texts.RETURN) & (s.agent != AFTERSALE_AGENT),
        AFTERSALE_AGENT,
        (s.agent + rng.integers(1, len(AGENTS), n)) % len(AGENTS),
    )
    last_agent = np.where(transfer, agent2, s.agent)
    miss = (1 - agent_array("reply_rate")[last_agent]) * np.where(night, 3.0, 1.0)
    unanswered_last = silent | (rng.random(n) < miss)
    slowdown = np.where(night, 4.0, 1.0) * np.where(
        rhythm.PROMO[np.clip(rhythm.local_day(s.start), 0, rhythm.DAYS - 1)], 1.5, 1.0
    )

    # Rounds.
    sr = np.repeat(np.arange(n), rounds)
    first_round = np.cumsum(rounds) - rounds
    rr = np.arange(len(sr)) - first_round[sr]
    last = rr == rounds[sr] - 1
    c = rng.choice([1, 2, 3], size=len(sr), p=[0.65, 0.27, 0.08])
    answered = ~(last & unanswered_last[sr])
    answerer = np.where(transfer[sr] & (rr >= transfer_round[sr]), agent2[sr], s.agent[sr])
    a = answered * rng.choice([1, 2, 3], size=len(sr), p=[0.65, 0.28, 0.07])
    sys = (rr == transfer_round[sr]).astype(np.int64)
    gap_c = rng.uniform(4, 40, len(sr))
    median = agent_array("response_seconds")[answerer]
    delay = np.clip(rng.lognormal(np.log(median), 0.6) * slowdown[sr], 2, 1800)
    gap_a = rng.uniform(5, 30, len(sr))
    duration = (c - 1) * gap_c + (a > 0) * (delay + np.maximum(a - 1, 0) * gap_a)
    think = np.clip(rng.lognormal(np.log(40), 1.0, len(sr)), 5, 1800)
    step = duration + think
    before = np.cumsum(step) - step
    offset = before - before[first_round[sr]]
    round_start = s.start[sr] + (offset * SECOND).astype(np.int64)

    # Messages: [system transfer], customer × c, agent × a in each round.
    per_round = sys + c + a
    rm = np.repeat(np.arange(len(sr)), per_round)
    j = np.arange(len(rm)) - (np.cumsum(per_round) - per_round)[rm]
    jj = j - sys[rm]
    is_sys = (sys[rm] == 1) & (j == 0)
    cr = c[rm]
    is_cust = ~is_sys & (jj < cr)
    k = jj - cr
    seconds = np.select(
        [is_sys, is_cust],
        [np.full(len(rm), -2.0), jj * gap_c[rm]],
        (cr - 1) * gap_c[rm] + delay[rm] + k * gap_a[rm],
    )
    sent_at = round_start[rm] + (seconds * SECOND).astype(np.int64)
    sender = np.select([is_sys, is_cust], [SYSTEM, CUSTOMER], AGENT)
    session = sr[rm]
    r_of_m = rr[rm]
    is_last = last[rm]
    slot = np.select(
        [
            is_sys,
            is_cust & (r_of_m == 0) & (jj == 0),
            is_cust & is_last & (jj == cr - 1),
            is_cust,
            (k == 0) & ((r_of_m == 0) | (r_of_m == transfer_round[session])),
            is_last & (k == a[rm] - 1),
        ],
        [-1, texts.OPEN, texts.CUSTOMER_CLOSE, texts.ASK, texts.GREET, texts.AGENT_CLOSE],
        texts.ANSWER,
    )
    text = texts.chat_text_index(rng, slot, s.kind[session], agent2[session])
    return MonthChats(
        sessions=n,
        session=session,
        customer=s.customer[session],
        agent=np.where(sender == AGENT, answerer[rm], -1),
        sender=sender,
        sent_at=sent_at,
        text=text,
    )
