"""User management (账号管理): admins add logins, change roles, deactivate and reset
passwords; every change is audited without the password; nobody else may do any of it."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guanxi.accounts import services
from guanxi.accounts.models import Agent, Profile
from guanxi.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD_BOX = re.compile(r'<code id="new-password">([^<]+)</code>')


@pytest.fixture
def admin(client: Client, make_user) -> User:
    creds = make_user("admin")
    assert client.login(username=creds.username, password=creds.password)
    return User.objects.get(username=creds.username)


def _role(username: str) -> str:
    return services.role_of(User.objects.get(username=username))


def _audit() -> list[tuple[str, str, str, str]]:
    entries = AuditEntry.objects.order_by("id")
    return [(e.actor_username, e.action, e.fields, e.subject) for e in entries]


def test_admin_sees_every_login_with_role_agent_and_last_login(
    client: Client, make_user, admin: User
) -> None:
    Agent.objects.create(agent_id="kf01", name="小美")
    make_user("agent", agent_id="kf01")
    make_user("marketing")
    User.objects.filter(username="marketing1").update(is_active=False)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/accounts/users/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r.username, r.role, r.agent_id, r.agent_name, r.is_active) for r in rows] == [
        ("admin1", "admin", "", "", True),
        ("agent1", "agent", "kf01", "小美", True),
        ("marketing1", "marketing", "", "", False),
    ]
    assert rows[0].last_login is not None and rows[1].last_login is None
    html = response.content.decode()
    assert '<tr data-user="marketing1" data-role="marketing" data-active="0">' in html
    assert "从未登录" in html and "已停用" in html
    # session, user, perms (2), the page's users, groups, profiles, roster (the add form's
    # choices and the names): the same however many users there are
    count = len(queries)
    make_user("manager")
    make_user("agent", username="agent2")
    with CaptureQueriesContext(connection) as more:
        client.get("/accounts/users/")
    assert len(more) == count


def test_admin_adds_a_user_and_sees_the_password_once(
    client: Client, admin: User, caplog: pytest.LogCaptureFixture
) -> None:
    Agent.objects.create(agent_id="kf07", name="阿杰")
    caplog.set_level(logging.DEBUG)
    response = client.post(
        "/accounts/users/", {"username": "xiaoli", "role": "agent", "agent_id": "kf07"}
    )
    assert response.status_code == 200  # the password is in this response, not a redirect
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    match = PASSWORD_BOX.search(html)
    assert match is not None
    password = match.group(1)
    assert "xiaoli 的新密码：" in html
    user = User.objects.get(username="xiaoli")
    assert user.check_password(password) and user.is_active
    assert services.role_of(user) == "agent"
    assert Profile.objects.get(user=user).agent_id == "kf07"
    assert _audit() == [("admin1", "user_add", "role=agent, agent_id=kf07", "xiaoli")]
    # The page again: the password is gone; it was never in a URL, a message or a log.
    again = client.get("/accounts/users/").content.decode()
    assert password not in again and 'id="new-password"' not in again
    assert password not in caplog.text
    assert all(password not in e.fields + e.subject for e in AuditEntry.objects.all())
    assert Client().login(username="xiaoli", password=password)


def test_adding_a_taken_username_or_an_agent_off_the_roster_is_refused(
    client: Client, make_user, admin: User
) -> None:
    make_user("agent")
    taken = client.post("/accounts/users/", {"username": "AGENT1", "role": "agent"})
    assert "用户名“AGENT1”已被使用。" in taken.content.decode()
    off_roster = client.post(
        "/accounts/users/", {"username": "new1", "role": "agent", "agent_id": "kf99"}
    )
    assert off_roster.status_code == 200
    assert "kf99" in off_roster.context["form"].errors["agent_id"][0]  # not a roster choice
    assert 'id="new-password"' not in taken.content.decode() + off_roster.content.decode()
    assert list(User.objects.order_by("username").values_list("username", flat=True)) == [
        "admin1",
        "agent1",
    ]
    assert AuditEntry.objects.count() == 0


def test_service_refuses_an_agent_id_off_the_roster() -> None:
    with pytest.raises(services.AccountError, match="kf99"):
        services.user_add(actor=None, username="new1", role="agent", agent_id="kf99")
    assert not User.objects.filter(username="new1").exists()
    assert AuditEntry.objects.count() == 0


def test_admin_changes_a_role(client: Client, make_user, admin: User) -> None:
    make_user("agent")
    agent = User.objects.get(username="agent1")
    response = client.post(f"/accounts/users/{agent.pk}/role/", {"role": "manager"})
    assert response.status_code == 302 and response["Location"] == "/accounts/users/"
    assert _role("agent1") == "manager"
    assert list(agent.groups.values_list("name", flat=True)) == ["manager"]
    assert _audit() == [("admin1", "role_change", "role: agent → manager", "agent1")]
    page = client.get("/accounts/users/").content.decode()
    assert "agent1 的角色已改为客服主管。" in page


def test_admin_deactivates_and_reactivates_a_user(client: Client, make_user, admin: User) -> None:
    creds = make_user("manager")
    manager = User.objects.get(username=creds.username)
    client.post(f"/accounts/users/{manager.pk}/active/", {"active": "0"})
    manager.refresh_from_db()
    assert manager.is_active is False
    assert not Client().login(username=creds.username, password=creds.password)
    client.post(f"/accounts/users/{manager.pk}/active/", {"active": "1"})
    manager.refresh_from_db()
    assert manager.is_active is True
    assert Client().login(username=creds.username, password=creds.password)
    assert _audit() == [
        ("admin1", "user_deactivate", "is_active", "manager1"),
        ("admin1", "user_reactivate", "is_active", "manager1"),
    ]


def test_admin_resets_a_password(
    client: Client, make_user, admin: User, caplog: pytest.LogCaptureFixture
) -> None:
    creds = make_user("agent")
    agent = User.objects.get(username=creds.username)
    caplog.set_level(logging.DEBUG)
    response = client.post(f"/accounts/users/{agent.pk}/password/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    match = PASSWORD_BOX.search(response.content.decode())
    assert match is not None
    password = match.group(1)
    assert password != creds.password and len(password) == 16
    assert not Client().login(username=creds.username, password=creds.password)
    assert Client().login(username=creds.username, password=password)
    assert _audit() == [("admin1", "password_reset", "password", "agent1")]
    assert password not in caplog.text


def test_admin_resetting_their_own_password_stays_signed_in(client: Client, admin: User) -> None:
    response = client.post(f"/accounts/users/{admin.pk}/password/")
    assert PASSWORD_BOX.search(response.content.decode())
    assert client.get("/accounts/users/").status_code == 200


def test_the_last_active_admin_is_neither_demoted_nor_deactivated(
    client: Client, make_user, admin: User
) -> None:
    make_user("admin", username="admin2")
    User.objects.filter(username="admin2").update(is_active=False)  # not an active admin
    response = client.post(f"/accounts/users/{admin.pk}/role/", {"role": "manager"}, follow=True)
    message = "admin1 是唯一启用的管理员：请先让另一个账号成为管理员，再更改或停用它。"
    assert message in response.content.decode()
    assert _role("admin1") == "admin"
    with pytest.raises(services.AccountError, match="admin1 是唯一启用的管理员"):
        services.user_deactivate(actor=None, user=admin)
    admin.refresh_from_db()
    assert admin.is_active is True
    assert AuditEntry.objects.count() == 0


def test_the_last_admin_message_in_english(client: Client, admin: User) -> None:
    client.cookies["django_language"] = "en"
    response = client.post(f"/accounts/users/{admin.pk}/role/", {"role": "agent"}, follow=True)
    assert (
        "admin1 is the only active admin: make another login an admin first, then change or "
        "deactivate this one." in response.content.decode()
    )
    assert _role("admin1") == "admin"


def test_an_admin_may_step_down_when_another_is_active(
    client: Client, make_user, admin: User
) -> None:
    make_user("admin", username="admin2")
    response = client.post(f"/accounts/users/{admin.pk}/role/", {"role": "manager"})
    assert response["Location"] == "/"  # no longer allowed on the users page
    assert _role("admin1") == "manager"
    assert client.get("/accounts/users/").status_code == 403


def test_an_admin_cannot_deactivate_themselves(client: Client, make_user, admin: User) -> None:
    make_user("admin", username="admin2")
    response = client.post(f"/accounts/users/{admin.pk}/active/", {"active": "0"}, follow=True)
    assert "不能停用自己的账号：请让另一位管理员操作。" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active is True
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("role", ["manager", "agent", "marketing"])
def test_non_admins_get_403_and_nothing_changes(client: Client, make_user, role: str) -> None:
    make_user("admin")
    target = User.objects.get(username="admin1")
    password_hash = target.password
    creds = make_user(role)
    assert client.login(username=creds.username, password=creds.password)
    requests = [
        client.get("/accounts/users/"),
        client.post("/accounts/users/", {"username": "intruder", "role": "admin"}),
        client.post(f"/accounts/users/{target.pk}/role/", {"role": "agent"}),
        client.post(f"/accounts/users/{target.pk}/active/", {"active": "0"}),
        client.post(f"/accounts/users/{target.pk}/password/"),
    ]
    assert [r.status_code for r in requests] == [403] * 5
    assert "没有权限" in requests[-1].content.decode()
    assert 'id="new-password"' not in requests[-1].content.decode()
    target.refresh_from_db()
    assert (services.role_of(target), target.is_active, target.password) == (
        "admin",
        True,
        password_hash,
    )
    assert not User.objects.filter(username="intruder").exists()
    assert AuditEntry.objects.count() == 0


def test_anonymous_visitors_are_sent_to_the_login(client: Client, make_user) -> None:
    make_user("admin")
    response = client.post("/accounts/users/", {"username": "intruder", "role": "admin"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not User.objects.filter(username="intruder").exists()


def test_only_admins_see_the_users_menu_link(client: Client, make_user) -> None:
    for role in ("manager", "admin"):
        creds = make_user(role)
        client.login(username=creds.username, password=creds.password)
        html = client.get("/accounts/agents/").content.decode()
        assert ('href="/accounts/users/"' in html) is (role == "admin")


def test_the_add_form_starts_on_the_least_privileged_role(client: Client, admin: User) -> None:
    html = client.get("/accounts/users/").content.decode()
    assert '<option value="agent" selected>客服</option>' in html


def test_the_audit_log_names_account_changes_in_both_languages(
    client: Client, make_user, admin: User
) -> None:
    make_user("agent")
    agent = User.objects.get(username="agent1")
    client.post(f"/accounts/users/{agent.pk}/role/", {"role": "marketing"})
    client.post(f"/accounts/users/{agent.pk}/password/")
    html = client.get("/customers/audit/").content.decode()
    assert '<span class="pill audit-password_reset">重置密码</span>' in html
    assert '<span class="pill audit-role_change">更改角色</span>' in html
    assert "role: agent → marketing" in html
    client.cookies["django_language"] = "en"
    english = client.get("/customers/audit/").content.decode()
    assert '<span class="pill audit-password_reset">Password reset</span>' in english
    assert '<span class="pill audit-role_change">Role changed</span>' in english
