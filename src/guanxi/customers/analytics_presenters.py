"""The customer analytics page's sections as tables (the numbers beside each chart, and the
XLSX export's sheets, from the same rows) and the charts' data for Plotly."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from guanxi.customers.analytics import Analytics, Bar
from guanxi.web.exports.tables import Table
from guanxi.web.exports.values import text_value
from guanxi.web.exports.xlsx import Column

CHART_BARS = 20  # the ranked region charts show the first 20; the tables all of them


WIDTHS = {"text": 16, "count": 11, "money": 15, "percent": 11, "ratio": 10}


def _table(
    key: str, title: str, headers: list[tuple[str, str]], rows: list[list[Any]], note: str = ""
) -> Table:
    """A section's table from its (header, kind) pairs (kind: text|count|money|percent|ratio)."""
    columns = [Column(h, kind, WIDTHS.get(kind, 12)) for h, kind in headers]
    return Table(key, title, columns, rows, note)


def gender_label(key: str) -> str:
    return {"female": _("女"), "male": _("男")}.get(key, _("未知"))


def level_label(key: str) -> str:
    return {
        "high": _("高度忠诚"),
        "medium": _("中度忠诚"),
        "low": _("低度忠诚"),
        "unknown": _("未知"),
    }.get(key, _("无法判断（未购买）"))


def component_label(key: str) -> str:
    return {
        "frequency": _("购买频率"),
        "amount": _("购买金额"),
        "recommend": _("推荐意愿"),
        "after_sales": _("售后服务满意度"),
    }[key]


def component_level_label(key: str) -> str:
    return {"high": _("高"), "medium": _("中"), "low": _("低"), "unknown": _("未知")}[key]


def offset_label(offset: int) -> str:
    return _("第%(n)s月") % {"n": offset}


def band_label(low: Decimal, high: Decimal | None) -> str:
    if high is None:
        return f"≥ ¥{low:,.0f}"
    return f"¥{low:,.0f} – {high:,.0f}"


def _bar_rows(bars: list[Bar], label: Any) -> list[list[Any]]:
    return [[label(b.key), b.customers, b.share, b.spend] for b in bars]


def tables(a: Analytics) -> dict[str, Table]:
    spend_header = _("近%(n)s个月消费") % {"n": a.trailing_months}
    common = [(_("客户数"), "count"), (_("占比"), "percent"), (spend_header, "money")]
    out: dict[str, Table] = {}
    out["gender"] = _table(
        "gender", _("性别"), [(_("性别"), "text"), *common], _bar_rows(a.gender, gender_label)
    )
    out["age"] = _table(
        "age",
        _("年龄段"),
        [(_("年龄段"), "text"), *common],
        _bar_rows(a.age, lambda k: k or _("未填写出生日期")),
        note=_("年龄按统计日计算，出生日期只在重新计算时解密一次。"),
    )
    out["provinces"] = _table(
        "provinces",
        _("省份"),
        [(_("省份"), "text"), *common],
        _bar_rows(a.provinces, lambda k: k or _("未填写")),
    )
    out["cities"] = _table(
        "cities",
        _("城市（前 %(n)s）") % {"n": len([c for c in a.cities if c.key])},
        [(_("城市"), "text"), *common],
        _bar_rows(a.cities, lambda k: k or _("未填写")),
    )
    out["spend"] = _table(
        "spend",
        _("消费分布"),
        [
            (_("消费区间"), "text"),
            (_("客户数"), "count"),
            (_("占比"), "percent"),
            (_("消费金额"), "money"),
        ],
        [[band_label(b.low, b.high), b.customers, b.share, b.spend] for b in a.spend_bands],
        note=_("近%(n)s个月付款的客户，按其期间付款金额分段（含下限，不含上限）。")
        % {"n": a.trailing_months},
    )
    cat = a.categories
    names = [category_name(c) for c in cat.categories]
    out["categories"] = _table(
        "categories",
        _("品类趋势"),
        [(_("月份"), "text"), *[(n, "money") for n in names], (_("合计"), "money")],
        [
            [month, *[cat.amounts[c][i] for c in cat.categories], cat.totals[i]]
            for i, month in enumerate(cat.months)
        ],
        note=_("每月已付款订单中各品类商品行的金额（按付款月份）。"),
    )
    r = a.retention
    m = a.trailing_months
    out["retention"] = _table(
        "retention",
        _("客户保持度与复购"),
        [
            (_("指标"), "text"),
            (_("数值"), "percent"),
            (_("客户数"), "count"),
            (_("基数"), "count"),
        ],
        []
        if r is None
        else [
            [_("客户保持度"), r.rate, r.retained, r.previous_buyers],
            [_("重复购买率"), r.repeat_rate, r.repeat_buyers, r.buyers],
            [
                _("新客户占比"),
                r.new_buyers / r.current_buyers if r.current_buyers else None,
                r.new_buyers,
                r.current_buyers,
            ],
        ],
        note=_(
            "客户保持度 = 上一个 %(m)s 个月付款的客户中在最近 %(m)s 个月再次付款的比例；"
            "重复购买率 = 最近 %(m)s 个月付款客户中付款 2 次及以上的比例。"
        )
        % {"m": m},
    )
    longest = max((len(c.rates) for c in a.cohorts), default=1)
    out["cohorts"] = _table(
        "cohorts",
        _("复购率（按首购月份）"),
        [
            (_("首购月份"), "text"),
            (_("客户数"), "count"),
            *[(offset_label(k), "percent") for k in range(1, longest)],
            (_("累计复购率"), "percent"),
        ],
        [
            [
                c.cohort,
                c.customers,
                *c.rates[1:],
                *([None] * (longest - len(c.rates))),
                c.repeat_rates[-1],
            ]
            for c in a.cohorts
        ],
        note=_(
            "第 k 月 = 首购后第 k 个自然月内再次付款的客户 ÷ 该月首购客户数；"
            "累计复购率 = 至今在任一后续月份再次付款的比例。"
        ),
    )
    components = ("frequency", "amount", "recommend", "after_sales")
    levels = ("high", "medium", "low", "unknown")
    loyalty_headers: list[tuple[str, str]] = [
        (_("忠诚度"), "text"),
        (_("客户数"), "count"),
        (_("占比"), "percent"),
    ]
    for name in components:
        loyalty_headers.append((f"{component_label(name)} {_('均值')}", "ratio"))
    for name in components:
        for level in levels:
            loyalty_headers.append(
                (f"{component_label(name)}：{component_level_label(level)}", "count")
            )
    loyalty_rows = []
    for row in a.loyalty:
        values: list[Any] = [level_label(row.level), row.customers, row.share]
        for name in components:
            mean = row.components.get(name, {}).get("mean")
            values.append(None if mean is None else Decimal(str(round(mean, 2))))
        for name in components:
            counts = row.components.get(name, {}).get("levels", {})
            values += [counts.get(level, 0) for level in levels]
        loyalty_rows.append(values)
    out["loyalty"] = _table("loyalty", _("忠诚度"), loyalty_headers, loyalty_rows)
    return out


def category_name(key: str) -> str:
    if key == "*":
        return _("其他品类")
    return key or _("未分类")


def _bars(bars: list[Bar], label: Any) -> dict[str, Any]:
    return {
        "labels": [label(b.key) for b in bars],
        "customers": [b.customers for b in bars],
        "spend": [float(b.spend) for b in bars],
    }


def chart_data(a: Analytics) -> dict[str, Any]:
    """What analytics.js draws (numbers as floats; the exact ones are in the tables)."""
    provinces = [b for b in a.provinces if b.key][:CHART_BARS]
    cities = [b for b in a.cities if b.key]
    cat = a.categories
    longest = max((len(c.rates) for c in a.cohorts), default=1)
    return {
        "labels": {
            "customers": _("客户数"),
            "spend": _("消费金额"),
            "amount": _("金额（元）"),
            "rate": _("复购率"),
            "cohort": _("首购月份"),
        },
        "gender": _bars(a.gender, gender_label),
        "age": _bars(a.age, lambda k: k or _("未填写")),
        "provinces": _bars(provinces, str),
        "cities": _bars(cities, str),
        "spend": {
            "labels": [band_label(b.low, b.high) for b in a.spend_bands],
            "customers": [b.customers for b in a.spend_bands],
        },
        "categories": {
            "months": cat.months,
            "series": [
                {"name": category_name(c), "values": [float(v) for v in cat.amounts[c]]}
                for c in cat.categories
            ],
        },
        "cohorts": {
            "offsets": [offset_label(k) for k in range(1, longest)],
            "cohorts": [c.cohort for c in a.cohorts],
            # rows: cohorts, columns: months 1…; None beyond the as-of month
            "rates": [
                [round(r * 100, 1) for r in c.rates[1:]] + [None] * (longest - len(c.rates))
                for c in a.cohorts
            ],
        },
        "loyalty": {
            "labels": [level_label(r.level) for r in a.loyalty],
            "customers": [r.customers for r in a.loyalty],
            "levels": [r.level for r in a.loyalty],
        },
    }


def kpis(a: Analytics) -> dict[str, str]:
    r = a.retention
    return {
        "retention": text_value(r.rate if r else None, "percent"),
        "repeat": text_value(r.repeat_rate if r else None, "percent"),
        "spend_total": text_value(a.spend_total, "money"),
        "buyers": text_value(a.buyers, "count"),
    }


def _mean_text(name: str, mean: float | None) -> str:
    if mean is None:
        return "—"
    if name == "amount":
        return text_value(Decimal(str(round(mean, 2))), "money")
    return f"{mean:.2f}"


def loyalty_cells(a: Analytics) -> dict[str, Any]:
    """The page's compact loyalty table: per level its customers and share, and per
    component the mean figure and how many are high / medium / low / unknown on it."""
    rows = []
    for row in a.loyalty:
        components = []
        for name in ("frequency", "amount", "recommend", "after_sales"):
            summary = row.components.get(name, {})
            counts = summary.get("levels", {})
            components.append(
                {
                    "mean": _mean_text(name, summary.get("mean")),
                    "levels": [
                        (component_level_label(level), counts.get(level, 0))
                        for level in ("high", "medium", "low", "unknown")
                    ],
                }
            )
        rows.append(
            {
                "level": row.level,
                "label": level_label(row.level),
                "customers": text_value(row.customers, "count"),
                "share": text_value(row.share, "percent"),
                "components": components,
            }
        )
    return {
        "headers": [
            component_label(n) for n in ("frequency", "amount", "recommend", "after_sales")
        ],
        "rows": rows,
    }


def loyalty_rules(rules: Any, edges: dict[str, Any], months: int) -> list[dict[str, str]]:
    """Each component's rule in words, with the amount's edges in yuan as last counted."""

    def yuan(value: Any) -> str:
        return "" if value is None else f"（≥ {text_value(Decimal(str(value)), 'money')}）"

    share = {
        "high": f"{rules.amount_high_share * 100:g}%",
        "medium": f"{rules.amount_medium_share * 100:g}%",
    }
    return [
        {
            "name": component_label("frequency"),
            "figure": _("近%(n)s个月付款订单数") % {"n": months},
            "high": f"≥ {rules.frequency_high}",
            "medium": f"≥ {rules.frequency_medium}",
        },
        {
            "name": component_label("amount"),
            "figure": _("近%(n)s个月付款金额在付款客户中的排位") % {"n": months},
            "high": _("前 %(share)s") % {"share": share["high"]} + yuan(edges.get("high_at")),
            "medium": _("前 %(share)s") % {"share": share["medium"]} + yuan(edges.get("medium_at")),
        },
        {
            "name": component_label("recommend"),
            "figure": _("最近一次“推荐意愿”0–10 分问卷回答（从未回答：未知）"),
            "high": f"≥ {rules.recommend_high}",
            "medium": f"≥ {rules.recommend_medium}",
        },
        {
            "name": component_label("after_sales"),
            "figure": _("退款/退货后的评分均值；没有售后的用全部评分（1–5 星）"),
            "high": f"≥ {rules.satisfaction_high}",
            "medium": f"≥ {rules.satisfaction_medium}",
        },
    ]
