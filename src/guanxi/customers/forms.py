from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers import selectors
from guanxi.customers.models import CustomerClass


@dataclass(frozen=True)
class Filters:
    query: str = ""
    tag: str = ""
    customer_class: str = ""


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
        )
