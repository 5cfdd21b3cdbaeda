from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from guanxi.lake import Lake, LakeError
from tests.factories import messages_table, orders_table


def test_write_is_idempotent_and_newest_state_wins(lake: Lake) -> None:
    first = orders_table(
        [
            ("o1", "c1", "2024-06-17 10:00:00", None, "10.00"),
            ("o2", "c2", "2024-06-17 11:00:00", None, "20.00"),
        ]
    )
    assert (lake.write("orders", first).added, lake.version("orders")) == (2, 0)
    again = lake.write("orders", first)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert lake.version("orders") == 0  # nothing changed, no new commit
    newer = orders_table(
        [
            ("o2", "c2", "2024-06-17 11:00:00", "2024-06-17 11:05:00", "20.00"),
            ("o3", "c3", "2024-06-18 09:00:00", None, "5.50"),
        ]
    )
    result = lake.write("orders", newer)
    assert (result.added, result.updated, result.unchanged) == (1, 1, 0)
    rows = {r["order_id"]: r for r in lake.to_arrow("orders").to_pylist()}
    assert sorted(rows) == ["o1", "o2", "o3"]
    assert rows["o2"]["status"] == "paid"
    assert rows["o3"]["amount"] == Decimal("5.50")


def test_duplicate_keys_in_one_batch_keep_the_last_row(lake: Lake) -> None:
    batch = orders_table(
        [
            ("o1", "c1", "2024-06-17 10:00:00", None, "10.00"),
            ("o1", "c1", "2024-06-17 10:00:00", "2024-06-17 10:01:00", "10.00"),
        ]
    )
    assert lake.write("orders", batch).added == 1
    assert lake.to_arrow("orders").column("status").to_pylist() == ["paid"]


def test_bad_batch_is_refused_and_nothing_written(lake: Lake) -> None:
    batch = orders_table([("o1", "c1", "2024-06-17 10:00:00", None, "10.00")]).drop(["amount"])
    with pytest.raises(LakeError, match="orders: batch lacks column"):
        lake.write("orders", batch)
    assert not lake.exists("orders")
    empty_status = orders_table([("o1", "c1", "2024-06-17 10:00:00", None, "10.00")])
    empty_status = empty_status.set_column(
        empty_status.schema.get_field_index("status"), "status", pa.array([None], pa.string())
    )
    with pytest.raises(LakeError, match=r"orders\.status: 1 empty value"):
        lake.write("orders", empty_status)


def test_tables_are_plain_delta_and_restorable(lake: Lake) -> None:
    lake.write("orders", orders_table([("o1", "c1", "2024-06-17 10:00:00", None, "10.00")]))
    lake.write("orders", orders_table([("o2", "c1", "2024-06-17 10:00:00", None, "10.00")]))
    assert DeltaTable(lake.path("orders")).to_pyarrow_table().num_rows == 2
    lake.restore("orders", 0)
    assert lake.to_arrow("orders").column("order_id").to_pylist() == ["o1"]
    assert lake.arrow(lake.table("orders").count()).as_py() == 1


def test_replace_streams_batches_in_one_commit(lake: Lake) -> None:
    def batches():
        for day in range(3):
            yield pa.record_batch(
                {
                    "platform": ["taobao"],
                    "date": [dt.date(2024, 1, 1 + day)],
                    "pv": [10 * day],
                    "uv": [day],
                }
            )

    assert lake.replace("traffic_daily", batches()) == 0
    assert lake.arrow(lake.table("traffic_daily").pv.sum()).as_py() == 30


def test_empty_table_reads_with_its_schema(lake: Lake) -> None:
    table = lake.table("chat_messages")
    assert "sent_at" in table.columns
    assert lake.arrow(table.count()).as_py() == 0


def test_rekey_moves_a_customers_rows_and_can_move_exactly_them_back(lake: Lake) -> None:
    from tests.factories import orders_table

    lake.write(
        "orders",
        orders_table(
            [
                ("o1", "c_old", "2024-06-17 10:00:00", None, "1.00"),
                ("o2", "c_old", "2024-06-17 11:00:00", None, "2.00"),
                ("o3", "c_new", "2024-06-17 12:00:00", None, "3.00"),
            ]
        ),
    )
    moved = lake.rekey("orders", "c_old", "c_new")
    assert sorted(r["order_id"] for r in moved) == ["o1", "o2"]
    owners = {r["order_id"]: r["customer_key"] for r in lake.to_arrow("orders").to_pylist()}
    assert owners == {"o1": "c_new", "o2": "c_new", "o3": "c_new"}
    back = lake.rekey("orders", "c_new", "c_old", only=moved)
    assert len(back) == 2
    owners = {r["order_id"]: r["customer_key"] for r in lake.to_arrow("orders").to_pylist()}
    assert owners == {"o1": "c_old", "o2": "c_old", "o3": "c_new"}
    assert lake.rekey("traffic_daily", "c_old", "c_new") == []


def _bytes_under(root: str) -> bytes:
    from pathlib import Path

    return b"".join(p.read_bytes() for p in sorted(Path(root).rglob("*")) if p.is_file())


def test_unlink_customer_tombstones_the_key_clears_text_and_purge_leaves_no_trace(
    lake: Lake,
) -> None:
    lake.write(
        "orders",
        orders_table(
            [
                ("o1", "c0000secret00001", "2024-06-17 10:00:00", None, "10.00"),
                ("o2", "c2", "2024-06-17 11:00:00", None, "20.00"),
            ]
        ),
    )
    chats = messages_table(
        [
            ("c0000secret00001", "customer", "2024-06-17 09:00:00"),
            ("c2", "customer", "2024-06-17 09:10:00"),
        ]
    )
    texts = pa.array(["我住文三路1号", "在吗"], pa.string())
    chats = chats.set_column(chats.schema.get_field_index("text"), "text", texts)
    sessions = pa.array(["s1", "s2"], pa.string())
    chats = chats.set_column(chats.schema.get_field_index("session_id"), "session_id", sessions)
    lake.write("chat_messages", chats)
    version = lake.version("orders")
    assert lake.unlink_customer("orders", "c0000secret00001", "erased-1") == 1
    assert lake.unlink_customer("chat_messages", "c0000secret00001", "erased-1", ["text"]) == 1
    assert lake.unlink_customer("orders", "nobody", "erased-2") == 0  # no commit for nothing
    assert lake.version("orders") == (version or 0) + 1
    orders = {r["order_id"]: r["customer_key"] for r in lake.to_arrow("orders").to_pylist()}
    assert orders == {"o1": "erased-1", "o2": "c2"}
    stored = sorted(
        (r["customer_key"], r["text"]) for r in lake.to_arrow("chat_messages").to_pylist()
    )
    assert stored == [("c2", "在吗"), ("erased-1", None)]
    # Before the purge the old files and commits still hold the key and the text.
    assert b"c0000secret00001" in _bytes_under(lake.root)

    assert lake.purge_history("orders") == 1
    assert lake.purge_history("chat_messages") == 1
    everything = _bytes_under(lake.root)
    assert b"c0000secret00001" not in everything
    assert "文三路".encode() not in everything
    # The tables still read, with the same rows, and keep their version numbers.
    assert lake.arrow(lake.table("orders").count()).as_py() == 2
    # The update, retention to 0, vacuum's start and end, retention back: numbering carries on.
    assert lake.version("orders") == (version or 0) + 5
    retention = DeltaTable(lake.path("orders")).metadata().configuration
    assert retention["delta.logRetentionDuration"] == "interval 30 days"
    assert lake.arrow(lake.table("chat_messages").count()).as_py() == 2
