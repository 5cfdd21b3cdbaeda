from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.timeutil import Period

MAX_DAYS = 366 * 3


class PeriodForm(forms.Form):
    """A period of local days, both ends inclusive."""

    start = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            if start > end:
                raise forms.ValidationError(
                    _("开始日期 %(start)s 晚于结束日期 %(end)s，请先填较早的日期。"),
                    params={"start": start, "end": end},
                )
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(_("期间最长三年，请缩短期间。"))
        return cleaned

    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])
