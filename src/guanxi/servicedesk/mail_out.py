"""Mail out: a reply from the ticket page, or the CSAT link, sent by SMTP (Django's mail API
and its default mailer, ``MAILERS`` set from GUANXI_EMAIL_*).

Every message gets its own Message-ID (recorded, so the customer's answer threads back to
the ticket) and "[#id]" in the subject (for mail programs that drop In-Reply-To). The
order is deliberate: check everything that could refuse the reply, send, and only once the
server accepted the message write the reply into the ticket (``add_note(reply=True)``, the
first response). A refused send leaves a ``MailMessage(status=failed)`` with the server's
words and changes nothing else.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, InvalidMailer
from django.utils import timezone

from guanxi.ingest.pii import mask_patterns
from guanxi.servicedesk import services
from guanxi.servicedesk.models import MailMessage, State, Ticket, TicketEvent
from guanxi.servicedesk.services import TicketError

BODY_LENGTH = 20_000


@dataclass(frozen=True)
class Sent:
    entry: MailMessage

    @property
    def ok(self) -> bool:
        return self.entry.status == MailMessage.Status.SENT


def recipient(ticket: Ticket) -> str:
    """Who a reply goes to: the last sender who wrote in about the ticket, else the email
    address of the customer in the master; "" when there is none."""
    last_in = (
        ticket.mail.filter(direction=MailMessage.Direction.IN)
        .exclude(status=MailMessage.Status.BOUNCE)
        .exclude(address="")
        .order_by("-at", "-id")
        .first()
    )
    if last_in is not None and last_in.address:
        return last_in.address
    if ticket.customer is not None and ticket.customer.email:
        return ticket.customer.email
    return ""


def subject_for(ticket: Ticket, subject: str = "") -> str:
    base = (subject or ticket.subject).strip()
    tag = f"[#{ticket.pk}]"
    if tag in base:
        return base
    if not base.lower().startswith("re:"):
        base = f"Re: {base}"
    return f"{base} {tag}"


def _thread_ids(ticket: Ticket) -> list[str]:
    return list(
        ticket.mail.exclude(message_id="")
        .exclude(status__in=[MailMessage.Status.BOUNCE, MailMessage.Status.MALFORMED])
        .order_by("at", "id")
        .values_list("message_id", flat=True)[:20]
    )


def _domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rpartition("@")[2].strip("> ") or "localhost"


def _send(ticket: Ticket, to: str, subject: str, body: str, at: dt.datetime) -> MailMessage:
    message_id = make_msgid(domain=_domain())
    thread = _thread_ids(ticket)
    headers = {"Message-ID": message_id}
    if thread:
        headers["In-Reply-To"] = thread[-1]
        headers["References"] = " ".join(thread)
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    status, error = MailMessage.Status.SENT, ""
    try:
        email.send(using="default")
    except (smtplib.SMTPException, OSError, ValueError, InvalidMailer) as exc:
        # Masked: a refusal quotes the recipient's address, and the column is plain text.
        error = mask_patterns(f"{type(exc).__name__}: {exc}")[:2000]
        status = MailMessage.Status.FAILED
    return MailMessage.objects.create(
        direction=MailMessage.Direction.OUT,
        status=status,
        message_id=message_id,
        ticket=ticket,
        address=to,
        subject=subject,
        body=body,
        error=error,
        at=at,
    )


def _ticket(ticket_id: int) -> Ticket:
    ticket = Ticket.objects.select_related("customer").filter(pk=ticket_id).first()
    if ticket is None:
        raise TicketError(f"ticket #{ticket_id} does not exist", "ticket")
    return ticket


def _address(ticket: Ticket, to: str) -> str:
    from guanxi.core.pii import InvalidContactError, normalise_email

    address = to.strip() or recipient(ticket)
    if not address:
        raise TicketError(
            f"to: ticket #{ticket.pk} has no email address (no mail from the customer and "
            "none in the customer master); add one to the customer or reply another way",
            "to",
        )
    try:
        return normalise_email(address)
    except InvalidContactError as exc:
        raise TicketError(f"to: {exc}", "to") from None


def send_reply(
    ticket_id: int,
    body: str,
    *,
    by: Any,
    to: str = "",
    subject: str = "",
    at: dt.datetime | None = None,
) -> Sent:
    """Reply to the customer by mail. ``TicketError`` (nothing sent, nothing written) for a
    closed ticket, an empty or oversize body, no address; a send refused by the server gives
    a failed entry and no reply in the ticket."""
    at = at or timezone.now()
    ticket = _ticket(ticket_id)
    if ticket.state == State.CLOSED:
        raise TicketError(f"ticket #{ticket_id} is closed: reopen it before replying", "state")
    text = body.strip()
    if not text:
        raise TicketError("body: write the reply", "body")
    if len(text) > BODY_LENGTH:
        raise TicketError(f"body: {len(text)} characters; keep it to {BODY_LENGTH}", "body")
    address = _address(ticket, to)
    entry = _send(ticket, address, subject_for(ticket, subject), text, at)
    if entry.status == MailMessage.Status.SENT:
        services.add_note(ticket.pk, text, by=by, reply=True, at=at)
    return Sent(entry)


CSAT_BODY = (
    "您好！您的问题（工单 #{number}）已处理完毕。请花半分钟为这次服务打分（1–5 分），"
    "并留下您的意见：\n{link}\n链接 {days} 天内有效，只能使用一次。感谢您的支持！\n\n"
    "Hello! Your request (ticket #{number}) has been resolved. Please take half a minute to "
    "rate our service (1–5) and tell us what you think:\n{link}\nThe link works once and for "
    "{days} days. Thank you!"
)


def send_csat_link(ticket_id: int, link: str, *, by: Any, at: dt.datetime | None = None) -> Sent:
    """Mail the satisfaction link (bilingual: the customer's language is not known)."""
    from guanxi.servicedesk import csat

    at = at or timezone.now()
    ticket = _ticket(ticket_id)
    address = _address(ticket, "")
    body = CSAT_BODY.format(number=ticket.pk, link=link, days=csat.link_days())
    subject = f"请为我们的服务打分 / Please rate our service [#{ticket.pk}]"
    entry = _send(ticket, address, subject, body, at)
    if entry.status == MailMessage.Status.SENT:
        TicketEvent.objects.create(
            ticket=ticket,
            at=at,
            by=by if getattr(by, "pk", None) else None,
            action=TicketEvent.Action.MAIL,
            from_value="out",
            to_value="csat",
        )
    return Sent(entry)
