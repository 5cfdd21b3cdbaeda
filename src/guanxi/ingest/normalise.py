"""Vectorised cleaning of the values platforms and Excel put in export cells.

Each parser takes an Arrow string array and returns the parsed array plus a ``Problems``
mask: for every row either null (fine) or the reason it was rejected. Empty cells become
null; whether a column may be empty is the validator's decision, not the parser's.

Decisions:
- Wrappers Excel users add to keep digits as text — ``="…"``, a leading apostrophe, tabs —
  are stripped the same way in every column, before anything else.
- Full-width digits, letters and symbols (０-９, Ａ-Ｚ, ＠, ：…) are folded to ASCII — width
  only, not full NFKC, so ① or ㎡ are not silently turned into something else.
- Ambiguous dates (01/05/2024: 5 January or 1 May?) are rejected, never guessed.
- Excel-damaged ids (1.23457E+18, or 18–19 digits whose tail after the 15th digit is all
  zeros because Excel keeps 15 significant digits) are rejected with how to re-export.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from guanxi.ingest.messages import Message, gettext_noop
from guanxi.lake.schema import MONEY, TS

# Full-width forms U+FF01–U+FF5E map to ASCII U+0021–U+007E; U+3000 is the ideographic space.
_WIDE = "[\uff01-\uff5e\u3000]"
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@dataclass(frozen=True)
class Parsed:
    values: pa.Array
    problems: pa.Array  # string: why a row's value was rejected (an encoded Message), or null


def _problems(mask: pa.Array, reason: Message) -> pa.Array:
    """A reason where ``mask`` is true, null elsewhere."""
    mask = pc.fill_null(mask, False)
    return pc.if_else(mask, pa.scalar(reason.encode()), pa.scalar(None, pa.string()))


def merge_problems(*problems: pa.Array) -> pa.Array:
    """The first reason of each row among several problem arrays."""
    return pc.coalesce(*problems)


def fold_width(values: pa.Array) -> pa.Array:
    """Fold full-width characters to ASCII; only rows that contain any are touched."""
    values = values.cast(pa.string())
    wide = pc.fill_null(pc.match_substring_regex(values, _WIDE), False)
    if not pc.any(wide).as_py():
        return values
    folded = [
        (v.translate(_FOLD) if w and v is not None else v)
        for v, w in zip(values.to_pylist(), wide.to_pylist(), strict=True)
    ]
    return pa.array(folded, pa.string())


def clean_text(values: pa.Array) -> pa.Array:
    """Strip ``="…"``, a leading apostrophe, tabs and surrounding spaces; '' becomes null."""
    values = values.cast(pa.string())
    values = pc.utf8_trim(values, characters=" \t\r\n\u3000")
    values = pc.replace_substring_regex(values, pattern=r'^="(.*)"$', replacement=r"\1")
    values = pc.replace_substring_regex(values, pattern=r"^'", replacement="")
    values = pc.utf8_trim(values, characters=" \t\r\n\u3000")
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


EXCEL_SCIENTIFIC = Message(
    gettext_noop(
        "Excel 把这个编号变成了科学计数法，丢失了位数；请重新导出文件，"
        "或在 Excel 中先把这一列设为文本格式再打开 CSV"
    )
)
EXCEL_TRUNCATED = Message(
    gettext_noop(
        "这个编号第 15 位之后全是 0——Excel 只保留数字的 15 位；请重新导出文件，"
        "不要用 Excel 打开并保存（或把这一列作为文本导入）"
    )
)


def parse_id(values: pa.Array) -> Parsed:
    """An identifier kept as a string, rejecting values Excel has damaged.

    Excel's 15-digit truncation hits a whole column, so 18–19-digit ids ending in zeros are
    rejected only when most long ids of the batch look like that; a genuine id that happens
    to end in 000 among undamaged ones passes.
    """
    values = fold_width(clean_text(values))
    scientific = pc.match_substring_regex(values, r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
    long_ids = pc.fill_null(pc.match_substring_regex(values, r"^\d{18,19}$"), False)
    zeros = pc.fill_null(pc.match_substring_regex(values, r"^\d{15}0{3,4}$"), False)
    long_count = pc.sum(long_ids).as_py() or 0
    zero_count = pc.sum(zeros).as_py() or 0
    truncated = zeros if zero_count * 2 > long_count else pa.array([False] * len(values))
    return Parsed(
        values,
        merge_problems(
            _problems(scientific, EXCEL_SCIENTIFIC), _problems(truncated, EXCEL_TRUNCATED)
        ),
    )


def parse_amount(values: pa.Array) -> Parsed:
    """Money as decimal(18,2): accepts ¥/￥, 元, thousands commas and spaces."""
    text = fold_width(clean_text(values))
    text = pc.replace_substring_regex(text, pattern=r"[¥￥,，\s]|元$|^RMB|^CNY", replacement="")
    ok = pc.match_substring_regex(text, r"^-?\d{1,16}(\.\d{1,2})?$")
    bad = pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(ok, False)))
    cleaned = pc.if_else(pc.fill_null(ok, False), text, pa.scalar(None, pa.string()))
    return Parsed(
        cleaned.cast(MONEY),
        _problems(bad, Message(gettext_noop("不是金额：应为 128.50 这样的数字（最多两位小数）"))),
    )


def parse_int(values: pa.Array) -> Parsed:
    text = fold_width(clean_text(values))
    text = pc.replace_substring_regex(text, pattern=r"[,，\s]", replacement="")
    ok = pc.match_substring_regex(text, r"^-?\d{1,15}(\.0+)?$")
    bad = pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(ok, False)))
    cleaned = pc.if_else(pc.fill_null(ok, False), text, pa.scalar(None, pa.string()))
    cleaned = pc.replace_substring_regex(cleaned, pattern=r"\.0+$", replacement="")
    return Parsed(cleaned.cast(pa.int64()), _problems(bad, Message(gettext_noop("不是整数"))))


_DATE = (
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]+(?P<H>\d{1,2})[:：](?P<M>\d{1,2})(?:[:：](?P<S>\d{1,2})(?P<F>\.\d+)?)?)?$"
)
_AMBIGUOUS = r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(\s|$)"
_EXCEL_SERIAL = r"^\d{5}(\.\d+)?$"
# Excel's day 0 is 1899-12-30 (it counts a 29 February 1900 that never was).
_EXCEL_EPOCH_US = int(
    (dt.datetime(1899, 12, 30) - dt.datetime(1970, 1, 1)).total_seconds() * 1_000_000
)


def _plus_fraction(naive: pa.Array, fraction: pa.Array) -> pa.Array:
    """``naive`` plus a fraction of a second written as ``.25`` or ``.123456789`` (chat logs
    from APIs give milliseconds): kept to the microsecond, further digits cut, so response
    times keep what the source measured."""
    digits = pc.utf8_slice_codeunits(pc.fill_null(fraction, ""), 1, 7)
    micros = pc.cast(pc.utf8_rpad(digits, width=6, padding="0"), pa.int64())
    return pc.add(naive, pc.cast(micros, pa.duration("us")))


def _pad(values: pa.Array, width: int, default: str) -> pa.Array:
    values = pc.if_else(pc.fill_null(pc.equal(values, ""), True), pa.scalar(default), values)
    return pc.utf8_lpad(values, width=width, padding="0")


def parse_local_datetime(values: pa.Array, time_zone: str) -> Parsed:
    """Local date-times in the shop's zone → UTC timestamps.

    Accepts 2024-01-05 08:00:00, 2024/1/5 8:00, 2024年1月5日, 2024-01-05 (midnight) and
    Excel serial numbers (45296.3333); rejects 01/05/2024 as ambiguous and impossible
    dates such as 2024-02-30.
    """
    text = fold_width(clean_text(values))
    fast = _iso_batch(text, time_zone)
    if fast is not None:
        return fast
    parts = pc.extract_regex(text, _DATE)
    matched = pc.fill_null(pc.is_valid(parts), False)
    y, m, d = (pc.struct_field(parts, k) for k in ("y", "m", "d"))
    hh, mm, ss = (pc.struct_field(parts, k) for k in ("H", "M", "S"))
    iso = pc.binary_join_element_wise(
        y,
        "-",
        _pad(m, 2, "01"),
        "-",
        _pad(d, 2, "01"),
        " ",
        _pad(hh, 2, "00"),
        ":",
        _pad(mm, 2, "00"),
        ":",
        _pad(ss, 2, "00"),
        "",
    )
    naive = pc.strptime(iso, format="%Y-%m-%d %H:%M:%S", unit="us", error_is_null=True)
    naive = _plus_fraction(naive, pc.struct_field(parts, "F"))
    # strptime rolls 2024-02-30 over to 03-01: check the fields survived the round trip.
    exact = pc.and_(
        pc.equal(pc.day(naive), pc.cast(d, pa.int64())),
        pc.equal(pc.month(naive), pc.cast(m, pa.int64())),
    )
    exact = pc.and_(exact, pc.less_equal(pc.hour(naive), 23))
    good_text = pc.and_(matched, pc.fill_null(exact, False))

    serial = pc.fill_null(pc.match_substring_regex(text, _EXCEL_SERIAL), False)
    serial_us = pc.add(
        pc.cast(
            pc.round(
                pc.multiply(pc.cast(pc.if_else(serial, text, None), pa.float64()), 86_400_000_000.0)
            ),
            pa.int64(),
        ),
        _EXCEL_EPOCH_US,
    )
    from_serial = pc.cast(serial_us, pa.timestamp("us"))
    naive = pc.if_else(good_text, naive, pc.if_else(serial, from_serial, None))
    local = pc.assume_timezone(
        naive, timezone=time_zone, ambiguous="earliest", nonexistent="earliest"
    )
    utc = pc.cast(local, TS)

    present = pc.is_valid(text)
    ambiguous = pc.and_(present, pc.fill_null(pc.match_substring_regex(text, _AMBIGUOUS), False))
    bad = pc.and_(present, pc.invert(pc.or_(good_text, serial)))
    problems = merge_problems(
        _problems(
            ambiguous,
            Message(gettext_noop("日期有歧义：分不清日和月；请把年份写在前面，如 2024-01-05")),
        ),
        _problems(
            bad,
            Message(
                gettext_noop(
                    "不是日期时间：应为 2024-01-05 08:00:00、2024/1/5 或 2024年1月5日 这样的写法"
                )
            ),
        ),
    )
    return Parsed(utc, problems)


_ISO = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"


def _iso_batch(text: pa.Array, time_zone: str) -> Parsed | None:
    """Fast path for the common case: every cell of the batch is ``YYYY-MM-DD HH:MM:SS``."""
    present = pc.is_valid(text)
    iso = pc.fill_null(pc.match_substring_regex(text, _ISO), False)
    if not pc.all(pc.equal(iso, present)).as_py():
        return None
    naive = pc.strptime(text, format="%Y-%m-%d %H:%M:%S", unit="us", error_is_null=True)
    # strptime is lenient (02-30 becomes 03-01): a value is exact if its day and month survive.
    day = pc.cast(pc.utf8_slice_codeunits(text, 8, 10), pa.int64())
    month = pc.cast(pc.utf8_slice_codeunits(text, 5, 7), pa.int64())
    exact = pc.fill_null(
        pc.and_(pc.equal(pc.day(naive), day), pc.equal(pc.month(naive), month)), False
    )
    if not pc.all(pc.equal(exact, present)).as_py():
        return None  # some impossible date: let the general path explain it
    local = pc.assume_timezone(
        naive, timezone=time_zone, ambiguous="earliest", nonexistent="earliest"
    )
    return Parsed(pc.cast(local, TS), pa.nulls(len(text), pa.string()))


def parse_date(values: pa.Array) -> Parsed:
    """A calendar date (traffic days): same formats, no time zone conversion."""
    parsed = parse_local_datetime(values, "UTC")
    return Parsed(pc.cast(pc.cast(parsed.values, pa.timestamp("us")), pa.date32()), parsed.problems)


def parse_bool(values: pa.Array) -> Parsed:
    text = pc.utf8_lower(fold_width(clean_text(values)))
    yes = pc.is_in(text, pa.array(["是", "有", "yes", "y", "true", "1"]))
    no = pc.is_in(text, pa.array(["否", "无", "没有", "no", "n", "false", "0"]))
    bad = pc.and_(pc.is_valid(text), pc.invert(pc.or_(yes, no)))
    out = pc.if_else(yes, True, pc.if_else(no, False, pa.scalar(None, pa.bool_())))
    return Parsed(out, _problems(bad, Message(gettext_noop("应为 是 或 否"))))
