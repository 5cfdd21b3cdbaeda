"""``guanxi``: Django's management commands with Guanxi's settings preset."""

from __future__ import annotations

import os
import sys

# Commands that work without a migrated database (they create it, inspect code or files).
NO_DATABASE = frozenset(
    {
        "check",
        "returns",  # the 7-day return check is pure arithmetic
        "collectstatic",
        "compilemessages",
        "diffsettings",
        "dbshell",
        "findstatic",
        "help",
        "makemessages",
        "makemigrations",
        "migrate",
        "optimizemigration",
        "restore",  # restores onto an empty home: it creates the database itself
        "shell",
        "showmigrations",
        "sqlmigrate",
        "squashmigrations",
        "test",
        "version",
    }
)


def language_of(argv: list[str], default: str) -> str:
    """The language a command's own ``--language`` asks for (read before the command parses
    its arguments, so that errors raised before it runs speak it too)."""
    for index, arg in enumerate(argv):
        if arg == "--language" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--language="):
            return arg.partition("=")[2]
    return default


def database_problem() -> str | None:
    """Why the database cannot serve a command yet (not created, not upgraded, unreachable),
    in the active language; None when it is ready."""
    from django.conf import settings
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor
    from django.db.utils import DatabaseError
    from django.utils.translation import gettext as _

    connection = connections[DEFAULT_DB_ALIAS]
    where = {"database": settings.DATABASES["default"]["NAME"], "home": settings.GUANXI_HOME}
    try:
        executor = MigrationExecutor(connection)
        applied = executor.loader.applied_migrations or {}
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return _("无法打开数据库 %(database)s：%(error)s") % {**where, "error": exc}
    finally:
        connection.close()
    if not applied:
        return (
            _(
                "数据库尚未建立（%(database)s）：请先运行 guanxi migrate（或 make install）；"
                "若数据在别处，请设置 GUANXI_HOME（当前为 %(home)s）。"
            )
            % where
        )
    if pending:
        return _(
            "数据库需要升级（%(count)d 个迁移尚未执行）："
            "请先运行 guanxi migrate（或 make install）。"
        ) % {"count": len(pending)}
    return None


def usage_check(args: list[str]) -> None:
    """Parse the command's arguments before the database is looked at, so that a mistyped
    option is a usage error (exit 2, with the usage) whatever state the database is in."""
    from django.core.management import get_commands, load_command_class

    app = get_commands().get(args[0])
    if app is None:
        return  # an unknown command: Django's own message names it
    command = app if not isinstance(app, str) else load_command_class(app, args[0])
    command._called_from_command_line = True  # type: ignore[attr-defined]  # exit 2, not raise
    command.create_parser("guanxi", args[0]).parse_args(args[1:])


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    from django.core.exceptions import ImproperlyConfigured

    args = sys.argv[1:] if argv is None else argv
    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        print(f"guanxi: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    from django.conf import settings
    from django.core.management import execute_from_command_line
    from django.utils import translation

    if args and not args[0].startswith("-") and args[0] not in NO_DATABASE:
        usage_check(args)
        with translation.override(language_of(args, settings.LANGUAGE_CODE)):
            problem = database_problem()
        if problem is not None:
            print(f"guanxi: {problem}", file=sys.stderr)
            raise SystemExit(2)
        # Before any command reads (reports, the worker, the development server): finish
        # what a killed import left (imports.services.recover; the lake's libraries are
        # imported only when the journal says there is something to recover).
        from guanxi.imports.recovery import recover_at_start

        for run in recover_at_start():
            what = (
                "was interrupted; lake restored."
                if run.status == "interrupted"
                else "was killed while reading its file; marked failed."
            )
            print(f"guanxi: import #{run.pk} ({run.file_name}) {what}", file=sys.stderr)
    execute_from_command_line(["guanxi", *args])


if __name__ == "__main__":
    main()
