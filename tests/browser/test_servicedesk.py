"""The service desk in a real browser: an agent opens a chat transcript, logs a complaint
from it (the form comes pre-filled), the rules route it to the agent's team, the agent
claims it, works it, escalates it with a reason and resolves it; the customer answers
the satisfaction link and the report counts it; then every ticket page
fits a phone and reads in both languages. Screenshots at 1440 and 390 px, zh and en."""

from __future__ import annotations

import pytest
from django.utils import timezone

from guanxi.accounts.models import Agent
from guanxi.lake import Lake
from guanxi.servicedesk.models import Department, RoutingRule, Ticket
from tests.browser.test_content_security_policy import LISTEN
from tests.browser.test_foundation import _login
from tests.browser.test_phone_layout import DESKTOP, MEASURE, PHONE, SHOTS
from tests.customers.helpers import KEY, customer
from tests.factories import chats_table, orders_table

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _act(page, form: str, button: str = "button[type=submit]") -> None:
    with page.expect_navigation():
        page.click(f"{form} {button}")


def test_a_chat_complaint_is_logged_routed_escalated_and_resolved(
    page, live_server, make_user, lake: Lake, audit_log_emptied_afterwards
) -> None:
    customer()
    lake.write(
        "chat_messages",
        chats_table(
            [
                ("s1", KEY, "customer", None, "2025-06-03 10:00:00"),
                ("s1", KEY, "agent", "kf_a", "2025-06-03 10:00:40"),
            ],
            text="快递五天了还没到",
        ),
    )
    lake.write(
        "orders",
        orders_table([("T1001", KEY, "2025-05-28 09:00:00", "2025-05-28 09:01:00", "99.00")]),
    )
    Agent.objects.create(agent_id="kf_a", name="小安", team="售后组")
    service = Department.objects.create(name="客户服务部")
    relations = Department.objects.create(name="客户关系部")
    RoutingRule.objects.create(position=1, tier="escalated", department=relations)
    RoutingRule.objects.create(position=2, category="logistics", department=service, team="售后组")
    agent = make_user("agent", "agent_a", agent_id="kf_a")
    base = live_server.url
    page.add_init_script(LISTEN)
    page.set_viewport_size(DESKTOP)
    _login(page, base, agent.username, agent.password)

    # From the transcript: 登记投诉 opens the form with the session and customer filled in.
    page.goto(f"{base}/performance/sessions/s1/")
    page.click("#log-complaint")
    page.wait_for_url("**/servicedesk/new/?session=s1*")
    assert page.input_value("#id_chat_session_id") == "s1"
    assert page.input_value("#id_customer_key") == KEY
    page.fill("#id_subject", "快递五天没到")
    page.select_option("#id_category", "logistics")
    page.fill("#id_order_id", "T9999")  # not an imported order: refused beside the field
    _act(page, "#ticket-form", "#create-ticket")
    assert "T9999" in page.locator("#order-error").inner_text()
    assert not Ticket.objects.exists()
    page.fill("#id_order_id", "T1001")
    _shot(page, "servicedesk-new-1440-zh")
    _act(page, "#ticket-form", "#create-ticket")
    ticket = Ticket.objects.get()
    assert (ticket.team, ticket.department, ticket.platform) == ("售后组", service, "taobao")

    # Routed to the agent's team: they claim it and work it.
    _act(page, "#claim-form")
    assert "kf_a" in page.locator("#ticket-assignee").inner_text()
    _act(page, "#move-form", 'button[data-move="in_progress"]')
    page.select_option("#escalate-form select[name=tier]", "escalated")
    _act(page, "#escalate-form")  # no reason: refused
    assert page.locator("#ticket-errors").is_visible()
    page.select_option("#escalate-form select[name=tier]", "escalated")
    page.fill("#escalate-form input[name=reason]", "买家申请平台介入")
    _act(page, "#escalate-form")
    assert page.locator("#ticket-tier").get_attribute("data-tier") == "escalated"
    assert page.locator(".guidance .checklist").get_attribute("data-tier") == "escalated"
    page.fill("#note-form textarea", "已联系快递，明日送达")
    _act(page, "#note-form", 'button[value="reply"]')
    _act(page, "#move-form", 'button[data-move="resolved"]')
    assert page.locator("#ticket-state").get_attribute("data-state") == "resolved"
    ticket.refresh_from_db()
    # manually claimed: the escalation kept the team and agent (rules only route the unassigned)
    assert ticket.assignee is not None and ticket.assignee.agent_id == "kf_a"
    assert (ticket.tier, ticket.team, ticket.department) == ("escalated", "售后组", service)
    history = page.locator("#ticket-history li").all_inner_texts()
    assert any("升级" in line and "买家申请平台介入" in line for line in history)
    assert page.evaluate("window.__csp || []") == []

    # The customer answers the satisfaction link made at resolution, without a login.
    link = page.input_value("#csat-link")
    customer_page = page.context.browser.new_context(locale="zh-CN").new_page()
    customer_page.goto(link)
    customer_page.click("label[for=r4]")
    with customer_page.expect_navigation():
        customer_page.click("#csat-form button[type=submit]")
    assert customer_page.locator("#csat-thanks").is_visible()
    customer_page.context.close()
    ticket.refresh_from_db()
    assert ticket.state == "feedback"

    # The report of today counts it: one ticket created, one rated 4 → CSAT 100 %.
    today = timezone.localdate().isoformat()
    page.goto(f"{base}/servicedesk/reports/?start={today}&end={today}")
    agent_row = page.locator("#csat_agent-table tbody tr").first.inner_text()
    assert "kf_a" in agent_row or "小安" in agent_row
    assert "4.00" in agent_row and "100" in agent_row

    # Every page in both languages, on a desktop and a phone (the manager sees them all).
    page.click("header button.link")
    manager = make_user("manager", "mgr")
    _login(page, base, manager.username, manager.password)
    pages = {
        "queue": "/servicedesk/?scope=all&status=any",
        "ticket": f"/servicedesk/{ticket.pk}/",
        "new": "/servicedesk/new/?session=s1",
        "routing": "/servicedesk/routing/",
    }
    problems: list[str] = []
    for language in ("zh", "en"):
        if language == "en":
            page.set_viewport_size(DESKTOP)
            page.click('button[data-lang="en"]')
            page.wait_for_selector('html[lang="en"]')
        for width, viewport in (("1440", DESKTOP), ("390", PHONE)):
            page.set_viewport_size(viewport)
            for name, url in pages.items():
                page.goto(base + url)
                size = page.evaluate(MEASURE)
                if size["scroll"] > size["inner"]:
                    problems.append(f"{name} {width} {language}: {size}")
                _shot(page, f"servicedesk-{name}-{width}-{language}")
    assert problems == []
    assert page.evaluate("window.__csp || []") == []
    page.goto(base + pages["ticket"])
    assert "Handling guidance" in page.locator("#guidance-panel").inner_text()
