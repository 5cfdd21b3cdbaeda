"""The users page (账号管理) in a browser: an admin adds a login, changes its role and resets
its password; the page is fully translated in Chinese and in English."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from guanxi.accounts import services
from guanxi.accounts.models import Agent
from guanxi.core.models import AuditEntry
from tests.browser.test_foundation import _login, _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
# What the page shows as data rather than text: usernames, agent ids and names, times.
DATA = re.compile(r"\b(admin1|xiaoli|kf07|Mei)\b|\d{4}-\d{2}-\d{2} \d{2}:\d{2}|[A-Za-z0-9_-]{16}")


def _new_password(page) -> str:
    return page.locator("#new-password").inner_text().strip()


def test_admin_adds_a_user_changes_the_role_and_resets_the_password(
    page, live_server, make_user, audit_log_emptied_afterwards: None
) -> None:
    Agent.objects.create(agent_id="kf07", name="Mei")
    admin = make_user("admin")
    base = live_server.url
    _login(page, base, admin.username, admin.password)
    page.wait_for_url(re.compile(r".*/(store|customers)/.*"))

    page.click("nav.mainnav >> text=账号管理")
    page.wait_for_url(f"{base}/accounts/users/")
    assert page.locator("h1").inner_text() == "账号管理"

    # Add an agent login linked to the roster's kf07: the password is shown once.
    page.fill("#id_username", "xiaoli")
    page.select_option("#id_role", "agent")
    page.select_option("#id_agent_id", "kf07")
    page.click("#add-user button[type=submit]")
    page.wait_for_selector("#new-password")
    first = _new_password(page)
    assert page.url == f"{base}/accounts/users/"  # not in the address
    row = page.locator('tr[data-user="xiaoli"]')
    assert row.get_attribute("data-role") == "agent"
    assert "kf07" in row.inner_text()
    assert User.objects.get(username="xiaoli").check_password(first)
    _shot(page, "users-added-zh")

    # Change the role to manager.
    row.locator("select[name=role]").select_option("manager")
    row.locator('button[data-action="role"]').click()
    page.wait_for_selector(".flash")
    assert page.locator(".flash").first.inner_text() == "xiaoli 的角色已改为客服主管。"
    assert page.locator('tr[data-user="xiaoli"]').get_attribute("data-role") == "manager"
    assert page.locator("#new-password").count() == 0  # shown once, gone now
    assert services.role_of(User.objects.get(username="xiaoli")) == "manager"

    # Reset the password: a new one, shown once; the old one no longer works.
    page.locator('tr[data-user="xiaoli"] button[data-action="password"]').click()
    page.wait_for_selector("#new-password")
    second = _new_password(page)
    assert second != first
    xiaoli = User.objects.get(username="xiaoli")
    assert xiaoli.check_password(second) and not xiaoli.check_password(first)
    assert [(e.action, e.subject) for e in AuditEntry.objects.order_by("id")] == [
        ("login", admin.username),  # signing in through the page is audited too
        ("user_add", "xiaoli"),
        ("role_change", "xiaoli"),
        ("password_reset", "xiaoli"),
    ]
    page.goto(f"{base}/accounts/users/")
    zh_text = page.locator("main").inner_text()
    leftover = re.findall(r"[A-Za-z]{3,}", DATA.sub("", zh_text))
    assert leftover == []  # no English left in the Chinese page
    _shot(page, "users-zh")

    # English: every word translated (no Chinese left but the language switch).
    page.click('button[data-lang="en"]')
    page.wait_for_selector("h1:text('Users')")
    main = page.locator("main").inner_text()
    nav = page.locator("nav.mainnav").inner_text()
    assert CJK.findall(main + nav) == []
    assert "Add a user" in main and "Reset password" in main and "Last login" in main
    page.locator('tr[data-user="xiaoli"] button[data-action="password"]').click()
    page.wait_for_selector("#new-password")
    box = page.locator("#new-password-box").inner_text()
    assert box.startswith("New password for xiaoli:")
    assert CJK.findall(page.locator("main").inner_text()) == []
    _shot(page, "users-en")
