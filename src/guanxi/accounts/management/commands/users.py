"""``guanxi users list|add|reset-password|delete``: logins from the command line (e.g. when the
only admin has lost their password). Every change is audited as made by ``cli:<user>``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from guanxi.accounts import roles, selectors, services
from guanxi.web.cli import GuanxiCommand


class Command(GuanxiCommand):
    help = "List logins, add one, or reset a password (the new one is printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{list,add,reset-password,delete}"
        )
        sub.add_parser("list", help="every login: role, agent id, active, last login")
        add = sub.add_parser("add", help="add a login with a random password (printed once)")
        add.add_argument("username", metavar="NAME")
        add.add_argument("--role", required=True, choices=tuple(roles.ROLES))
        add.add_argument("--agent", default="", metavar="ID", help="agent id on the roster")
        reset = sub.add_parser("reset-password", help="a new random password (printed once)")
        reset.add_argument("username", metavar="NAME")
        delete = sub.add_parser(
            "delete", help="delete a login that never acted; one with history is deactivated"
        )
        delete.add_argument("username", metavar="NAME")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list()
            return
        try:
            if action == "add":
                new = services.user_add(
                    actor=None,
                    username=options["username"],
                    role=options["role"],
                    agent_id=options["agent"],
                )
                self.stdout.write(f"{new.username} ({new.role}) added; password: {new.password}")
            elif action == "delete":
                user = self._user(options["username"])
                self.stdout.write(services.user_delete(actor=None, user=user))
                return
            else:
                user = self._user(options["username"])
                password = services.user_password_reset(actor=None, user=user)
                self.stdout.write(f"New password for {user.username}: {password}")
        except services.AccountError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write("The password is shown only this once; note it now.")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"no user named {username!r} (`guanxi users list` shows them)", returncode=1
            )
        return user

    def _list(self) -> None:
        self._line("username", "role", "agent id", "active", "last login")
        for row in selectors.user_rows():
            last = "never"
            if row.last_login:
                last = f"{timezone.localtime(row.last_login):%Y-%m-%d %H:%M}"
            active = "yes" if row.is_active else "no"
            self._line(row.username, row.role or "-", row.agent_id or "-", active, last)

    def _line(self, username: str, role: str, agent_id: str, active: str, last: str) -> None:
        self.stdout.write(f"{username:<16} {role:<10} {agent_id:<10} {active:<7} {last}")
