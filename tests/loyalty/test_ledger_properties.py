"""The ledger under any sequence of earn (re-imports included), refund, redeem, adjust,
expire and the passing of time: balance = Σ entries = Σ lots left ≥ 0, each order earns at
most once and is clawed back at most once, and a debit succeeds exactly when the points not
yet lapsed cover it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.customers.models import Customer
from guanxi.loyalty import selectors, services
from guanxi.loyalty.models import PointsAccount, PointsEntry
from guanxi.loyalty.orders import PaidOrder, RefundedOrder
from guanxi.loyalty.rules import PointsRules

START = dt.datetime(2008, 1, 1, 2, 0, tzinfo=dt.UTC)  # 30 waits of 200 days end in 2024
RULES = PointsRules(points_per_yuan=Decimal(1), expiry_months=3)  # short: expiry happens
KEYS = ("c1", "c2")
ORDERS = 6  # o0–o2 are c1's, o3–o5 c2's

operation = st.one_of(
    st.tuples(st.just("earn"), st.lists(st.integers(0, ORDERS - 1), max_size=ORDERS)),
    st.tuples(st.just("refund"), st.integers(0, ORDERS - 1)),
    st.tuples(st.just("redeem"), st.integers(0, 1), st.integers(1, 400)),
    st.tuples(
        st.just("adjust"),
        st.integers(0, 1),
        st.integers(-300, 300).filter(lambda n: n != 0),
    ),
    st.tuples(st.just("expire")),
    st.tuples(st.just("wait"), st.integers(1, 200)),
)


def _available(customer: Customer, now: dt.datetime) -> int:
    """Points not yet lapsed at ``now``: what a debit may take."""
    return sum(
        lot.remaining
        for lot in selectors.open_lots(customer)
        if lot.expires_at is None or lot.expires_at > now
    )


def _check(customers: list[Customer]) -> None:
    for customer in customers:
        check = selectors.ledger_check(customer)
        assert check.consistent, (customer.customer_key, check)
        assert selectors.balance(customer) >= 0
    per_order = (
        PointsEntry.objects.exclude(order_id="")
        .values("platform", "order_id", "kind")
        .annotate(n=Count("id"))
    )
    assert all(row["n"] == 1 for row in per_order)
    total = PointsEntry.objects.aggregate(s=Sum("points"))["s"] or 0
    assert total == (PointsAccount.objects.aggregate(s=Sum("balance"))["s"] or 0)


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    amounts=st.lists(st.integers(0, 300), min_size=ORDERS, max_size=ORDERS),
    operations=st.lists(operation, max_size=30),
)
def test_any_sequence_keeps_the_ledger_whole(amounts: list[int], operations: list[tuple]) -> None:
    with transaction.atomic():
        _replay(amounts, operations)
        transaction.set_rollback(True)  # the next example starts from an empty ledger


def _replay(amounts: list[int], operations: list[tuple]) -> None:
    customers = [Customer.objects.create(customer_key=key) for key in KEYS]
    now = START
    paid_at: dict[int, dt.datetime] = {}  # an order is paid when first imported
    refunded: dict[int, bool] = {}  # order → refunded before it earned?
    for op in operations:
        kind = op[0]
        if kind == "wait":
            now += dt.timedelta(days=op[1])
        elif kind == "earn":
            rows = []
            for i in op[1]:
                paid_at.setdefault(i, now)
                rows.append(
                    PaidOrder("taobao", f"o{i}", KEYS[i // 3], paid_at[i], Decimal(amounts[i]))
                )
            services.earn_for_orders(rows, rules=RULES)
            for i in op[1]:
                earned = PointsEntry.objects.filter(kind="earn", order_id=f"o{i}").exists()
                should = amounts[i] > 0 and not refunded.get(i, False)
                assert earned == should, (i, amounts[i], refunded.get(i))
        elif kind == "refund":
            i = op[1]
            had_earned = PointsEntry.objects.filter(kind="earn", order_id=f"o{i}").exists()
            refunded.setdefault(i, not had_earned)
            services.claw_back_refunds(
                [RefundedOrder("taobao", f"o{i}", KEYS[i // 3], now)],
            )
            assert PointsEntry.objects.filter(kind="clawback", order_id=f"o{i}").count() == 1
        elif kind == "expire":
            services.expire(now)
            assert _available(customers[0], now) == selectors.balance(customers[0])
            assert _available(customers[1], now) == selectors.balance(customers[1])
        else:
            customer, points = customers[op[1]], op[2]
            debit = points if kind == "redeem" else -points
            covered = debit <= _available(customer, now)
            entries_before = PointsEntry.objects.filter(customer=customer).exclude(kind="expire")
            count_before = entries_before.count()
            try:
                if kind == "redeem":
                    services.redeem(customer, points, at=now)
                else:
                    services.adjust(customer, points, "property test", at=now, rules=RULES)
            except services.InsufficientPointsError:
                assert not covered, (kind, points)
                # Only the lapse may have been written.
                assert entries_before.count() == count_before
            else:
                assert covered or debit <= 0, (kind, points)
        _check(customers)
