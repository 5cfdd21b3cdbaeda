"""Subcommands of ``guanxi predict`` owned by this part (registered by the command module)."""

from __future__ import annotations

from guanxi.web.cli_subcommands import Subcommand

SUBCOMMANDS: dict[str, Subcommand] = {}
