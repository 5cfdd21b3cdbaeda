"""Personal information in free text (chat messages, reviews, refund reasons) is masked.

Two passes, the same at import (before storage) and on display (for roles that may not
reveal personal data, and for text stored before a rule existed):

1. **What the master knows** about the text's customer: their name, phones, e-mails,
   addresses and platform accounts, matched exactly and in spaced or full-width spellings
   ("欧 阳 娜 娜", "１３９８７６５４３２１", "TB_Zhang"). An address is matched from its street
   part on (西湖区文三路 88 号), so the province and city stay readable (浙江省杭州市****).
2. **Patterns**: mainland mobiles (with +86/0086, spaces, dashes or dots between digits),
   ID-card numbers (18 digits with a real birth date), e-mail addresses, and street
   addresses (…路 12 号 3 单元). Numbers are recognised only as whole numbers, never inside
   a longer digit run such as an order id, and prices never match.

Phones keep their first three and last four digits (138****5678), ID cards their region and
check digits, e-mails their first letter and domain, as the platforms show them. The patterns
are written for both engines: RE2 (Arrow, at import) and Python's ``re`` (on display).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from guanxi.core import pii

if TYPE_CHECKING:
    import pyarrow as pa

_D = "[0-9０-９]"
_NOT_D = "[^0-9０-９]"
_GAP = "[ \t\u3000\\-－.．·]{0,2}"  # between a phone's digits: spaces, dashes, dots
_PREFIX = f"(?:(?:[+＋]|00|００)?(?:86|８６){_GAP})?"
_MOBILE = (
    f"(^|{_NOT_D})({_PREFIX}[1１][3-9３-９]{_D})(?:{_GAP}{_D}){{4}}{_GAP}"
    f"({_D}(?:{_GAP}{_D}){{3}})({_NOT_D}|$)"
)
_BIRTH = "(?:(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])|[０-９]{8})"
_ID_CARD = (
    f"(^|[^0-9０-９A-Za-z])({_D}{{6}}) ?{_BIRTH} ?({_D}{{3}}[0-9０-９XxＸｘ])([^0-9０-９A-Za-z]|$)"
)
_EMAIL = "([A-Za-z0-9])[A-Za-z0-9._%+\\-]*([@＠][A-Za-z0-9\\-]+(?:[.．][A-Za-z0-9\\-]+)+)"
_NUMBER = "[0-9０-９一二三四五六七八九十百零]+"
# A street address from the district or road on; the province and city before it stay, and
# so do the words that lead up to an address (寄到, 住在, 地址), which no road name starts with.
_LEAD_IN = "到在寄送往址的"
_ROAD = "(?:路|街|大道|巷|弄|胡同)"
_UNIT = "(?:号楼|栋|幢|楼|单元|室|层|座|号)"
_STREET = (
    f"[^ \t\u3000省市州，。,.!！?？：:；;、{_LEAD_IN}]{{1,12}}?{_ROAD}[ \u3000]*{_NUMBER}"
    f"[ \u3000]*(?:号|弄)(?:[ \u3000]*[0-9０-９A-Za-z#\\-－]+[ \u3000]*{_UNIT})*"
)

# (pattern, replacement) in the order they run; a replacement's \N is the pattern's group N.
PATTERNS: tuple[tuple[str, str], ...] = (
    (_ID_CARD, r"\1\2********\3\4"),
    (_MOBILE, r"\1\2****\3\4"),
    (_EMAIL, r"\1***\2"),
    (_STREET, "****"),
)
_COMPILED = tuple((re.compile(p), r) for p, r in PATTERNS)


def mask_text(values: pa.Array) -> pa.Array:
    """Mask phones, ID cards, e-mails and street addresses inside free text (Arrow, RE2)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = values.cast(pa.string())
    # Twice: a match consumes the character after it, which may start the next number.
    for _ in range(2):
        for pattern, replacement in PATTERNS:
            values = pc.replace_substring_regex(values, pattern=pattern, replacement=replacement)
    return values


def mask_patterns(text: str) -> str:
    """``mask_text`` for one string (Python's ``re``): what the display uses."""
    for _ in range(2):
        for pattern, replacement in _COMPILED:
            text = pattern.sub(replacement, text)
    return text


# -- what the master knows ------------------------------------------------------------------
_WIDE = {ord(c): ord(c) - 0xFEE0 for c in map(chr, range(0xFF01, 0xFF5F))}
_SPACE = " \t\n\u3000-－.．·"  # dropped when values are compared: how people space them


def _fold_char(char: str) -> str:
    """One character as compared: full-width to ASCII, lower case, '' for a space or dash."""
    if char in _SPACE:
        return ""
    folded = char.translate(_WIDE).lower()
    return folded if len(folded) == 1 else char


def fold(text: str) -> str:
    """Full-width to ASCII, spaces/dashes/dots dropped, lower case: how values are compared."""
    return "".join(_fold_char(c) for c in text)


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each of its characters, where it stands in ``text``."""
    wide_folded = text.translate(_WIDE).lower()
    if len(wide_folded) == len(text):  # the common case: one character for one
        where = [i for i, c in enumerate(wide_folded) if c not in _SPACE]
        return "".join(wide_folded[i] for i in where), where
    chars: list[str] = []
    where = []
    for index, char in enumerate(text):
        if folded := _fold_char(char):
            chars.append(folded)
            where.append(index)
    return "".join(chars), where


def _is_word(char: str) -> bool:
    folded = _fold_char(char)
    return folded.isascii() and folded.isalnum()


# The same folding in DuckDB SQL, for ``facts``: which rows hold a known value at all.
FOLD_SQL_FROM = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
FOLD_SQL_TO = "".join(chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F))
FOLD_SQL_DROP = "[\u3000－.．·\\s\\-]"


@dataclass(frozen=True)
class KnownValues:
    """What the customer master holds about one customer, in plain text."""

    names: tuple[str, ...] = ()
    mobiles: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One known value, folded (``needle``), and what replaces it."""

    needle: str
    replacement: str


def _street_of(address: str) -> tuple[str, str]:
    """(what stays, what is masked): the province and city stay, the street part is masked."""
    text = address.strip()
    province, city = pii.region_of(text)
    kept = province + (city if city != province else "")
    compact = text.replace(" ", "")
    if not compact.startswith(kept):
        kept = province if compact.startswith(province) else ""
    cut = seen = 0
    while seen < len(kept):  # skip as many non-space characters in the original spelling
        seen += text[cut] != " "
        cut += 1
    return text[:cut], text[cut:]


def _buyer_mask(value: str) -> str:
    return value[:1] + "*" if len(value) <= 2 else value[0] + "***" + value[-1]


def rules_for(known: KnownValues) -> list[Rule]:
    """The rules that mask ``known``'s values, longest first (an address before a name in it)."""
    candidates: list[tuple[str, str]] = []
    for name in known.names:
        if len(fold(name)) >= 2:  # a one-character "name" would mask ordinary words
            candidates.append((name, pii.mask_name(name.replace(" ", ""))))
    for mobile in known.mobiles:
        if len(fold(mobile)) >= 7:
            candidates.append((mobile, pii.mask_mobile(fold(mobile))))
    for email in known.emails:
        if email:
            candidates.append((email, pii.mask_email(email)))
    for address in known.addresses:
        _kept, street = _street_of(address)
        if len(fold(street)) >= 4:
            candidates.append((street, "****"))
        elif len(fold(address)) >= 4:
            candidates.append((address, "****"))
    for account in known.accounts:
        if len(fold(account)) >= 3:
            candidates.append((account, _buyer_mask(account)))
    rules = {fold(value): Rule(fold(value), replacement) for value, replacement in candidates}
    return sorted(rules.values(), key=lambda r: -len(r.needle))


def mask_known(text: str, rules: Sequence[Rule]) -> str:
    """Replace every value of ``rules`` in ``text``, however spaced and in either width.

    The search runs on the folded text (plain substring search, no pattern per value: an
    import holds rules for every customer of the file); each hit is mapped back to its
    span in the text as written, longest values first, overlapping hits skipped."""
    folded, where = _folded_with_positions(text)
    spans: list[tuple[int, int, str]] = []
    for rule in rules:
        start = folded.find(rule.needle)
        while start >= 0:
            end = start + len(rule.needle)
            first, last = where[start], where[end - 1] + 1
            # A number or account matches only whole, never inside an order id.
            inside_word = (
                _is_word(rule.needle[0]) and first > 0 and _is_word(text[first - 1])
            ) or (_is_word(rule.needle[-1]) and last < len(text) and _is_word(text[last]))
            overlaps = any(first < b and a < last for a, b, _r in spans)
            if not inside_word and not overlaps:
                spans.append((first, last, rule.replacement))
            start = folded.find(rule.needle, start + 1)
    for first, last, replacement in sorted(spans, reverse=True):
        text = text[:first] + replacement + text[last:]
    return text


def mask_free_text(texts: Iterable[str], known: KnownValues) -> list[str]:
    """Both passes over a page's texts: the customer's known values, then the patterns."""
    rules = rules_for(known)
    return [mask_patterns(mask_known(t, rules)) if t else t for t in texts]
