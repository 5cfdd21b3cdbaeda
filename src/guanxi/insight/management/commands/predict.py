"""``guanxi predict …``: the prediction models from the command line — fit, score and report
runs (``insight.cli_runs``) and the CLV fit of any transactions file, for checking against
the papers (``insight.cli_clv``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from guanxi.insight import cli_clv, cli_runs
from guanxi.web.cli import GuanxiCommand
from guanxi.web.cli_subcommands import add_subcommands

SUBCOMMANDS = {**cli_runs.SUBCOMMANDS, **cli_clv.SUBCOMMANDS}


class Command(GuanxiCommand):
    help = "Predictions: CLV, churn risk, clusters, association rules and recommendations."

    def add_arguments(self, parser: CommandParser) -> None:
        add_subcommands(parser, SUBCOMMANDS)

    def handle(self, *args: Any, **options: Any) -> None:
        SUBCOMMANDS[options["action"]].handle(options, self.stdout)
