"""The demo shop, exported in Taobao formats and imported into an empty Guanxi, gives the
same store figures for every month — the importer loses and duplicates nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from guanxi import demo
from guanxi.core.timeutil import Period, month_period
from guanxi.customers.models import Customer
from guanxi.imports.exporters import IMPORT_ORDER
from guanxi.lake import Lake
from guanxi.web import selectors

pytestmark = pytest.mark.django_db


def _figures() -> list[dict[str, object]]:
    months = [month_period(2025, m) for m in range(1, 13)]
    months.append(Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    return [selectors.store_period_figures(p).as_dict() for p in months]


def test_demo_shop_round_trips_through_taobao_exports(tmp_path: Path, lake: Lake) -> None:
    demo.build("small", 11, lake)
    before = _figures()
    assert all(f["paying_customers"] and f["consulting_customers"] and f["uv"] for f in before)
    counts_before = {t: lake.to_arrow(t).num_rows for t in
                     ("orders", "order_items", "refunds", "chat_messages", "dsr_ratings",
                      "reviews", "traffic_daily", "products")}  # fmt: skip
    people_before = Customer.objects.count()
    call_command("export", "taobao", "--to", str(tmp_path / "export"), stdout=StringIO())

    demo.clear(lake)
    assert Customer.objects.count() == 0 and lake.to_arrow("orders").num_rows == 0
    for kind, name in IMPORT_ORDER:
        out = StringIO()
        call_command("import", kind, str(tmp_path / "export" / name), "--format", "json",
                     stdout=out)  # fmt: skip

    assert _figures() == before
    counts_after = {t: lake.to_arrow(t).num_rows for t in counts_before}
    assert counts_after == counts_before
    # Every buyer who appears in the facts came back as one customer.
    keys = set(lake.to_arrow("orders").column("customer_key").to_pylist())
    assert len(keys) <= Customer.objects.count() <= people_before
