from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers import selectors
from guanxi.customers.models import CustomerClass, Gender


@dataclass(frozen=True)
class Filters:
    query: str = ""
    tag: str = ""
    customer_class: str = ""
    rfm_group: str = ""
    r_score: int | None = None
    f_score: int | None = None

    def any(self) -> bool:
        return bool(self.query or self.tag or self.customer_class or self.rfm_group) or (
            self.r_score,
            self.f_score,
        ) != (None, None)

    def rfm_params(self) -> dict[str, Any]:
        """The RFM filters as the list's query string carries them (empty ones left out)."""
        values = {"rfm_group": self.rfm_group, "r_score": self.r_score, "f_score": self.f_score}
        return {k: v for k, v in values.items() if v not in ("", None)}


class CustomerSearchForm(forms.Form):
    """The list's search box and filters: POSTed, then read back from the list's URL (tag and
    class as they are, the search text through its token — customers.views)."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("手机号 / 尾号 / 邮箱 / 姓名 / 买家账号 / 客户编号"),
                "size": 36,
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Filled per request: tags are data. "class" is a keyword, so set on the dict.
        self.fields["tag"] = forms.ChoiceField(
            label=_("标签"),
            required=False,
            choices=[("", _("全部标签"))] + [(n, n) for n in selectors.tag_names()],
        )
        self.fields["class"] = forms.ChoiceField(
            label=_("客户类别"),
            required=False,
            choices=[("", _("全部类别")), *CustomerClass.choices],
        )
        # The RFM explorer's click-through (customers.rfm_views): group or R×F cell.
        from guanxi.customers.rfm_presenters import group_name, rfm_group_keys

        self.fields["rfm_group"] = forms.ChoiceField(
            label=_("RFM分组"),
            required=False,
            choices=[("", _("全部分组"))] + [(k, group_name(k)) for k in rfm_group_keys()],
        )
        for name, label in (("r_score", _("R 评分")), ("f_score", _("F 评分"))):
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—")] + [(str(n), str(n)) for n in range(1, 6)],
            )

    def filters(self) -> Filters:
        """The valid parts of the form (an unknown tag is dropped, not fatal)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = self.cleaned_data
        return Filters(
            query=data.get("q") or "",
            tag=data.get("tag") or "",
            customer_class=data.get("class") or "",
            rfm_group=data.get("rfm_group") or "",
            r_score=data.get("r_score"),
            f_score=data.get("f_score"),
        )


class MasterFieldsForm(forms.Form):
    """The master fields on the profile (shown pre-filled only on the revealed page: the
    values are personal). Checking is ``customers.profile.clean_master``'s, so the page and
    any other caller refuse the same input with the same message."""

    name = forms.CharField(label=_("姓名"), required=False)
    gender = forms.ChoiceField(label=_("性别"), required=False, choices=Gender.choices)
    birth_date = forms.CharField(
        label=_("出生日期"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "1990-05-17", "inputmode": "numeric"}),
    )
    mobile = forms.CharField(
        label=_("手机"), required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = forms.CharField(
        label=_("邮箱"), required=False, widget=forms.TextInput(attrs={"inputmode": "email"})
    )
    address = forms.CharField(label=_("地址"), required=False)
    province = forms.CharField(label=_("省份"), required=False)
    city = forms.CharField(label=_("城市"), required=False)


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("标签"),
        required=False,
        help_text=_("用逗号或空格分隔"),
        widget=forms.TextInput(attrs={"placeholder": _("例如：老客户, 大码")}),
    )


class PinForm(forms.Form):
    customer_class = forms.ChoiceField(label=_("客户类别"), choices=CustomerClass.choices)
    reason = forms.CharField(label=_("原因"), max_length=200)
