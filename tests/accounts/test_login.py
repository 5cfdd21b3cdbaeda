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


def _fail(client: Client, username: str, *, address: str = "127.0.0.1") -> str:
    response = client.post(
        "/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address
    )
    return response.content.decode()


def test_full_width_and_upper_case_spellings_share_the_lock_out(client: Client, make_user) -> None:
    creds = make_user("manager", "bfuser")
    for spelling in ("bfuser", "ｂｆｕｓｅｒ", "BFUser", "ＢＦＵＳＥＲ", " bfuser"):
        _fail(client, spelling)
    # the sixth try, in yet another spelling, is refused before the password is looked at
    assert "登录失败次数过多" in _fail(client, "Ｂｆｕｓｅｒ")
    response = client.post(
        "/accounts/login/", {"username": "ｂｆｕｓｅｒ", "password": creds.password}
    )
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert set(LoginAttempt.objects.values_list("username", flat=True)) == {"bfuser"}
    assert LoginAttempt.objects.filter(succeeded=False).count() == 5


def test_the_lock_out_covers_the_login_from_every_address(client: Client, make_user) -> None:
    creds = make_user("manager", "bfuser")
    for n in range(5):
        _fail(client, "bfuser", address=f"10.0.0.{n}")
    response = client.post(
        "/accounts/login/",
        {"username": "bfuser", "password": creds.password},
        REMOTE_ADDR="10.9.9.9",
    )
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_spelling_in_other_case_logs_in_as_the_stored_user(client: Client, make_user) -> None:
    creds = make_user("manager", "bfuser")
    response = client.post(
        "/accounts/login/", {"username": "ＢＦＵｓｅｒ", "password": creds.password}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=client.session["_auth_user_id"]).username == "bfuser"


def test_one_address_is_locked_out_after_its_limit_of_failures_over_any_names(
    client: Client, make_user, settings
) -> None:
    settings.GUANXI_LOGIN_MAX_FAILURES_PER_CLIENT = 8  # 20 by default; fewer hashes here
    creds = make_user("manager", "bfuser")
    for n in range(8):
        _fail(client, f"guess{n}", address="10.0.0.7")
    refused = client.post(
        "/accounts/login/",
        {"username": "bfuser", "password": creds.password},
        REMOTE_ADDR="10.0.0.7",
    )
    assert "登录失败次数过多" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert LoginAttempt.objects.filter(client="10.0.0.7", succeeded=True).count() == 0
    # another address is not affected
    elsewhere = client.post(
        "/accounts/login/",
        {"username": "bfuser", "password": creds.password},
        REMOTE_ADDR="10.0.0.8",
    )
    assert elsewhere.status_code == 302


def test_everyone_is_locked_out_after_the_global_limit_of_failures(
    client: Client, make_user, settings
) -> None:
    settings.GUANXI_LOGIN_MAX_FAILURES_GLOBAL = 12  # 100 by default; fewer hashes here
    creds = make_user("manager", "bfuser")
    for n in range(12):  # a guesser spread over 12 addresses and 12 names
        _fail(client, f"guess{n}", address=f"10.1.0.{n}")
    refused = client.post(
        "/accounts/login/",
        {"username": "bfuser", "password": creds.password},
        REMOTE_ADDR="10.2.0.1",
    )
    assert "登录失败次数过多" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_each_lock_out_is_logged_once_with_its_scope(client: Client, make_user, caplog) -> None:
    make_user("manager", "bfuser")
    with caplog.at_level("WARNING", logger="guanxi.security"):
        for _ in range(7):
            _fail(client, "ＢＦＵＳＥＲ", address="10.0.0.5")
    assert [r.getMessage() for r in caplog.records] == [
        "login lock-out (user): username='bfuser' client=10.0.0.5 after 5 failures in 900 s"
    ]
