"""The audit log covers searches, downloads, `export taobao`, logins and permission changes,
and a staff account with history is deactivated rather than deleted (issue 13 item 9)."""

from __future__ import annotations

import getpass
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from guanxi.accounts import services
from guanxi.core.models import AuditEntry
from guanxi.lake import Lake
from tests.customers.helpers import MOBILE, customer, login

pytestmark = pytest.mark.django_db


def _entries() -> list[tuple[str, str, str, str, int]]:
    return [
        (e.actor_username, e.action, e.fields, e.subject, e.row_count)
        for e in AuditEntry.objects.order_by("id")
    ]


def test_a_customer_search_is_audited_by_kind_never_by_value(
    client: Client, make_user, lake: Lake
) -> None:
    customer()
    login(client, make_user, "manager")
    assert client.get("/customers/").status_code == 200  # no search: nothing to record
    assert _entries() == []
    # The search is POSTed (its text never enters a URL) and shown under a session token.
    assert client.post("/customers/", {"q": MOBILE}, follow=True).status_code == 200
    fields = "name,gender,mobile,email,province,city,customer_class,tags"
    assert _entries() == [("manager1", "search", fields, "search (mobile)", 1)]
    assert MOBILE not in str(AuditEntry.objects.values_list().get())


def test_a_report_download_is_audited_and_a_denied_one_is_not(
    client: Client, make_user, lake: Lake
) -> None:
    login(client, make_user, "agent")
    query = {"start": "2024-06-01", "end": "2024-06-30"}
    assert client.get("/store/export.csv", query).status_code == 403
    assert _entries() == []
    client.logout()
    login(client, make_user, "manager")
    response = client.get("/store/export.csv", query)
    assert response.status_code == 200
    file = "guanxi-store-2024-06-01-2024-06-30.csv"
    assert _entries() == [("manager1", "download", file, "/store/export.csv", 1)]
    # The customer export writes its own, richer entry: recorded once, as an export.
    customer()
    exported = client.get("/customers/export.csv")
    assert exported.status_code == 200
    b"".join(exported.streaming_content)  # type: ignore[attr-defined]
    assert [e[1] for e in _entries()] == ["download", "export"]


def test_export_taobao_is_audited_before_it_writes(tmp_path: Path, lake: Lake) -> None:
    customer()
    call_command("export", "taobao", "--to", str(tmp_path / "out"), stdout=StringIO())
    fields = "buyer_id,name,mobile,address,chat_text,review_text,refund_reason"
    assert _entries() == [
        (f"cli:{getpass.getuser()}", "export", fields, f"export taobao → {tmp_path / 'out'}", 1)
    ]


def test_sign_ins_and_failed_ones_are_audited_without_the_password(
    client: Client, make_user
) -> None:
    user = make_user("manager")
    response = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": user.password}
    )
    assert response.status_code == 302
    assert _entries() == [
        ("manager1", "login_failed", "password", "manager1", 1),
        ("manager1", "login", "session", "manager1", 1),
    ]
    assert AuditEntry.objects.order_by("id").last().actor_id == User.objects.get().pk  # type: ignore[union-attr]
    assert all(user.password not in str(e) for e in AuditEntry.objects.values_list())


def test_a_change_to_a_roles_permissions_is_audited(roles: None) -> None:
    assert _entries() == []  # a fresh install's roles are the documented ones
    marketing = Group.objects.get(name="marketing")
    extra = Permission.objects.get(content_type__app_label="auth", codename="change_user")
    marketing.permissions.add(extra)
    services.roles_ensure()
    assert _entries() == [
        (f"cli:{getpass.getuser()}", "perm_change", "-auth.change_user", "role marketing", 1)
    ]
    assert not marketing.permissions.filter(pk=extra.pk).exists()
    services.roles_ensure()  # nothing changed: nothing recorded
    assert len(_entries()) == 1


def test_deleting_staff_with_history_deactivates_them_instead(client: Client, make_user) -> None:
    staff = make_user("manager")
    client.post("/accounts/login/", {"username": staff.username, "password": staff.password})
    out = StringIO()
    call_command("users", "delete", staff.username, stdout=out)
    assert out.getvalue() == (
        "manager1 有 1 条审计记录，账号不能删除（审计日志只增不改，要能说明是谁做的）："
        "已改为停用，无法再登录，记录保留。\n"
    )
    assert User.objects.get(username="manager1").is_active is False
    assert [e[1] for e in _entries()] == ["login", "user_deactivate"]


def test_deleting_a_login_that_never_acted_deletes_it(make_user) -> None:
    make_user("agent", username="temp")
    out = StringIO()
    call_command("users", "delete", "temp", stdout=out)
    assert out.getvalue() == "已删除账号 temp。\n"
    assert not User.objects.filter(username="temp").exists()
    assert _entries() == [(f"cli:{getpass.getuser()}", "user_delete", "account", "temp", 1)]


def test_deleting_ones_own_login_is_refused_and_nothing_changes(make_user) -> None:
    make_user("admin")
    make_user("admin", username="admin2")
    admin = User.objects.get(username="admin1")
    with pytest.raises(services.AccountError, match="不能删除自己的账号"):
        services.user_delete(actor=admin, user=admin)
    assert User.objects.get(username="admin1").is_active is True
    assert _entries() == []


def test_the_deactivation_message_in_english(make_user) -> None:
    user = User.objects.get(username=make_user("manager").username)
    services.user_deactivate(actor=None, user=user)
    AuditEntry.objects.create(actor=user, actor_username="manager1", action="login")
    with translation.override("en"):
        message = services.user_delete(actor=None, user=user)
    assert message == (
        "manager1 has 1 audit log entry, so the login cannot be deleted (the audit log is "
        "append-only and must still say who did what): it has been deactivated instead — it "
        "can no longer sign in, and its entry is kept."
    )
