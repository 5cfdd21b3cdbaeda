"""``guanxi users list|add|reset-password``: the command line's user management."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from guanxi.accounts import services
from guanxi.accounts.models import Agent, Profile
from guanxi.cli import main
from guanxi.customers.models import AuditEntry

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


def test_reset_password_of_an_unknown_user_is_one_line_and_exit_code_1(
    make_user, capsys: pytest.CaptureFixture[str]
) -> None:
    make_user("admin")
    with pytest.raises(SystemExit) as exited:
        main(["users", "reset-password", "nobody"])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "CommandError: no user named 'nobody' (`guanxi users list` shows them)\n"
    )
    assert AuditEntry.objects.count() == 0


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
    with pytest.raises(SystemExit) as exited:
        main(["users", "add", "manager1", "--role", "admin"])
    assert exited.value.code == 1
    assert capsys.readouterr().err == "CommandError: 用户名“manager1”已被使用。\n"
    assert services.role_of(User.objects.get(username="manager1")) == "manager"
    assert AuditEntry.objects.count() == 0
