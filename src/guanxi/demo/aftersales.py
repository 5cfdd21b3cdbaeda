"""Refunds and returns, DSR ratings and reviews of one month's orders.

About 7 % of paid orders ask for money back (four times as often for customers tagged 高退货,
more after promotions). Before shipping it is a plain refund; after signing the reason
decides the kind: wrong sizes are exchanged or returned, quality problems are returned or
compensated. Most requests come within the 7-day no-reason window, the rest later and then
almost always for quality. A successful refund of the whole amount makes the order
"refunded" (closed at the refund's completion; a refund before shipping stops the shipment).
Ratings are mostly 4–5 and drop with quality refunds, slow agents and slow delivery.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guanxi.demo import rhythm
from guanxi.demo.catalog import agent_array
from guanxi.demo.columns import NO_TIME
from guanxi.demo.orders import DAY, HOUR, REFUNDED, MonthOrders
from guanxi.demo.people import Population

REASONS = (
    "尺码不合适", "不喜欢", "质量问题", "发错货", "与描述不符", "物流太慢", "做工瑕疵",
    "拍错了/多拍了", "不想要了",
)  # fmt: skip
QUALITY = np.array([r in ("质量问题", "与描述不符", "做工瑕疵") for r in REASONS])
_PRESHIP = np.array([0, 0, 0, 0, 0, 0.1, 0, 0.5, 0.4])
_WITHIN_7 = np.array([0.32, 0.2, 0.18, 0.07, 0.1, 0.05, 0.08, 0, 0])
_BEYOND_7 = np.array([0, 0, 0.6, 0, 0.2, 0, 0.2, 0, 0])
_KIND_BY_REASON = np.array(  # refund_only, return_refund, exchange
    [[0, 0.5, 0.5], [0, 1, 0], [0.3, 0.5, 0.2], [0, 0.4, 0.6], [0.2, 0.8, 0], [1, 0, 0],
     [0.4, 0.4, 0.2], [1, 0, 0], [1, 0, 0]]
)  # fmt: skip
REFUND_ONLY, RETURN_REFUND, EXCHANGE = range(3)
REFUND_STATUSES = ("success", "closed", "processing")


@dataclass
class MonthRefunds:
    order: np.ndarray
    requested: np.ndarray
    completed: np.ndarray
    kind: np.ndarray
    reason: np.ndarray
    amount: np.ndarray
    status: np.ndarray
    preship: np.ndarray

    @property
    def size(self) -> int:
        return len(self.order)


def _choose_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row of a probability matrix."""
    cumulative = np.cumsum(probs, axis=1)
    cumulative /= cumulative[:, -1:]
    return (rng.random((len(probs), 1)) > cumulative).sum(axis=1)


def refunds(rng: np.random.Generator, pop: Population, o: MonthOrders) -> MonthRefunds:
    """Refund requests; updates the refunded orders' status, closing and shipping in place."""
    rate = 0.07 * np.where(pop.high_return[o.customer], 4.0, 1.0)
    rate = rate * np.where(rhythm.PROMO[o.day], 1.4, 1.0)
    idx = np.flatnonzero((o.paid != NO_TIME) & (rng.random(o.size) < rate))
    m = len(idx)
    signed = o.signed[idx]
    preship = (signed == NO_TIME) | (rng.random(m) < 0.2)
    late = rng.random(m) < 0.2
    reason = _choose_rows(
        rng, np.where(preship[:, None], _PRESHIP, np.where(late[:, None], _BEYOND_7, _WITHIN_7))
    )
    kind = _choose_rows(rng, _KIND_BY_REASON[reason])
    window = np.where(o.shipped[idx] != NO_TIME, o.shipped[idx] - o.paid[idx], DAY)
    after_sign = np.where(
        late, rng.uniform(7.05, 20, m), np.minimum(rng.exponential(2.0, m) + 0.02, 6.95)
    )
    requested = np.where(
        preship,
        o.paid[idx] + (rng.uniform(0.05, 0.9, m) * window).astype(np.int64),
        signed + (after_sign * DAY).astype(np.int64),
    )
    took = np.where(kind == RETURN_REFUND, rng.uniform(24, 120, m), rng.uniform(1, 48, m))
    completed = requested + (took * HOUR).astype(np.int64)
    status = np.where(rng.random(m) < 0.86, 0, 1)
    status = np.where(completed > rhythm.AS_OF_US, 2, status)
    completed = np.where(status == 2, NO_TIME, completed)

    # Amounts: a whole order, one line of it, a partial compensation, or nothing (exchange).
    lines = np.bincount(o.item_order, minlength=o.size)
    line_start = np.cumsum(lines) - lines
    one_line = line_start[idx] + (rng.random(m) * lines[idx]).astype(np.int64)
    whole = o.amount[idx]
    returned = np.where(rng.random(m) < 0.6, whole, o.item_amount[one_line])
    partial = (whole * rng.uniform(0.1, 0.5, m)).astype(np.int64)
    amount = np.select(
        [kind == EXCHANGE, kind == RETURN_REFUND, preship], [0, returned, whole], partial
    )

    keep = requested <= rhythm.AS_OF_US
    refunds = MonthRefunds(
        order=idx[keep],
        requested=requested[keep],
        completed=completed[keep],
        kind=kind[keep],
        reason=reason[keep],
        amount=amount[keep],
        status=status[keep],
        preship=preship[keep],
    )
    full = (refunds.status == 0) & (refunds.kind != EXCHANGE) & (refunds.amount == whole[keep])
    done = refunds.order[full]
    o.status[done] = REFUNDED
    o.closed[done] = refunds.completed[full]
    stopped = done[refunds.preship[full]]
    o.shipped[stopped] = NO_TIME
    o.signed[stopped] = NO_TIME
    return refunds


@dataclass
class MonthRatings:
    dsr_order: np.ndarray
    dsr_at: np.ndarray
    description: np.ndarray
    service: np.ndarray
    logistics: np.ndarray
    review_order: np.ndarray
    review_at: np.ndarray
    review_rating: np.ndarray


def _score(rng: np.random.Generator, n: int) -> np.ndarray:
    return 5 - rng.choice([0, 1, 2, 3, 4], size=n, p=[0.72, 0.2, 0.05, 0.02, 0.01])


def ratings(rng: np.random.Generator, o: MonthOrders, r: MonthRefunds) -> MonthRatings:
    refunded = np.zeros(o.size, dtype=bool)
    refunded[r.order] = True
    quality = np.zeros(o.size, dtype=bool)
    quality[r.order[QUALITY[r.reason]]] = True
    slow_agent = np.where(o.agent >= 0, agent_array("response_seconds")[o.agent] > 50, False)
    shipping_days = np.where(o.signed != NO_TIME, (o.signed - o.paid) / DAY, 0)

    signed = np.flatnonzero(o.signed != NO_TIME)
    rated = signed[rng.random(len(signed)) < 0.4]
    k = len(rated)
    rated_at = o.signed[rated] + (np.minimum(rng.exponential(2.0, k), 15) * DAY).astype(np.int64)
    description = _score(rng, k) - quality[rated] * 2 - (refunded[rated] & (rng.random(k) < 0.4))
    service = _score(rng, k) - (slow_agent[rated] & (rng.random(k) < 0.5))
    logistics = _score(rng, k) - (shipping_days[rated] > 4) - (shipping_days[rated] > 6)
    keep = rated_at <= rhythm.AS_OF_US

    reviewed = signed[rng.random(len(signed)) < 0.3]
    j = len(reviewed)
    review_at = o.signed[reviewed] + (np.minimum(rng.exponential(3.0, j), 15) * DAY).astype(
        np.int64
    )
    rating = _score(rng, j) - quality[reviewed] * 2 - (shipping_days[reviewed] > 6)
    rkeep = review_at <= rhythm.AS_OF_US
    return MonthRatings(
        dsr_order=rated[keep],
        dsr_at=rated_at[keep],
        description=np.clip(description[keep], 1, 5),
        service=np.clip(service[keep], 1, 5),
        logistics=np.clip(logistics[keep], 1, 5),
        review_order=reviewed[rkeep],
        review_at=review_at[rkeep],
        review_rating=np.clip(rating[rkeep], 1, 5),
    )
