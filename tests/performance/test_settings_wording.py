"""The settings page speaks of "the defaults", never of SPEC (a document users don't have)."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.performance.models import ShopSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client: Client, make_user) -> Client:
    creds = make_user("manager")
    client.login(username=creds.username, password=creds.password)
    return client


def test_the_page_says_defaults_in_chinese(manager: Client) -> None:
    html = manager.get("/performance/settings/").content.decode()
    assert "SPEC" not in html
    assert "恢复默认值</button>" in html
    assert "恢复默认考核表</button>" in html
    assert "<th>默认值</th>" in html
    assert '<span class="pill">默认考核表</span>' in html
    assert "默认值是客服考核常用的标准，可随时恢复。" in html


def test_the_page_says_defaults_in_english(manager: Client) -> None:
    manager.cookies["django_language"] = "en"
    html = manager.get("/performance/settings/").content.decode()
    assert "SPEC" not in html
    assert "Reset to the defaults</button>" in html
    assert "Reset to the default scorecard</button>" in html
    assert "<th>Default</th>" in html
    assert "The defaults are the standards commonly used to assess customer service" in html


def test_reset_still_resets_and_says_so_without_spec(manager: Client) -> None:
    manager.cookies["django_language"] = "en"
    ShopSettings.objects.update_or_create(pk=1, defaults={"slow_seconds": 30})
    response = manager.post("/performance/settings/", {"action": "rules_reset"}, follow=True)
    assert ShopSettings.objects.get().slow_seconds == 60
    assert "Thresholds and windows reset to the defaults." in response.content.decode()
