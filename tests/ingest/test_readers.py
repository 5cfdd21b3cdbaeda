"""Readers on real files written here: encodings, damaged bytes, XLSX safety, JSON Lines."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from guanxi.ingest import readers
from guanxi.ingest.normalise import parse_id
from guanxi.ingest.readers import ROW, FileRejectedError, open_source
from tests.messages import chinese, english

ORDERS = '订单编号,买家会员名,买家实际支付金额\n1001,小王,12.50\n1002,"李,四",3\n'


def _rows(path: Path) -> list[dict[str, str | None]]:
    _source, batches = open_source(path)
    return pa.Table.from_batches(list(batches)).to_pylist()


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_csv_in_each_encoding_reads_the_same(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(ORDERS.encode(encoding))
    source, batches = open_source(path)
    assert source.encoding == expected
    rows = pa.Table.from_batches(list(batches)).to_pylist()
    assert rows == [
        {"订单编号": "1001", "买家会员名": "小王", "买家实际支付金额": "12.50", ROW: 2},
        {"订单编号": "1002", "买家会员名": "李,四", "买家实际支付金额": "3", ROW: 3},
    ]


def test_undecodable_bytes_reject_the_file_with_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    good = "订单编号,金额\n1001,1\n".encode()
    path.write_bytes(good + b"1002,\xff\xfe\n")  # 0xFF is neither UTF-8 nor GB18030
    with pytest.raises(FileRejectedError) as caught:
        open_source(path)
    message = english(caught.value)
    assert "broken.csv" in message
    assert f"byte {len(good) + 5}" in message and "line 3" in message
    assert f"第 {len(good) + 5} 字节，第 3 行" in str(caught.value)


def test_ragged_rows_and_bad_headers_are_named(tmp_path: Path) -> None:
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    with pytest.raises(FileRejectedError) as caught:
        _rows(ragged)
    assert english(caught.value).startswith("ragged.csv: cannot be read as CSV")
    assert chinese(caught.value).startswith("ragged.csv：无法按 CSV 读取")
    twice = tmp_path / "twice.csv"
    twice.write_text("订单编号,订单编号\n1,2\n", encoding="utf-8")
    with pytest.raises(FileRejectedError, match="列名「订单编号」在第 1 行出现了两次"):
        _rows(twice)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(FileRejectedError, match=r"empty\.csv：文件是空的"):
        _rows(empty)


def test_large_csv_streams_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "BLOCK_BYTES", 1 << 16)
    path = tmp_path / "big.csv"
    with path.open("w", encoding="gbk") as f:
        f.write("订单编号,金额\n")
        for i in range(300_000):
            f.write(f"{i},1.00\n")
    _source, batches = open_source(path)
    sizes = [b.num_rows for b in batches]
    assert sum(sizes) == 300_000 and len(sizes) > 1


def test_xlsx_keeps_values_as_text_and_never_evaluates_formulas(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["订单编号", "金额", "公式"])
    sheet.append(["1001", 12.5, "=1+1"])
    sheet.append([1234567890123456789, 3, None])  # a long id Excel stored as a number
    path = tmp_path / "orders.xlsx"
    book.save(path)
    rows = _rows(path)
    assert rows[0] == {"订单编号": "1001", "金额": "12.5", "公式": None, ROW: 2}
    damaged = rows[1]["订单编号"]
    assert damaged is not None and "e+18" in damaged  # visibly damaged: the parser rejects it
    assert "scientific notation" in english(parse_id(pa.array([damaged])).problems[0].as_py())
    assert rows[1][ROW] == 3


def test_xlsx_zip_bomb_and_entities_are_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (64 << 20) + b"</a>")
    with pytest.raises(FileRejectedError, match="拒绝读取"):
        _rows(bomb)
    entity = tmp_path / "entity.xlsx"
    with zipfile.ZipFile(entity, "w") as archive:
        archive.writestr(
            "xl/workbook.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
        )
    with pytest.raises(FileRejectedError, match="XML 实体"):
        _rows(entity)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(FileRejectedError, match=r"\.xls"):
        _rows(old)


def test_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "chats.jsonl"
    path.write_text(
        '{"会话": "s1", "金额": 12.5}\n\n{"会话": "s2", "金额": null}\n', encoding="utf-8"
    )
    assert _rows(path) == [
        {"会话": "s1", "金额": "12.5", ROW: 1},
        {"会话": "s2", "金额": None, ROW: 3},
    ]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"a": 1}\n{"a": \n', encoding="utf-8")
    with pytest.raises(FileRejectedError) as caught:
        _rows(bad)
    assert "line 2 is not valid JSON" in english(caught.value)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400), st.sampled_from(["f.csv", "f.jsonl", "f.xlsx"]))
def test_any_bytes_are_read_or_rejected_with_a_reason(
    tmp_path: Path, data: bytes, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    message = ""
    try:
        _source, batches = open_source(path)
        for batch in batches:
            assert ROW in batch.schema.names
    except FileRejectedError as exc:
        message = str(exc)
    assert not message or message.startswith(name)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.lists(st.text(alphabet='ab,"\\n 中文１', max_size=6), min_size=2, max_size=2),
        max_size=8,
    )
)
def test_csv_with_awkward_cells_never_crashes(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "awkward.csv"
    lines = ["a,b"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = ""
    try:
        _source, batches = open_source(path)
        for batch in batches:
            assert batch.schema.names == ["a", "b", ROW]
    except FileRejectedError as exc:
        message = str(exc)
    assert not message or message.startswith("awkward.csv")
