"""Field encryption (AES-256-GCM) and blind indexes (HMAC-SHA256) for personal data.

One master secret in the key file; two sub-keys derived with HKDF so the index key can never
decrypt and the encryption key never indexes. Ciphertext text format: ``g1:<base64 nonce|ct>``.
"""

from __future__ import annotations

import base64
import functools
import hmac
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from guanxi.core.config import read_or_create_secret

PREFIX = "g1:"


class DecryptionError(Exception):
    """Ciphertext was altered or was written with another key file."""


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


@dataclass(frozen=True)
class FieldCipher:
    encryption_key: bytes
    index_key: bytes

    @classmethod
    def from_secret(cls, master: bytes) -> FieldCipher:
        return cls(
            encryption_key=_derive(master, b"guanxi field encryption v1"),
            index_key=_derive(master, b"guanxi blind index v1"),
        )

    @functools.cached_property
    def _aead(self) -> AESGCM:
        return AESGCM(self.encryption_key)

    def encrypt(self, plaintext: str) -> str:
        return self.encrypt_many([plaintext])[0]

    def encrypt_many(self, plaintexts: list[str]) -> list[str]:
        """``encrypt`` for a batch: one call for all the nonces, the same output format.

        Bulk imports seal millions of values; one ``urandom`` per value was a third of the
        cost. Each value still gets its own random 96-bit nonce.
        """
        nonces = os.urandom(12 * len(plaintexts))
        seal = self._aead.encrypt
        b64 = base64.b64encode
        out = []
        for i, text in enumerate(plaintexts):
            nonce = nonces[12 * i : 12 * i + 12]
            out.append(PREFIX + b64(nonce + seal(nonce, text.encode(), None)).decode("ascii"))
        return out

    def decrypt(self, token: str) -> str:
        if not token.startswith(PREFIX):
            raise DecryptionError("value is not a Guanxi ciphertext")
        raw = base64.b64decode(token[len(PREFIX) :])
        try:
            return self._aead.decrypt(raw[:12], raw[12:], None).decode()
        except InvalidTag as exc:
            raise DecryptionError(
                "ciphertext does not match the key file; was GUANXI_KEY_FILE changed?"
            ) from exc

    def blind_index(self, normalised: str) -> str:
        """Deterministic keyed hash of an already normalised value (hex, 64 chars)."""
        return hmac.digest(self.index_key, normalised.encode(), "sha256").hex()


_lock = threading.Lock()
_cipher: FieldCipher | None = None
_cipher_path: Path | None = None


def configure(key_file: Path) -> None:
    """Point the process-wide cipher at ``key_file`` (created on first use)."""
    global _cipher, _cipher_path
    with _lock:
        _cipher_path = key_file
        _cipher = None


def cipher() -> FieldCipher:
    global _cipher
    with _lock:
        if _cipher is None:
            if _cipher_path is None:
                raise RuntimeError("guanxi.core.crypto.configure() was not called")
            _cipher = FieldCipher.from_secret(read_or_create_secret(_cipher_path))
        return _cipher
