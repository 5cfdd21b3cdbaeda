"""The panels on a ticket page (rendered here through their tags: the ticket page is
another part's), the reply view, the mail log and ``guanxi mail`` from the command line."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.template import engines
from django.test import RequestFactory

from guanxi.servicedesk import csat, mail_in, services
from guanxi.servicedesk.models import MailMessage, State
from tests.servicedesk.mailservers import free_port, imap_server
from tests.servicedesk.test_mail import _mail

pytestmark = pytest.mark.django_db

PAGE = "{% load sd_csat sd_mail %}{% csat_panel ticket %}{% mail_panel ticket %}"


def _render(user, ticket, revealed=False):
    request = RequestFactory().get(f"/servicedesk/{ticket.pk}/")
    request.user = user
    template = engines["django"].from_string(PAGE)
    return template.render({"ticket": ticket, "revealed": revealed}, request)


def test_panels_mask_the_customers_words_and_offer_the_right_actions(make_user, client):
    from django.contrib.auth.models import User

    make_user("agent", "agent1")
    agent = User.objects.get(username="agent1")
    entry = mail_in.receive(
        _mail("订单问题", "我的手机 13812345678，快递还没到", message_id="<m1@example.com>")
    )
    assert entry is not None and entry.ticket is not None
    ticket = entry.ticket
    html = _render(agent, ticket)
    assert "13812345678" not in html and "138****5678" in html
    assert "li.lei@example.com" not in html and "l***@example.com" in html
    assert 'id="mail-reply"' in html and 'id="csat-wait"' in html

    services.transition(ticket.pk, State.IN_PROGRESS, by=None)
    ticket = services.transition(ticket.pk, State.RESOLVED, by=None)
    csat.request_for(ticket)
    html = _render(agent, ticket)
    assert 'id="csat-link"' in html and "邮件发送评价链接" in html

    csat.enter_from_call(ticket.pk, 3, "电话 13812345678 打不通", by=agent)
    html = _render(agent, ticket)
    assert 'id="csat-score"' in html and "13812345678" not in html


def test_a_reply_that_cannot_be_sent_says_so_and_changes_nothing(make_user, client, settings):
    creds = make_user("manager", "boss")
    settings.MAILERS = {  # nothing listens on this port: the connection is refused
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    entry = mail_in.receive(_mail("发票", "在吗", message_id="<m2@example.com>"))
    assert entry is not None and entry.ticket is not None
    client.login(username=creds.username, password=creds.password)
    page = client.post(
        f"/servicedesk/mail/ticket/{entry.ticket_id}/reply/",
        {"body": "可以开", "next": "/servicedesk/mail/"},
        follow=True,
    )
    assert "邮件发送失败" in page.content.decode()
    failed = MailMessage.objects.get(direction="out")
    assert failed.status == "failed" and "Connection refused" in failed.error
    entry.ticket.refresh_from_db()
    assert entry.ticket.first_response_at is None
    log = client.get("/servicedesk/mail/?status=failed")
    assert log.status_code == 200 and 'data-status="failed"' in log.content.decode()
    assert client.get("/servicedesk/mail/?status=created").content.count(b"data-status=") == 1
    assert client.get("/servicedesk/mail/?status=bounce").content.count(b"data-status=") == 0


def test_the_command_fetches_and_lists(settings):
    with imap_server() as (box, port):
        settings.GUANXI_IMAP_HOST, settings.GUANXI_IMAP_PORT = "127.0.0.1", port
        settings.GUANXI_IMAP_SSL = False
        settings.GUANXI_IMAP_USER, settings.GUANXI_IMAP_PASSWORD = box.user, box.password
        box.deliver(_mail("咨询", "尺码怎么选", message_id="<m3@example.com>"))
        out = StringIO()
        call_command("mail", "fetch", "--format", "json", stdout=out)
        assert json.loads(out.getvalue()) == {"counts": {"created": 1}, "already_taken": 0}
    out = StringIO()
    call_command("mail", "log", "--format", "json", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert (row["status"], row["address"]) == ("created", "l***@example.com")
