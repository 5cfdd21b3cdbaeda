"""``{% prediction_panel customer %}`` on the customer profile (预测): what the serving runs
say about this customer — P(alive), expected purchases in 30/90/365 days, CLV, churn risk
with its reasons in words, cluster name and recommended products; "no run yet" when no run
has scored them. Shown to users who may read the insight area (``insight.view_modelrun``).
The panel holds figures and product titles only: no personal data."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.insight import presenters, selectors

register = template.Library()


def product_titles(ids: list[str]) -> dict[str, str]:
    """Titles of the recommended products from the lake's products table (ids shown when
    the shop never imported products, or the lake cannot be read)."""
    if not ids:
        return {}
    try:
        from guanxi import lake

        store = lake.get()
        if not store.exists("products"):
            return {}
        products = store.table("products")
        expr = products.filter(products.product_id.isin(ids)).select("product_id", "title")
        table = store.arrow(expr)
    except Exception:  # a profile must open even when the lake is unreadable
        return {}
    return {
        pid: title
        for pid, title in zip(
            table.column("product_id").to_pylist(), table.column("title").to_pylist(), strict=True
        )
        if title
    }


@register.inclusion_tag("insight/_profile_panel.html", takes_context=True)
def prediction_panel(context: Any, customer: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    allowed = bool(user is not None and user.has_perm("insight.view_modelrun"))
    if not allowed:
        return {"allowed": False}
    panel = presenters.panel(selectors.prediction_for(customer.customer_key))
    titles = product_titles(panel.recommendations)
    return {
        "allowed": True,
        "panel": panel,
        "products": [{"id": p, "title": titles.get(p, "")} for p in panel.recommendations],
    }
