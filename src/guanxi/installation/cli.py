"""What ``guanxi backup`` and ``guanxi restore`` share: where the passphrase or key comes from."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser, OutputWrapper

from guanxi.core.config import read_or_create_secret
from guanxi.installation.sealing import SealError, Secret

PASSPHRASE_ENV = "GUANXI_BACKUP_PASSPHRASE"
MIN_PASSPHRASE = 12


def add_secret_arguments(parser: CommandParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--key-file",
        type=Path,
        help="seal with the key in this file instead of a passphrase "
        "(backup: created when missing; keep it away from the backups)",
    )
    group.add_argument(
        "--passphrase-file", type=Path, help="read the passphrase from this file's first line"
    )


def secret_from_options(options: dict[str, Any], out: OutputWrapper, *, creating: bool) -> Secret:
    """The passphrase or key the options name; the ``GUANXI_BACKUP_PASSPHRASE`` variable, or
    a prompt on a terminal, when they name none. Never a command-line argument: other users
    of the machine can read those."""
    key_file: Path | None = options.get("key_file")
    if key_file is not None:
        if creating and not key_file.exists():
            read_or_create_secret(key_file, nbytes=32)
            out.write(
                f"Created the backup key {key_file} (mode 0600). Keep a copy away from the "
                "backups: without it they cannot be opened."
            )
        if not key_file.is_file():
            raise CommandError(f"--key-file {key_file}: no such file", returncode=2)
        try:
            return Secret.from_key_file(key_file)
        except SealError as exc:
            raise CommandError(str(exc), returncode=2) from None
    passphrase_file: Path | None = options.get("passphrase_file")
    if passphrase_file is not None:
        try:
            lines = passphrase_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise CommandError(
                f"--passphrase-file {passphrase_file}: {exc}", returncode=2
            ) from None
        passphrase = lines[0] if lines else ""
    elif os.environ.get(PASSPHRASE_ENV):
        passphrase = os.environ[PASSPHRASE_ENV]
    elif sys.stdin.isatty():
        passphrase = getpass.getpass("Backup passphrase: ")
        if creating and getpass.getpass("Again: ") != passphrase:
            raise CommandError("the two passphrases differ; nothing written", returncode=2)
    else:
        raise CommandError(
            "no passphrase: give --passphrase-file FILE or --key-file FILE, "
            f"or set {PASSPHRASE_ENV}",
            returncode=2,
        )
    if creating and len(passphrase) < MIN_PASSPHRASE:
        raise CommandError(
            f"the passphrase has {len(passphrase)} characters; use at least {MIN_PASSPHRASE}",
            returncode=2,
        )
    if not passphrase:
        raise CommandError("the passphrase is empty", returncode=2)
    return Secret(passphrase=passphrase)
