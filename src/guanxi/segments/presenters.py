"""What the segment pages, the export and the API show. Members are always masked here —
whoever looks or exports: a segment is a marketing list, and marketing never sees personal
data in the clear (a single customer is revealed on the customer's own page, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from guanxi.core import pii
from guanxi.customers.models import Customer, CustomerClass
from guanxi.metrics.customers import RFM_GROUPS
from guanxi.segments import filters as f
from guanxi.web.exports.xlsx import Column

TIER_LABELS = {
    "ordinary": gettext_lazy("普通会员"),
    "super": gettext_lazy("超级会员"),
    "apass": gettext_lazy("APASS会员"),
}
LOYALTY_LABELS = {
    "high": gettext_lazy("高度忠诚"),
    "medium": gettext_lazy("中度忠诚"),
    "low": gettext_lazy("低度忠诚"),
}
CONSENT_LABELS = {"yes": gettext_lazy("已同意营销"), "no": gettext_lazy("未同意营销")}
MATCH_LABELS = {"any": gettext_lazy("任一"), "all": gettext_lazy("全部")}
WINDOW_LABELS = {"all": gettext_lazy("累计"), "12m": gettext_lazy("近12个月")}


def rfm_label(key: str) -> str:
    for group in RFM_GROUPS:
        if group.key == key:
            return group.name_en if (get_language() or "").startswith("en") else group.name_zh
    return key


def class_label(code: str) -> str:
    return str(dict(CustomerClass.choices).get(code, code))


def _label(labels: dict[str, Any], code: str) -> str:
    return str(labels.get(code, code))


# -- the builder ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    value: str
    label: str
    checked: bool


def _options(values: list[tuple[str, str]], chosen: tuple[str, ...]) -> list[Option]:
    return [Option(v, label, v in chosen) for v, label in values]


def builder_options(
    chosen: dict[str, tuple[str, ...]],
    *,
    tags: list[str],
    provinces: list[str],
    categories: list[str],
    clusters: list[str] | None = None,
) -> dict[str, list[Option]]:
    """The checkbox groups of the builder, ticked as ``chosen`` (the submitted or saved
    values) says. A saved value no longer in the data (a tag since deleted) is still
    offered, so it can be seen and unticked."""

    def known(values: list[str], picked: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(v, v) for v in [*values, *(c for c in picked if c not in values)]]

    def group(name: str, values: list[tuple[str, str]]) -> list[Option]:
        return _options(values, chosen.get(name, ()))

    return {
        "customer_classes": group(
            "customer_classes", [(c, class_label(c)) for c in f.CUSTOMER_CLASSES]
        ),
        "member_tiers": group(
            "member_tiers", [(t, _label(TIER_LABELS, t)) for t in f.MEMBER_TIERS]
        ),
        "rfm_groups": group("rfm_groups", [(g, rfm_label(g)) for g in f.RFM_GROUP_KEYS]),
        "loyalty_levels": group(
            "loyalty_levels", [(v, _label(LOYALTY_LABELS, v)) for v in f.LOYALTY_LEVELS]
        ),
        "tags": group("tags", known(tags, chosen.get("tags", ()))),
        "provinces": group("provinces", known(provinces, chosen.get("provinces", ()))),
        "categories": group("categories", known(categories, chosen.get("categories", ()))),
        "clusters": _options(
            [(v, _(v)) for v, _same in known(clusters or [], chosen.get("clusters", ()))],
            chosen.get("clusters", ()),
        ),
    }


def describe(flt: f.SegmentFilter) -> list[str]:
    """The filters in words, one line each, for the list and the members page."""
    lines: list[str] = []

    def join(values: tuple[str, ...], label: Any = None) -> str:
        return "、".join(str(label(v)) if label else v for v in values)

    if flt.customer_classes:
        lines.append(_("客户类别：%s") % join(flt.customer_classes, class_label))
    if flt.member_tiers:
        lines.append(_("会员等级：%s") % join(flt.member_tiers, lambda t: _label(TIER_LABELS, t)))
    if flt.rfm_groups:
        lines.append(_("RFM分组：%s") % join(flt.rfm_groups, rfm_label))
    if flt.loyalty_levels:
        lines.append(
            _("忠诚度：%s") % join(flt.loyalty_levels, lambda v: _label(LOYALTY_LABELS, v))
        )
    if flt.tags:
        lines.append(
            _("标签（%(match)s）：%(tags)s")
            % {"match": _label(MATCH_LABELS, flt.tags_match), "tags": join(flt.tags)}
        )
    if flt.provinces:
        lines.append(_("省份：%s") % join(flt.provinces))
    if flt.cities:
        lines.append(_("城市：%s") % join(flt.cities))
    if flt.last_purchase == "within":
        lines.append(_("最近 %d 天内购买过") % (flt.last_purchase_days or 0))
    elif flt.last_purchase == "not_within":
        lines.append(_("最近 %d 天内未购买（含从未购买）") % (flt.last_purchase_days or 0))
    elif flt.last_purchase == "between":
        lines.append(
            _("最近购买日期：%(start)s 至 %(end)s")
            % {"start": flt.last_purchase_from or "…", "end": flt.last_purchase_to or "…"}
        )
    window = _label(WINDOW_LABELS, flt.window)
    if flt.spend_min is not None or flt.spend_max is not None:
        lines.append(
            _("%(window)s消费：%(range)s")
            % {"window": window, "range": _between(_money(flt.spend_min), _money(flt.spend_max))}
        )
    if flt.orders_min is not None or flt.orders_max is not None:
        lines.append(
            _("%(window)s付款订单：%(range)s")
            % {"window": window, "range": _between(flt.orders_min, flt.orders_max)}
        )
    if flt.categories:
        lines.append(
            _("购买类目（%(match)s）：%(categories)s")
            % {
                "match": _label(MATCH_LABELS, flt.categories_match),
                "categories": join(flt.categories),
            }
        )
    if flt.marketing_consent:
        lines.append(_label(CONSENT_LABELS, flt.marketing_consent))
    if flt.clv_min is not None or flt.clv_max is not None:
        lines.append(
            _("预测客户终身价值：%(range)s")
            % {"range": _between(_money(flt.clv_min), _money(flt.clv_max))}
        )
    if flt.churn_min is not None or flt.churn_max is not None:
        lines.append(
            _("流失风险：%(range)s") % {"range": _between(_pct(flt.churn_min), _pct(flt.churn_max))}
        )
    if flt.p_alive_min is not None or flt.p_alive_max is not None:
        lines.append(
            _("活跃概率：%(range)s")
            % {"range": _between(_pct(flt.p_alive_min), _pct(flt.p_alive_max))}
        )
    if flt.clusters:
        lines.append(_("客户聚类：%s") % "、".join(_(c) for c in flt.clusters))
    return lines or [_("全部客户（未设筛选条件）")]


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}%"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"¥{value:,.2f}"


def _between(low: object, high: object) -> str:
    """ "≥ low", "≤ high" or "low – high" (bounds included)."""
    if high is None:
        return f"≥ {low}"
    if low is None:
        return f"≤ {high}"
    return f"{low} – {high}"


def money(value: Decimal | None) -> str:
    return "—" if value is None else f"¥{value:,.2f}"


SORT_LABELS = {
    "key": gettext_lazy("客户编号"),
    "clv_desc": gettext_lazy("终身价值从高到低"),
    "clv_asc": gettext_lazy("终身价值从低到高"),
    "churn_desc": gettext_lazy("流失风险从高到低"),
    "churn_asc": gettext_lazy("流失风险从低到高"),
    "p_alive_desc": gettext_lazy("活跃概率从高到低"),
    "p_alive_asc": gettext_lazy("活跃概率从低到高"),
    "cluster": gettext_lazy("客户聚类"),
}


def sort_choices() -> list[tuple[str, str]]:
    return [(key, str(SORT_LABELS[key])) for key in f.SORTS]


# -- members -------------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberRow:
    customer_key: str
    name: str
    mobile: str
    region: str
    customer_class: str
    class_label: str
    member_tier: str
    member_tier_code: str
    rfm_group: str
    rfm_group_code: str
    paid_amount: Decimal | None
    trailing_paid_amount: Decimal | None
    paid_orders: int | None
    last_paid_at: str
    # the serving prediction runs' values (None: not scored)
    clv: Decimal | None = None
    churn_risk: float | None = None
    p_alive: float | None = None
    cluster_name: str = ""

    @property
    def clv_text(self) -> str:
        return money(self.clv)

    @property
    def churn_text(self) -> str:
        return "—" if self.churn_risk is None else f"{self.churn_risk:.0%}"

    @property
    def p_alive_text(self) -> str:
        return "—" if self.p_alive is None else f"{self.p_alive:.0%}"

    @property
    def paid_amount_text(self) -> str:
        return money(self.paid_amount)

    @property
    def trailing_paid_amount_text(self) -> str:
        return money(self.trailing_paid_amount)


def member_row(customer: Customer) -> MemberRow:
    """One member, masked (``customers.presenters`` masks the same way)."""
    standing = getattr(customer, "standing", None)
    last_paid = standing.last_paid_at if standing is not None else None
    try:
        prediction = customer.prediction
    except Customer.prediction.RelatedObjectDoesNotExist:
        prediction = None
    return MemberRow(
        customer_key=customer.customer_key,
        name=pii.mask_name(customer.name),
        mobile=pii.mask_mobile(customer.mobile) if customer.mobile else "",
        region=" ".join(p for p in (customer.province, customer.city) if p),
        customer_class=customer.customer_class,
        class_label=class_label(customer.customer_class),
        member_tier=_label(TIER_LABELS, standing.member_tier) if standing is not None else "",
        member_tier_code=standing.member_tier if standing is not None else "",
        rfm_group=rfm_label(standing.rfm_group) if standing and standing.rfm_group else "",
        rfm_group_code=standing.rfm_group if standing is not None else "",
        paid_amount=standing.paid_amount if standing is not None else None,
        trailing_paid_amount=standing.trailing_paid_amount if standing is not None else None,
        paid_orders=standing.paid_orders if standing is not None else None,
        last_paid_at=(
            timezone.localtime(last_paid, timezone.get_default_timezone()).strftime("%Y-%m-%d")
            if last_paid is not None
            else ""
        ),
        clv=prediction.clv if prediction is not None else None,
        churn_risk=prediction.churn_risk if prediction is not None else None,
        p_alive=prediction.p_alive if prediction is not None else None,
        cluster_name=_(prediction.cluster_name) if prediction and prediction.cluster_name else "",
    )


# The export's columns: (key for the audit log, title, kind for the XLSX number format).
EXPORT_COLUMNS = (
    ("customer_key", gettext_lazy("客户编号"), "text", 20),
    ("name", gettext_lazy("姓名（已打码）"), "text", 12),
    ("mobile", gettext_lazy("手机（已打码）"), "text", 15),
    ("region", gettext_lazy("省份/城市"), "text", 14),
    ("customer_class", gettext_lazy("客户类别"), "text", 10),
    ("member_tier", gettext_lazy("会员等级"), "text", 10),
    ("rfm_group", gettext_lazy("RFM分组"), "text", 12),
    ("paid_amount", gettext_lazy("累计消费"), "money", 14),
    ("trailing_paid_amount", gettext_lazy("近12个月消费"), "money", 14),
    ("paid_orders", gettext_lazy("付款订单数"), "count", 10),
    ("last_paid_at", gettext_lazy("最近购买"), "text", 12),
    ("clv", gettext_lazy("预测终身价值"), "money", 14),
    ("churn_risk", gettext_lazy("流失风险"), "percent", 10),
    ("p_alive", gettext_lazy("活跃概率"), "percent", 10),
    ("cluster_name", gettext_lazy("客户聚类"), "text", 12),
)


def export_fields() -> str:
    """The exported fields, for the audit log (names of fields, never values)."""
    return ",".join(key for key, *_rest in EXPORT_COLUMNS)


def export_header() -> list[str]:
    return [str(title) for _key, title, *_rest in EXPORT_COLUMNS]


def export_columns() -> list[Column]:
    return [Column(str(title), kind, width) for _key, title, kind, width in EXPORT_COLUMNS]


def export_row(row: MemberRow) -> list[Any]:
    return [
        row.customer_key,
        row.name,
        row.mobile,
        row.region,
        row.class_label,
        row.member_tier,
        row.rfm_group,
        row.paid_amount,
        row.trailing_paid_amount,
        row.paid_orders,
        row.last_paid_at,
        row.clv,
        row.churn_risk,
        row.p_alive,
        row.cluster_name,
    ]
