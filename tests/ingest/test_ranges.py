"""Values that parse but cannot be true are problems too: negative money, no items, dates
before 2000 or in the future, a refund above the payment, times out of order."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from guanxi.ingest import mapping
from guanxi.ingest.convert import convert
from guanxi.ingest.readers import ROW
from tests.messages import chinese, english

NOW = dt.datetime(2025, 6, 30, 4, 0, tzinfo=dt.UTC)  # 2025-06-30 12:00 in Shanghai


def _convert(kind: str, rows: list[dict[str, str | None]], now: dt.datetime = NOW):
    headers = list(rows[0])
    columns = [pa.array([r[h] for r in rows], pa.string()) for h in headers]
    numbers = pa.array(range(2, 2 + len(rows)), pa.int64())
    batch = pa.RecordBatch.from_arrays([*columns, numbers], names=[*headers, ROW])
    resolved = mapping.best_preset(kind, "generic", headers, "f.csv")
    return convert(batch, resolved, "Asia/Shanghai", "f.csv", now=now)


def _order(**cells: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "order_id": "1",
        "created_at": "2025-06-18 10:00:00",
        "paid_at": "2025-06-18 10:01:00",
        "closed_at": None,
        "status": "paid",
        "amount": "58.00",
        "item_count": "1",
        "refund_amount": None,
    }
    return row | cells


def _problems(converted) -> list[tuple[int, str, str | None, str]]:
    return [
        (p["row"], p["column"], p["value"], chinese(p["reason"]))
        for p in converted.problems.to_pylist()
    ]


def test_amounts_cannot_be_negative_and_an_order_has_at_least_one_item() -> None:
    converted = _convert(
        "orders",
        [
            _order(),
            _order(order_id="2", amount="-58.00"),
            _order(order_id="3", item_count="0"),
            _order(order_id="4", refund_amount="-1"),
            _order(order_id="5", amount="0", refund_amount="0"),
        ],
    )
    assert converted.valid.to_pylist() == [True, False, False, False, True]
    assert _problems(converted) == [
        (3, "amount", "-58.00", "实付金额 不能是负数"),
        (4, "item_count", "0", "商品数量 不能小于 1"),
        (5, "refund_amount", "-1", "退款金额 不能是负数"),
    ]
    reasons = [english(p["reason"]) for p in converted.problems.to_pylist()]
    assert reasons == [
        "amount paid cannot be negative",
        "item count must be at least 1",
        "refund amount cannot be negative",
    ]


def test_a_refund_cannot_exceed_the_payment_nor_close_precede_creation() -> None:
    converted = _convert(
        "orders",
        [
            _order(status="closed", refund_amount="58.00", closed_at="2025-06-19 10:00:00"),
            _order(order_id="2", status="closed", refund_amount="58.01"),
            _order(order_id="3", status="closed", closed_at="2025-06-18 09:59:59"),
        ],
    )
    assert converted.valid.to_pylist() == [True, False, False]
    assert _problems(converted) == [
        (3, "refund_amount", "58.01", "退款金额 大于 实付金额；请检查这两列"),
        (4, "closed_at", "2025-06-18 09:59:59", "关闭时间 早于 创建时间；请检查这两个时间"),
    ]


def test_dates_before_2000_or_more_than_a_day_ahead_are_refused() -> None:
    converted = _convert(
        "orders",
        [
            _order(created_at="2000-01-01 00:00:00", paid_at=None),  # the first day allowed
            _order(order_id="2", created_at="1999-12-31 23:59:59", paid_at=None),
            _order(order_id="3", created_at="2025-07-01 12:00:00", paid_at=None),  # now + 1 day
            _order(order_id="4", created_at="2025-07-01 12:00:01", paid_at=None),
            _order(order_id="5", paid_at="2052-06-18 10:01:00"),
        ],
    )
    assert converted.valid.to_pylist() == [True, False, True, False, False]
    assert _problems(converted) == [
        (
            3,
            "created_at",
            "1999-12-31 23:59:59",
            "创建时间 早于 2000-01-01，不可能是真实数据；请检查这一列的年份",
        ),
        (
            5,
            "created_at",
            "2025-07-01 12:00:01",
            "创建时间 晚于 2025-07-01 12:00，是将来的时间；请检查年份、日月顺序和时区",
        ),
        (
            6,
            "paid_at",
            "2052-06-18 10:01:00",
            "付款时间 晚于 2025-07-01 12:00，是将来的时间；请检查年份、日月顺序和时区",
        ),
    ]


def test_visitors_cannot_exceed_page_views_and_traffic_days_are_bounded() -> None:
    converted = _convert(
        "traffic",
        [
            {"date": "2025-06-29", "pv": "10", "uv": "10"},
            {"date": "2025-06-28", "pv": "10", "uv": "11"},
            {"date": "1999-06-28", "pv": "10", "uv": "1"},
            {"date": "2025-07-02", "pv": "10", "uv": "1"},
        ],
    )
    assert converted.valid.to_pylist() == [True, False, False, False]
    assert [(row, column) for row, column, _value, _reason in _problems(converted)] == [
        (3, "uv"),
        (4, "date"),
        (5, "date"),
    ]


def test_birth_dates_may_be_old_but_not_in_the_future() -> None:
    converted = _convert(
        "customers",
        [
            {"buyer": "a", "birth_date": "1930-05-01"},
            {"buyer": "b", "birth_date": "1899-12-31"},
            {"buyer": "c", "birth_date": "2025-07-01"},
        ],
    )
    assert converted.valid.to_pylist() == [True, False, False]
    assert [reason for _row, _column, _value, reason in _problems(converted)] == [
        "出生日期 早于 1900-01-01，不可能是真实数据；请检查这一列的年份",
        "出生日期 晚于 2025-06-30，是将来的时间；请检查年份、日月顺序和时区",
    ]


def test_a_refund_file_never_has_negative_amounts() -> None:
    """No built-in mapping writes refunds as negative numbers, so none may be negative."""
    row: dict[str, str | None] = {
        "refund_id": "r1",
        "order_id": "1",
        "requested_at": "2025-06-18 10:00:00",
        "kind": "refund_only",
        "amount": "-20.00",
        "status": "success",
    }
    converted = _convert("refunds", [row])
    assert _problems(converted) == [(2, "amount", "-20.00", "退款金额 不能是负数")]
