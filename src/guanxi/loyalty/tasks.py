"""Background work of the loyalty area: the monthly member score, which re-schedules itself
for the next month's configured day (the way ``imports.tasks.purge_daily`` does daily), and
the same computation on demand (the members page's button)."""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo

from django.conf import settings
from django.tasks import TaskResultStatus, task
from django.utils import timezone

RUN_HOUR = 2
"""The local hour of the monthly run: after midnight's imports, before the shop opens."""


def _now() -> dt.datetime:
    return timezone.now()


@task()
def member_scores_monthly() -> str:
    """This month's member scores (counted to the end of last month), then the next run."""
    from guanxi.loyalty import member_scores

    done = member_scores.compute()
    schedule_monthly()
    return f"{done.month:%Y-%m}: {done.customers}"


@task()
def member_scores_now(month: str = "") -> str:
    """The member scores of ``month`` ('YYYY-MM'; empty: this month) now, on demand."""
    from guanxi.core.timeutil import parse_month
    from guanxi.loyalty import member_scores

    first = None
    if month:
        year, number = parse_month(month)
        first = dt.date(year, number, 1)
    done = member_scores.compute(first)
    return f"{done.month:%Y-%m}: {done.customers}"


def next_run_at(now: dt.datetime, run_day: int, time_zone: str) -> dt.datetime:
    """The first ``run_day`` at ``RUN_HOUR`` shop time strictly after ``now`` (UTC out): on
    the 8th at 02:00 itself, the 8th of the next month; on the 5th, the 8th of this month."""
    tz = zoneinfo.ZoneInfo(time_zone)
    local = now.astimezone(tz)
    year, month = local.year, local.month
    for _ in range(2):
        day = min(run_day, calendar.monthrange(year, month)[1])
        candidate = dt.datetime(year, month, day, RUN_HOUR, tzinfo=tz)
        if candidate > local:
            return candidate.astimezone(dt.UTC)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("unreachable: the next month's day is always later")


def schedule_monthly(*, replace: bool = False) -> bool:
    """Queue the monthly job for the next configured day unless one is already waiting
    (``replace``: move the waiting one, after the day changed). ``guanxi setup`` calls this;
    backends that cannot defer (the tests' immediate one) get none."""
    if not member_scores_monthly.get_backend().supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    from guanxi.loyalty.member_scores import member_settings

    waiting = DBTaskResult.objects.filter(
        task_path=member_scores_monthly.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        if not replace:
            return False
        waiting.delete()
    when = next_run_at(_now(), member_settings().run_day, settings.TIME_ZONE)
    member_scores_monthly.using(run_after=when).enqueue()
    return True


def queue_now(month: str = "") -> None:
    """Queue an on-demand computation (runs at once where the backend is immediate)."""
    member_scores_now.enqueue(month)
