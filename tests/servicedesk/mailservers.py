"""Real mail servers on 127.0.0.1 for the mail tests: SMTP by aiosmtpd; IMAP by Debian's
dovecot (``dovecot-imapd``, .ci/run installs it) run from a throw-away configuration, and by
a small IMAP4rev1 server written here.

Dovecot is the real thing the intake meets in a shop. The small server runs where dovecot is
not installed, starts in milliseconds, and records the commands it was sent: it speaks what
a client like ``imaplib`` sends (CAPABILITY, LOGIN, SELECT, SEARCH UNSEEN, FETCH
BODY.PEEK[]/BODY[]/RFC822, STORE ±FLAGS, NOOP, LOGOUT) over a real socket, with the
protocol's literals and tagged responses; anything else is answered ``BAD``, so a client
relying on more fails here.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
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

    def mark_all_unseen(self) -> None:
        with self.lock:
            for _raw, flags in self.messages:
                flags.discard("\\Seen")


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


# --- dovecot -------------------------------------------------------------------------------

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
_DOVECOT_CONF = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root}/Maildir
first_valid_uid = 1
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
# No growing delay after failed logins (the test logs in wrongly on purpose).
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home
}}
"""


@dataclass
class Maildir:
    """The dovecot mailbox as files: messages are delivered into new/, and their flags read
    back from the names dovecot gives them in cur/ (":2,S" is \\Seen)."""

    root: Path
    uid: int
    gid: int
    user: str = "desk"
    password: str = "s3cret-pass"  # passdb static args split on spaces
    delivered: int = 0

    def deliver(self, raw: bytes) -> None:
        self.delivered += 1
        name = f"{self.delivered:04d}.guanxi-test"
        temporary = self.root / "Maildir" / "tmp" / name
        temporary.write_bytes(raw)
        os.chown(temporary, self.uid, self.gid)
        temporary.rename(self.root / "Maildir" / "new" / name)

    def _files(self) -> list[Path]:
        found = [*(self.root / "Maildir" / "new").iterdir()]
        found += [*(self.root / "Maildir" / "cur").iterdir()]
        return sorted(found, key=lambda f: f.name)

    def seen(self) -> list[bool]:
        return ["S" in f.name.partition(":2,")[2] for f in self._files()]

    def mark_all_unseen(self) -> None:
        for file in self._files():
            base, _, flags = file.name.partition(":2,")
            if "S" in flags:
                file.rename(file.with_name(f"{base}:2,{flags.replace('S', '')}"))


@contextmanager
def dovecot_server() -> Iterator[tuple[Maildir, int]]:
    """dovecot on a free port of 127.0.0.1 with one mailbox in a temporary folder. As
    root its login and mail processes run as Debian's dovenull and dovecot users (dovecot
    refuses mail access as root); as anyone else, as that user."""
    root = Path(tempfile.mkdtemp(prefix="guanxi-dovecot-"))
    if os.geteuid() == 0:
        login_user, internal_user = "dovenull", "dovecot"
        mail_uid, mail_gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
    else:
        login_user = internal_user = pwd.getpwuid(os.getuid()).pw_name
        mail_uid, mail_gid = os.getuid(), os.getgid()
    for folder in ("run", "state", "home", "Maildir/new", "Maildir/cur", "Maildir/tmp"):
        (root / folder).mkdir(parents=True)
    for folder in ("home", "Maildir", "Maildir/new", "Maildir/cur", "Maildir/tmp"):
        os.chown(root / folder, mail_uid, mail_gid)
    root.chmod(0o755)
    box = Maildir(root, mail_uid, mail_gid)
    port = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(
        _DOVECOT_CONF.format(
            root=root,
            port=port,
            login_user=login_user,
            internal_user=internal_user,
            internal_group=grp.getgrgid(mail_gid).gr_name,
            password=box.password,
            mail_uid=mail_uid,
            mail_gid=mail_gid,
        )
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait_for(port, process, root / "dovecot.log")
        yield box, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = log.read_text() if log.exists() else ""
            raise RuntimeError(f"dovecot stopped at start ({process.returncode}): {text}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"dovecot did not listen on 127.0.0.1:{port} within 15 s")
