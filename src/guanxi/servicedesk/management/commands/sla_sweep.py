"""``guanxi sla_sweep``: refresh every open ticket's SLA clock now (for cron, where the
background worker does not run; the worker does the same every five minutes)."""

from __future__ import annotations

import time
from typing import Any

from django.utils import timezone

from guanxi.servicedesk import sla
from guanxi.web.cli import GuanxiCommand


class Command(GuanxiCommand):
    help = "Refresh the SLA clock (due times, at risk, breached) of every open ticket."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        done = sla.sweep(timezone.now())
        seconds = time.perf_counter() - started
        self.stdout.write(f"SLA clocks refreshed: {done} open tickets in {seconds:.2f} s.")
