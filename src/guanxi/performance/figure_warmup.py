"""Counting the pages' usual figures ahead, after the derived tables are refreshed.

The figure cache (``figure_cache``) makes a page fast from its second view on; this makes
the first one fast too. Right after an import's refresh the background task counts what
people open first — the latest month's agent, team and shop tables (with the month
before), the store overview and funnel, each agent's page, the monthly report, the trend of
that month's year by day, week and month — in the order of how often they are opened, so
the ones that matter most are ready soonest. Other periods are counted at their first view
and kept from then on.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from functools import partial

from django.utils import timezone

from guanxi.core.timeutil import Period

log = logging.getLogger(__name__)


def jobs(today: dt.date | None = None) -> list[tuple[str, Callable[[], object]]]:
    """The figures to count, most opened first: (what, how)."""
    from guanxi.performance import selectors as agent_selectors
    from guanxi.performance.detail import selectors as detail_selectors
    from guanxi.reports import monthly
    from guanxi.store import selectors as store_selectors

    month = store_selectors.default_period(today or timezone.localdate())
    year = Period(dt.date(month.start.year, 1, 1), dt.date(month.start.year, 12, 31))
    shown, whole = f"{month.start}–{month.end}", f"{year.start}–{year.end}"
    out: list[tuple[str, Callable[[], object]]] = [
        (
            f"agents {shown}",
            lambda: agent_selectors.agent_table(
                month, view="agent", with_previous=True, with_shop=True
            ),
        ),
        (f"store {shown}", lambda: store_selectors.store_overview(month)),
        (f"funnel {shown}", lambda: store_selectors.funnel(month)),
        (f"funnel before {shown}", lambda: store_selectors.funnel(month.previous())),
    ]
    for view in ("team", "shop"):
        out.append(
            (
                f"{view} {shown}",
                partial(
                    agent_selectors.agent_table,
                    month,
                    view=view,
                    with_previous=True,
                    with_shop=view != "shop",
                ),
            )
        )
    for unit in agent_selectors.roster_units("agent"):
        out.append(
            (
                f"agent {unit} {shown}",
                partial(detail_selectors.agent_overview, unit, month),
            )
        )
    out.append(
        (
            f"monthly report {shown}",
            partial(monthly.monthly_report, month.start.year, month.start.month),
        )
    )
    for by in ("day", "week", "month"):
        for view in ("agent", "team", "shop"):
            out.append(
                (
                    f"trend {view} {whole} by {by}",
                    partial(agent_selectors.period_series, year, by, view),
                )
            )
    return out


def warm(today: dt.date | None = None) -> list[tuple[str, float]]:
    """Count every job's figures into the cache; returns each job's seconds. A job that
    fails is logged and skipped: warming is an optimisation, never a reason to fail the
    refresh it follows."""
    done: list[tuple[str, float]] = []
    for name, job in jobs(today):
        started = time.perf_counter()
        try:
            job()
        except Exception:
            log.exception("counting %s ahead failed", name)
            continue
        done.append((name, time.perf_counter() - started))
    return done
