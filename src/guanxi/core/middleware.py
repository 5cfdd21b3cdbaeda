"""Every file a signed-in user downloads is in the audit log (issue 13 item 9).

Reports and exports leave the shop as files: the store overview's CSV, the XLSX of the
agents, the DSR and the funnel, an agent's daily figures, the monthly report's PDF, an
import's report.csv and rejects.csv. Rather than each view remembering to log, any response
sent as an attachment is recorded here: who, the file's name, the address without its query
(a query may hold a searched phone or name). Views that write their own, richer entry (the
customer and segment exports, with their row counts and filters) are named in ``SELF_AUDITED``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from guanxi.core.audit import audit_record
from guanxi.core.models import AuditAction

SELF_AUDITED = frozenset({"customers:export", "segments:export_csv", "segments:export_xlsx"})
_FILENAME = re.compile(r'filename="?([^";]+)"?')


class AuditDownloadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        disposition = response.get("Content-Disposition", "")
        user = getattr(request, "user", None)
        if (
            disposition.startswith("attachment")
            and response.status_code == 200
            and user is not None
            and user.is_authenticated
        ):
            match = request.resolver_match
            if match is None or match.view_name not in SELF_AUDITED:
                found = _FILENAME.search(disposition)
                audit_record(
                    actor=user,
                    action=AuditAction.DOWNLOAD,
                    fields=(found.group(1) if found else "")[:200],
                    subject=request.path[:200],
                )
        return response


class QueryQueueMiddleware:
    """Starts each request's count of seconds spent waiting for a query slot (the lake runs
    a few queries at once per process, ``GUANXI_QUERY_SLOTS``); pages show it
    (``queued_seconds`` in their context) when a request had to wait."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        from guanxi.lake.store import QUEUED

        token = QUEUED.set(0.0)
        try:
            return self.get_response(request)
        finally:
            QUEUED.reset(token)
