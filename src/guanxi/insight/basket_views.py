"""关联与推荐: the serving basket run's rules (filters, sorting), bought-together per product,
suggested bundles with their uplift, and the recommendation evaluation beside the
popularity baseline. Product-level figures only: no customer appears on this page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from guanxi.insight import basket_presenters as presenters
from guanxi.insight import basket_selectors as selectors
from guanxi.web.exports.safe import csv_text
from guanxi.web.exports.xlsx import workbook
from guanxi.web.responses import xlsx_response

VIEW = "insight.view_modelrun"
SHOWN_RULES = 200  # rows on the page; the export has every kept rule


def _float(text: str | None, low: float, high: float) -> tuple[float, bool]:
    """A number from the query, clamped to [low, high]; (value, whether it was valid)."""
    if not text:
        return low, True
    try:
        value = float(text)
    except ValueError:
        return low, False
    if value != value or not low <= value <= high:  # NaN or out of range
        return low, False
    return value, True


def rule_filter(request: HttpRequest) -> tuple[selectors.RuleFilter, list[str]]:
    """The table's filters from ``?product=&min_lift=&min_confidence=&sort=&order=``; the
    names of the fields that were not understood (the page says so and ignores them)."""
    bad: list[str] = []
    lift, ok = _float(request.GET.get("min_lift"), 0.0, 1e9)
    if not ok:
        bad.append("min_lift")
    confidence, ok = _float(request.GET.get("min_confidence"), 0.0, 1.0)
    if not ok:
        bad.append("min_confidence")
    sort = request.GET.get("sort", "lift")
    if sort not in selectors.SORTS:
        bad.append("sort")
        sort = "lift"
    spec = selectors.RuleFilter(
        product=request.GET.get("product", "")[:100],
        min_lift=lift,
        min_confidence=confidence,
        sort=sort,
        descending=request.GET.get("order", "desc") != "asc",
    )
    return spec, bad


def _context(request: HttpRequest) -> dict[str, Any]:
    run = selectors.serving_run()
    spec, bad = rule_filter(request)
    context: dict[str, Any] = {
        "nav": "insight",
        "insight_tab": "basket",
        "run": run,
        "spec": spec,
        "bad_fields": bad,
        "sorts": selectors.SORTS,
        "query": request.GET.urlencode(),
    }
    if run is None:
        return context
    titles = selectors.product_titles()
    rules = selectors.filtered(selectors.rule_rows(run), spec, titles)
    metrics = run.metrics
    bundles = presenters.bundle_views(metrics, titles)
    ev = metrics.get("evaluation", {})
    context.update(
        {
            "metrics": metrics,
            "rules_total": len(rules),
            "rules": [presenters.rule_view(r, titles) for r in rules],
            "shown": SHOWN_RULES,
            "bundles": bundles,
            "together": presenters.together_views(metrics, titles),
            "model": ev.get("model", {}),
            "baseline": ev.get("baseline", {}),
            "beats": ev.get("beats_baseline", False),
            "evaluation_chart": presenters.evaluation_chart(metrics),
            "bundle_chart": presenters.bundle_chart(bundles),
        }
    )
    return context


@login_required
@permission_required(VIEW, raise_exception=True)
def basket_page(request: HttpRequest) -> HttpResponse:
    return render(request, "insight/basket.html", _context(request))


@login_required
@permission_required(VIEW, raise_exception=True)
def basket_export(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    """The filtered rules or the bundles as CSV or XLSX (safe cells: no formulas)."""
    context = _context(request)
    if context["run"] is None:
        raise Http404("no basket run yet")
    if what == "rules":
        sheet = presenters.rule_sheet(context["rules"])
    elif what == "bundles":
        sheet = presenters.bundle_sheet(context["bundles"])
    else:
        raise Http404(what)
    name = f"guanxi-basket-{what}-run{context['run'].pk}"
    if fmt == "xlsx":
        return xlsx_response(workbook([sheet]), f"{name}.xlsx")
    if fmt != "csv":
        raise Http404(fmt)
    response = HttpResponse(
        csv_text(presenters.csv_rows(sheet)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
