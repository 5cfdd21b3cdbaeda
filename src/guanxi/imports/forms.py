from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.imports.services import PLATFORMS
from guanxi.ingest.kinds import KINDS, Kind

PLATFORM_LABELS = {
    "taobao": _("淘宝"),
    "tmall": _("天猫"),
    "jd": _("京东"),
    "pdd": _("拼多多"),
    "douyin": _("抖音"),
    "shopify": "Shopify",
    "amazon": "Amazon",
    "generic": _("通用格式"),
}
KIND_LABELS = {
    "orders": _("订单"),
    "order-items": _("订单明细"),
    "refunds": _("退款"),
    "chats": _("聊天记录"),
    "ratings": _("店铺评分"),
    "reviews": _("评价"),
    "traffic": _("流量"),
    "customers": _("客户"),
    "products": _("商品"),
}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"), choices=[(k, KIND_LABELS[k]) for k in KINDS])
    platform = forms.ChoiceField(
        label=_("平台"), choices=[(p, PLATFORM_LABELS[p]) for p in PLATFORMS]
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_("CSV（UTF-8 或 GBK）、XLSX、JSON Lines，或聊天记录 TXT"),
    )
    skip_bad = forms.BooleanField(
        label=_("跳过错误行（只写入正确的行，错误行另存）"), required=False
    )


class MappingForm(forms.Form):
    """One select per field of the kind: which column of the file feeds it."""

    base = forms.CharField(widget=forms.HiddenInput, required=False)
    save_as = forms.CharField(label=_("另存为映射（可选）"), max_length=120, required=False)

    def __init__(self, *args: Any, kind: Kind, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        options = [("", "—")] + [(h, h) for h in headers]
        for f in kind.fields:
            label = f"{f.label}{' *' if f.required else ''}"
            self.fields[f"col_{f.name}"] = forms.ChoiceField(
                label=label, choices=options, required=False
            )

    def header_of(self) -> dict[str, str]:
        return {f.name: self.cleaned_data.get(f"col_{f.name}") or "" for f in self.kind.fields}

    def field_rows(self) -> list[tuple[Any, Any]]:
        return [(f, self[f"col_{f.name}"]) for f in self.kind.fields]
