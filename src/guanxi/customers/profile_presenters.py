"""What the 360° profile shows: the class and the sentence that explains it, RFM, loyalty,
member score, points and the timeline as display strings — masked unless revealed.

Free text (refund reasons, review texts, notes) is masked here against what the master
knows about the customer (``ingest.pii.mask_free_text``) before a template sees it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from guanxi.accounts import chat_access
from guanxi.customers import class_reasons, presenters, selectors
from guanxi.customers.models import (
    ClassPin,
    Customer,
    CustomerChange,
    CustomerClass,
    CustomerStanding,
)
from guanxi.customers.profile_selectors import Profile
from guanxi.ingest.pii import KnownValues, mask_free_text
from guanxi.loyalty.models import EntryKind, MemberScore, PointsEntry
from guanxi.metrics.rules import ClassRules

STAGE_LABELS = {
    "pre_sale": gettext_lazy("售前"),
    "in_sale": gettext_lazy("售中"),
    "after_sale": gettext_lazy("售后"),
}
LOYALTY_LABELS = {
    "high": gettext_lazy("高"),
    "medium": gettext_lazy("中"),
    "low": gettext_lazy("低"),
}
TIER_LABELS = {
    "ordinary": gettext_lazy("普通会员"),
    "super": gettext_lazy("超级会员"),
    "apass": gettext_lazy("APASS 候选"),
}
KIND_LABELS = {
    "order": gettext_lazy("订单"),
    "chat": gettext_lazy("咨询"),
    "refund": gettext_lazy("退款"),
    "review": gettext_lazy("评价"),
    "rating": gettext_lazy("店铺评分"),
}


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def _amount(value: Decimal | float | None) -> str:
    return "" if value is None else presenters.money(Decimal(str(value)).quantize(Decimal("0.01")))


def _percent(share: Decimal) -> str:
    text = f"{share * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


# -- class and its reason ------------------------------------------------------------------------
def class_reason(standing: CustomerStanding | None, rules: ClassRules) -> str:
    """The rule's class in one sentence (``class_reasons.class_reason``, the sentence the
    rules page shows too); empty before the first recompute (the page says so elsewhere)."""
    if standing is None:
        return ""
    return class_reasons.class_reason(standing, rules)


@dataclass(frozen=True)
class PinRow:
    class_label: str
    reason: str
    pinned_by: str
    pinned_at: str
    removed_by: str
    removed_at: str
    standing: bool


def pin_rows(pins: list[ClassPin]) -> list[PinRow]:
    return [
        PinRow(
            class_label=str(CustomerClass(p.customer_class).label),
            reason=p.reason,
            pinned_by=p.pinned_by,
            pinned_at=presenters.local_time(p.pinned_at),
            removed_by=p.removed_by,
            removed_at=presenters.local_time(p.removed_at),
            standing=p.removed_at is None,
        )
        for p in pins
    ]


# -- RFM, loyalty, member score, facts -----------------------------------------------------------
def rfm_group_label(key: str) -> str:
    from guanxi.metrics.customers import RFM_GROUPS

    for group in RFM_GROUPS:
        if group.key == key:
            return group.name_en if _english() else group.name_zh
    return key


LOYALTY_COMPONENTS = ("frequency", "amount", "recommend", "after_sales")


def _figure(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "amount":
        return _amount(value)
    if name == "frequency":
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def loyalty_components(standing: CustomerStanding | None) -> list[tuple[str, str]]:
    """Each loyalty component as (name, "level · figure (high ≥ x, medium ≥ y)"), in the
    order of SPEC §7, and the mean points that decide the level (``metrics.loyalty``)."""
    from guanxi.customers.analytics_presenters import component_label, component_level_label

    if standing is None or not isinstance(standing.loyalty_components, dict):
        return []
    parts = standing.loyalty_components
    rows: list[tuple[str, str]] = []
    for name in LOYALTY_COMPONENTS:
        part = parts.get(name)
        if not isinstance(part, dict):
            continue
        level = str(part.get("level") or "unknown")
        known = level if level in ("high", "medium", "low") else "unknown"
        text = str(component_level_label(known))
        figure = _figure(name, part.get("figure"))
        if figure:
            text += f" · {figure}"
        if part.get("high_at") is not None:
            text += " " + _("（高 ≥ %(high)s，中 ≥ %(medium)s）") % {
                "high": _figure(name, part.get("high_at")),
                "medium": _figure(name, part.get("medium_at")),
            }
        rows.append((str(component_label(name)), text))
    points = parts.get("points")
    if isinstance(points, int | float):
        rows.append((str(_("平均得分（高 2、中 1、低 0）")), f"{points:.2f}"))
    return rows


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    value: str


def facts(standing: CustomerStanding | None) -> list[Fact]:
    """The standing's facts as labelled strings (empty without a standing row)."""
    if standing is None:
        return []
    s = standing
    mean_gap = "" if s.mean_days_between is None else f"{s.mean_days_between:.1f}"
    rating = "" if s.mean_rating is None else f"{s.mean_rating:.2f}"
    return [
        Fact("first_order_at", _("首次下单"), presenters.local_time(s.first_order_at)),
        Fact("last_order_at", _("最近下单"), presenters.local_time(s.last_order_at)),
        Fact("orders", _("订单数（付款）"), f"{s.orders}（{s.paid_orders}）"),
        Fact("paid_amount", _("累计消费"), _amount(s.paid_amount)),
        Fact(
            "trailing",
            _("近12个月消费"),
            f"{_amount(s.trailing_paid_amount)} · " + _("%(n)s 单") % {"n": s.trailing_paid_orders},
        ),
        Fact("paid_items", _("购买件数"), str(s.paid_items)),
        Fact("categories", _("购买类目"), "、".join(s.categories or [])),
        Fact(
            "refunds",
            _("退款 / 退货"),
            f"{s.refunds} / {s.returns} · {_amount(s.refund_amount)}",
        ),
        Fact("sessions", _("咨询次数（近12个月）"), f"{s.sessions}（{s.trailing_sessions}）"),
        Fact("last_chat_at", _("最近咨询"), presenters.local_time(s.last_chat_at)),
        Fact("reviews", _("评价数 · 平均评分"), f"{s.reviews} · {rating or '—'}"),
        Fact("mean_days_between", _("平均购买间隔（天）"), mean_gap),
    ]


def score_chart(scores: list[MemberScore]) -> dict[str, Any]:
    """The member-score history for the chart (profile.js) and its labels."""
    return {
        "months": [f"{s.month:%Y-%m}" for s in scores],
        "score": [s.score for s in scores],
        "purchase": [s.purchase for s in scores],
        "interaction": [s.interaction for s in scores],
        "credit": [s.credit for s in scores],
        "labels": {
            "score": _("成长值"),
            "purchase": _("购买分"),
            "interaction": _("互动分"),
            "credit": _("信用分"),
            "super": _("超级会员 1000"),
            "apass": _("APASS 2500"),
        },
    }


def tier_label(tier: str) -> str:
    return str(TIER_LABELS.get(tier, tier))


def score_rows(scores: list[MemberScore]) -> list[dict[str, str]]:
    """The score table beside the chart, newest month first."""
    return [
        {
            "month": f"{s.month:%Y-%m}",
            "purchase": str(s.purchase),
            "interaction": str(s.interaction),
            "credit": str(s.credit),
            "score": str(s.score),
            "tier": tier_label(s.tier),
        }
        for s in reversed(scores)
    ]


FIELD_LABELS = {
    "name": gettext_lazy("姓名"),
    "gender": gettext_lazy("性别"),
    "birth_date": gettext_lazy("出生日期"),
    "mobile": gettext_lazy("手机"),
    "email": gettext_lazy("邮箱"),
    "address": gettext_lazy("地址"),
    "province": gettext_lazy("省份"),
    "city": gettext_lazy("城市"),
    "notes": gettext_lazy("备注"),
    "tags": gettext_lazy("标签"),
}


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def change_rows(changes: list[CustomerChange]) -> list[dict[str, str]]:
    """The change history as shown: the values were masked when they were recorded."""
    return [
        {
            "changed_at": presenters.local_time(c.changed_at),
            "field": field_label(c.field),
            "old_masked": c.old_masked,
            "new_masked": c.new_masked,
            "changed_by": c.changed_by,
        }
        for c in changes
    ]


# -- points --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LedgerRow:
    created_at: str
    kind: str
    points: str
    order: str
    expires_at: str
    reason: str
    actor: str


def ledger_rows(entries: list[PointsEntry]) -> list[LedgerRow]:
    """Ledger entries as shown (reasons were masked before they were stored)."""
    return [
        LedgerRow(
            created_at=presenters.local_time(e.earned_at or e.created_at),  # earned: when paid
            kind=str(EntryKind(e.kind).label),
            points=f"{e.points:+d}",
            order=e.order_id,
            expires_at=presenters.local_time(e.expires_at)[:10],
            reason=e.reason,
            actor=e.actor_name,
        )
        for e in entries
    ]


# -- timeline ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimelineRow:
    kind: str
    kind_label: str
    at: str
    platform: str
    ref: str
    summary: str
    text: str
    link: str


def _items(quantity: int | None) -> str:
    if quantity is None:
        return ""
    return ngettext("%(n)s 件", "%(n)s 件", quantity) % {"n": quantity}


def _served(customer_key: str) -> Any:
    import functools

    return functools.cache(lambda agent: selectors.agent_served(agent, customer_key))


def timeline_rows(
    rows: list[dict[str, Any]],
    *,
    user: AbstractBaseUser | AnonymousUser,
    customer_key: str,
    agents: dict[str, str],
    known: KnownValues | None,
) -> tuple[list[TimelineRow], int]:
    """The timeline's rows as shown, and how many chats on the page the viewer may not read
    (no transcript link for those: accounts.chat_access decides, as on the session page)."""
    texts = [r["text"] or "" for r in rows]
    shown = texts if known is None else mask_free_text(texts, known)
    served = _served(customer_key)
    reads_any = chat_access.reads_any_chats(user)  # type: ignore[arg-type]
    out: list[TimelineRow] = []
    withheld = 0
    for row, text in zip(rows, shown, strict=True):
        kind = row["kind"]
        link = ""
        if kind == "order":
            summary = " · ".join(
                p
                for p in (
                    presenters._label(presenters.ORDER_STATUS_LABELS, row["status"]),
                    _amount(row["amount"]),
                    _items(row["quantity"]),
                )
                if p
            )
        elif kind == "chat":
            first = row["agent"] or ""
            stage = str(STAGE_LABELS.get(row["status"] or "", "")) or _("阶段未知")
            agent = agents.get(first, first) or _("无人回复")
            replies = row["quantity"] or 0
            summary = ngettext(
                "%(stage)s · 接待 %(agent)s · 客服消息 %(n)s 条",
                "%(stage)s · 接待 %(agent)s · 客服消息 %(n)s 条",
                replies,
            ) % {"stage": stage, "agent": agent, "n": replies}
            served_by = {a for a in (row["agents"] or "").split(",") if a}
            if reads_any and chat_access.may_read_session(
                user,  # type: ignore[arg-type]
                served_by=served_by,
                served_customer=served,
            ):
                link = reverse("performance:session", args=[row["ref"]])
            else:
                withheld += 1
        elif kind == "refund":
            summary = " · ".join(
                p
                for p in (
                    presenters._label(presenters.REFUND_KIND_LABELS, row["detail"]),
                    presenters._label(presenters.REFUND_STATUS_LABELS, row["status"]),
                    _amount(row["amount"]),
                )
                if p
            )
        elif kind == "review":
            stars = row["rating"] or 0
            summary = "★" * stars + "☆" * max(0, 5 - stars)
            if row["detail"]:
                summary += " · " + _("商品 %(id)s") % {"id": row["detail"]}
        else:
            summary = _("描述 %(d)s · 服务 %(s)s · 物流 %(l)s") % {
                "d": row["rating_description"],
                "s": row["rating"],
                "l": row["rating_logistics"],
            }
        out.append(
            TimelineRow(
                kind=kind,
                kind_label=str(KIND_LABELS.get(kind, kind)),
                at=presenters.local_time(row["happened_at"]),
                platform=presenters._label(presenters.PLATFORM_LABELS, row["platform"]),
                ref=row["ref"] or "",
                summary=summary,
                text=text,
                link=link,
            )
        )
    return out, withheld


def chat_agents(rows: list[dict[str, Any]]) -> set[str]:
    return {r["agent"] for r in rows if r["kind"] == "chat" and r["agent"]}


# -- the whole page ------------------------------------------------------------------------------
def notes_shown(customer: Customer, *, reveal: bool, known: KnownValues | None) -> str:
    if reveal or known is None:
        return customer.notes
    return mask_free_text([customer.notes], known)[0]


def as_of_text(standing: CustomerStanding | None) -> str:
    if standing is None:
        return ""
    return f"{standing.as_of:%Y-%m-%d}"


def days_since(moment: dt.datetime | None, today: dt.date) -> int | None:
    return None if moment is None else (today - moment.date()).days


def summary(profile: Profile) -> dict[str, Any]:
    """The small figures of the page's head (for the template and the API)."""
    s = profile.standing
    return {
        "member_score": s.member_score if s else None,
        "member_tier": tier_label(s.member_tier) if s and s.member_tier else "",
        "points": profile.points_balance,
        "rfm_group": rfm_group_label(s.rfm_group) if s and s.rfm_group else "",
        "loyalty": str(LOYALTY_LABELS.get(s.loyalty, s.loyalty)) if s and s.loyalty else "",
    }
