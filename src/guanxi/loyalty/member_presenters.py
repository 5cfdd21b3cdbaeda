"""What the members page shows: the tier and perk rows with their labels and benefits, the
histogram's data, the formula's terms and the worked example, in the page's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.loyalty import member_formula
from guanxi.loyalty.forms import LEVEL_LABELS
from guanxi.loyalty.member_selectors import Bin, Level, TierSummary
from guanxi.loyalty.rules import MemberRules


def level_rows(levels: tuple[Level, ...]) -> list[dict[str, Any]]:
    rows = []
    for level in levels:
        high = level.high
        span = f"≥ {level.low:,}" if high is None else f"{level.low:,} – {high - 1:,}"
        rows.append(
            {
                "key": level.key,
                "name": LEVEL_LABELS[level.key],
                "span": span,
                "customers": f"{level.customers:,}",
                "share": f"{level.share:.1%}",
                "benefits": level.benefits,
                "coupon": level.coupon,
            }
        )
    return rows


def histogram_chart(bins: list[Bin], rules: MemberRules) -> dict[str, Any]:
    return {
        "low": [b.low for b in bins],
        "width": bins[0].high - bins[0].low if bins else 1,
        "customers": [b.customers for b in bins],
        "bounds": [
            {"at": rules.perk_daily_from, "name": _("日常福利")},
            {"at": rules.perk_premium_from, "name": _("尊享礼遇")},
            {"at": rules.super_from, "name": _("超级会员")},
            {"at": rules.apass_from, "name": _("APASS会员")},
        ],
        "labels": {"x": _("成长值"), "y": _("客户数")},
    }


PART_NAMES = {
    "purchase": gettext_lazy("购买分"),
    "interaction": gettext_lazy("互动分"),
    "credit": gettext_lazy("信用分"),
}


def step_names(rules: MemberRules) -> dict[str, str]:
    return {
        "amount": _("近12个月付款金额"),
        "orders": _("近12个月付款订单"),
        "reviews": _("评价"),
        "long_reviews": _("有内容的评价（≥ %(n)s 字）") % {"n": rules.long_review_chars},
        "dsr": _("店铺评分（DSR）"),
        "sessions": _("咨询会话（封顶）"),
        "interaction_cap": _("互动分封顶"),
        "profile": _("资料完善度"),
        "history": _("购物历史（首次付款至今整月数）"),
        "payment": _("付款记录（窗口内下单的付款比例）"),
        "compliance": _("购物合规（非质量原因退款扣分）"),
        "review_history": _("评价历史（累计评价）"),
    }


def worked_example(rules: MemberRules) -> dict[str, Any]:
    worked = member_formula.work(rules)
    names = step_names(rules)
    facts = member_formula.EXAMPLE
    return {
        "facts": facts,
        "steps": [
            {
                "part": str(PART_NAMES[s.part]),
                "name": names[s.key],
                "arithmetic": s.arithmetic,
                "points": s.points,
                "key": s.key,
            }
            for s in worked.steps
        ],
        "purchase": worked.purchase,
        "interaction": worked.interaction,
        "credit": worked.credit,
        "score": worked.score,
        "tier": LEVEL_LABELS[worked.tier],
        "perks": [LEVEL_LABELS[p] for p in worked.perks],
    }


def summary_context(summary: TierSummary) -> dict[str, Any]:
    return {
        "summary": summary,
        "tier_rows": level_rows(summary.tiers),
        "perk_rows": level_rows(summary.perks),
        "parts": [{"name": PART_NAMES[k], "mean": f"{v:,.0f}"} for k, v in summary.parts.items()],
    }
