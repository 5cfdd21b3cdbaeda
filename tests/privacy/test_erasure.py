"""Erasing a customer of the demo shop (PIPL Art. 47): nothing under the lake root holds
their key, name or phone any more, the master and accounts are gone, and the store's and
the agents' figures are exactly what they were."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from guanxi import demo
from guanxi.core.models import AuditEntry
from guanxi.core.timeutil import Period
from guanxi.customers import timeline
from guanxi.customers.models import Customer, PlatformIdentity
from guanxi.lake import Lake
from guanxi.performance.selectors import unit_period_reports
from guanxi.privacy import selectors, services
from guanxi.privacy.models import Consent, FieldCorrection
from guanxi.store.selectors import store_period_figures

pytestmark = pytest.mark.django_db


def _lake_text(root: str) -> str:
    """Everything on disk under the lake root: Parquet files (data and log checkpoints)
    decoded, since their values are compressed, every other file as its bytes."""
    parts = []
    for path in sorted(Path(root).rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            parts.append(repr(pq.read_table(path).to_pylist()))
        parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


def _figures(period: Period) -> tuple[object, object]:
    return store_period_figures(period), unit_period_reports(period, "agent")


def _busiest_customer(lake: Lake) -> str:
    chats = lake.table("chat_messages")
    expr = (
        chats.group_by("customer_key")
        .aggregate(n=chats.count())
        .order_by([chats.count().desc(), "customer_key"])
        .limit(1)
    )
    return str(lake.arrow(expr).to_pylist()[0]["customer_key"])


def test_erasure_leaves_no_trace_and_every_figure_unchanged(lake: Lake) -> None:
    demo.build("small", 11, lake)
    key = _busiest_customer(lake)
    person = Customer.objects.get(customer_key=key)
    name, mobile, buyer = person.name, person.mobile, person.identities.get().buyer_id
    services.consent_record(customer=person, granted=True, source="下单页", by="manager1")
    services.field_correct(customer=person, field="city", value="宁波", by="manager1")
    orders = lake.table("orders")
    span = lake.arrow(orders.aggregate(a=orders.created_at.min(), b=orders.created_at.max()))
    first, last = span.to_pylist()[0].values()
    period = Period(first.date(), last.date())
    before = _figures(period)
    facts_before = {n: len(rows) for n, rows in selectors.access_export(person).facts.items()}
    assert facts_before["orders"] > 0 and facts_before["chat_messages"] > 0
    request = services.request_open(
        kind="erasure", customer=person, received_on=dt.date(2025, 6, 3), by="manager1"
    )
    # the profiles' timeline index (under the lake's _derived folder) holds the key too
    index = timeline.ensure_index()
    assert index is not None and index.is_relative_to(lake.root)
    assert key in _lake_text(lake.root)  # the scan does find a key where there is one

    erasure = services.customer_erase(customer=person, request=request, by="manager1")

    everything = _lake_text(lake.root)
    for value in (key, name, mobile, buyer):
        assert value not in everything, value
    assert not Customer.objects.filter(customer_key=key).exists()
    assert PlatformIdentity.objects.filter(customer_id=person.pk).count() == 0
    assert Consent.objects.count() == 0 and FieldCorrection.objects.count() == 0
    assert erasure.lake_rows == {
        n: count for n, count in facts_before.items() if n != "order_items"
    }
    assert _figures(period) == before  # the rows still count, as one customer who is nobody
    orders = lake.table("orders")  # the new file list: the old files are gone
    tombstones = lake.arrow(
        orders.filter(orders.customer_key.startswith("erased-")).customer_key.nunique()
    ).as_py()
    assert tombstones == 1
    chats = lake.table("chat_messages")
    erased_text = chats.filter(chats.customer_key.startswith("erased-") & chats.text.notnull())
    assert lake.arrow(erased_text.count()).as_py() == 0
    request.refresh_from_db()
    assert (request.status, request.customer, request.handled_by) == ("done", None, "manager1")
    assert request.outcome.startswith("erased 1 master record(s), 1 account(s); unlinked ")
    entry = AuditEntry.objects.filter(action="pipl_erase").get()
    assert (entry.subject, entry.fields) == (
        f"request #{request.pk}",
        "master,identities,lake,free_text",
    )
    # The erasure's own record holds none of the erased values, nor the key.
    recorded = " ".join(
        str(v) for e in AuditEntry.objects.filter(action="pipl_erase").values() for v in e.values()
    )
    for value in (key, name, mobile, buyer):
        assert value not in recorded
    assert key not in request.outcome
