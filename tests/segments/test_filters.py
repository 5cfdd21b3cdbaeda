"""Parsing and validating a segment's filters (Django-free): every bad input is refused with
a message naming the field and saying how to fix it; a good one round-trips through JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import QueryDict

from guanxi.segments.filters import FilterError, SegmentFilter, from_form, parse


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"spend_min": "abc"}, "spend_min", "'abc' is not an amount; give e.g. 500"),
        ({"spend_max": "-5"}, "spend_max", "'-5' is not an amount; give e.g. 500"),
        ({"spend_min": "12.345"}, "spend_min", "'12.345' is not an amount; give e.g. 500"),
        (
            {"spend_min": "900", "spend_max": "100"},
            "spend_max",
            "100 is below spend_min 900; give a larger maximum",
        ),
        ({"orders_min": "2.5"}, "orders_min", "'2.5' is not a whole number; give e.g. 2"),
        (
            {"customer_classes": ["vip", "gold"]},
            "customer_classes",
            "'gold' is not one of ordinary, potential, core, vip",
        ),
        (
            {"member_tiers": ["diamond"]},
            "member_tiers",
            "'diamond' is not one of ordinary, super, apass",
        ),
        ({"loyalty_levels": "very"}, "loyalty_levels", "'very' is not one of high, medium, low"),
        ({"tags_match": "some"}, "tags_match", "'some' is not one of any, all"),
        ({"window": "6m"}, "window", "'6m' is not one of all, 12m"),
        ({"marketing_consent": "maybe"}, "marketing_consent", "'maybe' is not one of yes, no"),
        (
            {"last_purchase": "within"},
            "last_purchase_days",
            "is empty; give the number of days, e.g. 90",
        ),
        (
            {"last_purchase": "within", "last_purchase_days": "0"},
            "last_purchase_days",
            "0 is out of range; give a whole number from 1 to 3650",
        ),
        (
            {"last_purchase": "between"},
            "last_purchase_from",
            "is empty; give a first day, a last day or both",
        ),
        (
            {"last_purchase": "between", "last_purchase_from": "2025-13-01"},
            "last_purchase_from",
            "'2025-13-01' is not a date; give e.g. 2025-06-30",
        ),
        (
            {
                "last_purchase": "between",
                "last_purchase_from": "2025-06-01",
                "last_purchase_to": "2025-05-01",
            },
            "last_purchase_to",
            "2025-05-01 is below last_purchase_from 2025-06-01; give a larger maximum",
        ),
        (
            {"last_purchase": "lately"},
            "last_purchase",
            "'lately' is not one of within, not_within, between",
        ),
        ({"tags": [3]}, "tags", "3 is not text; give a list of names"),
    ],
)
def test_a_bad_filter_is_named_with_how_to_fix_it(data, field, message) -> None:
    with pytest.raises(FilterError) as caught:
        parse(data)
    assert caught.value.errors == {field: message}
    assert str(caught.value) == f"{field}: {message}"


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(FilterError) as caught:
        parse({"spend_min": "abc", "orders_max": "x", "rfm_groups": ["best"]})
    assert set(caught.value.errors) == {"spend_min", "orders_max", "rfm_groups"}


def test_an_unknown_filter_is_refused() -> None:
    with pytest.raises(FilterError) as caught:
        parse({"mobile": "138"})
    assert list(caught.value.errors) == ["mobile"]
    assert caught.value.errors["mobile"].startswith("is not a filter; the filters are ")


def test_a_good_filter_round_trips_through_json() -> None:
    flt = parse(
        {
            "customer_classes": ["vip", "core", "vip"],  # a repeat counts once
            "cities": "杭州，宁波、 温州",
            "last_purchase": "between",
            "last_purchase_from": "2025-01-01",
            "last_purchase_days": "30",  # not this mode's input: dropped
            "spend_min": "¥1,200.50",
            "orders_max": "10",
            "categories": ["服饰"],
            "categories_match": "all",
        }
    )
    assert flt == SegmentFilter(
        customer_classes=("vip", "core"),
        cities=("杭州", "宁波", "温州"),
        last_purchase="between",
        last_purchase_from=dt.date(2025, 1, 1),
        spend_min=Decimal("1200.50"),
        orders_max=10,
        categories=("服饰",),
        categories_match="all",
    )
    stored = flt.to_json()
    assert stored == {
        "customer_classes": ["vip", "core"],
        "cities": ["杭州", "宁波", "温州"],
        "last_purchase": "between",
        "last_purchase_from": "2025-01-01",
        "spend_min": "1200.50",
        "orders_max": 10,
        "categories": ["服饰"],
        "categories_match": "all",
    }
    assert parse(stored) == flt
    assert parse({}).is_empty and not flt.is_empty


def test_a_form_gives_lists_for_list_filters_and_skips_empty_inputs() -> None:
    form = QueryDict(
        "customer_classes=vip&customer_classes=core&spend_min=&window=12m&csrfmiddlewaretoken=x"
        "&last_purchase=within&last_purchase_days=30"
    )
    assert from_form(form.getlist) == {
        "customer_classes": ["vip", "core"],
        "window": "12m",
        "last_purchase": "within",
        "last_purchase_days": "30",
    }
