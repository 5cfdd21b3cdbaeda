"""Edits made on the customer profile: the master fields, the notes and the tags, each
change kept in ``CustomerChange`` with the old and new values *masked* (SPEC §1: updates
and validation; the clear values live only in the encrypted master).

Every field is checked before anything is written: one bad field refuses the whole edit
(``ProfileEditError`` names each field at fault), so an edit is never half-applied.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import pii
from guanxi.core.errors import UserInputError
from guanxi.customers import services
from guanxi.customers.models import Customer, CustomerChange, Gender, Tag
from guanxi.ingest.pii import KnownValues, mask_free_text

# The master fields the profile edits, in the form's order.
MASTER_FIELDS = ("name", "gender", "birth_date", "mobile", "email", "address", "province", "city")
MAX_LENGTH = {"name": 50, "address": 200, "province": 20, "city": 30, "notes": 2000}
TAG_LENGTH = 40
TAGS_MAX = 30
EARLIEST_BIRTH = dt.date(1900, 1, 1)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ProfileEditError(UserInputError):
    """An edit refused: ``errors`` maps each field at fault to what is wrong and how to fix
    it (nothing was written)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class FieldChange:
    field: str
    old_masked: str
    new_masked: str


# -- masking for the history --------------------------------------------------------------------
def _mask_birth_date(value: str) -> str:
    return f"{value[:4]}-**-**" if value else ""


def masked_value(field: str, value: str, known: KnownValues | None = None) -> str:
    """How ``value`` of ``field`` is kept in the change history: masked like the page masks
    it; gender, province and city are coarse, not personal, and kept as they are."""
    if not value:
        return ""
    if field == "name":
        return pii.mask_name(value)
    if field == "mobile":
        return pii.mask_mobile(value)
    if field == "email":
        return pii.mask_email(value)
    if field == "address":
        return pii.mask_address(value)
    if field == "birth_date":
        return _mask_birth_date(value)
    if field == "notes":
        return mask_free_text([value], known or KnownValues())[0][:200]
    return value[:200]


def _known(customer: Customer, extra: Mapping[str, str] = {}) -> KnownValues:
    """The customer's values, old and new, so masked notes hide either."""

    def both(field: str) -> tuple[str, ...]:
        values = (getattr(customer, field), extra.get(field, ""))
        return tuple(v for v in values if v)

    return KnownValues(
        names=both("name"),
        mobiles=both("mobile"),
        emails=both("email"),
        addresses=both("address"),
        accounts=tuple(i.buyer_id for i in customer.identities.all()),
    )


# -- validation ----------------------------------------------------------------------------------
def _clean_text(field: str, raw: object, errors: dict[str, str]) -> str:
    value = unicodedata.normalize("NFC", str(raw or "")).strip()
    limit = MAX_LENGTH[field]
    if len(value) > limit:
        errors[field] = _("最多 %(limit)d 个字符（现在 %(n)d 个），请缩短。") % {
            "limit": limit,
            "n": len(value),
        }
    return value


def _clean_birth_date(raw: object, errors: dict[str, str], today: dt.date) -> str:
    value = str(raw or "").strip()
    if not value:
        return ""
    if isinstance(raw, dt.date):
        day = raw
    else:
        try:
            if not _DATE.match(value):
                raise ValueError
            day = dt.date.fromisoformat(value)
        except ValueError:
            errors["birth_date"] = _("请按 年-月-日 填写一个存在的日期，例如 1990-05-17。")
            return value
    if not EARLIEST_BIRTH <= day <= today:
        errors["birth_date"] = _("出生日期须在 1900-01-01 与今天之间。")
    return day.isoformat()


def clean_master(values: Mapping[str, object], *, today: dt.date | None = None) -> dict[str, str]:
    """The master fields of ``values`` normalised as the master stores them (mobile as 11
    digits, email lower-case, dates ISO); ``ProfileEditError`` naming every bad field."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    unknown = sorted(set(values) - set(MASTER_FIELDS))
    for field in unknown:
        errors[field] = _("不是可编辑的字段；可编辑：%(fields)s。") % {
            "fields": ", ".join(MASTER_FIELDS)
        }
    clean: dict[str, str] = {}
    for field, raw in values.items():
        if field in unknown:
            continue
        if field in ("name", "address", "province", "city"):
            clean[field] = _clean_text(field, raw, errors)
        elif field == "gender":
            value = str(raw or "").strip()
            if value not in Gender.values:
                errors[field] = _("性别请选 女、男 或 未知。")
            clean[field] = value
        elif field == "birth_date":
            clean[field] = _clean_birth_date(raw, errors, today)
        elif field == "mobile":
            value = unicodedata.normalize("NFKC", str(raw or "")).strip()
            if value:
                try:
                    value = pii.normalise_mobile(value)
                except pii.InvalidContactError:
                    errors[field] = _(
                        "手机号须为 11 位大陆手机号码（1 开头，第二位 3–9），例如 13812345678。"
                    )
            clean[field] = value
        elif field == "email":
            value = unicodedata.normalize("NFKC", str(raw or "")).strip()
            if value:
                try:
                    value = pii.normalise_email(value)
                except pii.InvalidContactError:
                    errors[field] = _("邮箱格式不对，应像 name@example.com。")
            clean[field] = value
    if errors:
        raise ProfileEditError(errors)
    return clean


# -- writing -------------------------------------------------------------------------------------
def _record(customer: Customer, changes: Sequence[FieldChange], user: str) -> None:
    CustomerChange.objects.bulk_create(
        [
            CustomerChange(
                customer=customer,
                field=c.field,
                old_masked=c.old_masked,
                new_masked=c.new_masked,
                changed_by=user,
            )
            for c in changes
        ]
    )


def customer_update(
    customer: Customer, values: Mapping[str, object], *, user: str
) -> list[FieldChange]:
    """Change master fields of ``customer`` (only those given; ``""`` empties one): check
    them all, then write the encrypted values, their blind indexes and one history row per
    changed field, in one transaction. Returns the changes (masked)."""
    clean = clean_master(values)
    changed = {f: v for f, v in clean.items() if getattr(customer, f) != v}
    if not changed:
        return []
    known = _known(customer, changed)
    history = [
        FieldChange(f, masked_value(f, getattr(customer, f), known), masked_value(f, v, known))
        for f, v in changed.items()
    ]
    for field, value in changed.items():
        setattr(customer, field, value)
    update = list(changed)
    if "name" in changed:
        customer.name_index = services.name_index(customer.name)
        update.append("name_index")
    if "mobile" in changed:
        customer.mobile_index = services.mobile_index(customer.mobile)
        customer.mobile_tail_index = services.mobile_tail_index(customer.mobile)
        update += ["mobile_index", "mobile_tail_index"]
    if "email" in changed:
        customer.email_index = services.email_index(customer.email)
        update.append("email_index")
    with transaction.atomic():
        customer.save(update_fields=[*update, "updated_at"])
        _record(customer, history, user)
    return history


def notes_update(customer: Customer, notes: object, *, user: str) -> FieldChange | None:
    """Replace the customer's notes (personal free text, encrypted); the history keeps them
    masked (known values and phone/ID/e-mail patterns)."""
    errors: dict[str, str] = {}
    value = _clean_text("notes", notes, errors)
    if errors:
        raise ProfileEditError(errors)
    if value == customer.notes:
        return None
    known = _known(customer)
    change = FieldChange(
        "notes", masked_value("notes", customer.notes, known), masked_value("notes", value, known)
    )
    customer.notes = value
    with transaction.atomic():
        customer.save(update_fields=["notes", "updated_at"])
        _record(customer, [change], user)
    return change


def parse_tags(raw: object) -> list[str]:
    """Tags typed in one box, separated by commas (either width), 、 or spaces."""
    parts = re.split(r"[,，、;；\s]+", str(raw or ""))
    seen: dict[str, None] = {}
    for part in parts:
        name = unicodedata.normalize("NFC", part).strip()
        if name:
            seen.setdefault(name, None)
    return list(seen)


def tags_set(customer: Customer, names: Sequence[str], *, user: str) -> FieldChange | None:
    """Give the customer exactly ``names`` as tags (new tags are created); one history row."""
    errors: dict[str, str] = {}
    too_long = [n for n in names if len(n) > TAG_LENGTH]
    if too_long:
        errors["tags"] = _("标签最多 %(limit)d 个字符：%(tags)s。") % {
            "limit": TAG_LENGTH,
            "tags": "、".join(too_long),
        }
    if len(names) > TAGS_MAX:
        errors["tags"] = _("一位客户最多 %(limit)d 个标签。") % {"limit": TAGS_MAX}
    if errors:
        raise ProfileEditError(errors)
    old = sorted(t.name for t in customer.tags.all())
    new = sorted(set(names))
    if old == new:
        return None
    with transaction.atomic():
        Tag.objects.bulk_create([Tag(name=n) for n in new], ignore_conflicts=True)
        customer.tags.set(Tag.objects.filter(name__in=new))
        change = FieldChange("tags", "、".join(old), "、".join(new))
        _record(customer, [change], user)
    return change
