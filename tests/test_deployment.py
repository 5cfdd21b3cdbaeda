"""Deployment (issue 13 item 8): HTTPS settings, a clean ``check --deploy`` in the documented
production settings, the idle timeout, owner-only database and key files, the CSP header,
the schema behind login, and customer searches that keep phones and names out of URLs."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from guanxi.core import config
from guanxi.lake import Lake
from tests.customers.helpers import customer
from tests.factories import login

GUANXI = Path(sys.executable).with_name("guanxi")
# The production settings README.md documents (besides the database URL and the home).
PRODUCTION = {
    "GUANXI_HTTPS": "true",
    "GUANXI_BEHIND_PROXY": "true",
    "GUANXI_ALLOWED_HOSTS": "crm.example.com",
    "GUANXI_SESSION_IDLE_MINUTES": "30",
}
SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_AGE",
    "SESSION_SAVE_EVERY_REQUEST",
]


def _guanxi(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GUANXI_", "DJANGO_"))}
    return subprocess.run(
        [str(GUANXI), *args],
        env=clean | {"GUANXI_HOME": str(home)} | env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _settings(home: Path, **env: str) -> dict[str, object]:
    code = f"from django.conf import settings as s; print(__import__('json').dumps({{n: getattr(s, n, None) for n in {SETTINGS!r}}}))"  # noqa: E501
    run = _guanxi("shell", "-v0", "-c", code, home=home, **env)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def test_check_deploy_is_clean_in_the_documented_production_settings(tmp_path: Path) -> None:
    run = _guanxi("check", "--deploy", "--fail-level", "WARNING", home=tmp_path, **PRODUCTION)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout == "System check identified no issues (1 silenced).\n"


def test_https_turns_on_hsts_secure_cookies_and_the_redirect(tmp_path: Path) -> None:
    assert _settings(tmp_path, **PRODUCTION) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_AGE": 1800,
        "SESSION_SAVE_EVERY_REQUEST": True,
    }
    # Without them: plain HTTP (development, `make run`), an hour's idle timeout.
    assert _settings(tmp_path) == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "SESSION_COOKIE_AGE": 3600,
        "SESSION_SAVE_EVERY_REQUEST": True,
    }


@pytest.mark.parametrize("value", ["0", "abc", "10081", "-5"])
def test_a_bad_idle_timeout_names_the_variable(value: str) -> None:
    with pytest.raises(config.ConfigError, match="GUANXI_SESSION_IDLE_MINUTES="):
        config.load({"GUANXI_SESSION_IDLE_MINUTES": value})


def test_database_and_key_files_are_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "new"
    assert _guanxi("migrate", "-v0", home=home).returncode == 0
    run = _guanxi(
        "shell", "-v0", "-c", "from guanxi.core import crypto; crypto.cipher()", home=home
    )
    assert run.returncode == 0, run.stderr
    var = home / "var"
    assert _mode(var / "guanxi.sqlite3") == "0o600"
    assert _mode(var / "keys" / "secret.key") == "0o600"
    assert _mode(var / "keys" / "field.key") == "0o600"
    assert _mode(var / "keys") == "0o700"
    # An installation from before the rule is tightened when it next starts.
    for path in (var / "guanxi.sqlite3", var / "keys" / "secret.key"):
        path.chmod(0o644)
    assert _guanxi("check", home=home).returncode == 0
    assert _mode(var / "guanxi.sqlite3") == "0o600"
    assert _mode(var / "keys" / "secret.key") == "0o600"


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client: Client, make_user) -> None:
    login(client, make_user, "manager")
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert policy == (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


@pytest.mark.django_db
def test_each_request_restarts_the_idle_timeout(client: Client, make_user, settings) -> None:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    login(client, make_user, "manager")
    session = Session.objects.get()
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(seconds=5))
    client.get("/customers/")
    expires = Session.objects.get(pk=session.pk).expire_date - timezone.now()
    assert 3590 < expires.total_seconds() <= 3600


@pytest.mark.django_db
def test_customer_search_keeps_the_phone_out_of_every_url(
    client: Client, make_user, lake: Lake
) -> None:
    customer(customer_key="c" + "1" * 16, name="王小明", mobile="13900001111", identities=())
    customer(customer_key="c" + "2" * 16, name="李四", mobile="13700002222", identities=())
    login(client, make_user, "manager")
    found = client.post("/customers/", {"q": "13900001111", "tag": "", "class": ""})
    assert found.status_code == 302
    location = found["Location"]
    assert location.startswith("/customers/?s=") and "1390000" not in location
    page = client.get(location)
    assert [r.customer_key for r in page.context["rows"]] == ["c" + "1" * 16]
    html = page.content.decode()
    assert 'value="13900001111"' in html  # the box shows what was typed, in the page only
    export = client.get(location.replace("/customers/", "/customers/export.csv"))
    assert isinstance(export, StreamingHttpResponse)
    assert b"c1111111111111111" in b"".join(export.streaming_content)
    # A search text in the query string is ignored, not searched: all customers are listed.
    assert len(client.get("/customers/", {"q": "13900001111"}).context["rows"]) == 2
    # Another session cannot use the token.
    other = Client()
    login(other, make_user, "manager", username="manager2")
    stale = other.get(location, follow=True)
    assert len(stale.context["rows"]) == 2
    assert "这次搜索已过期，请重新搜索。" in stale.content.decode()
