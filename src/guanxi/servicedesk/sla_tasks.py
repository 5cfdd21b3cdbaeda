"""The SLA sweep in the background: every ``SWEEP_EVERY`` the worker refreshes every open
ticket's clock (``sla.sweep``) and queues the next run, the way ``imports.tasks.purge_daily``
re-schedules itself daily. ``guanxi setup`` starts the chain (``schedule_sweep``); a shop
without the worker runs ``guanxi sla_sweep`` from cron instead."""

from __future__ import annotations

import datetime as dt

from django.tasks import TaskResultStatus, task
from django.utils import timezone

SWEEP_EVERY = dt.timedelta(minutes=5)
"""At-risk marks are at most this late; a 15-minute target's 80 % mark falls 3 min early."""


@task()
def sla_sweep_task() -> str:
    """Refresh every open ticket's SLA clock, then queue the next sweep."""
    from guanxi.servicedesk import sla

    done = sla.sweep(timezone.now())
    schedule_sweep(after=SWEEP_EVERY)
    return f"{done} tickets"


def schedule_sweep(*, after: dt.timedelta = dt.timedelta(0)) -> bool:
    """Queue the sweep unless one is already waiting. Backends that cannot defer (the
    tests' immediate one) get none: there the ticket services' refresh is all there is."""
    if not sla_sweep_task.get_backend().supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=sla_sweep_task.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    sla_sweep_task.using(run_after=timezone.now() + after).enqueue()
    return True
