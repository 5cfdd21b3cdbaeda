"""File downloads: the content type and the attachment header, in one place."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

from guanxi.web.exports.safe import csv_line_writer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_stream_response(
    header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str
) -> StreamingHttpResponse:
    """A CSV download streamed row by row: UTF-8 with a BOM (Excel reads the Chinese), every
    cell made formula-safe (``exports.safe``), never cached (the exports are about
    customers). ``rows`` is consumed lazily while the response is sent; ``header`` is made
    by the caller, while the request's language is active."""

    def lines() -> Iterator[str]:
        writer = csv_line_writer()
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
