"""Weak metrics get their causes and remedies: bottom quartile, or a failing scorecard band."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from guanxi.metrics import scorecard
from guanxi.metrics.agents import KEYS, AgentReport
from guanxi.metrics.diagnosis import diagnose

BASE = AgentReport(
    unit="x",
    **dict.fromkeys(KEYS)
    | {  # type: ignore[arg-type]
        "consulting_customers": 10,
        "received_customers": 10,
        "inquirers": 10,
        "sales_amount": Decimal("100.00"),
        "sales_units": 1,
        "buyers": 1,
        "slow_response_customers": 0,
        "returns": 0,
    },
)


def _agent(agent_id: str, **values: object) -> AgentReport:
    return dataclasses.replace(BASE, unit=agent_id, **values)  # type: ignore[arg-type]


def test_bottom_quartile_and_scorecard_bands() -> None:
    team = [
        _agent("a", avg_response_seconds=Decimal(10)),
        _agent("b", avg_response_seconds=Decimal(20)),
        _agent("c", avg_response_seconds=Decimal(30)),
        _agent("d", avg_response_seconds=Decimal(90), returns=25),
    ]
    card = scorecard.load(None, KEYS)
    found = diagnose(team, card)
    # d is the slowest of four (the worst quarter) and its 90 s scores 0 on the card (> 40 s).
    slow = next(f for f in found["d"] if f.metric == "avg_response_seconds")
    assert slow.why == "bottom quartile; scorecard score 0"
    assert "快捷短语" in slow.remedies and "60" in slow.remedies
    returns = next(f for f in found["d"] if f.metric == "returns")
    assert returns.why == "bottom quartile; scorecard score 0"  # 25 returns ≥ 20 → 0
    assert found["a"] == [] and found["b"] == []
    # c's 30 s is not the worst quarter and scores 80: no finding.
    assert all(f.metric != "avg_response_seconds" for f in found["c"])


def test_ties_with_the_best_are_not_weak() -> None:
    team = [_agent(x) for x in "abcd"]  # everyone sold ¥100 and returned nothing
    assert diagnose(team) == {x: [] for x in "abcd"}


def test_a_failing_band_without_a_quartile_is_reported_with_its_score() -> None:
    card = scorecard.load(None, KEYS)
    found = diagnose([_agent("solo", avg_response_seconds=Decimal(90))], card)
    (finding,) = [f for f in found["solo"] if f.metric == "avg_response_seconds"]
    assert (finding.quartile, finding.band_score, finding.why) == (
        False,
        Decimal(0),
        "scorecard score 0",
    )


def test_a_quartile_finding_without_a_scorecard_item() -> None:
    team = [
        _agent(x, sales_amount=Decimal(v))
        for x, v in zip("abcd", (400, 300, 200, 100), strict=True)
    ]
    found = diagnose(team, scorecard.load(None, KEYS))
    (finding,) = [f for f in found["d"] if f.metric == "sales_amount"]
    assert (finding.quartile, finding.band_score, finding.why) == (True, None, "bottom quartile")
    assert "商品知识" in finding.causes


def test_findings_speak_english_too() -> None:
    found = diagnose([_agent("solo", avg_response_seconds=Decimal(90))], scorecard.load(None, KEYS))
    (finding,) = [f for f in found["solo"] if f.metric == "avg_response_seconds"]
    assert "typing practice" in finding.remedies_en and finding.causes_en


def test_quartiles_rank_each_agent_within_their_team() -> None:
    """Four pre-sale agents sell 100–400, four after-sale agents 10–40. Ranked together,
    every after-sale agent is in the worst quarter's reach (the cut is the 2nd lowest of 8,
    20); ranked within their 客服组, only each team's lowest seller is (100 and 10)."""
    pre = [_agent(f"p{i}", sales_amount=Decimal(100 * i)) for i in range(1, 5)]
    post = [_agent(f"a{i}", sales_amount=Decimal(10 * i)) for i in range(1, 5)]
    team = pre + post

    def weak(found: dict[str, list]) -> set[str]:
        return {a for a, fs in found.items() if any(f.metric == "sales_amount" for f in fs)}

    assert weak(diagnose(team)) == {"a1", "a2"}  # nearest rank: ceil(8 / 4) = 2nd worst
    peers = {r.unit: ("售前组" if r.unit.startswith("p") else "售后组") for r in team}
    assert weak(diagnose(team, peers=peers)) == {"p1", "a1"}  # ceil(4 / 4) = the worst
    # A team of fewer than 4 has no quartile: a lone after-sale pair is not ranked. The six
    # in no team (100–400, 30, 40) are cut at their 2nd lowest, ceil(6 / 4) = 2: 40.
    pair = {"a1": "售后组", "a2": "售后组"}
    assert weak(diagnose(team, peers=pair)) == {"a3", "a4"}
