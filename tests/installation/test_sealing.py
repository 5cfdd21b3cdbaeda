"""The sealed stream a backup is written in: it opens only whole, in order, with its secret."""

from __future__ import annotations

import io
import os

import pytest

from guanxi.installation.sealing import (
    CHUNK,
    HEADER_SIZE,
    TAG,
    SealedReader,
    SealedWriter,
    SealError,
    Secret,
)

KEY = Secret(key=b"k" * 43)


def _seal(data: bytes, secret: Secret = KEY) -> bytes:
    raw = io.BytesIO()
    writer = SealedWriter(raw, secret)
    for start in range(0, len(data), 300_000):  # written in pieces, as tarfile does
        writer.write(data[start : start + 300_000])
    writer.close()
    return raw.getvalue()


def _open(sealed: bytes, secret: Secret = KEY) -> bytes:
    reader = SealedReader(io.BytesIO(sealed), secret)
    parts = []
    while piece := reader.read(100_000):
        parts.append(piece)
    return b"".join(parts)


@pytest.mark.parametrize("size", [0, 1, CHUNK, 2 * CHUNK, 2 * CHUNK + 12_345])
def test_what_is_sealed_opens_byte_for_byte(size: int) -> None:
    data = os.urandom(size)
    sealed = _seal(data)
    chunks = max(1, -(-size // CHUNK))
    assert len(sealed) == HEADER_SIZE + size + chunks * TAG
    assert _open(sealed) == data


def test_a_passphrase_seals_and_a_wrong_one_is_refused() -> None:
    sealed = _seal(b"the shop", Secret(passphrase="correct horse battery staple"))
    assert _open(sealed, Secret(passphrase="correct horse battery staple")) == b"the shop"
    with pytest.raises(SealError, match=r"^wrong passphrase or key"):
        _open(sealed, Secret(passphrase="correct horse battery stable"))
    with pytest.raises(SealError, match=r"^this backup was sealed with a passphrase$"):
        _open(sealed, KEY)


def test_a_file_cut_at_a_chunk_boundary_is_refused() -> None:
    sealed = _seal(os.urandom(2 * CHUNK + 10))
    cut = sealed[: HEADER_SIZE + 2 * (CHUNK + TAG)]  # two whole chunks, the last one gone
    with pytest.raises(SealError, match=r"^the backup is damaged or incomplete after 1 MiB$"):
        _open(cut)


def test_swapped_or_altered_chunks_are_refused() -> None:
    sealed = _seal(os.urandom(3 * CHUNK))
    one, two = HEADER_SIZE, HEADER_SIZE + CHUNK + TAG
    swapped = (
        sealed[:one]
        + sealed[two : two + CHUNK + TAG]
        + sealed[one:two]
        + sealed[two + CHUNK + TAG :]
    )
    with pytest.raises(SealError, match=r"^wrong passphrase or key"):
        _open(swapped)
    altered = bytearray(sealed)
    altered[two + 5] ^= 1
    with pytest.raises(SealError, match=r"^the backup is damaged or incomplete after 1 MiB$"):
        _open(bytes(altered))


def test_a_file_that_is_not_a_backup_is_named_so() -> None:
    with pytest.raises(SealError, match=r"^not a Guanxi backup file"):
        _open(b"PK\x03\x04 a zip file" + b"\0" * 100)
