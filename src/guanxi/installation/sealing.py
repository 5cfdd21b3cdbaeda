"""Sealed files: a byte stream encrypted with a passphrase or a key file (no Django here).

Format: a header (magic, format, how the key is derived, salt, nonce prefix) and then the
stream in 1 MiB chunks, each sealed with AES-256-GCM. A chunk's nonce is the prefix, its
number and a last-chunk flag, and the header is authenticated with every chunk, so a
reordered, truncated, extended or altered file fails to open instead of restoring a part.
A passphrase is stretched with scrypt (2^17, 8, 1: about 128 MB and half a second, to make
guessing slow); a key file holds 32 random bytes, expanded with HKDF.
"""

from __future__ import annotations

import os
import struct
import unicodedata
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"GUANXI-BACKUP\n"
FORMAT = 1
BY_PASSPHRASE = 1
BY_KEY_FILE = 2
CHUNK = 1 << 20
TAG = 16
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 17, 8, 1
_FIXED = struct.Struct(">BBBBB")  # format, kind, log2 n, r, p
HEADER_SIZE = len(MAGIC) + _FIXED.size + 16 + 7


class SealError(Exception):
    """The file is not a backup, or the passphrase/key is wrong, or the file was altered."""


class Secret:
    """What opens a sealed file: a passphrase, or the contents of a key file."""

    def __init__(self, *, passphrase: str | None = None, key: bytes | None = None) -> None:
        if (passphrase is None) == (key is None):
            raise ValueError("give a passphrase or a key, not both")
        self.passphrase = passphrase
        self.key = key

    @classmethod
    def from_key_file(cls, path: Path) -> Secret:
        key = path.read_bytes().strip()
        if len(key) < 32:
            raise SealError(f"{path}: too short to be a backup key (expected 43 characters)")
        return cls(key=key)

    @property
    def kind(self) -> int:
        return BY_PASSPHRASE if self.passphrase is not None else BY_KEY_FILE

    def derive(self, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
        if self.passphrase is not None:
            text = unicodedata.normalize("NFC", self.passphrase).encode("utf-8")
            return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(text)
        assert self.key is not None
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"guanxi backup v1")
        return hkdf.derive(self.key)


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", number, 1 if last else 0)


class SealedWriter:
    """A write-only file object: what is written reaches ``raw`` sealed, chunk by chunk.

    ``close()`` seals the last chunk; a writer that is never closed leaves a file that
    refuses to open (its last chunk is missing)."""

    def __init__(self, raw: BinaryIO, secret: Secret) -> None:
        salt, prefix = os.urandom(16), os.urandom(7)
        self._header = (
            MAGIC
            + _FIXED.pack(FORMAT, secret.kind, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
            + salt
            + prefix
        )
        self._aead = AESGCM(secret.derive(salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P))
        self._prefix = prefix
        self._raw = raw
        self._buffer = bytearray()
        self._number = 0
        raw.write(self._header)

    def _seal(self, data: bytes, *, last: bool) -> None:
        nonce = _nonce(self._prefix, self._number, last)
        self._raw.write(self._aead.encrypt(nonce, data, self._header))
        self._number += 1

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep one full chunk back: it may be the last
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def close(self) -> None:
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._raw.flush()


class SealedReader:
    """A read-only file object over a sealed stream; raises ``SealError`` on any tampering."""

    def __init__(self, raw: BinaryIO, secret: Secret) -> None:
        header = raw.read(HEADER_SIZE)
        if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
            raise SealError("not a Guanxi backup file (its first bytes are not a backup header)")
        fmt, kind, log2_n, r, p = _FIXED.unpack_from(header, len(MAGIC))
        if fmt != FORMAT:
            raise SealError(f"backup format {fmt} is newer than this Guanxi reads ({FORMAT})")
        if kind != secret.kind:
            wanted = "a passphrase" if kind == BY_PASSPHRASE else "a key file (--key-file)"
            raise SealError(f"this backup was sealed with {wanted}")
        if log2_n > 22 or r > 16 or p > 4:
            raise SealError("the backup header asks for an unreasonable key stretching")
        salt = header[len(MAGIC) + _FIXED.size : len(MAGIC) + _FIXED.size + 16]
        self._prefix = header[-7:]
        self._header = header
        self._aead = AESGCM(secret.derive(salt, log2_n, r, p))
        self._raw = raw
        self._number = 0
        self._pending = raw.read(CHUNK + TAG)
        self._plain = bytearray()
        self._done = False

    def _open_next(self) -> None:
        following = self._raw.read(CHUNK + TAG)
        last = not following
        nonce = _nonce(self._prefix, self._number, last)
        try:
            self._plain += self._aead.decrypt(nonce, self._pending, self._header)
        except InvalidTag:
            if self._number == 0:
                raise SealError(
                    "wrong passphrase or key (or the file's beginning was altered)"
                ) from None
            raise SealError(
                f"the backup is damaged or incomplete after {self._number} MiB"
            ) from None
        self._number += 1
        self._pending = following
        self._done = last

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._plain) < size):
            self._open_next()
        if size < 0:
            size = len(self._plain)
        data = bytes(self._plain[:size])
        del self._plain[:size]
        return data
