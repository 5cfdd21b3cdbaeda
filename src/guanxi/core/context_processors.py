"""Context every page gets from the core: whether its figures waited for a query slot."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def query_queue(request: HttpRequest) -> dict[str, Any]:
    """``queued_seconds``: how long this request waited for the lake's query slots, when
    it waited noticeably (the page says so, rather than seeming slow for no reason)."""
    from guanxi.lake.store import QUEUED

    waited = QUEUED.get()
    return {"queued_seconds": round(waited, 1)} if waited >= 0.5 else {}
