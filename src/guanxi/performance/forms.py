"""Forms of the performance pages: the trend's choices; DSR options and industry averages;
the shop's settings, the scorecard and manual scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.timeutil import Period, buckets
from guanxi.metrics.agents import AGENT_METRICS
from guanxi.performance import shop_presenters, shop_settings
from guanxi.performance.models import DsrDimension
from guanxi.web.forms import PeriodForm
from guanxi.web.selectors import MAX_PARTS

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
        en = shop_presenters.english()
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


# SPEC §4 and the issue: Taobao rolls over 6 months, Douyin over 60 days.
WINDOW_UNITS = (("months", _("个月")), ("days", _("天")))


class DsrOptionsForm(forms.Form):
    months = forms.IntegerField(label=_("显示月数"), min_value=1, max_value=36, initial=6)
    window = forms.IntegerField(label=_("滚动窗口"), min_value=1, max_value=400, initial=6)
    unit = forms.ChoiceField(label=_("单位"), choices=WINDOW_UNITS, initial="months")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("unit") == "months" and (cleaned.get("window") or 0) > 24:
            raise forms.ValidationError(_("按月的滚动窗口最多 24 个月。"))
        return cleaned


def _score_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(1),
        max_value=Decimal(5),
        max_digits=5,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.001", "min": "1", "max": "5"}),
    )


class IndustryForm(forms.Form):
    """One month's industry averages, entered by hand."""

    month = forms.CharField(
        label=_("月份"),
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "2025-12"}),
    )
    description = _score_field(DsrDimension.DESCRIPTION.label)
    service = _score_field(DsrDimension.SERVICE.label)
    logistics = _score_field(DsrDimension.LOGISTICS.label)

    def clean_month(self) -> dt.date:
        raw = str(self.cleaned_data["month"]).strip()
        try:
            year, month = (int(p) for p in raw.split("-")[:2])
            return dt.date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(
                _("%(value)s 不是月份，请按 2025-12 的格式填写。"), params={"value": raw}
            ) from None


class IndustryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("行业均值 CSV"),
        help_text=_("表头 month,description,service,logistics；每行一个月，分值 1–5。"),
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
