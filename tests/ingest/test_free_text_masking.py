"""Personal data in free text is masked before it is stored (issue 13 item 1): the values the
master knows about the row's customer in any spelling, plus phone, ID-card, e-mail and
street-address patterns; order ids, prices and tracking numbers are left alone."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from guanxi.ingest.facts import build_table
from guanxi.ingest.pii import KnownValues, mask_free_text, mask_text
from guanxi.ingest.stage import stage
from tests.ingest.pii_lines import KNOWN, LINES

KEYS = pa.table({"buyer": ["小王"], "customer_key": ["c1"]})


def _staged(folder: Path, kind: str, platform: str, rows: list[list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    staged = stage(
        path, kind_name=kind, platform=platform, time_zone="Asia/Shanghai", workdir=folder / "w"
    )
    assert staged.rows_bad == 0
    return staged.staged_path


def _chat_rows(texts: list[str]) -> list[list[str]]:
    return [["客户", "客服", "发送方", "时间", "内容"]] + [
        ["小王", "", "客户", f"2024-06-18 10:{i // 60:02d}:{i % 60:02d}", text]
        for i, text in enumerate(texts)
    ]


def _recall(masked: list[str]) -> tuple[int, int, list[str]]:
    """(planted values masked, planted values, kept values that were changed)."""
    planted = hidden = 0
    harmed = []
    for (_text, plants, keeps), out in zip(LINES, masked, strict=True):
        planted += len(plants)
        hidden += sum(1 for value in plants if value not in out)
        harmed += [value for value in keeps if value not in out]
    return hidden, planted, harmed


def test_labelled_chat_lines_are_masked_before_storage(tmp_path: Path) -> None:
    texts = [line[0] for line in LINES]
    staged = _staged(tmp_path, "chats", "taobao", _chat_rows(texts))
    table = build_table(
        "chats", "chat_messages", staged, KEYS, "taobao", "Asia/Shanghai", known={"c1": KNOWN}
    )
    stored = table.sort_by("sent_at").column("text").to_pylist()

    hidden, planted, harmed = _recall(stored)
    # Recall on the labelled set: every planted value masked (issue 13 asks ≥ 98 %), and no
    # order id, price, tracking number or quantity touched.
    assert (hidden, planted) == (34, 34)
    assert harmed == []
    assert stored[0] == "我叫欧阳**，订单3312345678901234567还没发货"
    assert stored[4] == "打我电话+86 139****4321"
    assert stored[21] == "地址 浙江省杭州市****"
    assert stored[28] == "旺旺 t***8 上也问过"
    # The display masks exactly as the import does (Python's re there, RE2 here).
    assert mask_free_text(texts, KNOWN) == stored


def test_without_the_master_the_patterns_still_mask_most(tmp_path: Path) -> None:
    staged = _staged(tmp_path, "chats", "taobao", _chat_rows([line[0] for line in LINES]))
    table = build_table("chats", "chat_messages", staged, KEYS, "taobao", "Asia/Shanghai")
    stored = table.sort_by("sent_at").column("text").to_pylist()
    hidden, planted, harmed = _recall(stored)
    # Only the known-value pass finds these 9: the name (欧阳娜娜 ×3, 欧 阳 娜 娜), the
    # accounts (tb_ouyang88, ＴＢ_ＯＵＹＡＮＧ88, 娜娜爱购物), the full-width e-mail and the
    # phone spelt digit by digit with single spaces (more gaps than a phone pattern allows).
    assert (hidden, planted) == (25, 34)
    assert harmed == []


def test_phone_spellings_with_country_code_and_dots_are_masked() -> None:
    masked = mask_text(pa.array(["+8613987654321", "+86 139 8765 4321", "139.8765.4321"]))
    assert masked.to_pylist() == ["+86139****4321", "+86 139****4321", "139****4321"]


def test_refund_reasons_are_masked_before_storage(tmp_path: Path) -> None:
    rows = [
        ["退款编号", "订单号", "买家", "申请时间", "售后类型", "退款原因", "退款金额", "退款状态"],
        ["r1", "o1", "小王", "2024-06-18 10:00:00", "换货", "联系人欧阳娜娜 13987654321 换货",
         "20.00", "success"],
        ["r2", "o2", "小王", "2024-06-18 11:00:00", "仅退款", "寄回西湖区文三路88号，不要了",
         "30.00", "success"],
    ]  # fmt: skip
    staged = _staged(tmp_path, "refunds", "generic", rows)
    table = build_table(
        "refunds", "refunds", staged, KEYS, "generic", "Asia/Shanghai", known={"c1": KNOWN}
    )
    assert table.sort_by("refund_id").column("reason").to_pylist() == [
        "联系人欧阳** 139****4321 换货",
        "寄****，不要了",  # the pattern cannot tell 回 from a district name: it goes too
    ]


def test_known_values_of_another_customer_are_not_applied(tmp_path: Path) -> None:
    """The known-value pass uses the row's own customer: 王芳 is nobody's name for c1."""
    staged = _staged(tmp_path, "chats", "taobao", _chat_rows(["王芳说欧阳娜娜是她同事"]))
    known = {"c1": KnownValues(names=("欧阳娜娜",)), "c2": KnownValues(names=("王芳",))}
    table = build_table(
        "chats", "chat_messages", staged, KEYS, "taobao", "Asia/Shanghai", known=known
    )
    assert table.column("text").to_pylist() == ["王芳说欧阳**是她同事"]
