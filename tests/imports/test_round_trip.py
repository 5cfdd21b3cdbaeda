"""The demo shop, exported in Taobao formats and imported into an empty Guanxi, gives the
same store figures for every month and the same agent, team and shop reports (issue 4 on
imported data) — the importer loses and duplicates nothing.

Both depend on the exports keeping every time to the second (chat logs and order reports
give whole seconds, and so does the demo) and every close time (交易关闭时间): a paid order
closed by a refund stops making its buyer's chats after-sale when it closes, so a lost
close time turns later pre-sale chats into after-sale ones and loses their inquiries."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from guanxi import demo
from guanxi.core.timeutil import Period, month_period
from guanxi.customers.models import Customer
from guanxi.imports.exporters import IMPORT_ORDER
from guanxi.lake import Lake
from guanxi.performance import selectors as agent_selectors
from guanxi.store import selectors as store_selectors

pytestmark = pytest.mark.django_db


def _figures() -> list[dict[str, object]]:
    months = [month_period(2025, m) for m in range(1, 13)]
    months.append(Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    return [store_selectors.store_period_figures(p).as_dict() for p in months]


def _agent_figures() -> dict[str, list[Any]]:
    """November's reports for every agent, team and the shop, and its weekly shop series."""
    november = month_period(2025, 11)
    units = {
        view: agent_selectors.unit_period_reports(november, view) for view in agent_selectors.VIEWS
    }
    return {**units, "weeks": agent_selectors.period_series(november, "week", "shop")}


def _active_customers(lake: Lake) -> int:
    """Customers who appear in any fact (the demo's population also has idle people, whom
    no export carries)."""
    keys: set[str] = set()
    for table in ("orders", "refunds", "chat_messages", "dsr_ratings", "reviews"):
        keys |= set(lake.to_arrow(table).column("customer_key").to_pylist())
    return len(keys - {None, ""})


def test_demo_shop_round_trips_through_taobao_exports(tmp_path: Path, lake: Lake) -> None:
    demo.build("small", 11, lake)
    before = _figures()
    agents_before = _agent_figures()
    assert len(agents_before["agent"]) == 6 and agents_before["agent"][0].consulting_customers
    assert all(f["paying_customers"] and f["consulting_customers"] and f["uv"] for f in before)
    counts_before = {t: lake.to_arrow(t).num_rows for t in
                     ("orders", "order_items", "refunds", "chat_messages", "dsr_ratings",
                      "reviews", "traffic_daily", "products")}  # fmt: skip
    active_before = _active_customers(lake)
    call_command("export", "taobao", "--to", str(tmp_path / "export"), stdout=StringIO())

    demo.clear(lake)
    assert Customer.objects.count() == 0 and lake.to_arrow("orders").num_rows == 0
    for kind, name in IMPORT_ORDER:
        out = StringIO()
        call_command("import", kind, str(tmp_path / "export" / name), "--format", "json",
                     stdout=out)  # fmt: skip

    assert _figures() == before
    assert _agent_figures() == agents_before
    counts_after = {t: lake.to_arrow(t).num_rows for t in counts_before}
    assert counts_after == counts_before
    # Every buyer who appears in the facts came back as one customer.
    assert Customer.objects.count() == _active_customers(lake) == active_before
