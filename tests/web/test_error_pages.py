"""The 403 and 404 pages: the site's own, translated, with a way home (DEBUG is off here)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_debug_is_off_so_the_error_templates_are_used() -> None:
    assert settings.DEBUG is False


def test_403_says_what_happened_and_links_home(client: Client, make_user) -> None:
    creds = make_user("agent")
    client.login(username=creds.username, password=creds.password)
    response = client.get("/accounts/agents/")
    assert response.status_code == 403
    assert [t.name for t in response.templates][:2] == ["403.html", "web/base.html"]
    html = response.content.decode()
    assert "<h1>没有权限</h1>" in html
    assert "你的账号没有权限打开这个页面或执行这个操作。" in html
    assert '<a class="btn" href="/">返回首页</a>' in html
    assert "403 Forbidden" not in html
    assert 'class="who">agent1<' in html  # the site's header, signed in


def test_403_in_english(client: Client, make_user) -> None:
    creds = make_user("agent")
    client.login(username=creds.username, password=creds.password)
    client.cookies["django_language"] = "en"
    html = client.get("/accounts/agents/").content.decode()
    assert "<h1>Access denied</h1>" in html
    assert "If you need access, ask the shop's admin to change your login's role." in html
    assert '<a class="btn" href="/">Back to the home page</a>' in html


def test_404_in_both_languages(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response.templates[0].name == "404.html"
    html = response.content.decode()
    assert "<h1>页面不存在</h1>" in html and '<a class="btn" href="/">返回首页</a>' in html
    client.cookies["django_language"] = "en"
    english = client.get("/no-such-page/").content.decode()
    assert "<h1>Page not found</h1>" in english
    assert "There is no page here: the address may be wrong" in english
