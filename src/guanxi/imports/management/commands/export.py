"""``guanxi export taobao --to DIR``: the shop as the platform's export files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from guanxi.imports import exporters
from guanxi.web.cli import GuanxiCommand


class Command(GuanxiCommand):
    help = "Write the shop's data as Taobao/Tmall export files (GB18030 CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("format", choices=("taobao",))
        parser.add_argument("--to", dest="folder", type=Path, required=True, metavar="DIR")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = exporters.export_taobao(options["folder"])
        for name, rows in counts.items():
            self.stdout.write(f"  {name:<12} {rows:>10,}")
        self.stdout.write("Import them back, in this order:")
        for kind, name in exporters.IMPORT_ORDER:
            self.stdout.write(f"  guanxi import {kind} {options['folder'] / name}")
