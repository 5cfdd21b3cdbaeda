"""The "run now" form of a family: one field per parameter of its fit (``runs.params_of``),
checked by the same ``Param.parse`` the CLI and the API use; errors sit beside the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from guanxi.core.errors import UserInputError
from guanxi.insight import runs


class RunForm(forms.Form):
    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", kind)
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.specs = {p.name: p for p in runs.params_of(kind)}
        for spec in self.specs.values():
            if spec.type is bool or spec.choices:
                options = (
                    [("true", _("是")), ("false", _("否"))]
                    if spec.type is bool
                    else [(c, c) for c in spec.choices]
                )
                initial = (
                    ("true" if spec.default else "false") if spec.type is bool else spec.default
                )
                self.fields[spec.name] = forms.ChoiceField(
                    label=_(spec.label), required=False, choices=options, initial=initial
                )
                continue
            if spec.type is dt.date:
                self.fields[spec.name] = forms.CharField(
                    label=_(spec.label),
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}),
                    help_text=_("留空：数据中的最新一天"),
                )
                continue
            attrs: dict[str, Any] = {"inputmode": "decimal" if spec.type is float else "numeric"}
            if spec.type in (int, float):
                attrs["step"] = "any" if spec.type is float else "1"
            if spec.minimum is not None:
                attrs["min"] = spec.minimum
            if spec.maximum is not None:
                attrs["max"] = spec.maximum
            self.fields[spec.name] = forms.CharField(
                label=_(spec.label),
                required=False,
                initial=spec.default,
                widget=forms.TextInput(attrs=attrs),
                help_text=_range(spec),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cleaned: dict[str, Any] = {}
        for name, spec in self.specs.items():
            raw = data.get(name)
            if raw in (None, ""):
                cleaned[name] = spec.default
                continue
            try:
                cleaned[name] = spec.parse(raw)
            except UserInputError:
                self.add_error(
                    name, _range_error(spec) if spec.minimum is not None else _("格式不对。")
                )
        self.params = cleaned
        return data


def _range(spec: runs.Param) -> str:
    if spec.minimum is None and spec.maximum is None:
        return ""
    return _("%(low)s 至 %(high)s，默认 %(default)s") % {
        "low": spec.minimum,
        "high": spec.maximum,
        "default": spec.default,
    }


def _range_error(spec: runs.Param) -> str:
    kind = _("整数") if spec.type is int else _("数字")
    return _("请填写 %(low)s 至 %(high)s 之间的%(kind)s。") % {
        "low": spec.minimum,
        "high": spec.maximum,
        "kind": kind,
    }
