"""``guanxi reviews …``: the review sentiment model (``satisfaction.cli_sentiment``: train,
report, classify a file) and review analytics (``satisfaction.cli_reviews``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from guanxi.satisfaction import cli_reviews, cli_sentiment
from guanxi.web.cli import GuanxiCommand
from guanxi.web.cli_subcommands import add_subcommands

SUBCOMMANDS = {**cli_sentiment.SUBCOMMANDS, **cli_reviews.SUBCOMMANDS}


class Command(GuanxiCommand):
    help = "Reviews: the sentiment model (train, report, classify a CSV) and review analytics."

    def add_arguments(self, parser: CommandParser) -> None:
        add_subcommands(parser, SUBCOMMANDS)

    def handle(self, *args: Any, **options: Any) -> None:
        SUBCOMMANDS[options["action"]].handle(options, self.stdout)
