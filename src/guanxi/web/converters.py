"""Ids from platforms in URLs, safe for any text (``<text_id:agent_id>``, ``{text_id:…}``).

Agent nicknames and session ids are whatever a platform wrote (``店铺:售前/小美``), but a URL
path segment cannot hold ``/`` (nor ``\\``, which browsers read as ``/``), and ``.`` or ``..``
as a whole segment is resolved away by the browser before the request is sent. So those
characters are written ``~XX`` (their code in hex, ``~`` itself being ``~7E``) and the empty
id is ``~``; every other character is left to the ordinary percent-encoding, so a plain id
(``kf01``, ``小美``) reads the same in the address bar. ``reverse`` and ``{% url %}`` encode,
the router decodes: views and API handlers see the id as it is stored.
"""

from __future__ import annotations

import re

from django.urls import register_converter

_ESCAPED = {"~": "~7E", "/": "~2F", "\\": "~5C"}
_WELL_FORMED = re.compile(r"(?:[^~]|~[0-9A-F]{2})*")
_ESCAPE = re.compile(r"~([0-9A-F]{2})")


def text_id_to_url(value: str) -> str:
    """The path segment for ``value``: no ``/``, ``\\``, dot-only segment or empty segment."""
    if value == "":
        return "~"
    if set(value) == {"."}:
        return "~2E" * len(value)
    return "".join(_ESCAPED.get(ch, ch) for ch in value)


def text_id_from_url(segment: str) -> str:
    """The id a segment made by ``text_id_to_url`` stands for; ValueError (a 404) otherwise."""
    if segment == "~":
        return ""
    if not _WELL_FORMED.fullmatch(segment):
        raise ValueError(f"malformed id segment {segment!r}")
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), segment)


class TextIdConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return text_id_from_url(value)

    def to_url(self, value: str) -> str:
        return text_id_to_url(value)


register_converter(TextIdConverter, "text_id")
