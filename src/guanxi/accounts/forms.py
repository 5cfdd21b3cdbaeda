from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from guanxi.accounts import services
from guanxi.accounts.models import Agent


class ThrottledAuthenticationForm(AuthenticationForm):
    """Login that never says which part was wrong and locks out repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。"),
        "throttled": _("登录失败次数过多，请 15 分钟后再试。"),
    }

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip()
        client = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if username and services.login_is_throttled(username=username, client=client):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                services.login_attempt_record(username=username, client=client, succeeded=False)
            raise
        services.login_attempt_record(username=username, client=client, succeeded=True)
        return cleaned


class AgentForm(forms.ModelForm):
    """One roster row: the agent's names and rota (排班)."""

    class Meta:
        model = Agent
        fields = [
            "agent_id",
            "name",
            "team",
            "nicknames",
            "active",
            "workday_hours",
            "restday_hours",
        ]
        widgets = {
            "team": forms.TextInput(attrs={"size": 8, "list": "teams"}),
            "nicknames": forms.TextInput(attrs={"size": 18}),
            "workday_hours": forms.TextInput(
                attrs={"size": 22, "placeholder": "09:00-12:00, 13:30-24:00"}
            ),
            "restday_hours": forms.TextInput(attrs={"size": 16, "placeholder": "10:00-22:00"}),
        }


RosterFormSet = forms.modelformset_factory(Agent, form=AgentForm, extra=1, can_delete=False)
