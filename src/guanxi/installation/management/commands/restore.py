"""``guanxi restore FILE``: put a backup onto an empty home (new database, lake and keys)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from guanxi.core.errors import UserInputError
from guanxi.installation.cli import add_secret_arguments, secret_from_options
from guanxi.installation.services import backup_restore
from guanxi.web.cli import GuanxiCommand


class Command(GuanxiCommand):
    help = (
        "Restore a backup written by `guanxi backup` onto an empty home: an empty database "
        "(created and migrated here), an empty lake folder and no other field key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file")
        add_secret_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        secret = secret_from_options(options, self.stdout, creating=False)
        try:
            summary = backup_restore(source=options["file"], secret=secret)
        except UserInputError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored the backup of {summary.created_at} in {summary.seconds:.1f} s: "
            f"{sum(summary.rows.values()):,} database rows in {len(summary.rows)} tables, "
            f"{len(summary.lake_versions)} lake tables, the key files."
        )
        for name, (theirs, ours) in summary.settings_differ.items():
            self.stdout.write(
                f"Note: the backed-up installation had {name}={theirs}; here it is {ours}. "
                f"Set {name}={theirs} before serving for the same figures."
            )
