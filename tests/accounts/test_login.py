from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from guanxi.accounts.models import LoginAttempt

pytestmark = pytest.mark.django_db


def test_wrong_user_and_wrong_password_get_the_same_message(client: Client, make_user) -> None:
    creds = make_user("manager")
    wrong_password = client.post(
        "/accounts/login/", {"username": creds.username, "password": "not-it-123"}
    )
    wrong_user = client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert wrong_password.status_code == wrong_user.status_code == 200
    msg = "用户名或密码不正确。"
    assert msg in wrong_password.content.decode() and msg in wrong_user.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_after_five_failures(client: Client, make_user) -> None:
    creds = make_user("manager")
    for _ in range(5):
        client.post("/accounts/login/", {"username": creds.username, "password": "wrong"})
    # even the right password is refused now
    response = client.post(
        "/accounts/login/", {"username": creds.username, "password": creds.password}
    )
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.filter(succeeded=False).count() == 5


def test_right_password_logs_in_and_clears_failures(client: Client, make_user) -> None:
    creds = make_user("manager")
    client.post("/accounts/login/", {"username": creds.username, "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": creds.username, "password": creds.password}
    )
    assert response.status_code == 302
    assert LoginAttempt.objects.filter(succeeded=False).count() == 0


def test_logout_ends_the_session(client: Client, make_user) -> None:
    creds = make_user("manager")
    client.login(username=creds.username, password=creds.password)
    client.post("/accounts/logout/")
    assert client.get("/store/").status_code == 302


def test_passwords_are_random_and_stored_as_argon2(make_user) -> None:
    first, second = make_user("agent", "a1"), make_user("agent", "a2")
    assert first.password != second.password and len(first.password) >= 16
    assert User.objects.get(username="a1").password.startswith("argon2$")


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        ("manager", ["customers.reveal_personal", "accounts.view_shop_figures"], []),
        (
            "agent",
            ["customers.view_customer"],
            [
                "customers.reveal_personal",
                "customers.export_customers",
                "accounts.view_shop_figures",
                "accounts.view_all_agents",
            ],
        ),
        (
            "marketing",
            ["customers.export_customers", "accounts.view_shop_figures"],
            ["customers.reveal_personal", "accounts.view_all_agents"],
        ),
    ],
)
def test_role_permissions(make_user, role: str, allowed: list[str], refused: list[str]) -> None:
    creds = make_user(role)
    user = User.objects.get(username=creds.username)
    assert all(user.has_perm(p) for p in allowed)
    assert not any(user.has_perm(p) for p in refused)
