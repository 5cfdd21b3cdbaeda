"""Subcommands of ``guanxi reviews`` owned by this part (registered by the command module)."""

from __future__ import annotations

from guanxi.satisfaction.cli_registry import Subcommand

SUBCOMMANDS: dict[str, Subcommand] = {}
