"""Forms of the store pages: the DSR options and the industry averages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.timeutil import parse_month
from guanxi.store.models import DsrDimension

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
            year, month = parse_month(raw)
        except ValueError:
            raise forms.ValidationError(
                _("%(value)s 不是月份，请按 2025-12 的格式填写。"), params={"value": raw}
            ) from None
        return dt.date(year, month, 1)


class IndustryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("行业均值 CSV"),
        help_text=_("表头 month,description,service,logistics；每行一个月，分值 1–5。"),
    )
