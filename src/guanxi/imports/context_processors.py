"""What every page needs to know about the lake's derived tables: whether the figures come
from them or, while they are refreshed, from the raw records (slower, equally exact)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from guanxi import lake
from guanxi.imports import derived


def derived_status(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    # Versions and time zone only: no database query on every page (the reports themselves
    # check the attribution rules too, and a settings change queues a refresh).
    if lake.get().derived.freshness(settings.TIME_ZONE, None).fresh:
        return {}
    # Behind the raw tables with no refresh on its way (e.g. after an upgrade): queue one
    # for the worker. An immediate backend (the tests') would run it inside this request.
    if derived.background_refresh_possible():
        derived.request_refresh()
    share = lake.get().derived.progress()
    return {
        "derived_stale": True,
        "derived_progress": None if share is None else round(share * 100),
    }
