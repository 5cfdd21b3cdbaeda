"""What the review pages show: figures formatted as the other reports format them
(``web.exports.values.text_value``), the charts' data (drawn by Plotly offline from
``satisfaction/reviews.js``) and the alert queue's rows, masked where they must be."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from guanxi.satisfaction.alerts import OVERDUE_AFTER, Tracking
from guanxi.satisfaction.models import ReviewAlert
from guanxi.satisfaction.review_selectors import Churn, GoodRate
from guanxi.stats.review_themes import THEMES, label
from guanxi.web.exports.values import text_value


def pct(value: float | None) -> str:
    return text_value(value, "percent")


def count(value: int | None) -> str:
    return text_value(value, "count")


def sentiment_label(value: str) -> str:
    labels = {"positive": _("正面"), "neutral": _("中性"), "negative": _("负面")}
    return labels.get(value, value)


def theme_labels() -> list[dict[str, str]]:
    lang = get_language() or "zh-hans"
    return [{"key": t, "label": label(t, lang)} for t in THEMES]


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str
    formula: str


def tiles(summary: GoodRate, churn: Churn, unscored: int) -> list[Tile]:
    churn_formula = _(
        "流失率 = 1 − 客户保持度：前 %(n)s 个月付款的客户中，截至 %(as_of)s 的 %(n)s 个月内"
        "没有再付款的比例（与客户分析页同一口径）。"
    ) % {"n": churn.months, "as_of": churn.as_of}
    return [
        Tile(
            "good_rate",
            _("好评率"),
            pct(summary.good_rate),
            _("好评率 = 4–5 星评价 ÷ 全部评价"),
        ),
        Tile(
            "reviews",
            pgettext("review count", "评价数"),
            count(summary.reviews),
            _("本期间的全部评价"),
        ),
        Tile(
            "counts",
            _("好评 / 中评 / 差评"),
            f"{count(summary.good)} / {count(summary.neutral)} / {count(summary.bad)}",
            _("好评 4–5 星，中评 3 星，差评 1–2 星"),
        ),
        Tile("churn", _("客户流失率"), pct(churn.rate), churn_formula),
    ]


def month_rows(rows: list[dict[str, Any]], churn: dict[Any, Churn]) -> list[dict[str, Any]]:
    return [
        {
            "churn": pct(churn[r["month"]].rate) if r["month"] in churn else "—",
            "month": f"{r['month']:%Y-%m}",
            "reviews": count(r["reviews"]),
            "good": count(r["good"]),
            "neutral": count(r["neutral"]),
            "bad": count(r["bad"]),
            "good_rate": pct(r["good_rate"]),
        }
        for r in rows
    ]


def product_rows(
    rates: list[dict[str, Any]], sentiments: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    by_product = {s["product_id"]: s for s in sentiments}
    out = []
    for r in rates:
        s = by_product.get(r["product_id"], {})
        out.append(
            {
                "product": r["product_id"] or "—",
                "reviews": count(r["reviews"]),
                "good": count(r["good"]),
                "neutral": count(r["neutral"]),
                "bad": count(r["bad"]),
                "good_rate": pct(r["good_rate"]),
                "positive": count(s.get("positive", 0)),
                "neutral_s": count(s.get("neutral", 0)),
                "negative": count(s.get("negative", 0)),
            }
        )
    return out


def sentiment_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        scored = r["reviews"] - r["unscored"]
        share = r["negative"] / scored if scored else None
        out.append(
            {
                "month": f"{r['month']:%Y-%m}",
                "positive": count(r["positive"]),
                "neutral": count(r["neutral"]),
                "negative": count(r["negative"]),
                "unscored": count(r["unscored"]),
                "negative_share": pct(share),
            }
        )
    return out


def theme_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per product (the shop first): per theme "all / bad" counts."""
    return [
        {
            "product": _("全店") if r["product_id"] is None else (r["product_id"] or "—"),
            "shop": r["product_id"] is None,
            "reviews": count(r["reviews"]),
            "negative_reviews": count(r["negative_reviews"]),
            "themes": [
                {"all": count(r["themes"][t][0]), "bad": count(r["themes"][t][1])} for t in THEMES
            ],
        }
        for r in rows
    ]


def chart(
    months: list[dict[str, Any]],
    sentiments: list[dict[str, Any]],
    themes: list[dict[str, Any]],
    churn: dict[Any, Churn],
) -> dict[str, Any]:
    """The three charts' data and labels (numbers only: no review text goes to the page's JSON)."""
    shop = themes[0]["themes"] if themes and themes[0]["product_id"] is None else {}
    return {
        "months": [f"{r['month']:%Y-%m}" for r in months],
        "good": [r["good"] for r in months],
        "neutral": [r["neutral"] for r in months],
        "bad": [r["bad"] for r in months],
        "rate": [
            None if r["good_rate"] is None else round(r["good_rate"] * 100, 2) for r in months
        ],
        "churn": [_percent_points(churn.get(r["month"])) for r in months],
        "s_months": [f"{r['month']:%Y-%m}" for r in sentiments],
        "positive": [r["positive"] for r in sentiments],
        "s_neutral": [r["neutral"] for r in sentiments],
        "negative": [r["negative"] for r in sentiments],
        "themes": [label(t, get_language() or "zh-hans") for t in THEMES],
        "theme_all": [shop.get(t, (0, 0))[0] for t in THEMES],
        "theme_bad": [shop.get(t, (0, 0))[1] for t in THEMES],
        "labels": {
            "good": _("好评"),
            "neutral": _("中评"),
            "bad": _("差评"),
            "rate": _("好评率 (%)"),
            "churn": _("客户流失率 (%)"),
            "positive": _("正面"),
            "s_neutral": _("中性"),
            "negative": _("负面"),
            "theme_all": _("全部评价"),
            "theme_bad": _("差评/负面评价"),
        },
    }


def _percent_points(found: Churn | None) -> float | None:
    return None if found is None or found.rate is None else round(found.rate * 100, 2)


# -- the alert queue --------------------------------------------------------------------------
def tracking_tiles(t: Tracking) -> list[Tile]:
    hours = int(OVERDUE_AFTER.total_seconds() // 3600)
    median = "—" if t.median_hours is None else _("%(h)s 小时") % {"h": f"{t.median_hours:.1f}"}
    return [
        Tile("open", _("待回复"), count(t.open), _("待处理和处理中、尚未回复的预警")),
        Tile(
            "overdue",
            _("超时未回复"),
            count(t.overdue),
            _("预警后超过 %(h)s 小时仍未回复") % {"h": hours},
        ),
        Tile("responded", _("已回复"), count(t.responded), _("有回复时间的预警")),
        Tile("median", _("回复用时中位数"), median, _("从预警到回复的用时，取中位数")),
    ]


def review_texts(keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The (masked-at-import) texts of these reviews, read from the lake."""
    from guanxi import lake

    shop = lake.get()
    if not keys or not shop.exists("reviews"):
        return {}
    r = shop.table("reviews")
    ids = sorted({k[1] for k in keys})
    rows = shop.arrow(r.filter(r.review_id.isin(ids)).select("platform", "review_id", "text"))
    wanted = set(keys)
    return {
        (p, i): t or ""
        for p, i, t in zip(
            rows["platform"].to_pylist(),
            rows["review_id"].to_pylist(),
            rows["text"].to_pylist(),
            strict=True,
        )
        if (p, i) in wanted
    }


def masked_response(alert: ReviewAlert, *, reveal: bool) -> str:
    """The shop's response: in full when revealed, else through ``mask_free_text`` with the
    customer's known values (a reply may repeat the buyer's phone or address)."""
    from guanxi.customers import selectors as customer_selectors
    from guanxi.ingest.pii import mask_free_text

    if reveal or not alert.response:
        return alert.response
    known = customer_selectors.known_values([alert.customer_key]).get(alert.customer_key)
    if known is None:
        from guanxi.ingest.pii import mask_patterns

        return mask_patterns(alert.response)
    return mask_free_text([alert.response], known)[0]
