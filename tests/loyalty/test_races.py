"""Writers racing on PostgreSQL, each thread on its own database connection: redemptions
cannot overdraw, and two imports of the same orders earn them once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, connections

from guanxi.customers.models import Customer
from guanxi.loyalty import selectors, services
from guanxi.loyalty.models import PointsAccount, PointsEntry
from guanxi.loyalty.orders import PaidOrder
from tests.loyalty.helpers import at, entries, order, refund

POSTGRES = "postgresql" in str(settings.DATABASES["default"]["ENGINE"])
HOLD_SECONDS = 0.3  # how long a writer holds the balance row before it checks it

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES, reason="needs tests/pg_cluster.py"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("audit_log_emptied_afterwards"),
]


def _together(count: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(0) … work(count - 1)`` in threads released at once; each result or the
    exception it raised."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count
    backends: set[int] = set()

    def run(i: int) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backends.add(cursor.fetchone()[0])
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert len(backends) == count  # really one server connection per thread
    return results


def _holding(monkeypatch: pytest.MonkeyPatch, *, lock: bool) -> list[float]:
    """Make each writer hold its balance rows ``HOLD_SECONDS`` after taking them (so that
    racing writers overlap); ``lock=False`` takes them without ``FOR UPDATE``, leaving only
    the conditional UPDATE to stop an overdraft. Returns how long each writer waited."""
    waits: list[float] = []
    locked = services._accounts_locked

    def holding(customer_ids: list[int]) -> dict[int, PointsAccount]:
        started = time.monotonic()
        if lock:
            accounts = locked(customer_ids)
        else:
            ids = sorted(set(customer_ids))
            PointsAccount.objects.bulk_create(
                [PointsAccount(customer_id=i) for i in ids], ignore_conflicts=True
            )
            accounts = {a.customer_id: a for a in PointsAccount.objects.filter(customer_id__in=ids)}
        waits.append(time.monotonic() - started)
        time.sleep(HOLD_SECONDS)
        return accounts

    monkeypatch.setattr(services, "_accounts_locked", holding)
    return waits


def _customer_with(points: int) -> Customer:
    customer = Customer.objects.create(customer_key="c1")
    services.earn_for_orders([order("A", str(points), "2025-01-10 10:00")])
    return customer


def _outcomes(results: list[object]) -> tuple[int, int]:
    redeemed = sum(isinstance(r, PointsEntry) for r in results)
    refused = sum(isinstance(r, services.InsufficientPointsError) for r in results)
    assert redeemed + refused == len(results), results
    return redeemed, refused


def test_two_redemptions_racing_cannot_overdraw(monkeypatch: pytest.MonkeyPatch) -> None:
    c1 = _customer_with(100)
    waits = _holding(monkeypatch, lock=True)
    results = _together(2, lambda i: services.redeem(c1, 80, at=at("2025-02-01 10:00")))
    # 100 covers one redemption of 80, not two: the second sees 20 once the first is done.
    assert _outcomes(results) == (1, 1)
    assert selectors.balance(c1) == 20
    assert selectors.ledger_check(c1).consistent
    assert max(waits) >= HOLD_SECONDS * 0.9  # one writer did wait for the other's lock


def test_without_the_row_lock_the_conditional_update_still_refuses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    c1 = _customer_with(100)
    _holding(monkeypatch, lock=False)
    results = _together(2, lambda i: services.redeem(c1, 80, at=at("2025-02-01 10:00")))
    # Both read a balance of 100 and went ahead; UPDATE … WHERE balance >= 80 let one
    # through and found no row for the other, whose whole redemption was rolled back.
    assert _outcomes(results) == (1, 1)
    refused = next(r for r in results if isinstance(r, services.InsufficientPointsError))
    assert str(refused).startswith("points: 80 is more than the balance of 20")
    assert selectors.balance(c1) == 20
    assert selectors.ledger_check(c1).consistent


def test_six_redemptions_of_thirty_from_a_hundred(monkeypatch: pytest.MonkeyPatch) -> None:
    c1 = _customer_with(100)
    _holding(monkeypatch, lock=True)
    results = _together(6, lambda i: services.redeem(c1, 30, at=at("2025-02-01 10:00")))
    assert _outcomes(results) == (3, 3)  # 3 × 30 = 90 ≤ 100 < 4 × 30
    assert selectors.balance(c1) == 10
    assert selectors.ledger_check(c1).consistent


def test_two_imports_of_the_same_orders_earn_them_once(monkeypatch: pytest.MonkeyPatch) -> None:
    c1 = Customer.objects.create(customer_key="c1")
    paid = [
        PaidOrder("taobao", f"o{i}", "c1", at("2025-01-10 10:00"), Decimal(10)) for i in range(50)
    ]
    _holding(monkeypatch, lock=True)
    results = _together(2, lambda i: services.earn_for_orders(paid))
    earned = sorted(r.orders for r in results if isinstance(r, services.EarnReport))
    assert earned == [0, 50]
    assert selectors.balance(c1) == 500
    assert PointsEntry.objects.filter(kind="earn").count() == 50


def _claw_back_a_moment_later() -> services.ClawbackReport:
    time.sleep(HOLD_SECONDS / 3)  # the earning thread holds the lock by now
    return services.claw_back_refunds([refund("A", "2025-01-20 10:00")])


def test_a_refund_clawed_back_while_its_order_earns_takes_the_points_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    c1 = Customer.objects.create(customer_key="c1")
    _holding(monkeypatch, lock=True)
    results = _together(
        2,
        lambda i: (
            services.earn_for_orders([order("A", "100", "2025-01-10 10:00")])
            if i == 0
            else _claw_back_a_moment_later()
        ),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    # The clawback found no earning before it waited for the lock; it looks again once it
    # holds it, so it takes the 100 back instead of marking the order as never earned.
    assert entries(c1) == [("earn", 100, "A"), ("clawback", -100, "A")]
    assert selectors.balance(c1) == 0
