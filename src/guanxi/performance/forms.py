"""Forms of the performance pages: the trend's choices; the shop's settings, the scorecard
and manual scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.timeutil import Period, buckets
from guanxi.metrics.agents import AGENT_METRICS
from guanxi.performance import shop_settings
from guanxi.performance.selectors import MAX_PARTS
from guanxi.web.forms import PeriodForm
from guanxi.web.language import english

VIEW_CHOICES = (("agent", _("客服")), ("team", _("客服组")), ("shop", _("全店")))
BY_CHOICES = (("day", _("按日")), ("week", _("按周")), ("month", _("按月")))


@dataclass(frozen=True)
class TrendChoice:
    period: Period
    by: str
    view: str
    unit: str  # "": the page picks (an agent: their own id; a manager: the first unit)
    metric: str


class TrendForm(PeriodForm):
    """The trend page's period, step, view, unit and metric."""

    by = forms.ChoiceField(label=_("粒度"), choices=BY_CHOICES)
    view = forms.ChoiceField(label=_("对象"), choices=VIEW_CHOICES)
    unit = forms.CharField(label=_("客服／客服组"), max_length=64, required=False)
    metric = forms.ChoiceField(label=_("指标"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        en = english()
        metric = self.fields["metric"]
        assert isinstance(metric, forms.ChoiceField)
        metric.choices = [(m.key, m.name_en if en else m.name_zh) for m in AGENT_METRICS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end, by = cleaned.get("start"), cleaned.get("end"), cleaned.get("by")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and by:
            parts = len(buckets(Period(start, end), by))
            if parts > MAX_PARTS:
                self.add_error(
                    "by",
                    _(
                        "该期间%(by)s共 %(parts)s 段，最多 %(max)s 段："
                        "请缩短期间，或改为按周、按月。"
                    )
                    % {"by": dict(BY_CHOICES)[by], "parts": parts, "max": MAX_PARTS},
                )
        return cleaned

    def choice(self) -> TrendChoice:
        data = self.cleaned_data
        return TrendChoice(
            self.period(), data["by"], data["view"], data["unit"].strip(), data["metric"]
        )


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
