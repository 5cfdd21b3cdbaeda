from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from guanxi.accounts import roles, selectors, services
from guanxi.accounts.models import Agent


def client_address(request: HttpRequest) -> str:
    """The address a login attempt came from: the peer, or behind a reverse proxy
    (GUANXI_BEHIND_PROXY) the address the proxy appended to X-Forwarded-For — the only
    entry a client cannot forge."""
    if settings.GUANXI_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return str(request.META.get("REMOTE_ADDR", ""))


class ThrottledAuthenticationForm(AuthenticationForm):
    """Login that never says which part was wrong and locks out repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。"),
        "throttled": _("登录失败次数过多，请 15 分钟后再试。"),
    }

    def clean(self) -> dict[str, Any]:
        typed = self.cleaned_data.get("username") or ""
        client = client_address(self.request) if self.request else ""
        if services.login_is_throttled(username=typed, client=client):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        if typed:
            # Log in under the stored spelling whatever the case typed (the username field
            # has already NFKC-normalised it): one name, one counter, one account.
            self.cleaned_data["username"] = selectors.login_username(typed) or typed
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if typed:
                services.login_attempt_record(username=typed, client=client, succeeded=False)
            raise
        services.login_attempt_record(username=typed, client=client, succeeded=True)
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


def _role_choices() -> list[tuple[str, Any]]:
    return [(role, label) for role, label in roles.LABELS.items()]


class UserAddForm(forms.Form):
    """A new login: username, role and, for an agent, the roster entry it is linked to."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    # The least-privileged role first: a slip of the mouse must not make an admin.
    role = forms.ChoiceField(label=_("角色"), choices=_role_choices, initial=roles.AGENT)
    agent_id = forms.ChoiceField(
        label=_("客服账号"),
        required=False,
        help_text=_("客服只看到所关联客服账号的数据；其他角色可不填"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agent_field = self.fields["agent_id"]
        assert isinstance(agent_field, forms.ChoiceField)
        agent_field.choices = [("", _("（不关联）")), *selectors.roster_choices()]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=_role_choices)
