"""The dispute weighing (seed 000 项目三 任务二: the shop's risk against the loss of meeting
the demand) and the penalty reference's figures (任务三: 描述不符 −12/−6/−3)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.servicedesk.penalties import (
    MISMATCH_POINTS,
    REFUND_COMPLAINT_OUTCOMES,
    dispute_weigh,
)


def test_the_reference_figures() -> None:
    assert MISMATCH_POINTS == {"serious": 12, "affects-use": 6, "minor": 3}
    assert len(REFUND_COMPLAINT_OUTCOMES) == 8  # the eight 处罚细则 of 任务三


def test_points_at_stake_advise_settling_even_when_the_demand_is_high() -> None:
    # 200 order + 15 shipping = 215 at risk < 300 asked, but −6 points are at stake.
    w = dispute_weigh(
        settle_cost=Decimal("300"),
        order_amount=Decimal("200"),
        return_shipping=Decimal("15"),
        severity="affects-use",
    )
    assert (w.arbitration_money, w.points, w.advice.code) == (Decimal("215"), 6, "settle")
    assert [r.code for r in w.reasons] == ["points-at-stake", "exposure", "weiquan-cancel"]


@pytest.mark.parametrize(
    ("settle", "evidence", "advice"),
    [
        ("100", False, "settle"),  # 100 ≤ 200 + 15 = 215: meeting the demand costs less
        ("215", False, "settle"),  # equal: still no more than the risk
        ("300", True, "defend"),  # 300 > 215, no points, evidence in hand
        ("300", False, "negotiate"),  # 300 > 215, no evidence
    ],
)
def test_without_points_the_cheaper_side_decides(settle: str, evidence: bool, advice: str) -> None:
    w = dispute_weigh(
        settle_cost=Decimal(settle),
        order_amount=Decimal("200"),
        return_shipping=Decimal("15"),
        seller_has_evidence=evidence,
    )
    assert (w.points, w.advice.code) == (0, advice)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="severity 'huge'"):
        dispute_weigh(settle_cost=Decimal(1), order_amount=Decimal(1), severity="huge")
    with pytest.raises(ValueError, match="settle_cost must not be negative"):
        dispute_weigh(settle_cost=Decimal(-1), order_amount=Decimal(1))
