"""What ``guanxi demo`` and ``guanxi setup`` do beyond the lake: the demo shop as one step."""

from __future__ import annotations

import dataclasses
import time

from django.conf import settings

from guanxi import demo
from guanxi.demo.industry import industry_averages
from guanxi.imports import tasks as import_tasks
from guanxi.installation.demo_desk import demo_tickets_create
from guanxi.installation.demo_satisfaction import demo_satisfaction_create
from guanxi.lake import Lake
from guanxi.performance import shop_settings
from guanxi.store import selectors as store_selectors
from guanxi.store import services as store_services


def demo_shop_create(*, scale: str, seed: int, lake: Lake) -> demo.DemoSummary:
    """Build the demo shop into ``lake`` (the installed one) and give its ratings industry
    averages to compare with, so the DSR page is not empty; the summary counts them as
    ``industry_dsr`` (months)."""
    started = time.monotonic()
    summary = demo.build(scale, seed, lake)
    months = demo_industry_fill(seed=seed)
    # The reports count the derived tables: build them now, not at the first page view.
    lake.derived.rebuild(settings.TIME_ZONE, shop_settings.attribution_rules())
    # Each customer's class, RFM and loyalty, and the points of the paid orders, as after
    # an import.
    import_tasks.customer_upkeep()
    tickets = demo_tickets_create(scale=scale, seed=seed)
    surveys = demo_satisfaction_create(scale=scale, seed=seed)
    # Loyalty's recommend component reads the survey answers just given: count it again.
    from guanxi.customers import standing

    standing.recompute()
    counts = summary.counts | {"industry_dsr": months, "tickets": tickets}
    counts |= {
        "surveys": surveys.get("surveys", 0),
        "survey_responses": surveys.get("responses", 0),
    }
    # The summary's time is the whole demo's, not only the facts' (which are a fraction).
    return dataclasses.replace(summary, counts=counts, seconds=time.monotonic() - started)


def demo_predictions_fit() -> int:
    """The demo's predictions, as a shop gets them by pressing "run now" for each model
    (``guanxi setup`` on the small demo: about 10 s in all on 2 cores; larger demos leave
    them to those buttons, minutes each). Returns how many runs finished."""
    from guanxi.insight import runs
    from guanxi.insight.models import RunKind, RunState

    done = 0
    for kind in RunKind.values:
        run = runs.execute(runs.create_run(kind, {}).pk)
        done += run.state == RunState.DONE
    return done


def demo_industry_fill(*, seed: int) -> int:
    """Store industry DSR averages (``demo.industry``) for every month the shop's ratings
    cover, from its rolling scores over the shop's DSR window; a month already entered gets
    the demo's values. Returns how many months were stored."""
    first = store_selectors.earliest_dsr_month()
    last = store_selectors.latest_dsr_month()
    if first is None or last is None:
        return 0
    months = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    shop = {m.month: m.scores for m in store_selectors.dsr_trend(last, months)}
    averages = industry_averages(shop, seed)
    for month, values in averages.items():
        store_services.industry_set(month=month, values=values)
    return len(averages)
