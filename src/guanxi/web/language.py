"""The language of the request being served, for text built outside templates."""

from __future__ import annotations

from django.utils.translation import get_language


def english() -> bool:
    """Whether the user reads English (zh-Hans, the default, otherwise)."""
    return (get_language() or "").startswith("en")


def export_language() -> str:
    """The language code of exports (XLSX headers): ``en`` or ``zh``."""
    return "en" if english() else "zh"
