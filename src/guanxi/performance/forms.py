"""Forms of the performance pages: the shop's settings, the scorecard, manual scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.performance import shop_settings


class RulesForm(forms.Form):
    """Every threshold and window; bounds and cross-checks are the service's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in shop_settings.RULE_FIELDS:
            self.fields[field.name] = forms.IntegerField(
                label=str(field.label), min_value=field.minimum, max_value=field.maximum
            )
        self.fields["dsr_window_unit"] = forms.ChoiceField(
            label=_("DSR 窗口单位"), choices=[("month", _("月（淘宝）")), ("day", _("天（抖音）"))]
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                shop_settings.rules_check(cleaned)
            except shop_settings.SettingsError as exc:
                self.add_error(exc.field, exc.detail)
        return cleaned


class ScorecardForm(forms.Form):
    scorecard = forms.CharField(
        label=_("KPI 考核表（TOML）"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
    )


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("月份"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def first_day(self) -> dt.date:
        day: dt.date = self.cleaned_data["month"]
        return day.replace(day=1)


class ManualScoreForm(forms.Form):
    agent = forms.CharField(max_length=64)
    item = forms.CharField(max_length=64)
    month = forms.DateField(input_formats=["%Y-%m"])
    score = forms.CharField(label=_("得分"), max_length=20)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
