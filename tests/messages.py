"""Messages as users read them: the encoded reasons and typed errors of ingest, rendered."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from guanxi.ingest.messages import error_message, render


def english(value: str | BaseException | None) -> str:
    """``value`` (an encoded reason or a user error) as the English UI shows it."""
    with translation.override("en"):
        if isinstance(value, BaseException):
            return error_message(value).render(gettext)
        return render(value, gettext)


def chinese(value: str | BaseException | None) -> str:
    """``value`` in the source language, zh-Hans (what the UI shows by default)."""
    if isinstance(value, BaseException):
        return error_message(value).render()
    return render(value)
