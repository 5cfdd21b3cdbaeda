"""``guanxi users list|add|reset-password``: the command line's user management."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from guanxi.accounts import services
from guanxi.accounts.models import Agent, Profile
from guanxi.core.models import AuditEntry
from tests.web.test_report_command import _cli

pytestmark = pytest.mark.django_db


def test_reset_password_prints_the_new_one_once(
    make_user, capsys: pytest.CaptureFixture[str]
) -> None:
    creds = make_user("admin")
    call_command("users", "reset-password", "admin1")
    out = capsys.readouterr().out
    match = re.fullmatch(
        r"New password for admin1: (\S+)\nThe password is shown only this once; note it now.\n",
        out,
    )
    assert match is not None
    password = match.group(1)
    assert out.count(password) == 1
    assert not Client().login(username="admin1", password=creds.password)
    assert Client().login(username="admin1", password=password)
    entry = AuditEntry.objects.get()
    assert (entry.actor_id, entry.action, entry.fields, entry.subject) == (
        None,
        "password_reset",
        "password",
        "admin1",
    )
    assert entry.actor_username.startswith("cli")


def test_reset_password_of_an_unknown_user_is_refused_with_code_1(make_user) -> None:
    make_user("admin")
    with pytest.raises(CommandError) as caught:
        call_command("users", "reset-password", "nobody")
    assert str(caught.value) == "no user named 'nobody' (`guanxi users list` shows them)"
    assert caught.value.returncode == 1
    assert AuditEntry.objects.count() == 0


def test_the_command_line_prints_one_line_and_exits_1(tmp_path: Path) -> None:
    """The real process: Django prints a CommandError as one line on stderr."""
    assert _cli("migrate", "--no-input", "-v", "0", tmp_path=tmp_path).returncode == 0
    result = _cli("users", "reset-password", "nobody", tmp_path=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert (
        result.stderr == "CommandError: no user named 'nobody' (`guanxi users list` shows them)\n"
    )


def test_add_and_list(make_user, capsys: pytest.CaptureFixture[str]) -> None:
    make_user("admin")
    Agent.objects.create(agent_id="kf03", name="小王")
    call_command("users", "add", "xiaowang", "--role", "agent", "--agent", "kf03")
    out = capsys.readouterr().out
    match = re.match(r"xiaowang \(agent\) added; password: (\S+)\n", out)
    assert match is not None
    assert Client().login(username="xiaowang", password=match.group(1))
    assert Profile.objects.get(user__username="xiaowang").agent_id == "kf03"
    User.objects.filter(username="admin1").update(is_active=False)
    signed_in = dt.datetime(2025, 11, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 in Asia/Shanghai
    User.objects.filter(username="xiaowang").update(last_login=signed_in)

    call_command("users", "list")
    assert capsys.readouterr().out.splitlines() == [
        "username         role       agent id   active  last login",
        "admin1           admin      -          no      never",
        "xiaowang         agent      kf03       yes     2025-11-03 10:00",
    ]
    assert [(e.action, e.fields, e.subject) for e in AuditEntry.objects.all()] == [
        ("user_add", "role=agent, agent_id=kf03", "xiaowang")
    ]


def test_add_refuses_a_taken_name_with_exit_code_1(
    make_user, capsys: pytest.CaptureFixture[str]
) -> None:
    make_user("manager")
    # The shop's language, as in a fresh process (an earlier English request in this
    # thread would otherwise leave English active).
    with translation.override("zh-hans"), pytest.raises(CommandError) as caught:
        call_command("users", "add", "manager1", "--role", "admin")
    assert (str(caught.value), caught.value.returncode) == ("用户名“manager1”已被使用。", 1)
    assert capsys.readouterr().out == ""
    assert services.role_of(User.objects.get(username="manager1")) == "manager"
    assert AuditEntry.objects.count() == 0


def test_add_on_a_home_migrated_but_never_set_up(capsys: pytest.CaptureFixture[str]) -> None:
    """`guanxi migrate` alone makes no role groups; `users add` makes them rather than fail."""
    from django.contrib.auth.models import Group

    Group.objects.all().delete()
    call_command("users", "add", "lead1", "--role", "manager")
    user = User.objects.get(username="lead1")
    assert [g.name for g in user.groups.all()] == ["manager"]
    assert Group.objects.filter(name="agent").exists()  # every role, with its permissions
    assert "lead1" in capsys.readouterr().out
