"""Messages for users, translated where they are shown, not where they arise.

``ingest`` imports no Django, yet what it reports (a file's problems, a row's reason) is
shown in the user's language by the web pages and the CLI. So a message is its template —
the Chinese source text, a msgid marked with ``gettext_noop`` so that ``makemessages``
extracts it — plus its parameters, kept apart. The imports app translates the template and
then fills it in (``render(message, gettext)``). A parameter may itself be a message (a
field's label), translated the same way.

Row problems travel through Arrow arrays and Parquet files, so a message also has a compact
text form (JSON, ``encode``/``decode``); text that is not one (older reports) is shown as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from guanxi.core.errors import UserInputError

Translate = Callable[[str], str]


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction (makemessages looks for calls of this name)."""
    return message


def _same(text: str) -> str:
    return text


LIST_SEPARATOR = gettext_noop("、")  # between the items of a list parameter (", " in English)


@dataclass(frozen=True)
class Message:
    template: str  # a msgid: Chinese, with %(name)s placeholders when it has parameters
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Translate = _same) -> str:
        text = translate(self.template)
        if not self.params:
            return text
        return text % {k: _value(v, translate) for k, v in self.params.items()}

    def __str__(self) -> str:
        return self.render()

    def as_dict(self) -> dict[str, Any]:
        return {"t": self.template, "p": {k: _plain(v) for k, v in self.params.items()}}

    def encode(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True)


def message(template: str, **params: Any) -> Message:
    return Message(template, params)


def _value(value: Any, translate: Translate) -> Any:
    if isinstance(value, Message):
        return value.render(translate)
    if isinstance(value, list | tuple):
        return translate(LIST_SEPARATOR).join(str(_value(v, translate)) for v in value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Message):
        return value.as_dict()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def from_dict(data: Mapping[str, Any]) -> Message:
    return Message(str(data["t"]), {k: _revive(v) for k, v in dict(data.get("p") or {}).items()})


def _revive(value: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return from_dict(value)
    if isinstance(value, list):
        return [_revive(v) for v in value]
    return value


def decode(text: str) -> Message:
    """A message from ``encode``'s text; other text (written before messages were kept this
    way) becomes a message without parameters, shown as it is."""
    if text.startswith('{"'):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and "t" in data:
            return from_dict(data)
    return Message(text)


def render(text: str | None, translate: Translate = _same) -> str:
    """``text`` (an encoded message, or plain text) in the language of ``translate``."""
    if not text:
        return ""
    return decode(text).render(translate)


class MessageError(UserInputError):
    """A user's error whose message is translated where it is shown."""

    def __init__(self, template: str, **params: Any) -> None:
        self.message = Message(template, params)
        super().__init__(str(self.message))

    def render(self, translate: Translate = _same) -> str:
        return self.message.render(translate)


def error_message(exc: BaseException) -> Message:
    """The message of any user error: its own, or its text when it has none."""
    own = getattr(exc, "message", None)
    return own if isinstance(own, Message) else Message(str(exc))
