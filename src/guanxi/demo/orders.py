"""Orders and order lines of one month, vectorised.

Each day's order count follows the calendar (weekends, 618, 双11); buyers are drawn among the
customers active that day in proportion to their activity, so repeat buyers and churners
emerge from the population. About 45 % of orders follow a pre-sale chat; the agent of that
chat shapes the basket (``aov_multiplier``) and the payment rate. The lifecycle is
created → paid → shipped → signed, or closed when unpaid; events after the snapshot
(``rhythm.AS_OF_US``) have not happened yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guanxi.demo import rhythm
from guanxi.demo.catalog import AGENTS, POPULARITY, PRICE_CENTS, agent_array
from guanxi.demo.columns import NO_TIME
from guanxi.demo.people import Population

CREATED, PAID, SHIPPED, SIGNED, CLOSED, REFUNDED = range(6)  # indexes into ORDER_STATUSES
CONSULTED_SHARE = 0.45
SECOND = 1_000_000
HOUR = 3600 * SECOND
DAY = 24 * HOUR


@dataclass
class MonthOrders:
    """Orders of one month (order arrays) and their lines (item arrays)."""

    serial: np.ndarray
    customer: np.ndarray
    day: np.ndarray
    created: np.ndarray
    paid: np.ndarray
    shipped: np.ndarray
    signed: np.ndarray
    closed: np.ndarray
    status: np.ndarray
    amount: np.ndarray  # cents
    units: np.ndarray
    agent: np.ndarray  # pre-sale agent, -1 when the buyer did not chat first
    first_product: np.ndarray
    item_order: np.ndarray  # order index of each line
    item_line: np.ndarray
    item_product: np.ndarray
    item_quantity: np.ndarray
    item_unit: np.ndarray  # cents
    item_amount: np.ndarray  # cents

    @property
    def size(self) -> int:
        return len(self.serial)


def _buyers(rng: np.random.Generator, pop: Population, days: np.ndarray, counts: np.ndarray):
    """Customer numbers of each day's orders (a short loop over days; draws are vectorised)."""
    out = []
    for day, k in zip(days.tolist(), counts.tolist(), strict=True):
        if k == 0:
            continue
        active = (pop.join_day <= day) & (pop.churn_day > day) & ~pop.never_buys
        p = pop.activity * active
        if rhythm.PROMO[day]:
            p = p * np.where(pop.promo_sensitive, 4.0, 1.0)
        out.append(rng.choice(pop.size, size=k, p=p / p.sum()))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def generate(
    rng: np.random.Generator, pop: Population, month: int, yearly_orders: int, first_serial: int
) -> MonthOrders:
    weights = rhythm.day_weights()
    days = rhythm.month_days(month)
    expected = yearly_orders * weights[days] / weights.sum()
    counts = rng.poisson(expected)
    day = np.repeat(days, counts)
    n = len(day)
    customer = _buyers(rng, pop, days, counts)
    created = rhythm.to_utc_us(day, rhythm.seconds_of_day(rng, day))

    share = agent_array("presale_share")
    agent = np.where(
        rng.random(n) < CONSULTED_SHARE, rng.choice(len(AGENTS), size=n, p=share / share.sum()), -1
    )

    # Basket: lines and quantities. An agent's up-selling adds lines (Poisson, 5 lines per
    # unit of multiplier above 1) or drops one; the strongest sellers reach SPEC §3's
    # 落实客单价 bands (agent AOV ≈ 1.2 × the store's per-payer AOV), the weakest do not.
    lines = rng.choice([1, 2, 3, 4], size=n, p=[0.62, 0.25, 0.09, 0.04])
    aov = np.where(agent >= 0, agent_array("aov_multiplier")[np.maximum(agent, 0)], 1.0)
    lines = np.minimum(5, lines + rng.poisson(np.clip((aov - 1) * 5, 0, None)))
    lines = np.maximum(1, lines - (rng.random(n) < np.clip((1 - aov) * 2, 0, 1)))
    first_product = rng.choice(len(PRICE_CENTS), size=n, p=POPULARITY)
    step = rng.integers(1, 8, n)  # lines * step < 40: distinct products within an order
    item_order = np.repeat(np.arange(n), lines)
    line_starts = np.cumsum(lines) - lines
    item_line = np.arange(len(item_order)) - line_starts[item_order]
    item_product = (first_product[item_order] + item_line * step[item_order]) % len(PRICE_CENTS)
    item_quantity = rng.choice([1, 2, 3], size=len(item_order), p=[0.85, 0.12, 0.03])
    discount = np.where(rhythm.PROMO[day], 0.85, 1.0)[item_order]
    item_unit = np.round(PRICE_CENTS[item_product] * discount).astype(np.int64)
    item_amount = item_unit * item_quantity
    amount = np.bincount(item_order, weights=item_amount, minlength=n).round().astype(np.int64)
    units = np.bincount(item_order, weights=item_quantity, minlength=n).astype(np.int64)

    # Lifecycle.
    pay_rate = np.where(agent >= 0, agent_array("payment_rate")[np.maximum(agent, 0)], 0.86)
    pays = rng.random(n) < pay_rate
    delay = np.select(
        [rng.random(n) < 0.7, rng.random(n) < 0.8],
        [rng.uniform(10, 600, n), rng.uniform(600, 3 * 3600, n)],
        rng.uniform(3 * 3600, 20 * 3600, n),
    )
    paid = np.where(pays, created + (delay * SECOND).astype(np.int64), NO_TIME)
    closed = np.where(
        pays,
        NO_TIME,
        created
        + np.where(rng.random(n) < 0.8, DAY, rng.uniform(60, 12 * 3600, n) * SECOND).astype(
            np.int64
        ),
    )
    ship_days = rng.lognormal(np.log(0.8), 0.6, n) + rhythm.SHIP_DELAY_DAYS[day]
    shipped = np.where(pays, paid + (ship_days * DAY).astype(np.int64), NO_TIME)
    transit = np.clip(rng.lognormal(np.log(2.5), 0.4, n) + rhythm.PEAK[day] * 2.0, 1, 10)
    signed = np.where(pays, shipped + (transit * DAY).astype(np.int64), NO_TIME)

    # The snapshot: later events have not happened.
    after = rhythm.AS_OF_US
    paid = np.where(paid > after, NO_TIME, paid)
    closed = np.where(closed > after, NO_TIME, closed)
    shipped = np.where((paid == NO_TIME) | (shipped > after), NO_TIME, shipped)
    signed = np.where((shipped == NO_TIME) | (signed > after), NO_TIME, signed)
    status = np.select(
        [signed != NO_TIME, shipped != NO_TIME, paid != NO_TIME, closed != NO_TIME],
        [SIGNED, SHIPPED, PAID, CLOSED],
        CREATED,
    )
    return MonthOrders(
        serial=first_serial + np.arange(n, dtype=np.int64),
        customer=customer.astype(np.int64),
        day=day,
        created=created,
        paid=paid,
        shipped=shipped,
        signed=signed,
        closed=closed,
        status=status,
        amount=amount,
        units=units,
        agent=agent.astype(np.int64),
        first_product=first_product,
        item_order=item_order,
        item_line=item_line + 1,
        item_product=item_product,
        item_quantity=item_quantity,
        item_unit=item_unit,
        item_amount=item_amount,
    )
