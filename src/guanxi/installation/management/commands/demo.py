"""``guanxi demo --scale small|medium|large --seed N [--force]``: (re)create the demo shop."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from guanxi import demo, lake
from guanxi.installation.demo_shop import demo_shop_create
from guanxi.web.cli import GuanxiCommand


class Command(GuanxiCommand):
    help = (
        "Fill the shop with a deterministic demo year (customers, orders, chats, refunds, "
        "ratings, traffic) and industry DSR averages for its months. Refuses when the shop "
        "has data unless --force is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=tuple(demo.SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--force",
            action="store_true",
            help="delete the existing lake tables and customers first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        shop = lake.get()
        if demo.has_data(shop):
            if not options["force"]:
                raise CommandError(
                    "The shop already has data (orders, chats or customers). "
                    "Use --force to delete it and create the demo shop instead."
                )
            self.stdout.write("Deleting the existing shop data…")
            demo.clear(shop)
        scale = options["scale"]
        self.stdout.write(f"Creating the {scale} demo shop (seed {options['seed']})…")
        summary = demo_shop_create(scale=scale, seed=options["seed"], lake=shop)
        for name, count in summary.counts.items():
            self.stdout.write(f"  {name:<14} {count:>12,}")
        self.stdout.write(
            f"Demo shop ready in {summary.seconds:.1f} s "
            f"(customer master {summary.customer_seconds:.1f} s)."
        )
