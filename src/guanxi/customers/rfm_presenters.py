"""What the RFM explorer, its exports and the API show: group names in the reader's language,
each group's rule in words, the grid as Plotly data with the numbers beside it.

No personal data passes here except in ``export_rows``, which masks names and phones unless
the caller says the viewer may and did ask to see them (``unmasked``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from guanxi.core import pii
from guanxi.customers import rfm
from guanxi.web.exports.values import text_value
from guanxi.web.language import english

EXPORT_FIELDS = (
    "customer_key,name,mobile,recency_days,frequency,monetary,r_score,f_score,m_score,group"
)


def rfm_group_keys() -> list[str]:
    """The eight groups' keys in order. Imported here, not at the top: the metric module
    brings Ibis, which a form or a command's ``--help`` must not load."""
    from guanxi.metrics.customers import RFM_GROUPS

    return [g.key for g in RFM_GROUPS]


def group_name(key: str) -> str:
    from guanxi.metrics.customers import RFM_GROUPS

    for g in RFM_GROUPS:
        if g.key == key:
            return g.name_en if english() else g.name_zh
    return key


def rule_words(
    recency_high: bool, frequency_high: bool, monetary_high: bool, high_score: int
) -> str:
    """A group's rule on the 1–5 scores: "R ≥ 3, F ≥ 3, M ≥ 3", "R < 3, F ≥ 3, M < 3"."""
    return ", ".join(
        f"{name} {'≥' if high else '<'} {high_score}"
        for name, high in (("R", recency_high), ("F", frequency_high), ("M", monetary_high))
    )


def tie_rule() -> str:
    return _(
        "评分按排名五等分：n 位客户中，某客户的分数 = 1 + ⌊5 × b ÷ n⌋，b 为数值严格更差的客户数"
        "（R：天数更多；F、M：更小）。数值相同的客户总是同分，取并列组最低位置的分数，"
        "所以跨越分位边界的并列整体落在边界以下。R 最近购买的得 5 分。"
    )


@dataclass(frozen=True)
class GroupRow:
    key: str
    name: str
    rule: str
    customers: str
    share: str
    revenue: str
    revenue_share: str
    mean_recency: str
    mean_frequency: str
    mean_monetary: str
    previous: str
    change: str
    change_sign: str  # "up", "down" or ""


def _signed(value: int | None) -> tuple[str, str]:
    if value is None:
        return "—", ""
    if value > 0:
        return f"+{value:,}", "up"
    if value < 0:
        return f"−{-value:,}", "down"
    return "0", ""


def _plain(value: Decimal | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:,}{suffix}"


def group_rows(explorer: rfm.Explorer) -> list[GroupRow]:
    out = []
    for g in explorer.groups:
        change, sign = _signed(g.change)
        out.append(
            GroupRow(
                key=g.key,
                name=g.name_en if english() else g.name_zh,
                rule=rule_words(
                    g.recency_high, g.frequency_high, g.monetary_high, explorer.high_score
                ),
                customers=f"{g.customers:,}",
                share=text_value(g.share, "percent"),
                revenue=text_value(g.revenue, "money"),
                revenue_share=text_value(g.revenue_share, "percent"),
                mean_recency=_plain(g.mean_recency),
                mean_frequency=_plain(g.mean_frequency),
                mean_monetary=text_value(g.mean_monetary, "money"),
                previous="—" if g.previous_customers is None else f"{g.previous_customers:,}",
                change=change,
                change_sign=sign,
            )
        )
    return out


def grid_chart(explorer: rfm.Explorer) -> dict[str, Any]:
    """The heat-map's data: customers per cell (colour), the count and mean M as text."""
    cells = explorer.grid
    return {
        "x": [f"F{f}" for f in rfm.SCORES],
        "y": [f"R{row[0].r_score}" for row in cells],
        "z": [[c.customers for c in row] for row in cells],
        "text": [
            [
                f"{c.customers:,}<br>{text_value(c.mean_monetary, 'money')}" if c.customers else "0"
                for c in row
            ]
            for row in cells
        ],
        "r": [[c.r_score for c in row] for row in cells],
        "f": [[c.f_score for c in row] for row in cells],
        "labels": {
            "count": _("客户数"),
            "mean_m": _("平均 M"),
            "x": _("F 购买次数评分"),
            "y": _("R 最近购买评分"),
        },
    }


@dataclass(frozen=True)
class GridRow:
    r_score: int
    cells: list[tuple[int, str, str]]  # (f_score, customers, mean M)


def grid_rows(explorer: rfm.Explorer) -> list[GridRow]:
    return [
        GridRow(
            row[0].r_score,
            [(c.f_score, f"{c.customers:,}", text_value(c.mean_monetary, "money")) for c in row],
        )
        for row in explorer.grid
    ]


# -- exports ----------------------------------------------------------------------------------
def export_header() -> list[str]:
    return [
        _("客户编号"), _("姓名"), _("手机"), _("R 距最近购买天数"), _("F 购买次数"),
        _("M 消费金额"), _("R 评分"), _("F 评分"), _("M 评分"), _("RFM分组"),
    ]  # fmt: skip


def export_rows(
    rows: Sequence[rfm.RfmRow], people: dict[str, Any], *, unmasked: bool
) -> Iterable[list[Any]]:
    """The rows with the master's name and mobile (``people``: key → Customer), masked
    unless ``unmasked``; a key the master does not hold (erased) has them blank."""
    for row in rows:
        person = people.get(row.customer_key)
        name = mobile = ""
        if person is not None:
            if unmasked:
                name, mobile = person.name, person.mobile
            else:
                name = pii.mask_name(person.name) if person.name else ""
                mobile = pii.mask_mobile(person.mobile) if person.mobile else ""
        yield [
            row.customer_key,
            name,
            mobile,
            row.recency_days,
            row.frequency,
            row.monetary,
            row.r_score,
            row.f_score,
            row.m_score,
            group_name(row.group),
        ]


def json_row(row: rfm.RfmRow) -> dict[str, Any]:
    """The CLI's and the API's row: ``monetary`` a string with two decimals (exact yuan, as
    every Guanxi JSON amount), the rest numbers, ``group`` the group's key."""
    return {
        "customer_key": row.customer_key,
        "recency_days": row.recency_days,
        "frequency": row.frequency,
        "monetary": f"{row.monetary:.2f}",
        "r_score": row.r_score,
        "f_score": row.f_score,
        "m_score": row.m_score,
        "group": row.group,
    }


def json_group(g: rfm.GroupFigures, high_score: int) -> dict[str, Any]:
    def ratio(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    return {
        "group": g.key,
        "name_zh": g.name_zh,
        "name_en": g.name_en,
        "rule": rule_words(g.recency_high, g.frequency_high, g.monetary_high, high_score),
        "customers": g.customers,
        "share": ratio(g.share),
        "revenue": f"{g.revenue:.2f}",
        "revenue_share": ratio(g.revenue_share),
        "mean_recency_days": ratio(g.mean_recency),
        "mean_frequency": ratio(g.mean_frequency),
        "mean_monetary": None if g.mean_monetary is None else f"{g.mean_monetary:.2f}",
        "previous_customers": g.previous_customers,
        "change": g.change,
    }
