"""The cryptography of bulk customer writes, here or in a helper process on another core.

Creating a customer from an import costs about four AES-GCM encryptions (name, phone,
address, buyer id) and two to four HMACs (buyer id, phone, name, phone tail): ~12 µs of one
core, as much again as the database needs to store it. A large import therefore hands this
work, a chunk at a time, to one helper process (``python -m guanxi.customers.sealing``)
while it writes the previous chunk; small ones do it in place. Both run the same functions
(``Sealer.index`` and ``Sealer.seal``), so the values are the same either way.

The helper gets the two field keys as the first message on its standard input (never on
its command line or in its environment), and pickled jobs after them; it answers each job
in order on its standard output and ends when its input closes (also when the importing
process is killed). No Django here: the helper imports only this module and
``guanxi.core``.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, BinaryIO, Protocol

from guanxi.core import pii
from guanxi.core.crypto import FieldCipher

MEMO_LIMIT = 200_000  # repeated values (names, phone tails) remembered per sealer
_FRAME = struct.Struct("!Q")


@dataclass(frozen=True, slots=True)
class Indexed:
    """One chunk's people as looked up: column by column, in the chunk's order."""

    buyer: list[bytes]  # blind index of each buyer id
    mobile: list[str]  # normalised mobile, "" when absent or malformed
    mobile_index: list[bytes]
    email: list[str]
    email_index: list[bytes]
    bad: list[bool]  # a mobile or email was given but malformed (dropped, counted)


@dataclass(slots=True)
class Batch:
    """New customers and identities to write, column by column (appending to lists is the
    cheapest way to collect them, and lists of plain values are the cheapest to send to the
    helper). Personal values are normalised and not yet encrypted."""

    ids: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # stripped
    births: list[str] = field(default_factory=list)  # ISO dates or ""
    mobiles: list[str] = field(default_factory=list)  # normalised
    emails: list[str] = field(default_factory=list)  # normalised
    addresses: list[str] = field(default_factory=list)  # stripped
    notes: list[str] = field(default_factory=list)
    genders: list[str] = field(default_factory=list)  # female | male | ""
    provinces: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    mobile_index: list[bytes] = field(default_factory=list)
    email_index: list[bytes] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    # Identities: the customer's id, the platform, the buyer id and its blind index.
    owners: list[int] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    buyers: list[str] = field(default_factory=list)
    buyer_index: list[bytes] = field(default_factory=list)

    def plain(self) -> tuple[list[str], ...]:
        """What the ``seal`` job encrypts."""
        return (
            self.names,
            self.births,
            self.mobiles,
            self.emails,
            self.addresses,
            self.notes,
            self.buyers,
        )

    def rows(self, sealed: Sealed, now: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The database rows: customers in ``CUSTOMER_COLUMNS`` order, identities in
        ``IDENTITY_COLUMNS`` order (tuples made by ``zip``, in C)."""
        customers = list(
            zip(
                self.ids,
                self.keys,
                sealed.names,
                sealed.name_index,
                self.genders,
                sealed.births,
                sealed.mobiles,
                self.mobile_index,
                sealed.tail_index,
                sealed.emails,
                self.email_index,
                sealed.addresses,
                self.provinces,
                self.cities,
                sealed.notes,
                self.classes,
                repeat(now),
                repeat(now),
            )
        )
        identities = list(
            zip(self.owners, self.platforms, sealed.buyers, self.buyer_index, strict=True)
        )
        return customers, identities


@dataclass(frozen=True, slots=True)
class Sealed:
    """A batch's encrypted values (empty ones stay empty) and the indexes made from them."""

    names: list[str]
    births: list[str]
    mobiles: list[str]
    emails: list[str]
    addresses: list[str]
    notes: list[str]
    buyers: list[str]
    name_index: list[bytes]
    tail_index: list[bytes]


class Sealer:
    """Blind indexes and encryption with one cipher (repeated values hashed once)."""

    def __init__(self, cipher: FieldCipher) -> None:
        self._cipher = cipher
        self._memo: dict[str, bytes] = {}

    def _repeated(self, texts: list[str]) -> list[bytes]:
        memo = self._memo
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        missing = list({t for t in texts if t not in memo})
        memo.update(zip(missing, self._cipher.blind_indexes(missing), strict=True))
        return [memo[t] for t in texts]

    def index(
        self, platform: str, buyers: list[str], mobiles: list[str], emails: list[str]
    ) -> Indexed:
        """Buyer indexes, and phones and emails normalised (a malformed one dropped) and
        indexed, for one chunk of people."""
        cipher = self._cipher
        buyer = cipher.blind_indexes([f"buyer:{platform}:{b.strip()}" for b in buyers])
        clean_mobiles, clean_emails, bad = [], [], []
        for raw_mobile, raw_email in zip(mobiles, emails, strict=True):
            wrong = False
            mobile = email = ""
            if raw_mobile:
                try:
                    mobile = pii.normalise_mobile(raw_mobile)
                except pii.InvalidContactError:
                    wrong = True
            if raw_email:
                try:
                    email = pii.normalise_email(raw_email)
                except pii.InvalidContactError:
                    wrong = True
            clean_mobiles.append(mobile)
            clean_emails.append(email)
            bad.append(wrong)
        return Indexed(
            buyer,
            clean_mobiles,
            indexes(cipher, "mobile:", clean_mobiles),
            clean_emails,
            indexes(cipher, "email:", clean_emails),
            bad,
        )

    def seal(
        self,
        names: list[str],
        births: list[str],
        mobiles: list[str],
        emails: list[str],
        addresses: list[str],
        notes: list[str],
        buyers: list[str],
    ) -> Sealed:
        """Every value encrypted (an empty one stays empty), and the name and phone-tail
        indexes of the customers (``Batch.plain`` gives the arguments)."""
        columns = (names, births, mobiles, emails, addresses, notes, buyers)
        flat = [value for column in columns for value in column]
        filled = [i for i, value in enumerate(flat) if value]
        tokens = [""] * len(flat)
        for i, token in zip(
            filled, self._cipher.encrypt_many([flat[i] for i in filled]), strict=True
        ):
            tokens[i] = token
        cut = []
        start = 0
        for column in columns:
            cut.append(tokens[start : start + len(column)])
            start += len(column)
        return Sealed(
            names=cut[0],
            births=cut[1],
            mobiles=cut[2],
            emails=cut[3],
            addresses=cut[4],
            notes=cut[5],
            buyers=cut[6],
            name_index=_placed(names, self._repeated(["name:" + n for n in names if n])),
            tail_index=_placed(
                mobiles, self._repeated(["mobile-tail:" + m[-4:] for m in mobiles if m])
            ),
        )


def _placed(values: list[str], indexes: list[bytes]) -> list[bytes]:
    """``indexes`` (one per non-empty value) put back in place, b"" for empty values."""
    found = iter(indexes)
    return [next(found) if v else b"" for v in values]


def indexes(cipher: FieldCipher, prefix: str, values: list[str]) -> list[bytes]:
    """The blind index of ``prefix`` + each value, b"" for an empty value."""
    return _placed(values, cipher.blind_indexes([prefix + v for v in values if v]))


class Pending(Protocol):
    def result(self) -> Any: ...


class _Done:
    def __init__(self, value: Any) -> None:
        self._value = value

    def result(self) -> Any:
        return self._value


class InPlace:
    """The jobs run at once in this process."""

    def __init__(self, cipher: FieldCipher) -> None:
        self._sealer = Sealer(cipher)

    def submit(self, job: str, *args: Any) -> Pending:
        return _Done(getattr(self._sealer, job)(*args))

    def close(self) -> None:
        pass


class HelperError(RuntimeError):
    """The helper process failed or ended before answering."""


class _Answer:
    def __init__(self, helper: Helper, number: int) -> None:
        self._helper = helper
        self._number = number
        self._value: Any = None
        self._ready = False

    def result(self) -> Any:
        if not self._ready:
            self._value, self._ready = self._helper.answer(self._number), True
        return self._value


class Helper:
    """The jobs run in order in one helper process; ``submit`` returns at once."""

    def __init__(self, cipher: FieldCipher) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "guanxi.customers.sealing"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._to = self._process.stdin
        self._answers: queue.Queue[tuple[bool, Any] | None] = queue.Queue()
        self._sent = self._arrived = 0
        self._received: dict[int, tuple[bool, Any]] = {}  # answers not yet asked for
        self._reader = threading.Thread(
            target=_read_answers, args=(self._process.stdout, self._answers), daemon=True
        )
        self._reader.start()
        self._send(cipher)

    def _send(self, message: Any) -> None:
        data = pickle.dumps(message, protocol=5)
        try:
            self._to.write(_FRAME.pack(len(data)))
            self._to.write(data)
            self._to.flush()
        except (BrokenPipeError, ValueError) as exc:
            raise HelperError("the crypto helper process has ended") from exc

    def submit(self, job: str, *args: Any) -> Pending:
        self._send((job, args))
        self._sent += 1
        return _Answer(self, self._sent)

    def answer(self, number: int) -> Any:
        """The answer to the ``number``-th job (answers come back in the order sent)."""
        while number not in self._received:
            reply = self._answers.get()
            if reply is None:  # the helper's output ended
                self._answers.put(None)
                raise HelperError("the crypto helper process ended before answering")
            self._arrived += 1
            self._received[self._arrived] = reply
        ok, value = self._received.pop(number)
        if not ok:
            raise HelperError(value)
        return value

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._to.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=10)
        if self._process.stdout is not None:
            self._process.stdout.close()


def _read_frame(source: BinaryIO) -> bytes | None:
    head = source.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    (size,) = _FRAME.unpack(head)
    data = source.read(size)
    return data if len(data) == size else None


def _read_answers(source: BinaryIO, answers: queue.Queue[tuple[bool, Any] | None]) -> None:
    try:
        while (data := _read_frame(source)) is not None:
            answers.put(pickle.loads(data))
    finally:
        answers.put(None)  # the end, however it came


def start(cipher: FieldCipher, *, helper: bool) -> InPlace | Helper:
    return Helper(cipher) if helper else InPlace(cipher)


def _serve(source: BinaryIO, answer: BinaryIO, write: Callable[[bytes], Any]) -> None:
    first = _read_frame(source)
    if first is None:
        return
    sealer = Sealer(pickle.loads(first))
    while (data := _read_frame(source)) is not None:
        job, args = pickle.loads(data)
        try:
            if job not in ("index", "seal"):
                raise ValueError(f"unknown job {job!r}")
            reply: tuple[bool, Any] = (True, getattr(sealer, job)(*args))
        except Exception as exc:  # reported to the importing process, which raises it
            reply = (False, f"{type(exc).__name__} in the crypto helper's {job} job")
        out = pickle.dumps(reply, protocol=5)
        write(_FRAME.pack(len(out)) + out)
        answer.flush()


def main() -> None:
    # Ctrl-C reaches the whole process group: the importing process handles it, and this
    # helper ends when that process closes its input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by accident goes to stderr, not into the answers
    _serve(sys.stdin.buffer, answer, answer.write)


if __name__ == "__main__":
    # Run as the module's own name, so that what it pickles (Indexed, Sealed) is found
    # under that name by the importing process.
    from guanxi.customers import sealing

    sealing.main()
