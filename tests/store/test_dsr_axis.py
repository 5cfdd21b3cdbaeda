"""The DSR charts' fixed y axis: 4–5, lowered in tenths only to show a value."""

from __future__ import annotations

from decimal import Decimal

from guanxi.store.presenters import dsr_axis_range


def test_the_axis_is_four_to_five_whatever_the_wobble() -> None:
    assert dsr_axis_range([Decimal("4.521"), Decimal("4.539"), None]) == (4.0, 5.0)
    assert dsr_axis_range([]) == (4.0, 5.0)
    assert dsr_axis_range([Decimal("4.000"), Decimal("5.000")]) == (4.0, 5.0)


def test_a_value_below_four_lowers_the_bottom_to_the_tenth_below_it() -> None:
    assert dsr_axis_range([Decimal("3.949"), Decimal("4.7")]) == (3.9, 5.0)
    assert dsr_axis_range([Decimal("3.9")]) == (3.9, 5.0)
    assert dsr_axis_range([Decimal("3.899")]) == (3.8, 5.0)
    assert dsr_axis_range([Decimal("2.98")]) == (2.9, 5.0)
