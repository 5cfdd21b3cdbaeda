"""The same seed gives the same shop; another seed gives another."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from guanxi import demo
from guanxi.lake import Lake
from guanxi.lake.schema import TABLES


def _snapshot(lake: Lake) -> dict[str, pa.Table]:
    return {
        name: lake.to_arrow(name).sort_by([(column, "ascending") for column in spec.key])
        for name, spec in TABLES.items()
    }


def _customers() -> list[tuple[str, str, str, str]]:
    from guanxi.customers.models import Customer

    return [(c.customer_key, c.name, c.mobile, c.city) for c in Customer.objects.all()]


def _clear_customers() -> None:
    from guanxi.customers.models import Customer

    Customer.objects.all().delete()


@pytest.mark.django_db
def test_same_seed_same_shop_other_seed_other_shop(lake: Lake, tmp_path: Path) -> None:
    demo.build("small", 3, lake)
    first, first_customers = _snapshot(lake), _customers()
    _clear_customers()

    again = Lake(tmp_path / "again")
    demo.build("small", 3, again)
    second = _snapshot(again)
    assert _customers() == first_customers
    for name in TABLES:
        assert second[name].equals(first[name]), name

    _clear_customers()
    other = Lake(tmp_path / "other")
    demo.build("small", 4, other)
    third = _snapshot(other)
    assert not third["orders"].equals(first["orders"])
    assert not third["chat_messages"].equals(first["chat_messages"])
    assert _customers() != first_customers


@pytest.mark.django_db
def test_has_data_and_clear(lake: Lake) -> None:
    from guanxi.customers.models import Customer

    assert not demo.has_data(lake)
    demo.build("small", 5, lake)
    assert demo.has_data(lake)
    demo.clear(lake)
    assert not demo.has_data(lake)
    assert not Customer.objects.exists()
    assert lake.to_arrow("orders").num_rows == 0
    assert lake.version("orders") == 1  # emptied by a new commit; history is kept
