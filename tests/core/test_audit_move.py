"""The audit log's move from ``customers`` to ``core`` keeps every row and stays append-only."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import DatabaseError

from guanxi.core.models import AuditEntry

BEFORE = [("customers", "0003_merges"), ("guanxi_core", None)]


def _migrate(targets: list[tuple[str, str | None]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_kept_and_stay_append_only(
    audit_log_emptied_afterwards: None,
) -> None:
    _migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_auditentry (at, actor_username, action, fields, subject, "
            "row_count) VALUES ('2026-01-02 03:04:05', 'manager1', 'reveal', 'mobile', 'k1', 1)"
        )
    executor = MigrationExecutor(connection)
    _migrate(list(executor.loader.graph.leaf_nodes()))

    entry = AuditEntry.objects.get()
    assert (entry.actor_username, entry.action, entry.fields, entry.subject) == (
        "manager1",
        "reveal",
        "mobile",
        "k1",
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(subject="k2")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().subject == "k1"
    assert "customers_auditentry" not in connection.introspection.table_names()
