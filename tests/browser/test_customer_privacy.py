"""Issue 13 items 1 and 2 in a real browser: what marketing and an agent read on a customer's
page — free text masked, chat text only where the chat rule allows."""

from __future__ import annotations

import pytest

from guanxi.lake import Lake
from tests.customers.helpers import KEY, customer
from tests.customers.test_free_text_privacy import PLAIN, free_text_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, creds) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", creds.username)
    page.fill("#id_password", creds.password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_marketing_reads_masked_free_text_and_no_chats(
    page, live_server, make_user, lake: Lake
) -> None:
    customer()
    free_text_shop(lake)
    _login(page, live_server.url, make_user("marketing"))
    page.goto(f"{live_server.url}/customers/{KEY}/")
    main = page.locator("main").inner_text()
    for plain in PLAIN:
        assert plain not in main
    assert page.locator('[data-field="name"]').inner_text() == "张**"
    timeline = page.locator("#timeline")
    assert timeline.locator("tr.tl-refund td.prose").inner_text() == (
        "张**本人申请，联系 138****5678"
    )
    assert timeline.locator("tr.tl-review td.prose").inner_text() == "送到****很快，张**很满意"
    assert timeline.locator("tr.tl-chat").count() == 2
    assert timeline.locator("tr.tl-chat a").count() == 0  # no transcript for marketing
    assert page.locator("#chats-withheld").inner_text() == (
        "本页另有 2 个会话由其他客服接待，聊天内容仅对接待的客服和客服主管可见。"
    )


def test_an_agent_reads_only_their_own_session(page, live_server, make_user, lake: Lake) -> None:
    customer()
    free_text_shop(lake)
    _login(page, live_server.url, make_user("agent", agent_id="kf2"))
    page.goto(f"{live_server.url}/customers/{KEY}/")
    links = page.locator("#timeline tr.tl-chat a")
    assert links.count() == 1  # s-b, the session kf2 served
    assert "好的，已记录" not in page.locator("main").inner_text()  # kf1's session
    links.click()
    page.wait_for_load_state()
    assert "地址改成****，旺旺 t***8" in page.locator("main").inner_text()
    for plain in PLAIN:
        assert plain not in page.locator("main").inner_text()
    # The other agent's session page is refused as well, not only hidden from the list.
    response = page.goto(f"{live_server.url}/performance/sessions/s-a/")
    assert response is not None and response.status == 403
