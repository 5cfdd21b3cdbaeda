"""Background work: an uploaded import runs on Django's task framework, and the daily purge
of expired import files (retention.py) re-schedules itself."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.tasks import TaskResultStatus, task
from django.utils import timezone

from guanxi.imports import derived, retention, services, uploads
from guanxi.imports.models import ImportRun, RunStatus
from guanxi.ingest import mapping as mappings

PURGE_EVERY = dt.timedelta(days=1)


@task()
def run_upload(run_id: int, mapping_toml: str) -> str:
    """Import the uploaded file of run ``run_id`` with the mapping the user confirmed."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run.status  # already run (a retried task must not import twice)
    mapping = mappings.loads(mapping_toml, "import page") if mapping_toml else None
    result = services.execute(run, uploads.stored_path(run), mapping)
    if result.status == RunStatus.WRITTEN:
        derived.refresh()  # in this background task: the pages read fresh facts after it
        warm_figures()
        customer_upkeep()
    return result.status


@task()
def refresh_derived() -> str:
    """Bring the lake's derived tables up to its raw tables (after an undo, a merge, …)."""
    state = derived.refresh()
    warm_figures()
    customer_upkeep()
    return state.mode


def warm_figures() -> None:
    """Count the pages' usual figures ahead (``GUANXI_WARM_FIGURES``; the first page view
    after an import is then as fast as the next)."""
    if settings.GUANXI_WARM_FIGURES and derived.figures_from_derived():
        from guanxi.performance import figure_warmup

        figure_warmup.warm()


def customer_upkeep() -> None:
    """After the lake changed: every customer's standing (classes, RFM, loyalty) recounted,
    and the points of newly paid orders earned and of refunded ones taken back (both
    idempotent: an order earns once however often it is imported); the profiles' timeline
    index rebuilt for the new lake state; new refunds linked to their after-sales cases;
    new reviews' sentiment stored and their bad-review alerts raised."""
    from guanxi.customers import standing, timeline
    from guanxi.loyalty import orders, services
    from guanxi.servicedesk import aftersales

    standing.recompute()
    timeline.ensure_index()  # the profiles' timeline of the new lake state, built here
    if settings.GUANXI_WARM_FIGURES:
        # The customer pages' figures ahead, as warm_figures does for the reports: the RFM
        # explorer (its month-before comparison counts the lake) and the analytics page.
        from guanxi.customers import analytics, rfm

        rfm.explorer()
        analytics.analytics()
    services.earn_for_orders(orders.lake_paid_orders())
    services.claw_back_refunds(orders.lake_refunded_orders())
    # Imported refunds join the after-sales cases of their orders (only cases without one).
    aftersales.link_refunds()
    # New reviews scored once (satisfaction.review_facts); bad ones get an alert and an owner.
    from guanxi.satisfaction import alerts

    alerts.upkeep()


def queue_refresh() -> None:
    """Queue ``refresh_derived`` unless one is already waiting to run."""
    backend = refresh_derived.get_backend()
    if backend.supports_defer:
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(
            task_path=refresh_derived.module_path, status=TaskResultStatus.READY
        )
        if waiting.exists():
            return
    refresh_derived.enqueue()


@task()
def purge_daily() -> str:
    """Delete expired import files and vacuum the lake, then run again in a day."""
    purged = retention.purge_expired()
    schedule_purge(after=PURGE_EVERY)
    return str(purged)


def schedule_purge(*, after: dt.timedelta = dt.timedelta(0)) -> bool:
    """Queue the daily purge unless one is already waiting (``guanxi setup`` and every run
    of it call this). Backends that cannot defer (the tests' immediate one) get none."""
    if not purge_daily.get_backend().supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=purge_daily.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    purge_daily.using(run_after=timezone.now() + after).enqueue()
    return True
