"""``guanxi surveys …``: surveys from the command line (builder and distribution in
``satisfaction.cli_surveys``, results and NPS in ``satisfaction.cli_results``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from guanxi.satisfaction import cli_results, cli_surveys
from guanxi.web.cli import GuanxiCommand
from guanxi.web.cli_subcommands import add_subcommands

SUBCOMMANDS = {**cli_surveys.SUBCOMMANDS, **cli_results.SUBCOMMANDS}


class Command(GuanxiCommand):
    help = "Surveys (CSAT, NPS, SERVQUAL): build, open, send, export links, results, NPS of a file."

    def add_arguments(self, parser: CommandParser) -> None:
        add_subcommands(parser, SUBCOMMANDS)

    def handle(self, *args: Any, **options: Any) -> None:
        SUBCOMMANDS[options["action"]].handle(options, self.stdout)
