"""Commands made of subcommands gathered from several modules (one owner each): ``guanxi
surveys``, ``guanxi reviews``, ``guanxi predict``. A subcommand is a help line, a function
that adds its arguments to its own parser and one that runs it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import CommandParser, OutputWrapper


@dataclass(frozen=True)
class Subcommand:
    help: str
    add_arguments: Callable[[CommandParser], None]
    # handle(options, stdout) -> exit status; raise CommandError(..., returncode=2) on bad input
    handle: Callable[[dict[str, Any], OutputWrapper], None]


def add_subcommands(parser: CommandParser, subcommands: dict[str, Subcommand]) -> None:
    names = ",".join(subcommands)
    sub = parser.add_subparsers(dest="action", required=True, metavar="{" + names + "}")
    for name, command in subcommands.items():
        command.add_arguments(sub.add_parser(name, help=command.help))
