"""Background work of the customer pages: recounting every customer's standing on demand
(the rules page's "recompute now"), on Django's task framework like the imports."""

from __future__ import annotations

import datetime as dt

from django.tasks import task


@task()
def recompute_standing(as_of: str = "") -> str:
    """Recount the standing at ``as_of`` (ISO date; empty: today in shop time); returns a
    one-line summary for the task's result."""
    from guanxi.customers import standing

    day = dt.date.fromisoformat(as_of) if as_of else None
    result = standing.recompute(day)
    classes = ", ".join(f"{k}={v}" for k, v in result.classes.items())
    return f"{result.customers} customers at {result.as_of}: {classes}; pinned {result.pinned}"
