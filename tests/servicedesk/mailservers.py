"""Real mail servers on 127.0.0.1 for the mail tests: SMTP by aiosmtpd, IMAP by a small
IMAP4rev1 server written here.

Why our own IMAP server: Debian's dovecot needs a system user, a mail location and a
privileged install step in CI; the tests need one mailbox with the commands a client like
``imaplib`` sends (CAPABILITY, LOGIN, SELECT, SEARCH UNSEEN, FETCH BODY.PEEK[]/BODY[]/
RFC822, STORE ±FLAGS, NOOP, LOGOUT) over a real socket, with the protocol's literals and
tagged responses. Anything else is answered ``BAD`` — a client relying on more fails here.
"""

from __future__ import annotations

import re
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- SMTP ----------------------------------------------------------------------------------


@dataclass
class SmtpHandler:
    """Keeps what it receives; refuses recipients at ``refused_domain`` with 550."""

    received: list[Any] = field(default_factory=list)
    refused_domain: str = "refused.example"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower().endswith("@" + self.refused_domain):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(envelope)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[tuple[SmtpHandler, int]]:
    handler = SmtpHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


# --- IMAP ----------------------------------------------------------------------------------


@dataclass
class Mailbox:
    user: str = "desk"
    password: str = "s3cret pass"
    messages: list[list[Any]] = field(default_factory=list)  # [raw bytes, set of flags]
    commands: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, raw: bytes) -> None:
        with self.lock:
            self.messages.append([raw, set()])

    def seen(self) -> list[bool]:
        return ["\\Seen" in flags for _raw, flags in self.messages]


_COMMAND = re.compile(rb"^(\S+) (\S+)(?: (.*))?$")


def _strings(args: str) -> list[str]:
    """Atoms and quoted strings of a command's arguments."""
    found = re.findall(r'"((?:[^"\\]|\\.)*)"|(\S+)', args)
    return [re.sub(r"\\(.)", r"\1", quoted) if quoted else atom for quoted, atom in found]


class _ImapHandler(socketserver.StreamRequestHandler):
    server: _ImapServer

    def send(self, line: bytes | str) -> None:
        data = line.encode() if isinstance(line, str) else line
        self.wfile.write(data + b"\r\n")

    def handle(self) -> None:
        box = self.server.mailbox
        authenticated = selected = False
        self.send("* OK [CAPABILITY IMAP4rev1] guanxi test IMAP ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            match = _COMMAND.match(line.rstrip(b"\r\n"))
            if match is None:
                self.send("* BAD unparsable command")
                continue
            tag = match.group(1).decode()
            command = match.group(2).decode().upper()
            args = (match.group(3) or b"").decode()
            box.commands.append(command)
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1")
                self.send(f"{tag} OK CAPABILITY completed")
            elif command == "NOOP":
                self.send(f"{tag} OK NOOP completed")
            elif command == "LOGOUT":
                self.send("* BYE logging out")
                self.send(f"{tag} OK LOGOUT completed")
                return
            elif command == "LOGIN":
                parts = _strings(args)
                if parts == [box.user, box.password]:
                    authenticated = True
                    self.send(f"{tag} OK LOGIN completed")
                else:
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
            elif not authenticated:
                self.send(f"{tag} BAD log in first")
            elif command in ("SELECT", "EXAMINE"):
                if _strings(args)[:1] != ["INBOX"]:
                    self.send(f"{tag} NO no such mailbox")
                    continue
                selected = True
                with box.lock:
                    self.send(f"* {len(box.messages)} EXISTS")
                self.send("* 0 RECENT")
                self.send("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed")
            elif not selected:
                self.send(f"{tag} BAD select a mailbox first")
            elif command == "SEARCH":
                self._search(tag, args)
            elif command == "FETCH":
                self._fetch(tag, args)
            elif command == "STORE":
                self._store(tag, args)
            else:
                self.send(f"{tag} BAD {command} is not supported by this test server")

    def _numbers(self, spec: str) -> list[int]:
        count = len(self.server.mailbox.messages)
        numbers: list[int] = []
        for piece in spec.split(","):
            low, _, high = piece.partition(":")
            first = count if low == "*" else int(low)
            last = first if not high else (count if high == "*" else int(high))
            numbers.extend(n for n in range(first, last + 1) if 1 <= n <= count)
        return numbers

    def _search(self, tag: str, args: str) -> None:
        criteria = args.upper().split()
        box = self.server.mailbox
        with box.lock:
            if criteria == ["UNSEEN"]:
                hits = [i + 1 for i, (_r, f) in enumerate(box.messages) if "\\Seen" not in f]
            elif criteria == ["ALL"]:
                hits = list(range(1, len(box.messages) + 1))
            else:
                self.send(f"{tag} BAD only SEARCH UNSEEN and ALL are supported")
                return
        self.send("* SEARCH" + "".join(f" {n}" for n in hits))
        self.send(f"{tag} OK SEARCH completed")

    def _fetch(self, tag: str, args: str) -> None:
        spec, _, items = args.partition(" ")
        items = items.strip().strip("()").upper()
        box = self.server.mailbox
        for number in self._numbers(spec):
            raw, flags = box.messages[number - 1]
            if items in ("BODY.PEEK[]", "BODY[]", "RFC822"):
                name = "RFC822" if items == "RFC822" else "BODY[]"
                self.wfile.write(f"* {number} FETCH ({name} {{{len(raw)}}}\r\n".encode())
                self.wfile.write(raw)
                self.send(")")
                if items != "BODY.PEEK[]":
                    flags.add("\\Seen")
            elif items == "FLAGS":
                self.send(f"* {number} FETCH (FLAGS ({' '.join(sorted(flags))}))")
            else:
                self.send(f"{tag} BAD FETCH {items} is not supported")
                return
        self.send(f"{tag} OK FETCH completed")

    def _store(self, tag: str, args: str) -> None:
        match = re.match(r"(\S+) ([+-]?)FLAGS(\.SILENT)? \(?([^)]*)\)?", args, re.IGNORECASE)
        if match is None:
            self.send(f"{tag} BAD STORE: expected n +FLAGS (\\Seen)")
            return
        spec, sign, silent, names = match.groups()
        box = self.server.mailbox
        with box.lock:
            for number in self._numbers(spec):
                flags = box.messages[number - 1][1]
                wanted = set(names.split())
                if sign == "+":
                    flags |= wanted
                elif sign == "-":
                    flags -= wanted
                else:
                    flags.clear()
                    flags |= wanted
                if not silent:
                    self.send(f"* {number} FETCH (FLAGS ({' '.join(sorted(flags))}))")
        self.send(f"{tag} OK STORE completed")


class _ImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__(("127.0.0.1", 0), _ImapHandler)
        self.mailbox = mailbox


@contextmanager
def imap_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    server = _ImapServer(mailbox)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield mailbox, int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
