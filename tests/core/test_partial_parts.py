"""Which parts of a trend are partial: shorter than their calendar week or month (clipped by
the period at either end), or not over yet."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.core.timeutil import Period, buckets, is_partial

D = dt.date


def test_november_2025_by_week_the_first_week_is_clipped_the_last_is_whole() -> None:
    # 2025-11-01 is a Saturday, 2025-11-30 a Sunday.
    weeks = buckets(Period(D(2025, 11, 1), D(2025, 11, 30)), "week")
    assert [is_partial(w, "week") for w in weeks] == [True, False, False, False, False]
    assert weeks[0] == Period(D(2025, 11, 1), D(2025, 11, 2))


def test_december_2025_by_week_the_last_week_is_cut_by_the_period_end() -> None:
    # Monday 12-01 … Wednesday 12-31: the last week has three days.
    weeks = buckets(Period(D(2025, 12, 1), D(2025, 12, 31)), "week")
    assert [is_partial(w, "week") for w in weeks] == [False, False, False, False, True]
    assert weeks[-1] == Period(D(2025, 12, 29), D(2025, 12, 31))


def test_months_clipped_at_either_end_are_partial_whole_ones_are_not() -> None:
    months = buckets(Period(D(2025, 9, 15), D(2025, 11, 10)), "month")
    assert [is_partial(m, "month") for m in months] == [True, False, True]
    february = Period(D(2024, 2, 1), D(2024, 2, 29))  # a leap February is whole at 29 days
    assert is_partial(february, "month") is False


def test_a_part_not_over_yet_is_partial_whatever_its_length() -> None:
    week = Period(D(2026, 11, 30), D(2026, 12, 6))  # a whole Monday–Sunday week
    assert is_partial(week, "week") is False
    assert is_partial(week, "week", today=D(2026, 12, 3)) is True
    assert is_partial(week, "week", today=D(2026, 12, 6)) is True  # today is not over
    assert is_partial(week, "week", today=D(2026, 12, 7)) is False
    assert is_partial(Period(D(2026, 12, 3), D(2026, 12, 3)), "day", today=D(2026, 12, 3))
    assert is_partial(Period(D(2026, 12, 2), D(2026, 12, 2)), "day", today=D(2026, 12, 3)) is False


def test_an_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="fortnight"):
        is_partial(Period(D(2025, 1, 1), D(2025, 1, 7)), "fortnight")
