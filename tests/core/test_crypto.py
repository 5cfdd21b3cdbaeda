from pathlib import Path

import pytest

from guanxi.core.config import read_or_create_secret
from guanxi.core.crypto import DecryptionError, FieldCipher


def test_round_trip_and_random_nonce() -> None:
    cipher = FieldCipher.from_secret(b"k" * 32)
    first, second = cipher.encrypt("13812341234"), cipher.encrypt("13812341234")
    assert first != second  # a fresh nonce each time: equal values do not look equal
    assert "13812341234" not in first
    assert cipher.decrypt(first) == cipher.decrypt(second) == "13812341234"


def test_bulk_encryption_gives_each_value_its_own_nonce() -> None:
    cipher = FieldCipher.from_secret(b"k" * 32)
    values = ["张三", "13812341234", "13812341234", "浙江省杭州市西湖区文三路1号"]
    tokens = cipher.encrypt_many(values)
    assert [cipher.decrypt(t) for t in tokens] == values
    assert tokens[1] != tokens[2]  # the same plaintext twice still looks different
    nonces = {t[:19] for t in tokens}  # "g1:" + the base64 of the 12-byte nonce's start
    assert len(nonces) == len(values)
    assert cipher.encrypt_many([]) == []


def test_blind_index_is_deterministic_and_keyed() -> None:
    one, other = FieldCipher.from_secret(b"a" * 32), FieldCipher.from_secret(b"b" * 32)
    assert one.blind_index("mobile:13812341234") == one.blind_index("mobile:13812341234")
    assert one.blind_index("mobile:13812341234") != other.blind_index("mobile:13812341234")
    assert len(one.blind_index("x")) == 16  # 128 bits, stored as binary


def test_wrong_key_or_tampering_is_detected() -> None:
    token = FieldCipher.from_secret(b"a" * 32).encrypt("张伟")
    with pytest.raises(DecryptionError, match="GUANXI_KEY_FILE"):
        FieldCipher.from_secret(b"b" * 32).decrypt(token)
    with pytest.raises(DecryptionError, match="not a Guanxi ciphertext"):
        FieldCipher.from_secret(b"a" * 32).decrypt("张伟")


def test_key_file_is_created_once_with_private_mode(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "field.key"
    first = read_or_create_secret(path)
    assert read_or_create_secret(path) == first
    assert path.stat().st_mode & 0o777 == 0o600
