"""One small demo shop per test module: built once, its customers read back, then removed.

Building writes customers to the database, so the module fixture unblocks the database,
keeps what the tests need (keys and the personal values to hunt for in the lake) and deletes
the rows again, leaving the test database as it found it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pytest

from guanxi import demo
from guanxi.lake import Lake
from guanxi.lake.schema import TABLES

SEED = 11


@dataclass(frozen=True)
class Shop:
    summary: demo.DemoSummary
    tables: dict[str, pa.Table]
    customers: dict[str, dict[str, str]]  # customer_key -> personal values


@pytest.fixture(scope="module")
def shop(django_db_setup, django_db_blocker, tmp_path_factory) -> Shop:
    from guanxi.accounts.models import Agent
    from guanxi.customers.models import Customer, Tag

    with django_db_blocker.unblock():
        lake = Lake(tmp_path_factory.mktemp("demo-shop") / "lake")
        summary = demo.build("small", SEED, lake)
        customers = {
            c.customer_key: {
                "name": c.name,
                "mobile": c.mobile,
                "email": c.email,
                "address": c.address,
                "buyer": c.identities.get().buyer_id,
            }
            for c in Customer.objects.prefetch_related("identities")
        }
        Customer.objects.all().delete()
        Tag.objects.all().delete()
        Agent.objects.all().delete()  # the demo's roster, teams and rotas
    return Shop(summary, {name: lake.to_arrow(name) for name in TABLES}, customers)
