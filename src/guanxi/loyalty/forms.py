"""The member settings form (会员等级设置): tier bounds, perk thresholds, the monthly job's
day, each level's benefits (one per line) and each tier's monthly coupon value. The form
checks the shapes; ``member_scores.settings_save`` the rules (its ``RuleError`` names the
field, which the view puts beside it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.loyalty import member_scores
from guanxi.loyalty.models import MemberSettings
from guanxi.loyalty.rules import PERKS, TIERS

LEVEL_LABELS = {
    "ordinary": _("普通会员"),
    "super": _("超级会员"),
    "apass": _("APASS会员"),
    "daily": _("日常福利"),
    "premium": _("尊享礼遇"),
}


def _score(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=100_000)


class MemberSettingsForm(forms.Form):
    super_from = _score(_("超级会员起点（分）"))
    apass_from = _score(_("APASS起点（分）"))
    perk_daily_from = _score(_("日常福利起点（分）"))
    perk_premium_from = _score(_("尊享礼遇起点（分）"))
    run_day = forms.IntegerField(
        label=_("每月计算日"),
        min_value=1,
        max_value=28,
        help_text=_("每月这一天凌晨 2 点（店铺时间）计算本月成长值；1–28 日。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for level in (*TIERS, *PERKS):
            self.fields[f"benefits_{level}"] = forms.CharField(
                label=_("%(level)s权益（每行一项）") % {"level": LEVEL_LABELS[level]},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        for tier in TIERS:
            self.fields[f"coupon_{tier}"] = forms.DecimalField(
                label=_("%(level)s每月优惠券（¥）") % {"level": LEVEL_LABELS[tier]},
                min_value=Decimal(0),
                max_value=Decimal(10_000),
                max_digits=8,
                decimal_places=2,
            )

    @classmethod
    def initial_from(cls, row: MemberSettings) -> dict[str, Any]:
        benefits = member_scores.benefits_of(row)
        coupons = member_scores.coupons_of(row)
        initial: dict[str, Any] = {
            "super_from": row.super_from,
            "apass_from": row.apass_from,
            "perk_daily_from": row.perk_daily_from,
            "perk_premium_from": row.perk_premium_from,
            "run_day": row.run_day,
        }
        initial |= {f"benefits_{k}": "\n".join(v) for k, v in benefits.items()}
        initial |= {f"coupon_{k}": v for k, v in coupons.items()}
        return initial

    def values(self) -> dict[str, Any]:
        """The cleaned data as ``settings_save`` takes it."""
        c = self.cleaned_data
        return {
            "super_from": c["super_from"],
            "apass_from": c["apass_from"],
            "perk_daily_from": c["perk_daily_from"],
            "perk_premium_from": c["perk_premium_from"],
            "run_day": c["run_day"],
            "benefits": {k: c[f"benefits_{k}"].splitlines() for k in (*TIERS, *PERKS)},
            "coupons": {k: c[f"coupon_{k}"] for k in TIERS},
        }
