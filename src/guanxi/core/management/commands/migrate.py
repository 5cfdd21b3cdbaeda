"""``guanxi migrate``: Django's migrate, with every system check but the URL ones.

The URL checks import every page and the API, and with them the lake's libraries (Ibis,
PyArrow, DuckDB): two seconds of start-up spent on what a migration never touches. They
still run in ``guanxi check``, the servers and the tests."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.management.commands import migrate


class Command(migrate.Command):
    def check(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("tags") is None:
            kwargs["tags"] = sorted(
                tag for tag in checks.registry.registry.tags_available() if tag != checks.Tags.urls
            )
        super().check(*args, **kwargs)
