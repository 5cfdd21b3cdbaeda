"""A batch of export cells becomes typed columns; every bad cell is reported by row and column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from guanxi.ingest import mapping
from guanxi.ingest.convert import convert
from guanxi.ingest.readers import ROW
from tests.messages import chinese, english

HEADERS = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间", "联系手机"]


def _batch(*rows: tuple[str | None, ...]) -> pa.RecordBatch:
    columns = [pa.array([r[i] for r in rows], pa.string()) for i in range(len(HEADERS))]
    numbers = pa.array(range(2, 2 + len(rows)), pa.int64())
    return pa.RecordBatch.from_arrays([*columns, numbers], names=[*HEADERS, ROW])


def test_good_rows_are_typed_and_bad_cells_reported() -> None:
    resolved = mapping.best_preset("orders", "taobao", HEADERS, "订单.csv")
    batch = _batch(
        ("1001", "小王", "¥12.50", "交易成功", "2024-01-05 08:00:00", "13800138000"),
        ("1.2E+18", "b", "x", "完成", "2024/1/5", None),
        (None, "c", "3", "交易关闭", "01/02/2024", None),
    )
    converted = convert(batch, resolved, "Asia/Shanghai", "订单.csv")
    assert converted.valid.to_pylist() == [True, False, False]
    assert converted.columns["order_id"][0].as_py() == "1001"
    assert converted.columns["amount"][0].as_py() == Decimal("12.50")
    assert converted.columns["status"].to_pylist() == ["signed", None, "closed"]
    assert converted.columns["created_at"][0].as_py() == dt.datetime(2024, 1, 5, tzinfo=dt.UTC)
    found = {(p["row"], p["column"]): p for p in converted.problems.to_pylist()}
    assert set(found) == {
        (3, "订单编号"),
        (3, "买家实际支付金额"),
        (3, "订单状态"),
        (4, "订单编号"),
        (4, "订单创建时间"),
    }
    assert found[(3, "订单状态")]["value"] == "完成"
    assert "[values.status]" in chinese(found[(3, "订单状态")]["reason"])
    assert chinese(found[(4, "订单编号")]["reason"]) == "订单编号 是必填项，但这一格是空的"
    assert english(found[(4, "订单编号")]["reason"]) == (
        "order number is required but the cell is empty"
    )
    assert all(p["file"] == "订单.csv" for p in found.values())


def test_ratings_out_of_range_and_times_out_of_order_are_problems() -> None:
    headers = ["订单编号", "评价时间", "宝贝与描述相符", "卖家的服务态度", "物流服务的质量"]
    resolved = mapping.best_preset("ratings", "taobao", headers, "dsr.csv")
    columns = [
        pa.array(["1", "2"]),
        pa.array(["2024-06-18 10:00", "2024-06-18 10:00"]),
        pa.array(["5", "6"]),
        pa.array(["4", "0"]),
        pa.array(["5", "5"]),
    ]
    batch = pa.RecordBatch.from_arrays(
        [*columns, pa.array([2, 3], pa.int64())], names=[*headers, ROW]
    )
    converted = convert(batch, resolved, "Asia/Shanghai", "dsr.csv")
    assert converted.valid.to_pylist() == [True, False]
    reasons = sorted(chinese(p["reason"]) for p in converted.problems.to_pylist())
    assert reasons == ["描述相符 应在 1 到 5 之间", "服务态度 应在 1 到 5 之间"]

    resolved = mapping.best_preset("orders", "taobao", [*HEADERS, "订单付款时间"], "o.csv")
    batch = pa.RecordBatch.from_arrays(
        [
            *[pa.array([v]) for v in ("9", "a", "1", "交易成功", "2024-06-18 10:00", None)],
            pa.array(["2024-06-18 09:59"]),
            pa.array([2], pa.int64()),
        ],
        names=[*HEADERS, "订单付款时间", ROW],
    )
    converted = convert(batch, resolved, "Asia/Shanghai", "o.csv")
    problem = converted.problems.to_pylist()[0]
    assert chinese(problem["reason"]) == "付款时间 早于 创建时间；请检查这两个时间"
    assert problem["value"] == "2024-06-18 09:59"  # as written, not the UTC time
    assert converted.valid.to_pylist() == [False]
