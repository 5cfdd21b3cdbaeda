"""The database holds personal data only as ciphertext and keyed hashes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.customers.helpers import EMAIL, MOBILE, NAME, customer

ENGINE = str(settings.DATABASES["default"]["ENGINE"])
SECRETS = [MOBILE.encode(), NAME.encode("utf-8"), EMAIL.encode(), b"tb_zhangwei88"]


# Committed, not inside a rolled-back test transaction: SQLite's backup cannot copy a
# database whose own connection holds an open write transaction (SQLITE_LOCKED, retried
# forever). PostgreSQL gets its own test below: flushing after a transactional test would
# TRUNCATE the audit table, which its append-only trigger refuses.
@pytest.mark.skipif("sqlite" not in ENGINE, reason="SQLite file check")
@pytest.mark.django_db(transaction=True)
def test_sqlite_file_holds_no_plain_value(tmp_path: Path) -> None:
    customer(identities=(("taobao", "tb_zhangwei88"),))
    copy = tmp_path / "copy.sqlite3"
    target = sqlite3.connect(copy)
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    raw.backup(target)  # every page of the live database
    target.close()
    data = copy.read_bytes()
    assert b"customers_customer" in data  # the copy really is the database
    for secret in SECRETS:
        assert secret not in data


@pytest.mark.skipif("postgresql" not in ENGINE, reason="PostgreSQL row check")
@pytest.mark.django_db
def test_postgres_rows_hold_no_plain_value() -> None:
    assert connection.vendor == "postgresql"
    customer(identities=(("taobao", "tb_zhangwei88"),))
    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM customers_customer t")
        customers = "\n".join(r[0] for r in cursor.fetchall())
        cursor.execute("SELECT t::text FROM customers_platformidentity t")
        identities = "\n".join(r[0] for r in cursor.fetchall())
    assert customers and identities
    data = (customers + identities).encode("utf-8")
    for secret in SECRETS:
        assert secret not in data
