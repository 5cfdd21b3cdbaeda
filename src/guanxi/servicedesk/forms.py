"""Forms of the ticket pages. They only parse; the services decide (and name the field of
what they refuse), so a page and the API/CLI refuse the same things the same way."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.accounts.models import Agent
from guanxi.servicedesk.labels import SLA_LABELS, STATE_LABELS
from guanxi.servicedesk.models import (
    Category,
    Channel,
    Department,
    Kind,
    RoutingRule,
    SlaState,
    State,
    Tier,
)


def _blank(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *[(v, label) for v, label in choices if v]]


class TicketForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, initial=Kind.COMPLAINT)
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices, initial=Channel.CHAT)
    subject = forms.CharField(label=_("标题"), max_length=300)
    description = forms.CharField(
        label=_("描述"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    customer_key = forms.CharField(label=_("客户编号"), max_length=32, required=False)
    platform = forms.CharField(label=_("平台"), max_length=16, required=False)
    order_id = forms.CharField(label=_("订单号"), max_length=64, required=False)
    chat_session_id = forms.CharField(label=_("会话"), max_length=128, required=False)
    product_id = forms.CharField(
        label=pgettext_lazy("ticket field", "商品"), max_length=64, required=False
    )
    category = forms.ChoiceField(label=_("问题分类"), choices=Category.choices, required=False)
    tier = forms.ChoiceField(label=_("级别"), choices=Tier.choices, initial=Tier.ORDINARY)


class QueueForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部状态")), *[(v, STATE_LABELS[v]) for v in State.values]],
        required=False,
    )
    tier = forms.ChoiceField(
        label=_("级别"), choices=_blank(_("全部级别"), Tier.choices), required=False
    )
    category = forms.ChoiceField(
        label=_("问题分类"), choices=_blank(_("全部分类"), Category.choices), required=False
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=_blank(_("全部类型"), Kind.choices), required=False
    )
    channel = forms.ChoiceField(
        label=_("渠道"), choices=_blank(_("全部渠道"), Channel.choices), required=False
    )
    sla_state = forms.ChoiceField(
        label=_("时效"),
        choices=[("", _("全部时效")), *[(v, SLA_LABELS[v]) for v in SlaState.values]],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("开闭"),
        choices=[("open", _("未完结")), ("closed", _("已完结")), ("any", _("全部"))],
        required=False,
    )
    department = forms.ChoiceField(label=_("部门"), required=False)
    team = forms.ChoiceField(label=_("客服组"), required=False)
    agent = forms.ChoiceField(label=_("处理人"), required=False)
    number = forms.CharField(label=_("工单号"), max_length=12, required=False)

    def __init__(self, *args: Any, teams: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = cast(dict[str, forms.ChoiceField], self.fields)
        choice["department"].choices = [("", _("全部部门"))] + [
            (str(d.pk), d.name) for d in Department.objects.all()
        ]
        choice["team"].choices = [("", _("全部客服组"))] + [(t, t) for t in teams]
        choice["agent"].choices = [("", _("全部处理人"))] + [
            (a.agent_id, f"{a.agent_id} {a.name}".strip())
            for a in Agent.objects.order_by("agent_id")
        ]


def agent_choices() -> list[tuple[str, str]]:
    """Agents on duty (在职) for the assign selects: "id name · team"."""
    return [
        (a.agent_id, f"{a.agent_id} {a.name}".strip() + (f" · {a.team}" if a.team else ""))
        for a in Agent.objects.filter(active=True).order_by("agent_id")
    ]


class _RowForm(forms.ModelForm):
    """A form shown as one table row: its inputs name their <form> (``f-<prefix>``, placed
    outside the table, since a <form> cannot sit inside a <tr>)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["form"] = self.html_form

    @property
    def html_form(self) -> str:
        return f"f-{self.prefix}"


class DepartmentForm(_RowForm):
    class Meta:
        model = Department
        fields = ["name", "position", "active"]


class RoutingRuleForm(_RowForm):
    class Meta:
        model = RoutingRule
        fields = [
            "position",
            "active",
            "kind",
            "category",
            "tier",
            "channel",
            "platform",
            "department",
            "team",
            "agent",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department = cast(forms.ModelChoiceField, self.fields["department"])
        department.queryset = Department.objects.filter(active=True)
        department.empty_label = "—"
        cast(forms.ModelChoiceField, self.fields["agent"]).empty_label = "—"
        for name in ("kind", "category", "tier", "channel"):
            field = cast(forms.ChoiceField, self.fields[name])
            model_choices = {
                "kind": Kind.choices,
                "category": Category.choices,
                "tier": Tier.choices,
                "channel": Channel.choices,
            }[name]
            field.choices = [("", _("任意")), *[(v, label) for v, label in model_choices if v]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("department") or data.get("team") or data.get("agent")):
            raise forms.ValidationError(
                _("请至少选择部门、客服组或客服之一：规则要把工单分派到某处。"),
                code="nowhere",
            )
        agent = data.get("agent")
        team = data.get("team") or ""
        if agent is not None and team and agent.team and agent.team != team:
            self.add_error(
                "agent",
                _("客服 %(agent)s 属于客服组“%(team)s”，与规则的客服组不符。")
                % {"agent": agent.agent_id, "team": agent.team},
            )
        return data
