from __future__ import annotations

import pytest
from django.db import transaction
from django.db.utils import DatabaseError
from django.test import Client

from guanxi.core.models import AuditEntry
from guanxi.lake import Lake
from tests.customers.helpers import KEY, customer, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry() -> AuditEntry:
    return AuditEntry.objects.create(
        actor_username="manager1", action="reveal", fields="name", subject=KEY, row_count=1
    )


def test_an_entry_cannot_be_changed(entry: AuditEntry) -> None:
    entry.subject = "someone else"
    # atomic(): on PostgreSQL a failed statement would otherwise poison the test transaction
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(row_count=0)
    assert AuditEntry.objects.get().subject == KEY


def test_an_entry_cannot_be_deleted(entry: AuditEntry) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


def test_audit_page_needs_its_permission(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user, "manager")  # managers reveal, but do not read the audit log
    assert client.get("/customers/audit/").status_code == 403


def test_admin_reads_the_audit_log(client: Client, make_user, lake: Lake) -> None:
    customer()
    login(client, make_user, "admin")
    client.post(f"/customers/{KEY}/reveal/")
    found = client.post("/customers/", {"q": "5678"})
    client.get(found["Location"].replace("/customers/", "/customers/export.csv"))
    response = client.get("/customers/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    entries = list(response.context["page"].object_list)
    assert [e.action for e in entries] == ["export", "reveal"]  # newest first
    assert "search (mobile tail); masked" in html
    assert f'href="/customers/{KEY}/"' in html
    assert "共 2 条记录" in html
    assert str(entries[0]).startswith(f"{entries[0].at:%Y-%m-%d}")
