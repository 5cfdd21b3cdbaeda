"""The cell parsers: each accepted form, each rejection with its reason, and no crash ever."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.ingest import normalise as n
from tests.messages import chinese, english

UTC = dt.UTC


def _utc(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_local_datetimes_in_every_accepted_form_become_utc() -> None:
    cells = [
        "2024-01-05 08:00:00",  # 08:00 in Shanghai is 00:00 UTC
        "2024/1/5",  # a date alone is local midnight
        "2024年1月5日",
        " 2024-1-5 8:05 ",
        '="2024-01-05 08:00:00"',
        "２０２４-０１-０５ ０８：００：００",  # full width
        "45296.5",  # Excel serial: day 45296 is 2024-01-05, .5 is noon
        "2024-01-05 08:00:01.25",  # fractions of a second are kept, to the microsecond
        "2024-01-05 08:00:01.1234567",
        None,
        "",
    ]
    parsed = n.parse_local_datetime(pa.array(cells), "Asia/Shanghai")
    assert parsed.values.to_pylist() == [
        _utc(2024, 1, 5, 0, 0),
        _utc(2024, 1, 4, 16, 0),
        _utc(2024, 1, 4, 16, 0),
        _utc(2024, 1, 5, 0, 5),
        _utc(2024, 1, 5, 0, 0),
        _utc(2024, 1, 5, 0, 0),
        _utc(2024, 1, 5, 4, 0),
        _utc(2024, 1, 5, 0, 0) + dt.timedelta(seconds=1, microseconds=250_000),
        _utc(2024, 1, 5, 0, 0) + dt.timedelta(seconds=1, microseconds=123_456),
        None,
        None,
    ]
    assert parsed.problems.null_count == len(cells)


def test_ambiguous_and_impossible_dates_are_rejected_not_guessed() -> None:
    parsed = n.parse_local_datetime(
        pa.array(["01/05/2024", "2024-02-30", "2024-01-05 24:00:00", "yesterday"]),
        "Asia/Shanghai",
    )
    assert parsed.values.to_pylist() == [None] * 4
    reasons = [english(r) for r in parsed.problems.to_pylist()]
    assert reasons[0].startswith("ambiguous date")
    assert all(r.startswith("not a date-time") for r in reasons[1:])
    assert chinese(parsed.problems[0].as_py()).startswith("日期有歧义")


def test_amounts_with_currency_signs_commas_and_spaces() -> None:
    parsed = n.parse_amount(
        pa.array(["¥1,234.50", "￥ 12", "3 元", "-5", "１２.５", "12.345", "abc"])
    )
    assert parsed.values.to_pylist() == [
        Decimal("1234.50"),
        Decimal("12.00"),
        Decimal("3.00"),
        Decimal("-5.00"),
        Decimal("12.50"),
        None,
        None,
    ]
    assert parsed.problems.to_pylist()[:5] == [None] * 5
    assert "at most 2 decimals" in english(parsed.problems.to_pylist()[5])


def test_ids_stay_strings_and_excel_damage_is_explained() -> None:
    parsed = n.parse_id(
        pa.array(
            [
                '="0012345"',
                "'0012",
                "\tAB1\t",
                "1.23457E+18",
                "123456789012345000",
                "1234567890123456789",
                "987654321098765000",  # two of three long ids end in zeros: Excel did it
            ]
        )
    )
    assert parsed.values.to_pylist()[:3] == ["0012345", "0012", "AB1"]
    reasons = [english(r) if r else r for r in parsed.problems.to_pylist()]
    assert reasons[:3] == [None, None, None]
    assert "scientific notation" in reasons[3]
    assert "15th digit" in reasons[4]
    assert reasons[5] is None  # 19 real digits are fine
    assert "15th digit" in reasons[6]


def test_a_genuine_id_ending_in_zeros_passes_among_undamaged_ones() -> None:
    ids = [f"3{i:017d}" for i in range(1000, 1010)]  # 3…1000 ends in 000 by chance
    assert n.parse_id(pa.array(ids)).problems.null_count == len(ids)
    damaged = [f"{i:015d}000" for i in range(1, 5)]
    assert n.parse_id(pa.array(damaged)).problems.null_count == 0


def test_width_folding_is_width_only() -> None:
    folded = n.fold_width(pa.array(["１３８００１３８０００", "ａｂｃ＠ｘ．ｃｎ", "①㎡", None]))
    assert folded.to_pylist() == ["13800138000", "abc@x.cn", "①㎡", None]


def test_booleans_and_ints() -> None:
    assert n.parse_bool(pa.array(["是", "否", "Yes", "maybe"])).values.to_pylist() == [
        True,
        False,
        True,
        None,
    ]
    parsed = n.parse_int(pa.array(["1,000", "3.0", "2.5"]))
    assert parsed.values.to_pylist() == [1000, 3, None]
    assert chinese(parsed.problems.to_pylist()[2]) == "不是整数"
    assert english(parsed.problems.to_pylist()[2]) == "not a whole number"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=30)), max_size=20))
def test_parsers_never_crash_and_every_failure_has_a_reason(cells: list[str | None]) -> None:
    array = pa.array(cells, pa.string())
    empty = [c is None for c in n.clean_text(array).to_pylist()]
    for parsed in (
        n.parse_local_datetime(array, "Asia/Shanghai"),
        n.parse_amount(array),
        n.parse_int(array),
        n.parse_bool(array),
    ):
        assert len(parsed.values) == len(parsed.problems) == len(cells)
        for value, problem, blank in zip(
            parsed.values.to_pylist(), parsed.problems.to_pylist(), empty, strict=True
        ):
            # An empty cell is null without complaint; any other cell either parses or says
            # why it did not — never both, never neither.
            if blank:
                assert value is None and problem is None
            else:
                assert (value is None) != (problem is None), (value, problem)


def test_the_fast_path_for_iso_batches_gives_the_same_answers() -> None:
    fast = n.parse_local_datetime(pa.array(["2024-01-05 08:00:00", None]), "Asia/Shanghai")
    assert fast.values.to_pylist() == [_utc(2024, 1, 5, 0, 0), None]
    assert fast.problems.null_count == 2
    # One impossible date in an otherwise ISO batch is still caught and explained.
    mixed = n.parse_local_datetime(
        pa.array(["2024-01-05 08:00:00", "2024-02-30 00:00:00"]), "Asia/Shanghai"
    )
    assert mixed.values.to_pylist() == [_utc(2024, 1, 5, 0, 0), None]
    assert english(mixed.problems.to_pylist()[1]).startswith("not a date-time")
