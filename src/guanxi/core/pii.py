"""Normalising and masking personal information (phones, emails, names, addresses)."""

from __future__ import annotations

import functools
import re

_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９＋"}
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidContactError(ValueError):
    """A phone or email that cannot be normalised; the message says why."""


def normalise_mobile(value: str) -> str:
    """Return the 11-digit mainland mobile number, dropping spaces, dashes and +86."""
    if _MOBILE.match(value):  # already normal: the common case, and imports ask twice
        return value
    digits = value.translate(_FULLWIDTH)
    digits = re.sub(r"[\s\-()（）]", "", digits)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not _MOBILE.match(digits):
        raise InvalidContactError(
            f"{value!r} is not a mainland mobile number: expected 11 digits starting with 13–19"
        )
    return digits


def normalise_email(value: str) -> str:
    email = value.strip().replace("＠", "@").lower()
    if not _EMAIL.match(email):
        raise InvalidContactError(f"{value!r} is not an email address like name@example.com")
    return email


def mask_mobile(mobile: str) -> str:
    """138****1234."""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return mobile[:3] + "****" + mobile[-4:]


def mask_email(email: str) -> str:
    """z***@example.com."""
    local, _, domain = email.partition("@")
    if not domain:
        return "***"
    return (local[:1] or "*") + "***@" + domain


def mask_name(name: str) -> str:
    """张*, 欧阳** — the family name only (two characters for 复姓 such as 欧阳)."""
    if not name:
        return ""
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)


def mask_address(address: str) -> str:
    """Keep province and city (up to the first 市 or 州), hide the street."""
    for marker in ("市", "州", "盟"):
        cut = address.find(marker)
        if 0 <= cut < 12:
            return address[: cut + 1] + "****"
    return address[:3] + "****" if address else ""


_PROVINCE = re.compile(
    r"^(?:[^省市区]{2,7}?(?:省|自治区|特别行政区)|北京市?|上海市?|天津市?|重庆市?)"
)
_CITY = re.compile(r"^(?:.{1,10}?(?:市|自治州|地区|盟)|.{1,6}?州)")
_MUNICIPALITIES = ("北京", "上海", "天津", "重庆")


@functools.lru_cache(maxsize=65_536)  # imports ask for the same few addresses again and again
def region_of(address: str) -> tuple[str, str]:
    """(province, city) at the start of a mainland address, '' where not recognisable.

    浙江省杭州市西湖区… → (浙江省, 杭州市); 上海市浦东新区… → (上海市, 上海市): for the four
    municipalities the city is the municipality itself.
    """
    text = address.strip().replace(" ", "")
    match = _PROVINCE.match(text)
    if not match:
        return "", ""
    province = match.group(0)
    for name in _MUNICIPALITIES:
        if province.startswith(name):
            return name + "市", name + "市"
    city = _CITY.match(text[len(province) :])
    return province, city.group(0) if city else ""
