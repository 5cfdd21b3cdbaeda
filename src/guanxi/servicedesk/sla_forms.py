"""The SLA targets form (时效目标): per tier the first-response and resolution targets in
business minutes and the at-risk share (in %), and the shop's service hours. Every bad
value is refused beside its field with what to write instead."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import validate_hours
from guanxi.servicedesk.models import SlaSettings, Tier
from guanxi.servicedesk.sla_reading import Target

MAX_MINUTES = 30 * 24 * 60
"""30 days of business minutes: longer is a typo (hours typed as minutes the other way)."""


def _minutes(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        widget=forms.NumberInput(attrs={"aria-label": label}),
        min_value=1,
        max_value=MAX_MINUTES,
        error_messages={
            "min_value": _("至少 1 分钟"),
            "max_value": _("最多 43200 分钟（30 天）"),
            "invalid": _("请填写整数分钟，如 60"),
            "required": _("请填写目标分钟数"),
        },
    )


class SlaTargetsForm(forms.Form):
    workday_hours = forms.CharField(
        label=_("工作日服务时间"),
        max_length=100,
        validators=[validate_hours],
        help_text=_("如 09:00-24:00；没有排班的客服和未分派的工单按此计时"),
        error_messages={"required": _("请填写工作日服务时间，如 09:00-24:00")},
    )
    restday_hours = forms.CharField(
        label=_("休息日服务时间"),
        max_length=100,
        required=False,
        validators=[validate_hours],
        help_text=_("周末和法定节假日（按国务院调休安排）；留空表示不计时"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for tier in Tier:
            self.fields[f"{tier.value}_first_response"] = _minutes(
                _("%(tier)s · 首次响应（工作分钟）") % {"tier": tier.label}
            )
            self.fields[f"{tier.value}_resolution"] = _minutes(
                _("%(tier)s · 解决（工作分钟）") % {"tier": tier.label}
            )
            share_label = _("%(tier)s · 预警比例（%%）") % {"tier": tier.label}
            self.fields[f"{tier.value}_at_risk"] = forms.IntegerField(
                label=share_label,
                widget=forms.NumberInput(attrs={"aria-label": share_label}),
                min_value=10,
                max_value=99,
                error_messages={
                    "min_value": _("请填写 10–99 之间的百分比"),
                    "max_value": _("请填写 10–99 之间的百分比"),
                    "invalid": _("请填写整数百分比，如 80"),
                    "required": _("请填写预警比例，如 80"),
                },
            )

    def tier_rows(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The template's table: one row per tier with its three fields."""
        return [
            (
                tier.label,
                [
                    self[f"{tier.value}_{part}"]
                    for part in ("first_response", "resolution", "at_risk")
                ],
            )
            for tier in Tier
        ]

    @classmethod
    def initial_from(cls, targets: dict[str, Target], row: SlaSettings) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "workday_hours": row.workday_hours,
            "restday_hours": row.restday_hours,
        }
        for tier, target in targets.items():
            initial[f"{tier}_first_response"] = target.first_response_minutes
            initial[f"{tier}_resolution"] = target.resolution_minutes
            initial[f"{tier}_at_risk"] = round(target.at_risk_share * 100)
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for tier in Tier:
            first = data.get(f"{tier.value}_first_response")
            resolution = data.get(f"{tier.value}_resolution")
            if first is not None and resolution is not None and first > resolution:
                self.add_error(
                    f"{tier.value}_resolution",
                    _("解决时限（%(res)s 分钟）不能短于首次响应时限（%(first)s 分钟）")
                    % {"res": resolution, "first": first},
                )
        return data

    def targets(self) -> dict[str, Target]:
        c = self.cleaned_data
        return {
            tier.value: Target(
                c[f"{tier.value}_first_response"],
                c[f"{tier.value}_resolution"],
                Decimal(c[f"{tier.value}_at_risk"]) / 100,
            )
            for tier in Tier
        }
