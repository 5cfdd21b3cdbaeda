"""Reading export files as batches of text columns, with the file's row numbers.

Every reader yields ``pa.RecordBatch``es whose columns are the file's headers, all strings
(typing is the mapping's job), plus ``__row``: the row number a user sees in Excel (the
header is row 1). Memory stays bounded for CSV and JSON Lines, which are streamed; an XLSX
sheet is at most about a million rows and is read whole after the safety checks.

Encodings are detected in the order utf-8-sig, utf-8, gb18030 over the whole file (by
streaming, in C): undecodable bytes reject the file with the line and byte position —
never silently replaced.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import math
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from guanxi.ingest.messages import MessageError, gettext_noop

ROW = "__row"
BATCH_ROWS = 65_536
CHUNK = 1 << 20
BLOCK_BYTES = 8 << 20  # CSV bytes per Arrow batch: bounds memory whatever the file size


class FileRejectedError(MessageError):
    """The whole file cannot be read; the message names the file and the place."""


@dataclass
class Source:
    path: Path
    display_name: str  # the name the user knows (an upload's original name)
    encoding: str | None  # detected text encoding; None for XLSX
    done: float = 0.0  # share of the file read so far, 0..1, for progress bars


class _CountingReader(io.RawIOBase):
    """A binary file that tells its ``Source`` how far reading has got."""

    def __init__(self, source: Source) -> None:
        self._file = source.path.open("rb")
        self._source = source
        self._size = max(source.path.stat().st_size, 1)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._file.readinto(buffer)
        self._source.done = min(1.0, self._file.tell() / self._size)
        return count

    def close(self) -> None:
        self._file.close()
        super().close()


def _line_of(path: Path, offset: int) -> int:
    """1-based line number of byte ``offset``."""
    line = 1
    with path.open("rb") as f:
        remaining = offset
        while remaining > 0:
            block = f.read(min(CHUNK, remaining))
            if not block:
                break
            line += block.count(b"\n")
            remaining -= len(block)
    return line


def _first_undecodable(path: Path, encoding: str) -> int | None:
    """Byte offset of the first byte ``encoding`` cannot decode, or None if all decode."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return offset + exc.start
    return None


def detect_encoding(path: Path, display_name: str | None = None) -> str:
    name = display_name or path.name
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        bad = _first_undecodable(path, "utf-8-sig")
        if bad is None:
            return "utf-8-sig"
        raise FileRejectedError(
            gettext_noop(
                "%(file)s：以 UTF-8 标记开头，但第 %(byte)s 字节（第 %(line)s 行）不是 UTF-8；"
                "文件已损坏——请重新导出"
            ),
            file=name,
            byte=bad,
            line=_line_of(path, bad),
        )
    utf8_bad = _first_undecodable(path, "utf-8")
    if utf8_bad is None:
        return "utf-8"
    gb_bad = _first_undecodable(path, "gb18030")
    if gb_bad is None:
        return "gb18030"
    raise FileRejectedError(
        gettext_noop(
            "%(file)s：既不是 UTF-8（第 %(utf8_byte)s 字节，第 %(utf8_line)s 行读不出）"
            "也不是 GBK/GB18030（第 %(gb_byte)s 字节，第 %(gb_line)s 行读不出）；"
            "请另存为 CSV UTF-8，或从平台重新导出"
        ),
        file=name,
        utf8_byte=utf8_bad,
        utf8_line=_line_of(path, utf8_bad),
        gb_byte=gb_bad,
        gb_line=_line_of(path, gb_bad),
    )


def _header(path: Path, encoding: str, name: str) -> list[str]:
    with path.open(encoding=encoding, newline="") as f:
        try:
            first = next(csv.reader(f))
        except StopIteration:
            raise FileRejectedError(gettext_noop("%(file)s：文件是空的"), file=name) from None
    headers = [h.strip().lstrip("\ufeff").strip() for h in first]
    _check_headers(headers, name)
    return headers


def _check_headers(headers: list[str], name: str) -> None:
    if not any(headers):
        raise FileRejectedError(gettext_noop("%(file)s：第 1 行应是列名，但它是空的"), file=name)
    blank = [i + 1 for i, h in enumerate(headers) if not h]
    if blank:
        raise FileRejectedError(
            gettext_noop("%(file)s：第 1 行的第 %(columns)s 列没有列名；请给每一列写上列名"),
            file=name,
            columns=blank,
        )
    seen: set[str] = set()
    for h in headers:
        if h in seen:
            raise FileRejectedError(
                gettext_noop("%(file)s：列名「%(column)s」在第 1 行出现了两次；请改掉其中一个"),
                file=name,
                column=h,
            )
        seen.add(h)


def read_csv(source: Source) -> Iterator[pa.RecordBatch]:
    encoding = source.encoding or detect_encoding(source.path, source.display_name)
    headers = _header(source.path, encoding, source.display_name)
    reader_encoding = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    try:
        reader = pacsv.open_csv(
            _CountingReader(source),
            read_options=pacsv.ReadOptions(
                encoding=reader_encoding,
                skip_rows=1,
                column_names=headers,
                block_size=BLOCK_BYTES,
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in headers},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        next_row = 2
        for batch in reader:
            if batch.num_rows == 0:
                continue
            rows = pa.array(range(next_row, next_row + batch.num_rows), pa.int64())
            next_row += batch.num_rows
            yield pa.RecordBatch.from_arrays([*batch.columns, rows], names=[*headers, ROW])
    except pa.ArrowInvalid as exc:
        # e.g. "CSV parse error: Expected 5 columns, got 6: …" — Arrow names the row text.
        raise FileRejectedError(
            gettext_noop(
                "%(file)s：无法按 CSV 读取（%(error)s）。每一行的列数都必须与第 1 行相同；"
                "请检查多余的逗号或引号"
            ),
            file=source.display_name,
            error=str(exc),
        ) from exc


def read_jsonl(source: Source) -> Iterator[pa.RecordBatch]:
    """JSON Lines: one object per line; values become text as written."""
    encoding = source.encoding or detect_encoding(source.path, source.display_name)
    headers: list[str] | None = None
    rows: list[dict[str, str | None]] = []
    numbers: list[int] = []
    size = max(source.path.stat().st_size, 1)
    consumed = 0
    with source.path.open(encoding=encoding) as f:
        for number, line in enumerate(f, start=1):
            consumed += len(line.encode(encoding))
            source.done = min(1.0, consumed / size)
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FileRejectedError(
                    gettext_noop(
                        "%(file)s：第 %(line)s 行不是有效的 JSON"
                        "（第 %(column)s 个字符处：%(error)s）；每行应是一个 JSON 对象"
                    ),
                    file=source.display_name,
                    line=number,
                    column=exc.colno,
                    error=exc.msg,
                ) from exc
            if not isinstance(obj, dict):
                raise FileRejectedError(
                    gettext_noop("%(file)s：第 %(line)s 行不是 JSON 对象 {…}"),
                    file=source.display_name,
                    line=number,
                )
            if headers is None:
                headers = [str(k) for k in obj]
            rows.append({k: _text(v) for k, v in obj.items()})
            numbers.append(number)
            if len(rows) == BATCH_ROWS:
                yield _batch(headers, rows, numbers)
                rows, numbers = [], []
    if headers is None:
        raise FileRejectedError(gettext_noop("%(file)s：文件是空的"), file=source.display_name)
    if rows:
        yield _batch(headers, rows, numbers)


def _batch(
    headers: list[str], rows: list[dict[str, str | None]], numbers: list[int]
) -> pa.RecordBatch:
    columns = [pa.array([r.get(h) for r in rows], pa.string()) for h in headers]
    return pa.RecordBatch.from_arrays(
        [*columns, pa.array(numbers, pa.int64())], names=[*headers, ROW]
    )


def _text(value: object) -> str | None:
    """A cell value as the text a user would see; numbers keep every digit they have."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)  # 1.2345678901234568e+18 stays visibly damaged
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


# -- XLSX ------------------------------------------------------------------------------------
MAX_XLSX_UNCOMPRESSED = 512 << 20  # 512 MB of XML is far beyond any real export
MAX_XLSX_RATIO = 200  # real sheets compress ~10×; bombs compress 1000× and more


def check_xlsx(path: Path, name: str) -> None:
    """Refuse zip bombs and XML entity tricks before any XML parser sees the file."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > MAX_XLSX_UNCOMPRESSED or total / packed > MAX_XLSX_RATIO:
                raise FileRejectedError(
                    gettext_noop(
                        "%(file)s：拒绝读取——它解压后有 %(size)s MB（原大小的 %(ratio)s 倍），"
                        "真实的导出文件不会这样"
                    ),
                    file=name,
                    size=total >> 20,
                    ratio=total // packed,
                )
            for info in infos:
                if not info.filename.endswith((".xml", ".rels")):
                    continue
                with archive.open(info) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise FileRejectedError(
                        gettext_noop(
                            "%(file)s：拒绝读取——其中的 %(part)s 声明了 XML 实体，"
                            "电子表格从不需要它"
                        ),
                        file=name,
                        part=info.filename,
                    )
    except zipfile.BadZipFile as exc:
        raise FileRejectedError(
            gettext_noop("%(file)s：不是 XLSX 文件（它不是 zip 压缩包）"), file=name
        ) from exc


def read_xlsx(source: Source, sheet: int = 0) -> Iterator[pa.RecordBatch]:
    """The first sheet's cached cell values; formulas are never evaluated."""
    from python_calamine import CalamineError, CalamineWorkbook

    name = source.display_name
    check_xlsx(source.path, name)
    try:
        workbook = CalamineWorkbook.from_path(str(source.path))
        rows = workbook.get_sheet_by_index(sheet).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        raise FileRejectedError(
            gettext_noop("%(file)s：无法读取这个电子表格：%(error)s"), file=name, error=str(exc)
        ) from exc
    if not rows:
        raise FileRejectedError(gettext_noop("%(file)s：第一个工作表是空的"), file=name)
    headers = [(_text(h) or "").strip() for h in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    _check_headers(headers, name)
    width = len(headers)
    for start in range(1, len(rows), BATCH_ROWS):
        chunk = rows[start : start + BATCH_ROWS]
        columns = [
            pa.array([_text(r[i]) if i < len(r) else None for r in chunk], pa.string())
            for i in range(width)
        ]
        numbers = pa.array(range(start + 1, start + 1 + len(chunk)), pa.int64())
        source.done = min(1.0, (start + len(chunk)) / len(rows))
        yield pa.RecordBatch.from_arrays([*columns, numbers], names=[*headers, ROW])


def open_source(
    path: Path, display_name: str | None = None, *, agent_names: Collection[str] = ()
) -> tuple[Source, Iterator[pa.RecordBatch]]:
    """Pick the reader by content (zip → XLSX) and extension (.jsonl/.json → JSON Lines,
    .txt → chat transcript, else CSV)."""
    name = display_name or path.name
    if not path.exists():
        raise FileRejectedError(gettext_noop("%(file)s：文件不存在"), file=name)
    with path.open("rb") as f:
        magic = f.read(4)
    if magic.startswith(b"PK\x03\x04"):
        source = Source(path, name, None)
        return source, read_xlsx(source)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejectedError(
            gettext_noop(
                "%(file)s：是旧的 .xls（Excel 97–2003）文件；请另存为 .xlsx 或 CSV 再导入"
            ),
            file=name,
        )
    encoding = detect_encoding(path, name)
    source = Source(path, name, encoding)
    if name.lower().endswith((".jsonl", ".ndjson", ".json")):
        return source, read_jsonl(source)
    if name.lower().endswith(".txt"):
        from guanxi.ingest.transcript import read_transcript  # it imports this module

        return source, read_transcript(source, agent_names)
    return source, read_csv(source)
