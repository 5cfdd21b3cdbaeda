"""Keeping the lake's derived tables (``guanxi.lake.derived``) current: each import, undo,
customer merge or erasure changes raw tables, after which the derived tables are refreshed
in the background (``tasks.refresh_derived``). Until then reports read the raw tables
(``figures_from_derived`` is False) and the pages say so."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings

from guanxi import lake
from guanxi.performance import shop_settings

if TYPE_CHECKING:
    from guanxi.lake.derived import FillState, Freshness


def freshness() -> Freshness:
    return lake.get().derived.freshness(settings.TIME_ZONE, shop_settings.attribution_rules())


def figures_from_derived() -> bool:
    """Whether reports may read the derived tables now (they reflect the raw tables)."""
    return freshness().fresh


def refresh(progress: Callable[[float], None] | None = None) -> FillState:
    """Refresh (or, without a usable fill state, rebuild) the derived tables now."""
    return lake.get().derived.refresh(
        settings.TIME_ZONE, shop_settings.attribution_rules(), progress
    )


def rebuild(progress: Callable[[float], None] | None = None, only: str = "") -> FillState:
    return lake.get().derived.rebuild(
        settings.TIME_ZONE, shop_settings.attribution_rules(), progress, only
    )


def request_refresh() -> None:
    """Queue a refresh unless one is already waiting (the worker runs it; the tests'
    immediate backend runs it at once)."""
    from guanxi.imports import tasks  # tasks imports services, which import this module

    tasks.queue_refresh()


def background_refresh_possible() -> bool:
    """Whether queued tasks run in a worker (not inside the request that queues them)."""
    from guanxi.imports import tasks

    return bool(tasks.refresh_derived.get_backend().supports_defer)
