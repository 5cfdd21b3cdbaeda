"""The entry form (new and edit) and the search/filter form of the knowledge page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.knowledge.models import Entry, EntryKind

# The scenes of the unified scripts (统一话术) that the seeds name; a shop may type others.
SCENES = ("催付", "议价", "发货", "物流", "退换", "售后", "售前", "评价", "投诉", "欢迎", "结束")


class EntryForm(forms.ModelForm):
    class Meta:
        model = Entry
        fields = ["kind", "question", "answer", "scene", "keywords", "product_id"]
        labels = {
            "kind": _("类型"),
            "question": _("问题/标题"),
            "answer": _("答案/内容"),
            "scene": _("场景"),
            "keywords": _("关键词"),
            "product_id": _("商品编号"),
        }
        help_texts = {
            "scene": _("统一话术的使用场景，如 催付、议价、发货、退换。"),
            "keywords": _("客户常用的说法，用空格或顿号隔开；搜索时与问题一样重要。"),
            "product_id": _("商品说明对应的商品编号（可不填）。"),
        }
        widgets = {
            "answer": forms.Textarea(attrs={"rows": 6}),
            "scene": forms.TextInput(attrs={"list": "kb-scenes"}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("question", "answer", "scene", "keywords", "product_id"):
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].strip()
        kind, question = cleaned.get("kind"), cleaned.get("question")
        if kind and question:
            clash = Entry.objects.filter(kind=kind, question=question)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "question",
                    _("同一类型下已有这个问题（第 %(id)s 条），请改一改问题或编辑那一条。")
                    % {"id": clash.values_list("pk", flat=True).first()},
                )
        return cleaned


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *EntryKind.choices]
    )
    scene = forms.CharField(label=_("场景"), required=False, max_length=40)
    inactive = forms.BooleanField(label=_("含已停用"), required=False)
