"""``guanxi points``: earn from the lake (repeatable), redeem, adjust, balance, expire, and
errors that name the bad argument."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pyarrow as pa
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from guanxi.core.audit import command_line_actor
from guanxi.lake import Lake
from guanxi.loyalty import selectors, services
from guanxi.loyalty.models import PointsEntry
from guanxi.loyalty.orders import PaidOrder
from guanxi.loyalty.rules import add_months
from tests.factories import orders_table, utc
from tests.loyalty.helpers import SHANGHAI, at, new_customer, order

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("points", *args, stdout=out)
    return out.getvalue()


def _refunds(rows: list[tuple[str, str, str, str, str]]) -> pa.Table:
    """(refund_id, order_id, customer_key, completed at, status) of refund-only refunds."""
    n = len(rows)
    return pa.table(
        {
            "platform": ["taobao"] * n,
            "refund_id": [r[0] for r in rows],
            "order_id": [r[1] for r in rows],
            "customer_key": [r[2] for r in rows],
            "requested_at": [utc(r[3]) for r in rows],
            "completed_at": [utc(r[3]) for r in rows],
            "kind": ["refund_only"] * n,
            "reason": [None] * n,
            "quality_issue": [False] * n,
            "amount": [Decimal("10.00")] * n,
            "status": [r[4] for r in rows],
        }
    )


def test_earn_reads_the_lakes_paid_orders_and_refunds_and_can_be_run_again(lake: Lake) -> None:
    c1 = new_customer("c1")
    lake.write(
        "orders",
        orders_table(
            [
                ("o1", "c1", "2025-01-10 09:00:00", "2025-01-10 10:00:00", "88.90"),
                ("o2", "c1", "2025-02-01 09:00:00", "2025-02-01 10:00:00", "50.00"),
                ("o3", "c1", "2025-02-02 09:00:00", None, "70.00"),  # not paid
            ]
        ),
    )
    lake.write(
        "refunds",
        _refunds(
            [
                ("r1", "o2", "c1", "2025-02-05 10:00:00", "success"),
                ("r2", "o1", "c1", "2025-02-06 10:00:00", "closed"),  # refused: no clawback
            ]
        ),
    )
    first = _run("earn")
    assert first.splitlines()[0].startswith("2 order(s) earned 138 point(s);")  # 88 + 50
    assert first.splitlines()[1].startswith("1 refunded order(s) gave back 50 point(s)")
    assert selectors.balance(c1) == 88
    again = _run("earn")
    assert again.splitlines()[0].startswith("0 order(s) earned 0 point(s); 2 had earned before")
    assert again.splitlines()[1].startswith("0 refunded order(s) gave back 0 point(s)")
    assert selectors.balance(c1) == 88
    assert PointsEntry.objects.get(order_id="o1").actor_name == command_line_actor()


def test_earn_on_an_empty_lake_earns_nothing(lake: Lake) -> None:
    assert _run("earn").startswith("0 order(s) earned 0 point(s);")


def test_earn_since_a_day_leaves_older_payments(lake: Lake) -> None:
    c1 = new_customer("c1")
    lake.write(
        "orders",
        orders_table(
            [
                ("o1", "c1", "2025-01-10 09:00:00", "2025-01-10 10:00:00", "10.00"),
                ("o2", "c1", "2025-02-01 09:00:00", "2025-02-01 10:00:00", "20.00"),
            ]
        ),
    )
    _run("earn", "--since", "2025-02-01")
    assert selectors.balance(c1) == 20


def _recent(days: int) -> dt.datetime:
    """``days`` before now, in Shanghai: the command acts now, so its points must be live."""
    return (timezone.now() - dt.timedelta(days=days)).astimezone(SHANGHAI)


def _paid_recently(order_id: str, amount: str, days: int) -> PaidOrder:
    return PaidOrder("taobao", order_id, "c1", _recent(days), Decimal(amount))


def test_adjust_redeem_and_balance() -> None:
    c1 = new_customer("c1")
    earned = _recent(10)
    services.earn_for_orders([PaidOrder("taobao", "A", "c1", earned, Decimal(100))])
    assert _run("adjust", "c1", "50", "--reason", "补偿物流延误") == "c1: balance 150\n"
    assert _run("adjust", "c1", "-10", "--reason", "误发") == "c1: balance 140\n"
    assert _run("redeem", "c1", "40", "--reason", "兑换优惠券") == "c1: balance 100\n"
    lines = _run("balance", "c1").splitlines()
    # 40 + 10 came from A (the oldest): 50 of its 100 are left; the 50 added by hand stay.
    assert lines[0] == "c1: balance 100"
    expires = add_months(earned, 12, "Asia/Shanghai").astimezone(SHANGHAI)
    assert lines[1] == f"  50/100\tearned {earned:%Y-%m-%d}\texpires {expires:%Y-%m-%d}\ttaobao:A"
    assert lines[2].startswith("  50/50\tearned ")
    assert lines[2].endswith("\tadjust")
    assert selectors.ledger_check(c1).consistent


def test_expire_as_of_a_day(lake: Lake) -> None:
    c1 = new_customer("c1")
    services.earn_for_orders([order("A", "100", "2024-01-10 10:00")])
    assert _run("expire", "--as-of", "2025-01-10") == "0 point(s) of 0 customer(s) expired\n"
    assert _run("expire", "--as-of", "2025-01-11") == "100 point(s) of 1 customer(s) expired\n"
    assert selectors.balance(c1) == 0
    assert PointsEntry.objects.get(kind="expire").created_at == at("2025-01-11 00:00")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("redeem", "c1", "500"), "POINTS: 500 is more than the balance of 100; give at most 100"),
        (("redeem", "c1", "ten"), "POINTS: 'ten' is not a whole number of points"),
        (("redeem", "c1", "0"), "POINTS: 0 is not a positive number of points to redeem"),
        (("adjust", "c1", "5", "--reason", " "), "--reason: an adjustment needs a reason"),
        (("adjust", "c1", "0", "--reason", "x"), "POINTS: 0 changes nothing"),
        (("balance", "nobody"), "KEY|PHONE|NAME|ACCOUNT: no customer matches 'nobody'"),
        (("expire", "--as-of", "2025-13-01"), "--as-of: '2025-13-01' is not a date"),
        (("expire", "--as-of", "2999-01-01"), "--as-of: 2998-12-31T16:00:00+00:00 is in the"),
        (("earn", "--since", "yesterday"), "--since: 'yesterday' is not a date"),
    ],
)
def test_errors_name_the_bad_argument(args: tuple[str, ...], message: str) -> None:
    c1 = new_customer("c1")
    services.earn_for_orders([_paid_recently("A", "100", 10)])
    with pytest.raises(CommandError) as refused:
        _run(*args)
    assert str(refused.value).startswith(message)
    assert selectors.balance(c1) == 100


def test_adjust_without_a_reason_is_refused_by_the_parser() -> None:
    with pytest.raises(CommandError, match="--reason"):
        _run("adjust", "c1", "5")


def test_a_refund_without_a_completion_time_counts_from_its_request(lake: Lake) -> None:
    c1 = new_customer("c1")
    lake.write(
        "orders",
        orders_table([("o1", "c1", "2025-01-10 09:00:00", "2025-01-10 10:00:00", "30.00")]),
    )
    refunds = _refunds([("r1", "o1", "c1", "2025-01-12 08:00:00", "success")])
    lake.write("refunds", refunds.set_column(5, "completed_at", pa.nulls(1, pa.timestamp("us"))))
    _run("earn")
    assert selectors.balance(c1) == 0
    assert PointsEntry.objects.get(kind="clawback").created_at == at("2025-01-12 08:00")
