"""Refuse an oversized upload from its Content-Length, before any of the body is read; and
finish what a killed import left before any page reads the lake."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from guanxi.imports import recovery, services

# Room for the form's other fields and the multipart boundaries.
OVERHEAD = 1024 * 1024


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = int(settings.GUANXI_MAX_UPLOAD_BYTES)
            if length > limit + OVERHEAD:
                message = _(
                    "文件过大（%(size)d MB），上限为 %(limit)d MB。请按日期分段导出，"
                    "或在服务器上用 guanxi import 命令导入。"
                ) % {"size": length // 1048576, "limit": limit // 1048576}
                return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class RecoveryMiddleware:
    """Before a request reads anything: if an import's lake write has not finished (a file
    under GUANXI_IMPORT_DIR/writing, checked without a query) and its writer is gone, restore
    the lake (``services.recover``), so no page shows a killed import's rows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if recovery.writes_unfinished():
            services.recover(wait=False)
        return self.get_response(request)
