"""Forms of the review pages: the alert queue's filters and the alert's actions. Every error
names its field and how to put it right (the form shows it beside the field)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.satisfaction import alerts
from guanxi.satisfaction.models import AlertReason, AlertStatus
from guanxi.web.forms import PeriodForm


class AlertFilterForm(PeriodForm):
    """The queue's filters; every one optional (no period: all alerts)."""

    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", pgettext_lazy("alert filter", "未关闭")),
            ("all", pgettext_lazy("alert filter", "全部")),
            *AlertStatus.choices,
        ],
    )
    reason = forms.ChoiceField(
        label=_("原因"),
        required=False,
        choices=[("", pgettext_lazy("alert filter", "全部")), *AlertReason.choices],
    )
    product = forms.CharField(
        label=pgettext_lazy("review field", "商品"), required=False, max_length=64
    )
    owner = forms.ChoiceField(label=_("负责人"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].required = False
        self.fields["end"].required = False
        people = [(str(u.pk), u.get_username()) for u in alerts.owners()]
        cast(forms.ChoiceField, self.fields["owner"]).choices = [
            ("", pgettext_lazy("alert filter", "全部")),
            ("me", _("我负责的")),
            ("none", _("未分配")),
            *people,
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if bool(cleaned.get("start")) != bool(cleaned.get("end")):
            raise forms.ValidationError(_("期间：请同时填写开始日期和结束日期，或都不填。"))
        return cleaned

    def filter(self, queryset: Any, user: Any) -> Any:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        status = data.get("status", "")
        if status == "":
            queryset = queryset.exclude(status=AlertStatus.CLOSED)
        elif status != "all":
            queryset = queryset.filter(status=status)
        if data.get("reason"):
            queryset = queryset.filter(reason=data["reason"])
        if data.get("product"):
            queryset = queryset.filter(product_id=data["product"].strip())
        owner = data.get("owner", "")
        if owner == "me":
            queryset = queryset.filter(owner=user)
        elif owner == "none":
            queryset = queryset.filter(owner__isnull=True)
        elif owner:
            queryset = queryset.filter(owner_id=int(owner))
        if data.get("start") and data.get("end"):
            lo, hi = self.period().utc_bounds(_tz())
            queryset = queryset.filter(Q(reviewed_at__gte=lo) & Q(reviewed_at__lt=hi))
        return queryset


def _tz() -> str:
    from django.conf import settings

    return str(settings.TIME_ZONE)


class AssignForm(forms.Form):
    owner = forms.ChoiceField(label=_("负责人"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(str(u.pk), u.get_username()) for u in alerts.owners()]
        cast(forms.ChoiceField, self.fields["owner"]).choices = [("", _("未分配")), *people]


class MoveForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=AlertStatus.choices)
    response = forms.CharField(
        label=_("回复内容"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("给买家的回复（加密保存）；标记为“已回复”时必填。"),
    )
