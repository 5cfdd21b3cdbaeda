"""EncryptedTextField: a Django field whose value is AES-GCM encrypted at rest."""

from __future__ import annotations

from typing import Any

from django.db import models

from guanxi.core.crypto import cipher


class EncryptedTextField(models.TextField):
    """Stores ``g1:`` ciphertext; Python code sees the plain string.

    Encrypted values cannot be filtered or ordered in SQL: search through a blind index
    column instead. Empty strings are stored as empty so "not given" stays cheap to test.
    """

    description = "Text encrypted with the installation's field key"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return cipher().decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return cipher().encrypt(str(value))
