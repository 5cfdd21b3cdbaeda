"""Lake rows built from staged files: filled-in rules, stable ids, masked text, no PII."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from guanxi.ingest.facts import build_table
from guanxi.ingest.pii import mask_text
from guanxi.ingest.stage import stage


def _stage(tmp_path: Path, kind: str, text: str, name: str = "f.csv") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    staged = stage(
        path, kind_name=kind, platform="taobao", time_zone="Asia/Shanghai", workdir=tmp_path / kind
    )
    assert staged.rows_bad == 0
    return staged.staged_path


KEYS = pa.table({"buyer": ["小王", "小李"], "customer_key": ["c1", "c2"]})


def test_orders_get_customer_keys_and_refunded_status(tmp_path: Path) -> None:
    staged = _stage(
        tmp_path,
        "orders",
        "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间,退款金额,联系手机\n"
        "1001,小王,12.50,交易关闭,2024-06-18 10:00:00,2024-06-18 10:01:00,12.50,13800138000\n"
        "1002,小李,3.00,交易关闭,2024-06-18 11:00:00,,,\n",
    )
    table = build_table("orders", "orders", staged, KEYS, "taobao", "Asia/Shanghai")
    rows = table.sort_by("order_id").to_pylist()
    assert [(r["order_id"], r["customer_key"], r["status"]) for r in rows] == [
        ("1001", "c1", "refunded"),  # paid, closed, refunded in full
        ("1002", "c2", "closed"),  # closed before payment
    ]
    assert rows[0]["item_count"] == 1
    assert rows[0]["paid_at"] == dt.datetime(2024, 6, 18, 2, 1, tzinfo=dt.UTC)
    assert "13800138000" not in str(rows)  # the phone went nowhere near the lake


def test_chat_ids_are_stable_sessions_default_to_the_day_and_text_is_masked(
    tmp_path: Path,
) -> None:
    text = (
        "客户,客服,发送方,时间,内容\n"
        "小王,,客户,2024-06-18 23:59:00,我的手机13812345678\n"
        "小王,小美,客服,2024-06-19 00:00:30,好的亲\n"
    )
    first = build_table("chats", "chat_messages", _stage(tmp_path / "a", "chats", text), KEYS,
                  "taobao", "Asia/Shanghai")  # fmt: skip
    again = build_table("chats", "chat_messages", _stage(tmp_path / "b", "chats", text), KEYS,
                  "taobao", "Asia/Shanghai")  # fmt: skip
    assert sorted(first.column("message_id").to_pylist()) == sorted(
        again.column("message_id").to_pylist()
    )
    rows = first.sort_by("sent_at").to_pylist()
    assert rows[0]["text"] == "我的手机138****5678"
    assert rows[0]["agent_id"] is None and rows[1]["agent_id"] == "小美"
    # No session column: one session per customer per local day.
    assert [r["session_id"] for r in rows] == ["c1:2024-06-18", "c1:2024-06-19"]


def test_mask_text_leaves_order_ids_and_prices_alone() -> None:
    masked = mask_text(
        pa.array(["订单2024061813812345678", "身份证 11010119900101123X", "电话 138 1234 5678"])
    )
    assert masked.to_pylist() == [
        "订单2024061813812345678",
        "身份证 110101********123X",
        "电话 138****5678",
    ]
