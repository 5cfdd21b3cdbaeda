"""The points ledger on hand-computed examples: earning, redeeming oldest first, FIFO
expiry, clawbacks, adjustments, and the database's own guards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from guanxi.core.models import AuditEntry
from guanxi.customers.models import Customer
from guanxi.loyalty import selectors, services
from guanxi.loyalty.models import PointsAccount, PointsAllocation, PointsEntry
from guanxi.loyalty.rules import PointsRules
from tests.loyalty.helpers import at, entries, new_customer, order, refund

pytestmark = pytest.mark.django_db


def test_paid_orders_earn_one_point_per_whole_yuan() -> None:
    c1 = new_customer()
    report = services.earn_for_orders(
        [
            order("A", "88.90", "2025-03-31 10:00"),  # ⌊88.90⌋ = 88
            order("B", "120.00", "2025-04-02 09:00"),  # 120
            order("C", "0.99", "2025-04-03 09:00"),  # ⌊0.99⌋ = 0: nothing recorded
            order("D", "50.00", None),  # not paid
            order("E", "10.00", "2025-04-03 09:00", customer_key="nobody"),
        ]
    )
    assert (report.orders, report.points) == (2, 208)
    assert (report.zero_points, report.unpaid, report.no_customer) == (1, 1, 1)
    assert selectors.balance(c1) == 88 + 120
    assert entries(c1) == [("earn", 88, "A"), ("earn", 120, "B")]
    lot = PointsEntry.objects.get(order_id="A")
    # Earned at the payment; lapses 12 calendar months later at the same Shanghai time.
    assert lot.earned_at == at("2025-03-31 10:00")
    assert lot.expires_at == at("2026-03-31 10:00")
    assert selectors.ledger_check(c1).consistent


def test_a_rate_and_expiry_of_the_shops_choice() -> None:
    new_customer()
    rules = PointsRules(points_per_yuan=Decimal("1.5"), expiry_months=1)
    services.earn_for_orders([order("A", "88.90", "2025-03-31 10:00")], rules=rules)
    lot = PointsEntry.objects.get(order_id="A")
    assert lot.points == 133  # ⌊88.90 × 1.5⌋ = ⌊133.35⌋
    assert lot.expires_at == at("2025-04-30 10:00")  # 31 March + 1 month → 30 April


def test_points_that_never_expire() -> None:
    c1 = new_customer()
    services.earn_for_orders(
        [order("A", "10", "2020-01-01 10:00")], rules=PointsRules(expiry_months=0)
    )
    assert PointsEntry.objects.get(order_id="A").expires_at is None
    assert services.expire(at("2026-01-01 00:00")).points == 0
    assert selectors.balance(c1) == 10


def test_re_importing_the_same_orders_never_earns_twice() -> None:
    c1 = new_customer()
    paid = [order("A", "100", "2025-01-10 10:00"), order("B", "50", "2025-06-01 10:00")]
    services.earn_for_orders(paid)
    again = services.earn_for_orders([*paid, order("A", "100", "2025-01-10 10:00")])
    assert (again.orders, again.points, again.already_earned) == (0, 0, 3)
    assert selectors.balance(c1) == 150
    assert PointsEntry.objects.count() == 2


def test_an_order_twice_in_one_batch_earns_once() -> None:
    c1 = new_customer()
    report = services.earn_for_orders(
        [order("A", "100", "2025-01-10 10:00"), order("A", "100", "2025-01-10 10:00")]
    )
    assert (report.orders, report.already_earned) == (1, 1)
    assert selectors.balance(c1) == 100


def test_the_same_order_id_on_two_platforms_earns_twice() -> None:
    c1 = new_customer()
    services.earn_for_orders(
        [
            order("A", "100", "2025-01-10 10:00", platform="taobao"),
            order("A", "30", "2025-01-10 10:00", platform="jd"),
        ]
    )
    assert selectors.balance(c1) == 130


def test_a_partial_redemption_spends_the_oldest_points_first() -> None:
    c1 = new_customer()
    services.earn_for_orders(
        [order("B", "50", "2025-06-01 10:00"), order("A", "100", "2025-01-10 10:00")]
    )
    entry = services.redeem(c1, 120, by="cli:test", at=at("2025-07-01 12:00"))
    # 120 = all 100 of A (earned first) + 20 of B's 50; B keeps 30.
    used = dict(PointsAllocation.objects.filter(debit=entry).values_list("lot__order_id", "points"))
    assert used == {"A": 100, "B": 20}
    assert selectors.balance(c1) == 150 - 120 == 30
    assert [(lot.order_id, lot.remaining) for lot in selectors.open_lots(c1)] == [("B", 30)]
    assert entry.actor_name == "cli:test"


def test_expiry_is_fifo_and_what_was_spent_does_not_expire() -> None:
    c1 = new_customer()
    services.earn_for_orders(
        [
            order("A", "100", "2025-01-10 10:00"),  # lapses 2026-01-10 10:00
            order("B", "50", "2025-06-01 10:00"),  # lapses 2026-06-01 10:00
        ]
    )
    services.redeem(c1, 30, at=at("2025-07-01 12:00"))  # from A: A 70 left, B 50
    # 2026-01-11: only A has lapsed; its 70 unspent points expire, B's 50 stay.
    first = services.expire(at("2026-01-11 00:00"))
    assert (first.customers, first.points) == (1, 70)
    assert selectors.balance(c1) == 150 - 30 - 70 == 50
    # Again on the same day: nothing more.
    assert services.expire(at("2026-01-11 00:00")).points == 0
    # 2026-06-01 10:00 exactly: B lapses (at its expiry time, inclusive).
    assert services.expire(at("2026-06-01 10:00")).points == 50
    assert selectors.balance(c1) == 0
    assert entries(c1) == [
        ("earn", 100, "A"),
        ("earn", 50, "B"),
        ("redeem", -30, ""),
        ("expire", -70, ""),
        ("expire", -50, ""),
    ]


def test_a_lot_spent_in_full_expires_nothing() -> None:
    c1 = new_customer()
    services.earn_for_orders(
        [order("A", "100", "2025-01-10 10:00"), order("B", "50", "2025-06-01 10:00")]
    )
    services.redeem(c1, 120, at=at("2025-07-01 12:00"))  # A 0 left, B 30 left
    assert services.expire(at("2026-01-11 00:00")).points == 0  # A had nothing left
    assert services.expire(at("2026-06-02 00:00")).points == 30  # B's last 30
    assert selectors.balance(c1) == 0


def test_a_redemption_cannot_spend_lapsed_points() -> None:
    c1 = new_customer()
    services.earn_for_orders(
        [order("A", "100", "2025-01-10 10:00"), order("B", "50", "2025-06-01 10:00")]
    )
    # No expiry run yet, but on 2026-02-01 A's 100 have lapsed: only B's 50 are left.
    with pytest.raises(services.InsufficientPointsError) as refused:
        services.redeem(c1, 60, at=at("2026-02-01 09:00"))
    assert str(refused.value) == "points: 60 is more than the balance of 50; give at most 50"
    # The lapse itself is kept; the redemption is not.
    assert entries(c1)[-1] == ("expire", -100, "")
    assert selectors.balance(c1) == 50
    services.redeem(c1, 50, at=at("2026-02-01 09:00"))
    assert selectors.balance(c1) == 0


def test_a_refund_claws_back_its_orders_points_once() -> None:
    c1 = new_customer()
    services.earn_for_orders(
        [order("A", "100", "2025-01-10 10:00"), order("B", "50", "2025-02-01 10:00")]
    )
    report = services.claw_back_refunds([refund("A", "2025-01-20 10:00")])
    assert (report.orders, report.points, report.shortfall) == (1, 100, 0)
    assert selectors.balance(c1) == 50
    again = services.claw_back_refunds(
        [refund("A", "2025-01-20 10:00"), refund("A", "2025-01-21 10:00")]
    )
    assert (again.orders, again.already) == (0, 2)
    assert services.earn_for_orders([order("A", "100", "2025-01-10 10:00")]).orders == 0
    assert selectors.balance(c1) == 50
    assert entries(c1) == [("earn", 100, "A"), ("earn", 50, "B"), ("clawback", -100, "A")]


def test_a_clawback_of_spent_points_takes_what_is_left_and_records_the_shortfall() -> None:
    c1 = new_customer()
    services.earn_for_orders(
        [order("A", "100", "2025-01-10 10:00"), order("B", "50", "2025-02-01 10:00")]
    )
    services.redeem(c1, 120, at=at("2025-03-01 10:00"))  # A 0 left, B 30 left
    report = services.claw_back_refunds([refund("A", "2025-03-05 10:00")])
    # A earned 100; the balance is 30: take all 30 (from B), 70 were spent already.
    assert (report.points, report.shortfall) == (30, 70)
    clawback = PointsEntry.objects.get(kind="clawback")
    assert (clawback.points, clawback.shortfall) == (-30, 70)
    assert selectors.balance(c1) == 0
    assert selectors.ledger_check(c1).consistent


def test_a_clawback_takes_the_orders_own_points_first() -> None:
    c1 = new_customer()
    services.earn_for_orders(
        [order("A", "100", "2025-01-10 10:00"), order("B", "50", "2025-02-01 10:00")]
    )
    services.redeem(c1, 20, at=at("2025-03-01 10:00"))  # from A: A 80, B 50
    services.claw_back_refunds([refund("B", "2025-03-05 10:00")])
    # B's own 50 go back; A's 80 stay.
    assert [(lot.order_id, lot.remaining) for lot in selectors.open_lots(c1)] == [("A", 80)]


def test_a_clawback_does_not_take_back_points_that_had_expired() -> None:
    c1 = new_customer()
    rules = PointsRules(expiry_months=1)
    services.earn_for_orders([order("A", "100", "2025-01-10 10:00")], rules=rules)
    services.expire(at("2025-02-11 00:00"))  # A's 100 lapse
    services.earn_for_orders([order("B", "50", "2025-03-01 10:00")], rules=rules)
    report = services.claw_back_refunds([refund("A", "2025-03-05 10:00")])
    # A's points had already left the balance by expiry: nothing is owed, B keeps 50.
    assert (report.orders, report.points, report.shortfall) == (1, 0, 0)
    assert selectors.balance(c1) == 50


def test_a_refund_seen_before_its_order_means_the_order_never_earns() -> None:
    c1 = new_customer()
    report = services.claw_back_refunds([refund("A", "2025-01-20 10:00")])
    assert report.before_earning == 1
    earned = services.earn_for_orders([order("A", "100", "2025-01-10 10:00")])
    assert (earned.orders, earned.refunded_first) == (0, 1)
    assert selectors.balance(c1) == 0
    assert entries(c1) == [("clawback", 0, "A")]


def test_only_a_completed_refund_of_money_claws_back() -> None:
    c1 = new_customer()
    services.earn_for_orders([order("A", "100", "2025-01-10 10:00")])
    report = services.claw_back_refunds(
        [
            refund("A", "2025-01-20 10:00", kind="exchange"),
            refund("A", "2025-01-20 10:00", status="processing"),
            refund("A", "2025-01-20 10:00", status="closed"),
        ]
    )
    assert (report.orders, report.not_clawing) == (0, 3)
    assert selectors.balance(c1) == 100


def test_an_adjustment_needs_a_reason_and_is_audited() -> None:
    c1 = new_customer()
    added = services.adjust(c1, 50, "补偿物流延误", by="cli:kf", at=at("2025-05-01 10:00"))
    assert (added.earned_at, added.expires_at) == (at("2025-05-01 10:00"), at("2026-05-01 10:00"))
    taken = services.adjust(c1, -20, "误发积分", by="cli:kf", at=at("2025-05-02 10:00"))
    assert taken.points == -20
    assert selectors.balance(c1) == 30
    audited = list(
        AuditEntry.objects.filter(subject="c1").order_by("id").values_list("action", "fields")
    )
    assert audited == [("points_adjust", "points +50"), ("points_adjust", "points -20")]
    with pytest.raises(services.PointsError) as missing:
        services.adjust(c1, 10, "  ")
    assert missing.value.field == "reason"
    with pytest.raises(services.InsufficientPointsError):
        services.adjust(c1, -31, "多扣", at=at("2025-05-03 10:00"))
    assert selectors.balance(c1) == 30


def test_a_redemption_is_audited_and_a_refused_one_writes_nothing() -> None:
    c1 = new_customer()
    services.earn_for_orders([order("A", "100", "2025-01-10 10:00")])
    services.redeem(c1, 40, by="cli:kf", reason="兑换优惠券", at=at("2025-02-01 10:00"))
    before = (PointsEntry.objects.count(), AuditEntry.objects.count())
    with pytest.raises(services.InsufficientPointsError) as refused:
        services.redeem(c1, 61, by="cli:kf", at=at("2025-02-02 10:00"))
    assert refused.value.field == "points"
    assert (PointsEntry.objects.count(), AuditEntry.objects.count()) == before
    assert AuditEntry.objects.get().fields == "points -40"
    assert selectors.balance(c1) == 60


@pytest.mark.parametrize(
    ("points", "field"),
    [(0, "points"), (-5, "points"), (True, "points"), ("10", "points"), (2.5, "points")],
)
def test_a_redemption_of_a_bad_number_is_refused(points: object, field: str) -> None:
    c1 = new_customer()
    services.earn_for_orders([order("A", "100", "2025-01-10 10:00")])
    with pytest.raises(services.PointsError) as refused:
        services.redeem(c1, points)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert selectors.balance(c1) == 100


def test_times_in_the_future_or_without_a_zone_are_refused() -> None:
    c1 = new_customer()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    with pytest.raises(services.PointsError) as future:
        services.expire(later)
    assert future.value.field == "as_of"
    with pytest.raises(services.PointsError) as ahead:
        services.adjust(c1, 5, "测试", at=later)
    assert ahead.value.field == "at"
    with pytest.raises(services.PointsError) as naive:
        services.adjust(c1, 5, "测试", at=dt.datetime(2025, 1, 1))
    assert naive.value.field == "at"


def test_a_merged_customers_orders_earn_for_the_survivor() -> None:
    survivor = new_customer("c1")
    Customer.objects.create(customer_key="c2", merged_into=survivor)
    services.earn_for_orders([order("A", "100", "2025-01-10 10:00", customer_key="c2")])
    assert selectors.balance(survivor) == 100


def test_the_database_refuses_a_negative_balance() -> None:
    c1 = new_customer()
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.create(customer=c1, balance=-1)


def test_the_database_refuses_a_second_earning_for_an_order() -> None:
    c1 = new_customer()
    services.earn_for_orders([order("A", "100", "2025-01-10 10:00")])
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(
            customer=c1, kind="earn", points=5, platform="taobao", order_id="A", actor_name="x"
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "adjust", "points": 5, "reason": ""},  # an adjustment without a reason
        {"kind": "redeem", "points": 5},  # a redemption that adds
        {"kind": "earn", "points": 5, "order_id": ""},  # an earning without its order
    ],
)
def test_the_database_refuses_entries_that_break_the_rules(fields: dict[str, object]) -> None:
    c1 = new_customer()
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsEntry.objects.create(customer=c1, actor_name="x", **fields)


def test_erasing_a_customer_erases_their_ledger() -> None:
    c1 = new_customer()
    services.earn_for_orders([order("A", "100", "2025-01-10 10:00")])
    services.redeem(c1, 30, at=at("2025-02-01 10:00"))
    Customer.objects.filter(pk=c1.pk).delete()  # as the PIPL erasure does
    assert PointsEntry.objects.count() == PointsAllocation.objects.count() == 0
    assert not PointsAccount.objects.exists()


def test_the_database_refuses_to_change_a_written_entry_or_allocation() -> None:
    c1 = new_customer()
    services.earn_for_orders([order("A", "100", "2025-01-10 10:00")])
    services.redeem(c1, 30, at=at("2025-02-01 10:00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        PointsEntry.objects.filter(kind="earn").update(points=1000)
    with pytest.raises(DatabaseError), transaction.atomic():
        PointsAllocation.objects.update(points=1)
    assert entries(c1) == [("earn", 100, "A"), ("redeem", -30, "")]
    assert PointsAllocation.objects.get().points == 30


def test_a_reason_naming_the_customer_is_stored_masked() -> None:
    """Staff without reveal permission read the ledger: the customer's name and phone (and
    any phone pattern) in a reason are masked before it is stored."""
    c9 = Customer.objects.create(customer_key="c9", name="张伟", mobile="13912345678")
    entry = services.adjust(c9, 5, "张伟 电话13912345678 投诉物流", by="cli:kf")
    assert "张伟" not in entry.reason and "13912345678" not in entry.reason
    assert "投诉物流" in entry.reason
