"""Mail in and out against real servers on 127.0.0.1 (tests/servicedesk/mailservers.py):
the IMAP intake makes and threads tickets, logs bounces and malformed mail without a
crash, takes each message once and marks it seen; the SMTP reply carries its headers and
is the ticket's first response; a refused send changes nothing but its log entry."""

from __future__ import annotations

import email
import os
from email import policy
from email.message import EmailMessage

import pytest

from guanxi.customers.services import CustomerRecord, customer_create
from guanxi.servicedesk import mail_in, mail_out, services
from guanxi.servicedesk.models import MailMessage, State, Ticket, TicketEvent
from tests.servicedesk.mailservers import DOVECOT, dovecot_server, imap_server, smtp_server

pytestmark = pytest.mark.django_db
Status = MailMessage.Status


def _mail(
    subject: str,
    body: str,
    *,
    sender: str = "Li Lei <li.lei@example.com>",
    message_id: str = "",
    in_reply_to: str = "",
) -> bytes:
    message = EmailMessage(policy=policy.SMTP)
    if sender:
        message["From"] = sender
    message["To"] = "service@shop.example"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content(body)
    return message.as_bytes()


def _bounce(original_id: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.shop.example>\r\n"
        "To: service@shop.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.shop.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.shop.example\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_id}\r\nSubject: Re: x [#1]\r\n"
        "--B--\r\n"
    ).encode()


@pytest.fixture(params=["dovecot", "python"])
def mailbox(request, settings):
    """The intake runs against dovecot (the real server; .ci/run installs it) and against
    the small server of mailservers.py."""
    if request.param == "dovecot" and not os.path.exists(DOVECOT):
        pytest.skip(f"dovecot is not installed ({DOVECOT}): apt-get install dovecot-imapd")
    server = dovecot_server() if request.param == "dovecot" else imap_server()
    with server as (box, port):
        settings.GUANXI_IMAP_HOST = "127.0.0.1"
        settings.GUANXI_IMAP_PORT = port
        settings.GUANXI_IMAP_SSL = False
        settings.GUANXI_IMAP_USER = box.user
        settings.GUANXI_IMAP_PASSWORD = box.password
        settings.GUANXI_IMAP_MAILBOX = "INBOX"
        yield box


@pytest.fixture
def smtp(settings):
    with smtp_server() as (handler, port):
        # The test runner swaps every mailer for the in-memory one: put the SMTP one back.
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
            }
        }
        settings.DEFAULT_FROM_EMAIL = "service@shop.example"
        yield handler


def test_intake_makes_tickets_threads_replies_and_never_crashes(mailbox, settings):
    customer = customer_create(CustomerRecord(name="李雷", email="Li.Lei@Example.com"))
    mailbox.deliver(
        _mail("收到的杯子破损了", "杯子碎了，要求退款。", message_id="<a1@example.com>")
    )
    mailbox.deliver(_mail("发票怎么开", "请问可以开发票吗？", sender="x@other.example"))
    mailbox.deliver(_bounce("<never-sent@shop.example>"))
    mailbox.deliver(_mail("no sender", "who am I", sender="", message_id="<nf@example.com>"))
    # Undecodable: a charset no codec knows.
    mailbox.deliver(
        b"From: a@example.com\r\nSubject: odd\r\nMessage-ID: <odd@example.com>\r\n"
        b"Content-Type: text/plain; charset=x-unknown-9\r\n\r\n\xff\xfe body\r\n"
    )
    settings.GUANXI_MAIL_MAX_BYTES = 5000
    mailbox.deliver(_mail("big", "大" * 3000, message_id="<big@example.com>"))

    result = mail_in.fetch()

    # 2 tickets, 1 bounce, 3 malformed (no From, charset, oversize), nothing taken before.
    assert result.counts == {"created": 2, "bounce": 1, "malformed": 3}
    assert result.duplicates == 0
    assert mailbox.seen() == [True] * 6
    cup = Ticket.objects.get(mail__message_id="<a1@example.com>")
    assert (cup.kind, cup.channel, cup.subject) == ("complaint", "email", "收到的杯子破损了")
    assert cup.description == "杯子碎了，要求退款。"
    assert (cup.customer, cup.customer_key) == (customer, customer.customer_key)
    invoice = Ticket.objects.exclude(pk=cup.pk).get()
    assert (invoice.kind, invoice.customer_key) == ("inquiry", "")  # unknown sender
    errors = dict(MailMessage.objects.exclude(error="").values_list("message_id", "error"))
    assert "no sender" in errors["<nf@example.com>"]
    assert "cannot be decoded" in errors["<odd@example.com>"]
    assert "over the limit" in errors["<big@example.com>"]
    assert "550 5.1.1 user unknown" in errors["<bounce-1@mx.shop.example>"]

    # The customer answers: by "[#id]" in the subject, and by In-Reply-To.
    services.transition(cup.pk, State.IN_PROGRESS, by=None)
    services.transition(cup.pk, State.WAITING, by=None)
    mailbox.deliver(_mail(f"Re: 破损 [#{cup.pk}]", "照片附上", message_id="<a2@example.com>"))
    mailbox.deliver(
        _mail(
            "没有编号",
            "还有一个问题",
            message_id="<a3@example.com>",
            in_reply_to="<a1@example.com>",
        )
    )
    # A stranger naming the ticket's number starts a new ticket instead.
    mailbox.deliver(
        _mail(f"[#{cup.pk}] 我也要", "x", sender="z@spam.example", message_id="<s1@spam.example>")
    )
    second = mail_in.fetch()
    assert second.counts == {"appended": 2, "created": 1}
    assert Ticket.objects.get(mail__message_id="<s1@spam.example>").pk != cup.pk
    cup.refresh_from_db()
    assert cup.state == State.IN_PROGRESS  # the customer answered while we waited on them
    notes = list(cup.events.filter(action=TicketEvent.Action.MAIL).values_list("note", flat=True))
    assert notes == ["照片附上", "还有一个问题"]

    # Fetching the same messages again (left unseen) adds nothing.
    mailbox.mark_all_unseen()
    before = (Ticket.objects.count(), MailMessage.objects.count(), TicketEvent.objects.count())
    third = mail_in.fetch()
    assert (third.total, third.duplicates) == (0, 9)
    after = (Ticket.objects.count(), MailMessage.objects.count(), TicketEvent.objects.count())
    assert after == before


def test_imap_login_refused_is_a_clear_error_and_the_task_goes_on(mailbox, settings):
    mailbox.deliver(_mail("尺码", "M 还是 L？", message_id="<t1@example.com>"))
    assert mail_in.fetch_periodically.call() == "created 1, already taken 0"
    settings.GUANXI_IMAP_PASSWORD = "wrong"
    with pytest.raises(mail_in.MailConfigError, match=r"IMAP 127\.0\.0\.1"):
        mail_in.fetch()
    # The background run logs the failure and returns; it does not raise.
    assert mail_in.fetch_periodically.call().startswith("failed: IMAP 127.0.0.1")


def test_smtp_reply_has_its_headers_and_is_the_first_response(smtp, settings):
    first = mail_in.receive(_mail("发票怎么开", "在吗", message_id="<q1@example.com>"))
    assert first is not None and first.ticket is not None
    ticket = first.ticket

    sent = mail_out.send_reply(ticket.pk, "您好，可以开电子发票。", by=None)

    assert sent.ok
    (envelope,) = smtp.received
    assert envelope.rcpt_tos == ["li.lei@example.com"]
    received = email.message_from_bytes(envelope.content, policy=policy.default)
    assert received["Subject"] == f"Re: 发票怎么开 [#{ticket.pk}]"
    assert received["Message-ID"] == sent.entry.message_id
    assert received["In-Reply-To"] == "<q1@example.com>"
    assert received.get_content().strip() == "您好，可以开电子发票。"
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.events.filter(action="reply").count() == 1

    # A delivery report quoting our reply marks it failed and lands on the ticket.
    bounce = mail_in.receive(_bounce(sent.entry.message_id))
    assert bounce is not None and (bounce.status, bounce.ticket_id) == ("bounce", ticket.pk)
    sent.entry.refresh_from_db()
    assert sent.entry.status == Status.FAILED and "user unknown" in sent.entry.error

    # The customer's answer to our reply threads back by its In-Reply-To.
    entry = mail_in.receive(
        _mail("好的", "谢谢", message_id="<q2@x>", in_reply_to=sent.entry.message_id)
    )
    assert entry is not None and (entry.status, entry.ticket_id) == ("appended", ticket.pk)


def test_a_refused_send_is_logged_and_changes_nothing_else(smtp):
    ticket = services.create_ticket(kind="inquiry", channel="email", subject="运费")
    events = ticket.events.count()

    sent = mail_out.send_reply(ticket.pk, "答复", by=None, to="nobody@refused.example")

    assert not sent.ok
    assert sent.entry.status == Status.FAILED and "550" in sent.entry.error
    assert "nobody@" not in sent.entry.error and "n***@refused.example" in sent.entry.error
    ticket.refresh_from_db()
    assert (ticket.first_response_at, ticket.events.count()) == (None, events)
    assert smtp.received == []
    with pytest.raises(services.TicketError) as caught:
        mail_out.send_reply(ticket.pk, "答复", by=None)  # no address anywhere
    assert caught.value.field == "to"
