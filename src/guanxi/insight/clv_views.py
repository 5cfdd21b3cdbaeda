"""The CLV page (insight:clv): the serving run's parameters, the hold-out check, the
distribution of CLV and the customers with the highest CLV; exports of every customer's
figures (pseudonymous keys, no personal data)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanxi.insight import clv_presenters as present
from guanxi.insight import clv_selectors as sel
from guanxi.insight.models import ModelRun
from guanxi.web.exports.xlsx import Column, Sheet, workbook
from guanxi.web.responses import csv_stream_response, xlsx_response

VIEW = "insight.view_modelrun"
EXPORT = (VIEW, "customers.export_customers")


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def clv_page(request: HttpRequest) -> HttpResponse:
    run = sel.serving_run()
    context: dict[str, object] = {"nav": "insight", "insight_tab": "clv", "run": run}
    if run is not None:
        context |= {
            "params": present.parameters(run),
            "holdout": present.holdout(run),
            "holdout_skipped": present.holdout_skipped(run, get_language() or "zh-hans"),
            "distribution": present.distribution(sel.distribution(run)),
            "top": [present.top_row(p, c) for p, c in sel.top_customers(run)],
        }
    return render(request, "insight/clv.html", context)


def _run_or_404() -> ModelRun:
    run = sel.serving_run()
    if run is None:
        raise Http404("no CLV run yet")
    return run


@login_required
@permission_required(EXPORT, raise_exception=True)
@require_GET
def clv_export_csv(request: HttpRequest) -> StreamingHttpResponse:
    run = _run_or_404()
    rows = (present.export_row(p) for p in sel.all_predictions(run).iterator(chunk_size=2000))
    return csv_stream_response(present.export_header(), rows, f"guanxi-clv-run{run.pk}.csv")


@login_required
@permission_required(EXPORT, raise_exception=True)
@require_GET
def clv_export_xlsx(request: HttpRequest) -> HttpResponse:
    run = _run_or_404()
    header = present.export_header()
    widths = (20, 10, 12, 12, 12, 12, 14)
    sheet = Sheet(
        name="CLV",
        title=_("客户终身价值（截至 %(day)s）") % {"day": run.metrics.get("as_of", "")},
        columns=[
            Column(h, k, w) for h, k, w in zip(header, present.EXPORT_KINDS, widths, strict=True)
        ],
        rows=[present.export_row(p) for p in sel.all_predictions(run).iterator(chunk_size=2000)],
    )
    response = xlsx_response(workbook([sheet]), f"guanxi-clv-run{run.pk}.xlsx")
    response["Cache-Control"] = "no-store"
    return response
