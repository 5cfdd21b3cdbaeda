"""The clusters page (``/insight/clusters/``), its exports and each cluster's customers.

Shop-wide figures: ``accounts.view_shop_figures`` with ``insight.view_modelrun`` (managers,
admins, marketing — as the RFM explorer; agents see customers one by one on their profiles).
Everything shown comes from the serving clusters run; the exports hold cluster profiles
only (no customer at all), the customer list only pseudonymous keys, shown in part.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanxi.insight import clusters_presenters as present
from guanxi.insight.models import CustomerPrediction
from guanxi.web.exports.safe import csv_text
from guanxi.web.exports.xlsx import Column, Sheet, workbook
from guanxi.web.responses import xlsx_response

VIEW = ("accounts.view_shop_figures", "insight.view_modelrun")
PAGE = 50


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def clusters_page(request: HttpRequest) -> HttpResponse:
    run = present.serving_run()
    context: dict[str, object] = {
        "insight_tab": "clusters",
        "run": run,
        "failure": present.last_failure(),
    }
    if run is not None:
        metrics = run.metrics
        cards = present.cards(metrics)
        header, rows = present.table_rows(metrics)
        context.update(
            metrics=metrics,
            cards=cards,
            header=header,
            rows=[
                [r[0], r[1], f"{r[2]:,}", present.pct(r[3]), present.pct(r[4])]
                + [
                    present.fmt_feature(n, v, rated=present.anyone_rated(metrics))
                    for n, v in zip(metrics["features"], r[5:], strict=True)
                ]
                for r in rows
            ],
            silhouettes=[
                {**s, "chosen": s["k"] == metrics["k"]} for s in metrics.get("silhouettes", [])
            ],
            silhouette_chart=present.silhouette_chart(metrics),
            scatter_chart=present.scatter_chart(metrics, cards),
            axis_terms=present.axis_terms(metrics),
        )
    return render(request, "insight/clusters.html", context)


def _export_rows() -> tuple[list[str], list[list[object]], str]:
    run = present.serving_run()
    if run is None:
        raise Http404(_("还没有可用的聚类结果。"))
    header, rows = present.table_rows(run.metrics)
    return header, rows, run.metrics.get("as_of", "")


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def export_csv(request: HttpRequest) -> HttpResponse:
    header, rows, as_of = _export_rows()
    response = HttpResponse(csv_text([header, *rows]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="clusters-{as_of}.csv"'
    return response


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    header, rows, as_of = _export_rows()
    kinds = ["count", "text", "count", "percent", "percent", *["ratio"] * (len(header) - 5)]
    sheet = Sheet(
        name=_("客户聚类")[:31],
        title=_("客户聚类（截至 %(day)s）") % {"day": as_of},
        columns=[Column(h, kind, 14) for h, kind in zip(header, kinds, strict=True)],
        rows=rows,
    )
    return xlsx_response(workbook([sheet]), f"clusters-{as_of or dt.date.today()}.xlsx")


@require_GET
@login_required
@permission_required(VIEW, raise_exception=True)
def cluster_customers(request: HttpRequest, cluster: int) -> HttpResponse:
    run = present.serving_run()
    card = None
    if run is not None:
        card = next((c for c in present.cards(run.metrics) if c.id == cluster), None)
    if run is None or card is None:
        raise Http404(_("没有这个聚类。"))
    rows = CustomerPrediction.objects.filter(cluster_run=run, cluster=cluster).order_by(
        "customer_key"
    )
    page = Paginator(rows.values_list("customer_key", flat=True), PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "insight/clusters_customers.html",
        {
            "insight_tab": "clusters",
            "card": card,
            "page": page,
            "keys": [(key, present.mask_key(key)) for key in page.object_list],
        },
    )
