"""SERVQUAL's dimensions (seed 000 项目二 任务一; SPEC §5).

The 1988 instrument groups its items into five dimensions; the 1985 model the seed calls
十构面 has ten. The 1988 paper folded the ten into five: competence, courtesy, credibility
and security became *assurance*; access, communication and understanding the customer
became *empathy*. ``FIVE_OF`` keeps that fold, so items written against the ten can also be
read as the five.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FIVE: dict[str, str | Promise] = {
    "tangibles": _("有形性"),
    "reliability": _("可靠性"),
    "responsiveness": _("响应性"),
    "assurance": _("保证性"),
    "empathy": _("移情性"),
}

TEN: dict[str, str | Promise] = {
    "tangibles": _("有形性"),
    "reliability": _("可靠性"),
    "responsiveness": _("响应性"),
    "competence": _("胜任性"),
    "courtesy": _("礼貌性"),
    "credibility": _("可信性"),
    "security": _("安全性"),
    "access": _("可接近性"),
    "communication": _("沟通性"),
    "understanding": _("了解性"),
}

FIVE_OF: dict[str, str] = {
    "tangibles": "tangibles",
    "reliability": "reliability",
    "responsiveness": "responsiveness",
    "assurance": "assurance",
    "empathy": "empathy",
    "competence": "assurance",
    "courtesy": "assurance",
    "credibility": "assurance",
    "security": "assurance",
    "access": "empathy",
    "communication": "empathy",
    "understanding": "empathy",
}


def of_set(dimension_set: str) -> dict[str, str | Promise]:
    """The dimensions of a survey's ``dimension_set`` ("five" or "ten"), in order."""
    return TEN if dimension_set == "ten" else FIVE


def label(code: str) -> str:
    return str(TEN.get(code) or FIVE.get(code) or code)
