"""``guanxi mail fetch|log``: take the service mailbox's new mail now (what the background
task does every few minutes), or list the mail log — addresses masked, bodies never shown
(a terminal's scroll-back and logs are no place for a customer's words)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser

from guanxi.core.pii import mask_email
from guanxi.servicedesk import mail_in
from guanxi.servicedesk.models import MailMessage
from guanxi.web.cli import GuanxiCommand


class Command(GuanxiCommand):
    help = "Service desk mail: fetch the IMAP mailbox now, or list the mail log."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{fetch,log}")
        fetch = sub.add_parser("fetch", help="take every unseen message of the mailbox now")
        fetch.add_argument("--format", choices=("text", "json"), default="text")
        log = sub.add_parser("log", help="the latest mail in and out, with what became of it")
        log.add_argument("--status", choices=MailMessage.Status.values, default="")
        log.add_argument("--direction", choices=MailMessage.Direction.values, default="")
        log.add_argument("--limit", type=int, default=50, help="how many lines (default 50)")
        log.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "fetch":
            self._fetch(options)
        else:
            self._log(options)

    def _fetch(self, options: dict[str, Any]) -> None:
        try:
            result = mail_in.fetch()
        except mail_in.MailConfigError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        if options["format"] == "json":
            self.stdout.write(
                json.dumps({"counts": result.counts, "already_taken": result.duplicates})
            )
        else:
            self.stdout.write(f"Fetched: {result}")

    def _log(self, options: dict[str, Any]) -> None:
        if not 1 <= options["limit"] <= 10_000:
            raise CommandError("--limit: give a number from 1 to 10000", returncode=2)
        entries = MailMessage.objects.order_by("-at", "-id")
        if options["status"]:
            entries = entries.filter(status=options["status"])
        if options["direction"]:
            entries = entries.filter(direction=options["direction"])
        rows = [
            {
                "at": entry.at.isoformat(timespec="seconds"),
                "direction": entry.direction,
                "status": entry.status,
                "ticket": entry.ticket_id,
                "address": mask_email(entry.address) if entry.address else "",
                "message_id": entry.message_id,
                "error": entry.error,
            }
            for entry in entries[: options["limit"]]
        ]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("No mail logged.")
            return
        for row in rows:
            ticket = f"#{row['ticket']}" if row["ticket"] else "-"
            line = f"{row['at']}  {row['direction']:<3} {row['status']:<9} {ticket:<8} "
            line += f"{row['address'] or '-':<28} {row['error']}"
            self.stdout.write(line.rstrip())
