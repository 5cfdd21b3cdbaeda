"""Build the demo shop: customers into the customer master, a year of facts into the lake.

Generation runs month by month with a generator seeded by (seed, month), so a seed always
gives the same shop. Each month's tables are appended to LZ4-compressed Arrow IPC spool
files; then each lake table is replaced in one Delta commit streaming its spool file. Memory
thus holds one month at a time, whatever the scale.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from guanxi.core.errors import UserInputError
from guanxi.demo import aftersales, chats, orders, people, tables
from guanxi.demo.traffic import TrafficCounter
from guanxi.lake import Lake
from guanxi.lake.schema import TABLES, spec

SPOOLED = ("orders", "order_items", "refunds", "chat_messages", "dsr_ratings", "reviews")
CUSTOMER_CHUNK = 5_000
BATCH_ROWS = 250_000


@dataclass(frozen=True)
class Scale:
    customers: int
    orders: int  # expected orders in the year; chat messages come to about 9–10 per order


SCALES: dict[str, Scale] = {
    "small": Scale(customers=1_500, orders=4_500),
    "medium": Scale(customers=40_000, orders=110_000),
    "large": Scale(customers=300_000, orders=2_100_000),
}


@dataclass(frozen=True)
class DemoSummary:
    scale: str
    seed: int
    counts: dict[str, int]  # rows per lake table, plus "customers"
    seconds: float  # the whole build
    customer_seconds: float = 0.0  # of which writing the customer master (encryption, inserts)


def has_data(lake: Lake) -> bool:
    """Whether the shop already has orders, chats or customers (the demo must not mix in)."""
    for name in ("orders", "chat_messages"):
        if lake.exists(name) and int(lake.execute(lake.table(name).count())) > 0:
            return True
    from guanxi.customers.models import Customer

    return Customer.objects.exists()


def clear(lake: Lake) -> None:
    """Empty every lake table (a new Delta version, so history is kept) and the customers."""
    from guanxi.customers.models import Customer

    for name, table_spec in TABLES.items():
        if lake.exists(name):
            lake.replace(name, table_spec.schema.empty_table())
    # Only the ids: loading whole customers would decrypt every personal field on the way.
    Customer.objects.only("id").delete()


def _write_customers(pop: people.Population) -> None:
    from django.db import transaction

    from guanxi.accounts.services import agents_ensure, rotas_fill, teams_fill
    from guanxi.customers.services import customers_bulk_create
    from guanxi.demo.catalog import AGENTS, ROTAS, TEAMS

    with transaction.atomic():
        for batch in people.records(pop, CUSTOMER_CHUNK):
            customers_bulk_create(batch)
        # The roster tells transcripts' agents from customers and names agents in reports.
        agents_ensure([(agent.agent_id, agent.nickname) for agent in AGENTS])
        rotas_fill(ROTAS)
        teams_fill(TEAMS)


class _Spool:
    """Per-table Arrow IPC files that the month loop appends to and the lake writes stream."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writers: dict[str, pa.ipc.RecordBatchStreamWriter] = {}
        self.rows: dict[str, int] = dict.fromkeys(SPOOLED, 0)

    def add(self, name: str, table: pa.Table) -> None:
        if name not in self.writers:
            self.writers[name] = pa.ipc.new_stream(
                str(self.folder / f"{name}.arrows"),
                spec(name).schema,
                options=pa.ipc.IpcWriteOptions(compression="lz4"),
            )
        # Batches of at most BATCH_ROWS keep the Delta writer's buffers small.
        self.writers[name].write_table(table.cast(spec(name).schema), max_chunksize=BATCH_ROWS)
        self.rows[name] += table.num_rows

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()

    def batches(self, name: str) -> Iterator[pa.RecordBatch]:
        if name not in self.writers:
            return
        with pa.ipc.open_stream(str(self.folder / f"{name}.arrows")) as reader:
            yield from reader


def build(scale: str, seed: int, lake: Lake) -> DemoSummary:
    """Create the demo shop at ``scale`` from ``seed``; the lake tables are replaced."""
    if scale not in SCALES:
        raise UserInputError(f"unknown demo scale {scale!r}; choose one of: {', '.join(SCALES)}")
    started = time.perf_counter()
    size = SCALES[scale]
    pop = people.population(size.customers, seed)
    _write_customers(pop)
    customer_seconds = time.perf_counter() - started

    serials = tables.Serials()
    traffic = TrafficCounter()
    next_order = 0
    with tempfile.TemporaryDirectory(prefix="guanxi-demo-") as folder:
        spool = _Spool(Path(folder))
        for month in range(1, 13):
            rng = np.random.default_rng([seed, 100 + month])
            month_orders = orders.generate(rng, pop, month, size.orders, next_order)
            next_order += month_orders.size
            refunds = aftersales.refunds(rng, pop, month_orders)
            ratings = aftersales.ratings(rng, month_orders, refunds)
            month_chats = chats.generate(rng, pop, month_orders, refunds, month)
            built = tables.month_tables(
                pop.keys, month_orders, refunds, ratings, month_chats, serials, rng
            )
            for name, table in built.items():
                spool.add(name, table)
            traffic.add(
                month_orders.paid,
                month_orders.customer,
                month_chats.sent_at[month_chats.sender == chats.CUSTOMER],
                month_chats.customer[month_chats.sender == chats.CUSTOMER],
            )
            del month_orders, refunds, ratings, month_chats, built
        spool.close()
        lake.replace("products", tables.products())
        for name in SPOOLED:
            lake.replace(name, spool.batches(name))
    traffic_table = traffic.table(np.random.default_rng([seed, 999]))
    lake.replace("traffic_daily", traffic_table)

    counts = {"customers": pop.size, "products": len(tables.PRODUCT_IDS), **spool.rows}
    counts["traffic_daily"] = traffic_table.num_rows
    return DemoSummary(scale, seed, counts, time.perf_counter() - started, customer_seconds)
