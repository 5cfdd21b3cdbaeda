"""Mail and CSAT in a browser, at 1440 px and on a 390 px phone, in Chinese and English:
the ticket's mail and CSAT panels (on a stand-in ticket page — the real one is another
part's — that renders the two tags inside the site's layout), the rating link mailed
through a local SMTP server and answered by a customer who is not logged in, and the mail
log. Nothing wider than the screen; screenshots in var/screenshots."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import include, path

from guanxi.customers.services import CustomerRecord, customer_create
from guanxi.lake import Lake
from guanxi.servicedesk import mail_in, services
from guanxi.servicedesk.models import CsatRequest, State, Ticket
from tests.browser.test_foundation import _login, _shot
from tests.browser.test_phone_layout import DESKTOP, PHONE, _fits
from tests.servicedesk.mailservers import smtp_server
from tests.servicedesk.test_mail import _mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAND_IN = """{% extends "web/base.html" %}{% load sd_csat sd_mail %}
{% block content %}<h1>#{{ ticket.pk }}</h1>
<div class="detail-grid">{% csat_panel ticket %}{% mail_panel ticket %}</div>{% endblock %}"""


def stand_in_ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    template = engines["django"].from_string(STAND_IN)
    return HttpResponse(template.render({"ticket": ticket}, request))


urlpatterns = [
    path("stand-in/<int:ticket_id>/", stand_in_ticket_page),
    path("", include("guanxi.urls")),
]


def _language(page, language: str, phone: bool) -> None:
    if phone and page.locator("button.menu-toggle").is_visible():
        page.locator("button.menu-toggle").click()
    page.click(f'button[data-lang="{language}"]')
    page.wait_for_selector(f'html[lang="{language}"]')


def test_mail_and_csat_panels_and_the_public_page(
    browser, live_server, make_user, lake: Lake, settings
) -> None:
    settings.ROOT_URLCONF = __name__
    customer_create(CustomerRecord(name="李雷", email="li.lei@example.com"))
    entry = mail_in.receive(
        _mail("杯子破损", "收到的杯子碎了，电话 13812345678", message_id="<b1@example.com>")
    )
    assert entry is not None and entry.ticket is not None
    ticket = entry.ticket
    services.transition(ticket.pk, State.IN_PROGRESS, by=None)
    manager = make_user("manager")
    base = live_server.url
    problems: list[str] = []
    staff = {}  # one signed-in browser per width, kept for the whole walk
    for size, viewport in (("1440", DESKTOP), ("390", PHONE)):
        staff[size] = browser.new_context(locale="zh-CN", viewport=viewport).new_page()
        _login(staff[size], base, manager.username, manager.password)
        staff[size].wait_for_load_state("load")
    with smtp_server() as (smtp, port):
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
            }
        }
        for size, page in staff.items():
            for language in ("zh-hans", "en"):
                page.goto(f"{base}/stand-in/{ticket.pk}/")
                if language == "en":
                    _language(page, "en", size == "390")
                if size == "1440" and language == "zh-hans":  # reply once, by SMTP
                    page.fill("#mail-reply-body", "您好，我们马上补发一个新杯子。")
                    page.click("#mail-reply button[type=submit]")
                    page.wait_for_selector(".flash.success")
                    services.transition(ticket.pk, State.RESOLVED, by=None)
                    page.goto(f"{base}/stand-in/{ticket.pk}/")
                assert "13812345678" not in page.content()  # masked for the manager
                problems.append(_fits(page, f"panels [{language} {size}]") or "")
                _shot(page, f"sd-mail-csat-panels-{language}-{size}")
                page.goto(f"{base}/servicedesk/mail/")
                problems.append(_fits(page, f"mail log [{language} {size}]") or "")
                _shot(page, f"sd-mail-log-{language}-{size}")
        assert len(smtp.received) == 1 and ticket.events.filter(action="reply").exists()

        # The manager mails the rating link; the customer opens it on a phone, not logged in.
        page = staff["1440"]
        page.goto(f"{base}/stand-in/{ticket.pk}/")
        page.click('#csat-send button[value="mail"]')
        page.wait_for_selector(".flash.success")
        mailed = email.message_from_bytes(smtp.received[-1].content, policy=policy.default)
        text_part = mailed.get_body()
        assert text_part is not None
        body = text_part.get_content()
    link = re.search(r"http://\S+/servicedesk/csat/\S+/", body)
    assert link is not None
    customer = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = customer.new_page()
    for language in ("zh-hans", "en"):
        page.goto(link.group(0))
        if language == "en":
            page.click('button[data-lang="en"]')
            page.wait_for_selector('html[lang="en"]')
        assert page.locator("#csat-form").count() == 1
        problems.append(_fits(page, f"csat page [{language}]") or "")
        _shot(page, f"sd-csat-page-{language}-390")
    page.click('label[for="r4"]')
    page.fill("#comment", "补发很快，谢谢")
    page.click("#csat-form button[type=submit]")
    page.wait_for_selector("#csat-thanks")
    _shot(page, "sd-csat-thanks-en-390")
    page.goto(link.group(0))
    page.wait_for_selector('#csat-refused[data-code="used"]')
    _shot(page, "sd-csat-used-en-390")
    customer.close()
    answer = CsatRequest.objects.get(ticket=ticket, answered_at__isnull=False)
    assert (answer.rating, answer.comment) == (4, "补发很快，谢谢")
    ticket.refresh_from_db()
    assert ticket.state == State.FEEDBACK

    # The panel then shows the rating (both staff browsers are in English now).
    for size, page in staff.items():
        page.goto(f"{base}/stand-in/{ticket.pk}/")
        assert page.locator("#csat-score").count() == 1
        problems.append(_fits(page, f"rated panel [{size}]") or "")
        _shot(page, f"sd-csat-rated-en-{size}")
        page.context.close()
    assert [p for p in problems if p] == []
