"""What the sentiment model page shows, from the model's metadata (``sentiment_store``):
the names of the models, the evaluation rows, the confusion matrices, the chart's series
and the CSV export's rows. Pure functions of a dict: tested without the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MODEL_NAMES = {
    "three_class": gettext_lazy("三分类模型（本项目）"),
    "band": gettext_lazy("极性模型 + 中性区间（本项目）"),
    "lexicon": gettext_lazy("情感词典基线"),
    "snownlp": gettext_lazy("snownlp 自带模型（基线）"),
}
SET_NAMES = {
    "shop": gettext_lazy("本店风格评价（人工标注，三类）"),
    "corpus": gettext_lazy("snownlp 购物评价语料（两类）"),
}
CLASS_NAMES = {
    "positive": gettext_lazy("正面"),
    "neutral": gettext_lazy("中性"),
    "negative": gettext_lazy("负面"),
}
KIND_NAMES = {
    "full": gettext_lazy("完整模型（已保存）"),
    "limited": gettext_lazy("部分语料训练的模型（已保存）"),
    "fallback": gettext_lazy("临时快速模型（未保存）"),
}


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    in_use: bool
    figures: list[tuple[str, str]]  # (accuracy, macro-F1) per set, "—" when not measured


@dataclass(frozen=True)
class Matrix:
    model: str
    data_set: str
    n: int
    columns: list[str]
    rows: list[tuple[str, list[int]]]


def model_name(key: str) -> str:
    return str(MODEL_NAMES.get(key, key))


def evaluation_rows(meta: dict[str, Any]) -> list[Row]:
    rows = []
    for key, sets in meta["results"].items():
        figures = []
        for data_set in SET_NAMES:
            m = sets.get(data_set)
            figures.append((f"{m['accuracy']:.3f}", f"{m['macro_f1']:.3f}") if m else ("—", "—"))
        rows.append(Row(key, model_name(key), key == meta["chosen"], figures))
    return rows


def matrices(meta: dict[str, Any]) -> list[Matrix]:
    out = []
    for key, sets in meta["results"].items():
        for data_set, m in sets.items():
            classes = list(m["classes"])
            extra = len(m["matrix"][0]) > len(classes)  # "neutral" said on a two-class set
            columns = [str(CLASS_NAMES[c]) for c in classes]
            if extra:
                columns.append(str(CLASS_NAMES["neutral"]))
            out.append(
                Matrix(
                    model_name(key),
                    str(SET_NAMES[data_set]),
                    m["n"],
                    columns,
                    [
                        (str(CLASS_NAMES[c]), list(r))
                        for c, r in zip(classes, m["matrix"], strict=True)
                    ],
                )
            )
    return out


def chart(meta: dict[str, Any]) -> dict[str, Any]:
    """Grouped bars: macro-F1 per model, one group per held-out set (JSON-safe; None where
    a model was not measured on a set)."""
    keys = list(meta["results"])
    return {
        "models": [model_name(k) for k in keys],
        "sets": [
            {
                "name": str(SET_NAMES[s]),
                "values": [
                    meta["results"][k][s]["macro_f1"] if s in meta["results"][k] else None
                    for k in keys
                ],
            }
            for s in SET_NAMES
        ],
        "axis": _("宏平均 F1"),
    }


def export_rows(meta: dict[str, Any]) -> list[list[Any]]:
    """The evaluation table for the CSV download (cells made safe by web.exports)."""
    header = [_("模型"), _("数据集"), _("样本数"), _("准确率"), _("宏平均 F1"), _("使用中")]
    rows: list[list[Any]] = [header]
    for key, sets in meta["results"].items():
        for data_set, m in sets.items():
            rows.append(
                [
                    model_name(key),
                    str(SET_NAMES[data_set]),
                    m["n"],
                    m["accuracy"],
                    m["macro_f1"],
                    _("是") if key == meta["chosen"] else "",
                ]
            )
    return rows


def label_name(label: str) -> str:
    return str(CLASS_NAMES.get(label, label))
