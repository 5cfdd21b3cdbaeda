"""Two submissions of the same link at once, each on its own PostgreSQL connection: one
response is stored, the other is told "used" (the invitation row is locked; the second
waits for the first and then finds it answered)."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connection, connections

from guanxi.satisfaction import answering
from guanxi.satisfaction.links import LinkError
from guanxi.satisfaction.models import Answer, Response
from tests.satisfaction.survey_helpers import T0, full_answers, invitation, open_survey

POSTGRES = "postgresql" in str(settings.DATABASES["default"]["ENGINE"])
HOLD_SECONDS = 0.3  # how long the first submitter holds the locked row

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES, reason="needs tests/pg_cluster.py"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("audit_log_emptied_afterwards"),
]


def test_two_submissions_at_once_store_one_response(monkeypatch: pytest.MonkeyPatch) -> None:
    survey = open_survey()
    inv = invitation(survey)
    answers = full_answers(survey)
    # Hold the lock a moment after the check so that the two submissions really overlap.
    check = answering.check_open

    def holding(invitation, at, *, link):
        check(invitation, at, link=link)
        time.sleep(HOLD_SECONDS)

    monkeypatch.setattr(answering, "check_open", holding)
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]
    backends: set[int] = set()

    def submit(i: int) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backends.add(cursor.fetchone()[0])
            barrier.wait(timeout=30)
            results[i] = answering.submit(inv, answers, at=T0)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(backends) == 2  # two real server connections
    stored = [r for r in results if isinstance(r, Response)]
    refused = [r for r in results if isinstance(r, LinkError) and r.code == "used"]
    assert (len(stored), len(refused)) == (1, 1), results
    assert Response.objects.count() == 1 and Answer.objects.count() == 6
