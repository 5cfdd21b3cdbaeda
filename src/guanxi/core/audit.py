"""Writing the audit log: who did what to whose data, never the values themselves."""

from __future__ import annotations

import getpass

from django.contrib.auth.models import User

from guanxi.core.models import AuditAction, AuditEntry


def audit_record(
    *,
    actor: User | None,
    action: AuditAction | str,
    fields: str,
    subject: str,
    row_count: int = 1,
    actor_name: str = "",
) -> AuditEntry:
    """Append one entry: the actor, the action, the names of the fields and whose they are
    (a customer_key, a user name or a description of an exported set). Without a signed-in
    ``actor`` (the command line), ``actor_name`` says who acted."""
    return AuditEntry.objects.create(
        actor=actor,
        actor_username=actor.get_username() if actor is not None else actor_name,
        action=action,
        fields=fields,
        subject=subject,
        row_count=row_count,
    )


def command_line_actor() -> str:
    """Who acts from the command line: ``cli:<system user>`` (``cli`` when there is none)."""
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:  # no login name in this environment (some containers)
        return "cli"
