"""``guanxi lake status|refresh|rebuild [--table T]|warm``: the lake's derived tables
(sessions, rounds, attribution …) — how current each is, bring them up to date, recompute
them — and the pages' usual figures counted ahead from them (``warm``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from guanxi import lake
from guanxi.imports import derived
from guanxi.lake.derived import DERIVED
from guanxi.web.cli import GuanxiCommand


class Command(GuanxiCommand):
    help = "Show how current the lake's derived tables are, refresh or rebuild them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{status,refresh,rebuild,warm}"
        )
        sub.add_parser("status", help="each derived table: version, raw versions reflected")
        sub.add_parser("refresh", help="recompute what changed since the last refresh")
        rebuild = sub.add_parser("rebuild", help="recompute every derived table from scratch")
        rebuild.add_argument(
            "--table",
            default="",
            choices=[spec.name for spec in DERIVED.values()],
            help="only this table (at the raw versions the others reflect)",
        )
        sub.add_parser(
            "warm",
            help="count the pages' usual figures ahead (the latest month, its year's trend, "
            "each agent's page), as the background task does after each refresh",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "status":
            self._status()
            return
        if action == "warm":
            self._warm()
            return
        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(action, total=1.0)

            def advance(share: float) -> None:
                bar.update(task, completed=share)

            try:
                if action == "refresh":
                    state = derived.refresh(advance)
                else:
                    state = derived.rebuild(advance, only=options["table"])
            except ValueError as exc:
                raise CommandError(str(exc), returncode=2) from exc
        reflected = ", ".join(f"{name} v{v}" for name, v in state.sources.items())
        line = f"{state.mode}: the derived tables reflect {reflected}"
        if state.mode == "refresh":
            line += f" ({state.touched_sessions} sessions, {state.touched_orders} orders redone)"
        self.stdout.write(line)
        self._status()

    def _warm(self) -> None:
        from guanxi.performance import figure_warmup

        if not derived.figures_from_derived():
            raise CommandError(
                "the derived tables are not current: run `guanxi lake refresh` first",
                returncode=2,
            )
        for name, seconds in figure_warmup.warm():
            self.stdout.write(f"{seconds:8.2f} s  {name}")

    def _status(self) -> None:
        facts = lake.get().derived
        freshness = derived.freshness()
        state = freshness.state
        current = facts.source_versions()
        console = Console(file=self.stdout, width=120)  # type: ignore[arg-type]
        table = Table("table", "version", "reflects", "current raw", "refreshed", "state")
        for spec in DERIVED.values():
            fact = next(f for f, s in DERIVED.items() if s is spec)
            version = state.tables.get(spec.name) if state else None
            table.add_row(
                spec.name,
                "—" if version is None or not facts.exists(fact) else str(version),
                ", ".join(f"{k} v{v}" for k, v in state.sources.items()) if state else "—",
                ", ".join(f"{k} v{v}" for k, v in current.items()),
                state.refreshed_at if state else "—",
                "fresh" if freshness.fresh else _REASONS[freshness.reason],
            )
        console.print(table)


_REASONS = {
    "missing": "not built (guanxi lake rebuild)",
    "settings": "time zone or attribution rules changed (rebuild due)",
    "behind": "behind the raw tables (refresh due)",
}
