"""The basket page's rows, charts and export sheets (labels in the request's language)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from guanxi.web.exports.xlsx import Column, Sheet


def product_label(pid: str, titles: dict[str, str]) -> str:
    title = titles.get(pid)
    return f"{title}（{pid}）" if title else pid


def side(products: list[str], titles: dict[str, str]) -> str:
    return " + ".join(product_label(p, titles) for p in products)


def rule_view(row: dict[str, Any], titles: dict[str, str]) -> dict[str, Any]:
    return {
        "antecedent": side(row["antecedent"], titles),
        "consequent": side(row["consequent"], titles),
        "baskets": row["baskets"],
        "support": row["support"],
        "confidence": row["confidence"],
        "lift": row["lift"],
    }


def bundle_views(metrics: dict[str, Any], titles: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for b in metrics.get("bundles", []):
        a, c = b["items"]
        out.append(
            {
                **b,
                "first": product_label(a, titles),
                "second": product_label(c, titles),
            }
        )
    return out


def together_views(metrics: dict[str, Any], titles: dict[str, str]) -> list[dict[str, Any]]:
    """Per product (most bought first): the products most often in the same basket."""
    counts = metrics.get("item_baskets", {})
    out = []
    for product, partners in metrics.get("bought_together", {}).items():
        if not partners:
            continue
        out.append(
            {
                "product": product_label(product, titles),
                "baskets": counts.get(product),
                "partners": [
                    {
                        "product": product_label(p, titles),
                        "confidence": conf,
                        "lift": lift,
                        "baskets": n,
                    }
                    for p, conf, lift, n in partners
                ],
            }
        )
    return out


def evaluation_chart(metrics: dict[str, Any]) -> dict[str, Any]:
    ev = metrics.get("evaluation", {})
    model, base = ev.get("model", {}), ev.get("baseline", {})
    k = metrics.get("k", 10)
    return {
        "categories": [f"hit-rate@{k}", f"recall@{k}"],
        "model": [model.get("hit_rate"), model.get("recall")],
        "baseline": [base.get("hit_rate"), base.get("recall")],
        "labels": {"model": _("共现与规则推荐"), "baseline": _("热门商品基线")},
    }


def bundle_chart(bundles: list[dict[str, Any]]) -> dict[str, Any]:
    top = bundles[:10]
    return {
        "names": [f"{b['first']} + {b['second']}" for b in top],
        "uplift": [round(b["uplift"], 1) for b in top],
        "labels": {"uplift": _("额外同购订单数")},
    }


def rule_sheet(rows: list[dict[str, Any]]) -> Sheet:
    return Sheet(
        name=_("关联规则")[:31],
        title=_("关联规则（前项 ⇒ 后项）"),
        columns=[
            Column(_("前项"), width=40),
            Column(_("后项"), width=40),
            Column(_("同时出现的订单数"), "count"),
            Column(_("支持度"), "percent"),
            Column(_("置信度"), "percent"),
            Column(_("提升度"), "ratio"),
        ],
        rows=[
            [
                r["antecedent"],
                r["consequent"],
                r["baskets"],
                r["support"],
                r["confidence"],
                r["lift"],
            ]
            for r in rows
        ],
    )


def bundle_sheet(bundles: list[dict[str, Any]]) -> Sheet:
    return Sheet(
        name=_("建议组合")[:31],
        title=_("建议组合与预计增量"),
        columns=[
            Column(_("商品 A"), width=36),
            Column(_("商品 B"), width=36),
            Column(_("同时购买的订单数"), "count"),
            Column(_("独立时预计订单数"), "ratio"),
            Column(_("额外同购订单数"), "ratio"),
            Column(_("提升度"), "ratio"),
        ],
        rows=[
            [b["first"], b["second"], b["baskets"], b["expected"], b["uplift"], b["lift"]]
            for b in bundles
        ],
        notes=[
            _(
                "额外同购订单数 = (P(B|A) − P(B)) × 含 A 的订单数 = 同时购买数 − 独立时预计数；"
                "这是历史订单中的关联，不是推出组合后的实测效果。"
            )
        ],
    )


def csv_rows(sheet: Sheet) -> list[list[Any]]:
    return [[c.header for c in sheet.columns], *[list(r) for r in sheet.rows]]
