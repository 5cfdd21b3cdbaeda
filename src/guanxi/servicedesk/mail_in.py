"""Mail in: the shop's service mailbox becomes tickets (issue 16 item 9).

``fetch`` reads the unseen messages of the IMAP mailbox (``GUANXI_IMAP_*``), hands each to
``receive`` and marks it \\Seen once its entry is written. ``receive`` never raises for a
message: whatever arrives leaves exactly one ``MailMessage`` saying what became of it —

- a new ticket (kind complaint or inquiry by its words, channel email, the sender matched to
  a customer through the master's email blind index — the address itself is never looked up
  in the clear);
- appended to an existing ticket, when the subject carries its number ("[#123]") or
  In-Reply-To/References names a message of the ticket; a customer answering a ticket that
  waits on them puts it back in progress;
- a bounce (a delivery report, multipart/report, or mail from MAILER-DAEMON/postmaster),
  linked to the ticket whose reply bounced when the report quotes its Message-ID;
- malformed (no usable From, oversize, an undecodable body or headers), with why.

A message is taken once: its Message-ID (or, without one, a digest of its bytes) is looked
up first, so fetching twice, or a message left unseen after a crash, adds nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import imaplib
import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from guanxi.core.errors import UserInputError
from guanxi.ingest.pii import mask_patterns
from guanxi.servicedesk import services
from guanxi.servicedesk.models import Kind, MailMessage, State, Ticket, TicketEvent

logger = logging.getLogger(__name__)

Status = MailMessage.Status
TICKET_IN_SUBJECT = re.compile(r"\[#(\d{1,12})\]")
BODY_CHARS = 20_000
# Words that make a mail a complaint rather than an inquiry. Deliberately plain: the
# triage suggestion (servicedesk triage) proposes category, tier and sentiment afterwards.
COMPLAINT_WORDS = re.compile(
    r"投诉|差评|维权|退款|退货|破损|坏了|假货|欺骗|太差|不满|315|"
    r"complain|refund|broken|damaged|fake|terrible|unacceptable",
    re.IGNORECASE,
)
BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)


class MailConfigError(UserInputError):
    """IMAP is not configured, or the server refused us (the message says which)."""


@dataclass
class FetchResult:
    """What one fetch did: counts by outcome, and the messages seen again (``duplicates``)."""

    counts: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0

    def add(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __str__(self) -> str:
        parts = [f"{status} {count}" for status, count in sorted(self.counts.items())]
        parts.append(f"already taken {self.duplicates}")
        return ", ".join(parts)


def imap_configured() -> bool:
    return bool(getattr(settings, "GUANXI_IMAP_HOST", ""))


def _connect() -> imaplib.IMAP4:
    if not imap_configured():
        raise MailConfigError("IMAP is not configured: set GUANXI_IMAP_HOST (see the README)")
    host, port = settings.GUANXI_IMAP_HOST, settings.GUANXI_IMAP_PORT
    try:
        if settings.GUANXI_IMAP_SSL:
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(host, port, timeout=30)
        else:
            conn = imaplib.IMAP4(host, port, timeout=30)
        conn.login(settings.GUANXI_IMAP_USER, settings.GUANXI_IMAP_PASSWORD)
        status, _data = conn.select(settings.GUANXI_IMAP_MAILBOX)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailConfigError(f"IMAP {host}:{port}: {exc}") from exc
    if status != "OK":
        conn.logout()
        raise MailConfigError(f"IMAP mailbox {settings.GUANXI_IMAP_MAILBOX!r} cannot be opened")
    return conn


def fetch(now: dt.datetime | None = None) -> FetchResult:
    """Take every unseen message of the mailbox, then mark it \\Seen."""
    result = FetchResult()
    conn = _connect()
    try:
        _status, data = conn.search(None, "UNSEEN")
        for number in (data[0] or b"").split():
            _status, parts = conn.fetch(number.decode(), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), b"")
            entry = receive(raw, now)
            if entry is None:
                result.duplicates += 1
            else:
                result.add(entry.status)
            conn.store(number.decode(), "+FLAGS", "(\\Seen)")
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailConfigError(f"IMAP: {exc} (after {result})") from exc
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()
    return result


def _message_key(raw: bytes, message: EmailMessage | None) -> str:
    if message is not None:
        try:
            value = str(message.get("Message-ID", "") or "").strip()
        except Exception:  # a header the parser cannot decode: fall back to the digest
            value = ""
        if value:
            return value[:255]
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@guanxi.invalid>"


def receive(raw: bytes, now: dt.datetime | None = None) -> MailMessage | None:
    """One message's entry, or ``None`` when it was taken before. Never raises for what
    the message holds: an unexpected failure is logged as malformed with its reason."""
    now = now or timezone.now()
    message: EmailMessage | None = None
    try:
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(parsed, EmailMessage)
        message = parsed
    except Exception as exc:  # the parser is lenient; this is for what it still cannot take
        key = _message_key(raw, None)
        if MailMessage.objects.filter(direction=MailMessage.Direction.IN, message_id=key).exists():
            return None
        return _log(key, Status.MALFORMED, now, error=f"cannot be parsed: {exc}")
    key = _message_key(raw, message)
    if MailMessage.objects.filter(direction=MailMessage.Direction.IN, message_id=key).exists():
        return None
    try:
        with transaction.atomic():
            return _take(raw, message, key, now)
    except Exception as exc:
        # The type only: the message of an exception about a mail can quote the mail.
        logger.error("mail %s could not be taken: %s", key, type(exc).__name__)
        return _log(key, Status.MALFORMED, now, error=f"{type(exc).__name__}: {exc}")


def _log(
    key: str,
    status: str,
    at: dt.datetime,
    *,
    error: str = "",
    ticket: Ticket | None = None,
    address: str = "",
    subject: str = "",
    body: str = "",
) -> MailMessage:
    return MailMessage.objects.create(
        direction=MailMessage.Direction.IN,
        status=status,
        message_id=key,
        ticket=ticket,
        address=address,
        subject=subject,
        body=body,
        # The error column is plain text (it is read on the log and in the CLI): a server's
        # words can quote an address or a phone, masked like any free text.
        error=mask_patterns(error)[:2000],
        at=at,
    )


def _take(raw: bytes, message: EmailMessage, key: str, now: dt.datetime) -> MailMessage:
    limit = settings.GUANXI_MAIL_MAX_BYTES
    if len(raw) > limit:
        return _log(
            key,
            Status.MALFORMED,
            now,
            error=f"message is {len(raw):,} bytes, over the limit of {limit:,} "
            "(GUANXI_MAIL_MAX_MB); ask the sender for smaller attachments",
        )
    try:
        subject = str(message.get("Subject", "") or "").strip()
        sender = _sender(message)
    except (ValueError, TypeError, IndexError, LookupError) as exc:
        return _log(key, Status.MALFORMED, now, error=f"unreadable headers: {exc}")
    if _is_bounce(message, sender):
        return _bounce(message, key, now, sender, subject)
    if not sender:
        return _log(
            key,
            Status.MALFORMED,
            now,
            subject=subject,
            error="no sender: the From header is "
            "missing or holds no address, so there is nobody to answer",
        )
    try:
        body = _body_text(message)
    except (LookupError, UnicodeError, ValueError) as exc:
        return _log(
            key,
            Status.MALFORMED,
            now,
            address=sender,
            subject=subject,
            error=f"the body cannot be decoded: {exc}",
        )
    ticket = _thread_ticket(message, subject, sender)
    if ticket is not None and ticket.state != State.CLOSED:
        _append(ticket, sender, subject, body, now)
        return _log(
            key, Status.APPENDED, now, ticket=ticket, address=sender, subject=subject, body=body
        )
    # A closed ticket is not reopened by mail, and a stranger's "[#123]" is not threaded:
    # the message starts a new ticket that names the number it mentioned.
    description = body
    mentioned = TICKET_IN_SUBJECT.search(subject)
    if ticket is not None:
        description = f"[#{ticket.pk}] {body}"
    elif mentioned:
        description = f"{mentioned.group(0)} {body}"
    ticket = services.create_ticket(
        kind=Kind.COMPLAINT if COMPLAINT_WORDS.search(f"{subject}\n{body}") else Kind.INQUIRY,
        channel="email",
        subject=subject or "（无主题邮件）",
        description=description,
        customer_key=_customer_key_of(sender),
        by=None,
        at=now,
    )
    return _log(
        key, Status.TICKET_CREATED, now, ticket=ticket, address=sender, subject=subject, body=body
    )


def _sender(message: EmailMessage) -> str:
    from guanxi.core.pii import InvalidContactError, normalise_email

    values = [str(v) for v in message.get_all("From", [])]
    for _name, address in getaddresses(values):
        try:
            return normalise_email(address)
        except InvalidContactError:
            continue
    return ""


def _is_bounce(message: EmailMessage, sender: str) -> bool:
    if message.get_content_type() == "multipart/report":
        return True
    if BOUNCE_SENDERS.match(sender):
        return True
    return any(part.get_content_type() == "message/delivery-status" for part in message.walk())


def _bounce(
    message: EmailMessage, key: str, now: dt.datetime, sender: str, subject: str
) -> MailMessage:
    """Name the bounced message (the report quotes its headers) and why it failed."""
    diagnostic = ""
    original = ""
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            text = part.as_string()
            found = re.search(r"Diagnostic-Code:\s*(.+)", text) or re.search(
                r"Status:\s*(\S+)", text
            )
            diagnostic = diagnostic or (found.group(1).strip() if found else "")
        elif kind in ("message/rfc822", "text/rfc822-headers"):
            quoted = re.search(r"^Message-ID:\s*(<[^>]+>)", part.as_string(), re.I | re.M)
            original = original or (quoted.group(1) if quoted else "")
    ticket = None
    if original:
        sent = MailMessage.objects.filter(message_id=original, ticket__isnull=False).first()
        ticket = sent.ticket if sent else None
        if sent is not None and sent.direction == MailMessage.Direction.OUT:
            sent.status = Status.FAILED
            sent.error = f"bounced: {diagnostic or 'delivery failed'}"
            sent.save(update_fields=["status", "error"])
    error = f"delivery report from {sender or 'unknown sender'}: " + (
        diagnostic or "the original message could not be delivered"
    )
    if original:
        error += f" (message {original})"
    return _log(
        key, Status.BOUNCE, now, ticket=ticket, address=sender, subject=subject, error=error
    )


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "tr", "li"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _body_text(message: EmailMessage) -> str:
    """The plain text of the message (HTML reduced to its text), at most ``BODY_CHARS``."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if not isinstance(content, str):
        raise ValueError("the text part is not text")
    if part.get_content_subtype() == "html":
        parser = _TextOfHtml()
        parser.feed(content)
        content = "".join(parser.parts)
    content = re.sub(r"\n{3,}", "\n\n", content.replace("\r\n", "\n")).strip()
    return content[:BODY_CHARS]


def _thread_ticket(message: EmailMessage, subject: str, sender: str) -> Ticket | None:
    """The ticket a message answers: a Message-ID of the ticket's mail in In-Reply-To or
    References first (ours are random: not guessable), then "[#123]" in the subject from
    a sender the ticket knows."""
    referenced = " ".join(
        str(message.get(name, "") or "") for name in ("In-Reply-To", "References")
    )
    ids = re.findall(r"<[^>]+>", referenced)
    if ids:
        known = (
            MailMessage.objects.filter(message_id__in=ids[:50], ticket__isnull=False)
            .order_by("-at")
            .first()
        )
        if known is not None:
            return known.ticket
    found = TICKET_IN_SUBJECT.search(subject)
    if found:
        ticket = Ticket.objects.select_related("customer").filter(pk=int(found.group(1))).first()
        if ticket is not None and _known_sender(ticket, sender):
            return ticket
    return None


def _known_sender(ticket: Ticket, sender: str) -> bool:
    """Ticket numbers are short and guessable: "[#123]" threads a message only from an
    address the ticket already knows (an earlier mail, or the customer's in the master).
    Anyone else starts a new ticket, which names the number in its text."""
    if ticket.customer is not None and ticket.customer.email == sender:
        return True
    # The addresses are encrypted (no equality in SQL): compare the ticket's few in Python.
    return any(address == sender for address in ticket.mail.values_list("address", flat=True))


def _append(ticket: Ticket, sender: str, subject: str, body: str, at: dt.datetime) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        at=at,
        action=TicketEvent.Action.MAIL,
        from_value="in",
        note=body or subject,
    )
    if ticket.state == State.WAITING:
        services.transition(ticket.pk, State.IN_PROGRESS, by=None, at=at, note="customer replied")


def _customer_key_of(email: str) -> str:
    """The customer whose master record holds this address (blind index), if exactly one
    unmerged record does; otherwise none (a shared address names nobody for sure)."""
    from guanxi.customers.models import Customer
    from guanxi.customers.services import email_index

    keys = list(
        Customer.objects.filter(
            email_index=email_index(email), merged_into__isnull=True
        ).values_list("customer_key", flat=True)[:2]
    )
    return keys[0] if len(keys) == 1 else ""


# --- the background fetch ---------------------------------------------------------------


@task()
def fetch_periodically() -> str:
    """Fetch the mailbox, then run again in ``GUANXI_IMAP_EVERY_MINUTES``. A failure (server
    down, wrong password) is logged and the next run still scheduled."""
    try:
        done = str(fetch())
    except MailConfigError as exc:
        logger.warning("mail fetch: %s", exc)
        done = f"failed: {exc}"
    schedule_fetch(after=dt.timedelta(minutes=settings.GUANXI_IMAP_EVERY_MINUTES))
    return done


def schedule_fetch(*, after: dt.timedelta = dt.timedelta(0)) -> bool:
    """Queue the periodic fetch when IMAP is configured and none is waiting (``guanxi
    setup`` calls this, as it does for the daily purge). Backends that cannot defer (the
    tests' immediate one) get none."""
    if not imap_configured() or not fetch_periodically.get_backend().supports_defer:
        return False
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=fetch_periodically.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    fetch_periodically.using(run_after=timezone.now() + after).enqueue()
    return True
