"""Blind indexes become 16-byte binary keys (the first 128 bits of the same HMAC-SHA256)
instead of 64 hex characters: a quarter of the size in every index the database keeps and
updates, which is what bulk imports spend their time on.

The existing keys are converted in place (the first 32 hex characters are the 16 bytes), so
every lookup by phone, email, name or buyer id finds what it found before. Going back
recomputes the full hex keys from the decrypted values (the dropped half cannot be
restored otherwise), so it needs the field key file.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.db import migrations, models

CUSTOMER_INDEXES = ("name_index", "mobile_index", "mobile_tail_index", "email_index")
IDENTITY_INDEXES = ("buyer_id_index",)
TABLES = (
    ("customers_customer", CUSTOMER_INDEXES),
    ("customers_platformidentity", IDENTITY_INDEXES),
)
INDEX_BYTES = 16


def _binary(value: Any) -> bytes:
    """A stored key, hex text (or its ASCII bytes after PostgreSQL's cast), as 16 bytes."""
    if value is None:
        return b""
    if isinstance(value, memoryview | bytes | bytearray):
        value = bytes(value).decode("ascii")
    return bytes.fromhex(value)[:INDEX_BYTES]


def to_binary(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table, columns in TABLES:
                for column in columns:
                    # The column was cast from text: its bytes are the hex digits.
                    cursor.execute(
                        f'UPDATE {table} SET "{column}" = substring(decode(convert_from('
                        f"\"{column}\", 'SQL_ASCII'), 'hex') from 1 for {INDEX_BYTES})"
                    )
            return
        if connection.vendor == "sqlite":
            connection.connection.create_function("guanxi_index_bytes", 1, _binary)
            for table, columns in TABLES:
                for column in columns:
                    cursor.execute(
                        f'UPDATE {table} SET "{column}" = guanxi_index_bytes("{column}") '
                        f"WHERE typeof(\"{column}\") = 'text'"
                    )
            return
        for table, columns in TABLES:  # any other database: row by row
            for column in columns:
                cursor.execute(f'SELECT id, "{column}" FROM {table}')
                rows = [(_binary(value), pk) for pk, value in cursor.fetchall()]
                cursor.executemany(f'UPDATE {table} SET "{column}" = %s WHERE id = %s', rows)


def to_hex(apps: Any, schema_editor: Any) -> None:
    """Back to the full 64-character keys, recomputed from the decrypted values."""
    from guanxi.core import crypto

    key = crypto.cipher().index_key

    def full(text: str) -> str:
        return hmac.digest(key, text.encode(), "sha256").hex()

    Customer = apps.get_model("customers", "Customer")
    Identity = apps.get_model("customers", "PlatformIdentity")
    for customer in Customer.objects.all():
        name, mobile, email = customer.name.strip(), customer.mobile, customer.email
        Customer.objects.filter(pk=customer.pk).update(
            name_index=full("name:" + name) if name else "",
            mobile_index=full("mobile:" + mobile) if mobile else "",
            mobile_tail_index=full("mobile-tail:" + mobile[-4:]) if mobile else "",
            email_index=full("email:" + email) if email else "",
        )
    for identity in Identity.objects.all():
        Identity.objects.filter(pk=identity.pk).update(
            buyer_id_index=full(f"buyer:{identity.platform}:{identity.buyer_id.strip()}")
        )


def _clear(apps: Any, schema_editor: Any) -> None:
    """Going back, before the columns become text again: distinct placeholders instead of
    the binary keys (``to_hex`` then writes the real ones)."""
    Customer = apps.get_model("customers", "Customer")
    Identity = apps.get_model("customers", "PlatformIdentity")
    Customer.objects.update(**dict.fromkeys(CUSTOMER_INDEXES, b""))
    for pk in Identity.objects.values_list("pk", flat=True):
        Identity.objects.filter(pk=pk).update(buyer_id_index=pk.to_bytes(8, "big"))


def _binary_field(**kwargs: Any) -> models.BinaryField:
    return models.BinaryField(max_length=INDEX_BYTES, **kwargs)


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_audit_log_to_core")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, to_hex),
        *[
            migrations.AlterField(
                model_name="customer",
                name=name,
                field=_binary_field(blank=True, default=b"", db_index=True),
            )
            for name in CUSTOMER_INDEXES
        ],
        migrations.AlterField(
            model_name="platformidentity", name="buyer_id_index", field=_binary_field()
        ),
        migrations.RunPython(to_binary, _clear),
    ]
