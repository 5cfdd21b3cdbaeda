"""``guanxi tickets``: thin over the services, role-checked with --as, clear errors."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.servicedesk import services
from guanxi.servicedesk.models import Ticket

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("tickets", *args, stdout=out)
    return out.getvalue()


def test_cli_logs_works_and_lists_tickets_with_role_checks(desk):
    made = json.loads(
        _run(
            "new",
            "--kind",
            "complaint",
            "--channel",
            "phone",
            "--subject",
            "少发配件",
            "--category",
            "product",
            "--format",
            "json",
            "--as",
            "agent_a",
        )
    )
    assert (made["state"], made["history"][0]["action"]) == ("classified", "created")
    ticket_id = str(made["id"])
    _run("assign", ticket_id, "--agent", "kf_a")  # the operator (no --as) may assign
    _run("move", ticket_id, "in_progress", "--note", "已致电", "--as", "agent_a")
    _run("escalate", ticket_id, "difficult", "--reason", "坚持全额退款", "--as", "agent_a")
    _run("note", ticket_id, "已补发配件", "--reply", "--as", "agent_a")
    shown = json.loads(_run("show", ticket_id, "--format", "json"))
    assert [h["action"] for h in shown["history"]] == [
        "created",
        "assign",
        "state",
        "tier",
        "reply",
    ]
    assert shown["tier"] == "difficult" and shown["escalation_reason"] == "坚持全额退款"
    listed = json.loads(_run("list", "--as", "agent_a", "--scope", "mine", "--format", "json"))
    assert [r["id"] for r in listed] == [made["id"]]
    # agent_c (another team) neither sees nor changes it; agents may not assign
    with pytest.raises(CommandError, match="no such ticket"):
        _run("show", ticket_id, "--as", "agent_c")
    with pytest.raises(CommandError, match="assign_ticket"):
        _run("assign", ticket_id, "--agent", "kf_b", "--as", "agent_a")
    with pytest.raises(CommandError, match="no active user"):
        _run("list", "--as", "ghost")
    assert "#" + ticket_id in _run("list")


def test_cli_bad_input_is_refused_and_changes_nothing(desk):
    ticket = services.create_ticket(kind="inquiry", channel="chat", subject="发票")
    with pytest.raises(CommandError, match="state") as caught:
        _run("move", str(ticket.pk), "closed")
    assert caught.value.returncode == 1
    with pytest.raises(CommandError, match="order_id"):
        _run("new", "--kind", "complaint", "--channel", "chat", "--subject", "x", "--order", "NOPE")
    with pytest.raises(CommandError, match="reason"):
        _run("escalate", str(ticket.pk), "escalated")
    assert Ticket.objects.count() == 1 and ticket.events.count() == 1


def test_the_report_subcommand_counts_the_period(roles):
    from tests.factories import utc

    # June 2025 (Shanghai): one complaint on the 2nd; the inquiry of 2 July is outside.
    services.create_ticket(
        kind="complaint", channel="chat", subject="破损", at=utc("2025-06-02 02:00:00")
    )
    services.create_ticket(
        kind="inquiry", channel="phone", subject="发票", at=utc("2025-07-02 02:00:00")
    )
    report = json.loads(
        _run("report", "--from", "2025-06-01", "--to", "2025-06-30", "--format", "json")
    )
    # Created in June: the complaint, open at the end (30 June 24:00 local), 28 days old,
    # unanswered: no first-response time yet.
    assert (report["created"], report["resolved"]) == (1, 0)
    everything = next(row for row in report["open"] if row["tier"] == "all")
    assert (everything["total"], everything["bands"]["gt7d"]) == (1, 1)
    first = next(row for row in report["first_response"] if row["tier"] == "all")
    assert (first["tickets"], first["timed"]) == (0, 0)
