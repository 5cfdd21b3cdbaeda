"""The customer rules page's forms: one per family of ``customers.rules.FAMILIES``, its fields
made from the family's dataclass (whole numbers, decimals, yes/no), so a family added there
(loyalty rules) appears on the page by itself. The dataclass checks the values on save; its
``RuleError`` names the field and is shown beside it."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi.metrics.rules import RuleError

FAMILY_LABELS: dict[str, str | Promise] = {
    "class_rules": _("客户分类规则"),
    "rfm_rules": _("RFM 规则"),
    "loyalty_rules": _("忠诚度规则"),
}
# Labels and hints of the fields known today; a field without one shows its name.
FIELD_LABELS: dict[str, Any] = {  # str or a lazy translation
    "trailing_months": _("统计窗口（月）"),
    "vip_top_share": _("VIP：消费额居前的比例"),
    "core_min_paid_orders": _("核心：窗口内最少付款订单数"),
    "potential_by_chat": _("潜在：咨询过但未购买"),
    "potential_by_unpaid_order": _("潜在：下单未付款"),
    "high_score": _("“高”的最低评分"),
    "deduct_refunds": _("M 扣除成功退款"),
}
FIELD_HELP: dict[str, Any] = {
    "trailing_months": _("1–120"),
    "vip_top_share": _("0 到 1 之间，0.05 即前 5%"),
    "core_min_paid_orders": _("1–1000"),
    "high_score": _("2–5：R、F、M 评分 ≥ 此值为“高”"),
    "deduct_refunds": _("SPEC §9：不扣除"),
}


def _field(spec: dataclasses.Field[Any]) -> forms.Field:
    label = FIELD_LABELS.get(spec.name, spec.name)
    default = spec.default
    hint = FIELD_HELP.get(spec.name, "")
    if isinstance(default, bool):
        return forms.BooleanField(label=label, required=False, help_text=hint)
    # Numbers as text: the dataclass, not the form, decides what is allowed, so the
    # message beside a bad value is the rule's own ("0 到 1 之间…"), naming the field.
    widget = forms.TextInput(attrs={"inputmode": "decimal", "size": 8})
    return forms.CharField(label=label, required=True, help_text=hint, widget=widget)


class FamilyForm(forms.Form):
    """The fields of one family; ``values()`` gives them as the dataclass takes them."""

    def __init__(self, family: str, cls: type, current: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", family)
        initial = {f.name: getattr(current, f.name) for f in dataclasses.fields(cls)}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.family = family
        self.title = FAMILY_LABELS.get(family, family)
        self.specs = {f.name: f for f in dataclasses.fields(cls)}
        self.defaults = {f.name: f.default for f in dataclasses.fields(cls)}
        for name, spec in self.specs.items():
            self.fields[name] = _field(spec)

    def default_text(self, name: str) -> str:
        value = self.defaults[name]
        if isinstance(value, bool):
            return str(_("是") if value else _("否"))
        return str(value)

    def rows(self) -> list[tuple[forms.BoundField, str]]:
        return [(self[name], self.default_text(name)) for name in self.specs]

    def values(self) -> dict[str, Any]:
        """The cleaned values typed as the dataclass's defaults: whole numbers stay text
        when they are not whole (the dataclass then names the field)."""
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            default = self.defaults[name]
            if isinstance(default, bool):
                out[name] = bool(value)
            elif isinstance(default, Decimal):
                text = value.strip()
                try:
                    Decimal(text)
                except InvalidOperation:
                    raise RuleError(f"{name}: {text!r} is not a number; give e.g. 0.05") from None
                out[name] = text
            elif isinstance(default, int):
                text = value.strip()
                out[name] = int(text) if text.lstrip("-").isdigit() else text
            else:
                out[name] = value
        return out

    def refuse(self, error: RuleError) -> None:
        """Put the rule's message beside the field it names (else above the form), in the
        reader's language when it is one of the rules' usual messages."""
        message = str(error)
        name, _sep, detail = message.partition(":")
        if name in self.fields:
            self.add_error(name, localised(detail.strip()) or message)
        else:
            self.add_error(None, message)


# The rules' messages (metrics.rules, Django-free and English) as the page says them; a
# message of another shape (a family added later) is shown as it is.
_MESSAGES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (
        re.compile(
            r"(?P<value>.+) is out of range; give a whole number"
            r" from (?P<low>-?\d+) to (?P<high>-?\d+)"
        ),
        _("%(value)s 超出范围：请填写 %(low)s 到 %(high)s 之间的整数"),
    ),
    (
        re.compile(
            r"(?P<value>.+) is not a whole number; give one from (?P<low>-?\d+) to (?P<high>-?\d+)"
        ),
        _("%(value)s 不是整数：请填写 %(low)s 到 %(high)s 之间的整数"),
    ),
    (
        re.compile(r"(?P<value>.+) is not a share between 0 and 1 .*"),
        _("%(value)s 不是 0 到 1 之间的比例（不含 0）：例如 0.05 表示前 5%%"),
    ),
    (
        re.compile(r"(?P<value>.+) is not a number.*"),
        _("%(value)s 不是数字：例如 0.05"),
    ),
    (re.compile(r"(?P<value>.+) is not true or false"), _("%(value)s 不是“是”或“否”")),
)


def localised(detail: str) -> str:
    for pattern, text in _MESSAGES:
        match = pattern.fullmatch(detail)
        if match:
            values = match.groupdict()
            values["value"] = values["value"].strip("'\"")
            return str(text) % values
    return detail
