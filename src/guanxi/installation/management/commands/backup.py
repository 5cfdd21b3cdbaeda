"""``guanxi backup --to FILE``: database, lake, keys and settings in one sealed file."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from guanxi.core.errors import UserInputError
from guanxi.installation.cli import add_secret_arguments, secret_from_options
from guanxi.installation.services import backup_write
from guanxi.web.cli import GuanxiCommand


def _actor() -> str:
    """The audit log's name for who ran the backup: ``cli:<system user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:  # no login name in this environment (some containers)
        return "cli"


class Command(GuanxiCommand):
    help = (
        "Write a backup of this installation (database, lake, key files, settings) sealed "
        "with a passphrase or a key file; safe while the server runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", type=Path, required=True, help="the backup file to write")
        add_secret_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        secret = secret_from_options(options, self.stdout, creating=True)
        try:
            summary = backup_write(to=options["to"], secret=secret, actor_name=_actor())
        except UserInputError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(summary.rows.values())
        self.stdout.write(
            f"Wrote {summary.path} ({summary.size:,} bytes, {summary.seconds:.1f} s): "
            f"{rows:,} database rows in {len(summary.rows)} tables, "
            f"{len(summary.lake_versions)} lake tables, the key files and the settings."
        )
