"""``guanxi``: Django's management commands with Guanxi's settings preset."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        print(f"guanxi: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line

    execute_from_command_line(["guanxi", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
