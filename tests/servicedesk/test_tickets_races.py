"""Two agents claiming the same ticket at once, each on its own PostgreSQL connection:
exactly one wins, the other is told who took it, and the history has one claim."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, connections

from guanxi.accounts.models import Agent
from guanxi.servicedesk import services
from guanxi.servicedesk.models import Ticket, TicketEvent

POSTGRES = "postgresql" in str(settings.DATABASES["default"]["ENGINE"])
HOLD_SECONDS = 0.3  # how long a claimer holds the row after locking it

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES, reason="needs tests/pg_cluster.py"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("audit_log_emptied_afterwards"),
]


def test_two_agents_claiming_at_once_one_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    agents = [Agent.objects.create(agent_id=f"r{i}", name=f"客服{i}") for i in (0, 1)]
    ticket = services.create_ticket(kind="complaint", channel="chat", subject="破损")
    # Hold the locked row a moment so that the two claims really overlap.
    locked = services._locked

    def holding(ticket_id: int, *, edit: bool = True) -> Ticket:
        row = locked(ticket_id, edit=edit)
        time.sleep(HOLD_SECONDS)
        return row

    monkeypatch.setattr(services, "_locked", holding)
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]
    backends: set[int] = set()

    def claim(i: int) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backends.add(cursor.fetchone()[0])
            barrier.wait(timeout=30)
            results[i] = services.claim(ticket.pk, agents[i], by=None)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(backends) == 2  # two real server connections
    won = [r for r in results if isinstance(r, Ticket)]
    lost = [r for r in results if isinstance(r, services.AlreadyClaimedError)]
    assert (len(won), len(lost)) == (1, 1), results
    ticket.refresh_from_db()
    assert ticket.assignee_id == won[0].assignee_id
    assert TicketEvent.objects.filter(ticket=ticket, action="assign").count() == 1
