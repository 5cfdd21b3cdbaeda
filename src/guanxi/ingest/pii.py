"""Personal information in free text (chat messages, reviews) is masked before storage.

Customers type their phone or ID-card number into chats ("发我手机 13812345678"); the lake
must not keep them. Numbers are recognised with ASCII or full-width digits and with spaces
or dashes between groups, and only as whole numbers (not inside a longer digit run such as
an order id). Phones keep their first three and last four digits (138****5678) and ID-card
numbers their region and check digits, as the platforms show them.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

_D = "[0-9０-９]"
_NOT_D = "[^0-9０-９]"
_SEP = r"[\s\-－]?"
_MOBILE = f"(^|{_NOT_D})([1１][3-9３-９]{_D}){_SEP}(?:{_D}{_SEP}){{4}}({_D}{{4}})({_NOT_D}|$)"
_ID_CARD = (
    f"(^|[^0-9０-９A-Za-z])({_D}{{6}})(?:{_D}{{8}})({_D}{{3}}[0-9０-９XxＸｘ])([^0-9０-９A-Za-z]|$)"
)


def mask_text(values: pa.Array) -> pa.Array:
    """Mask mobile and ID-card numbers inside free text."""
    values = values.cast(pa.string())
    # Twice: a match consumes the character after it, which may start the next number.
    for _ in range(2):
        values = pc.replace_substring_regex(
            values, pattern=_ID_CARD, replacement=r"\1\2********\3\4"
        )
        values = pc.replace_substring_regex(values, pattern=_MOBILE, replacement=r"\1\2****\3\4")
    return values
