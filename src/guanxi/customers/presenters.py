"""What the customer pages and the CSV export show: masked by default, plain only on reveal.

Masking happens here, after decryption and before any template sees a value, so a template
cannot print a plain phone by accident: it only ever receives the strings built below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core import pii
from guanxi.customers import selectors
from guanxi.customers.models import Customer

# The fields a reveal shows in plain text; also what the audit entry lists.
REVEALED_FIELDS = ("name", "mobile", "email", "address", "birth_date", "notes")

PLATFORM_LABELS = {
    "taobao": gettext_lazy("淘宝"),
    "tmall": gettext_lazy("天猫"),
    "jd": gettext_lazy("京东"),
    "pdd": gettext_lazy("拼多多"),
    "douyin": gettext_lazy("抖音"),
    "shopify": "Shopify",
    "amazon": "Amazon",
    "generic": gettext_lazy("通用格式"),
}
ORDER_STATUS_LABELS = {
    "created": gettext_lazy("待付款"),
    "paid": gettext_lazy("已付款"),
    "shipped": gettext_lazy("已发货"),
    "signed": gettext_lazy("已签收"),
    "closed": gettext_lazy("已关闭"),
    "refunded": gettext_lazy("已退款"),
}
REFUND_KIND_LABELS = {
    "refund_only": gettext_lazy("仅退款"),
    "return_refund": gettext_lazy("退货退款"),
    "exchange": gettext_lazy("换货"),
}
REFUND_STATUS_LABELS = {
    "processing": gettext_lazy("处理中"),
    "success": gettext_lazy("退款成功"),
    "closed": gettext_lazy("已关闭"),
}
SENDER_LABELS = {
    "customer": gettext_lazy("客户"),
    "agent": gettext_lazy("客服"),
    "system": gettext_lazy("系统"),
}
# Audit subjects name the kind of search, never the searched value (a phone, a name).
SEARCH_KIND_SUBJECTS = {
    "mobile": "search (mobile)",
    "mobile_tail": "search (mobile tail)",
    "email": "search (email)",
    "customer_key": "search (customer key)",
    "name_or_buyer": "search (name or buyer id)",
}


def _label(labels: dict[str, Any], value: str | None) -> str:
    return str(labels.get(value or "", value or ""))


def local_time(value: dt.datetime | None) -> str:
    """A UTC time from the lake in the shop's local time zone (settings.TIME_ZONE)."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def money(value: Decimal | None) -> str:
    return "" if value is None else f"¥{value:,.2f}"


# -- masking -----------------------------------------------------------------------------
def mask_birth_date(value: str) -> str:
    """1990-05-01 → 1990-**-**: the year is enough for age groups."""
    return f"{value[:4]}-**-**" if value else ""


def mask_buyer_id(value: str) -> str:
    """tb_zhang123 → t***3: enough to tell two accounts apart on screen."""
    if len(value) <= 2:
        return value[:1] + "*"
    return value[0] + "***" + value[-1]


def mask_notes(value: str) -> str:
    # Free text may hold anything (addresses, ID numbers): hidden entirely, not masked.
    return _("（已隐藏）") if value else ""


# -- list rows -----------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomerRow:
    customer_key: str
    name: str
    gender: str
    mobile: str
    email: str
    region: str
    customer_class: str
    class_label: str
    tags: list[str]


def customer_row(customer: Customer) -> CustomerRow:
    """One list row, always masked (the list has no reveal)."""
    return CustomerRow(
        customer_key=customer.customer_key,
        name=pii.mask_name(customer.name),
        gender=str(customer.get_gender_display()) if customer.gender else "",
        mobile=pii.mask_mobile(customer.mobile) if customer.mobile else "",
        email=pii.mask_email(customer.email) if customer.email else "",
        region=" ".join(p for p in (customer.province, customer.city) if p),
        customer_class=customer.customer_class,
        class_label=str(customer.get_customer_class_display()),
        # .all() reads the prefetch cache; sorted in Python to keep it a cache hit.
        tags=sorted(t.name for t in customer.tags.all()),
    )


# -- detail ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonalField:
    key: str
    label: str
    value: str


@dataclass(frozen=True)
class IdentityRow:
    platform: str
    buyer_id: str


def personal_fields(customer: Customer, *, reveal: bool) -> list[PersonalField]:
    def shown(plain: str, masked: str) -> str:
        return plain if reveal else masked

    c = customer
    return [
        PersonalField("name", _("姓名"), shown(c.name, pii.mask_name(c.name))),
        PersonalField("gender", _("性别"), str(c.get_gender_display()) if c.gender else ""),
        PersonalField(
            "birth_date", _("出生日期"), shown(c.birth_date, mask_birth_date(c.birth_date))
        ),
        PersonalField(
            "mobile", _("手机"), shown(c.mobile, pii.mask_mobile(c.mobile) if c.mobile else "")
        ),
        PersonalField(
            "email", _("邮箱"), shown(c.email, pii.mask_email(c.email) if c.email else "")
        ),
        PersonalField("region", _("省份/城市"), " ".join(p for p in (c.province, c.city) if p)),
        PersonalField("address", _("地址"), shown(c.address, pii.mask_address(c.address))),
        PersonalField("notes", _("备注"), shown(c.notes, mask_notes(c.notes))),
    ]


def identities(customer: Customer, *, reveal: bool) -> list[IdentityRow]:
    return [
        IdentityRow(
            platform=_label(PLATFORM_LABELS, i.platform),
            buyer_id=i.buyer_id if reveal else mask_buyer_id(i.buyer_id),
        )
        for i in sorted(customer.identities.all(), key=lambda i: (i.platform, i.pk))
    ]


EXPORT_COLUMNS = (
    ("customer_key", gettext_lazy("客户编号")),
    ("name", gettext_lazy("姓名")),
    ("gender", gettext_lazy("性别")),
    ("birth_date", gettext_lazy("出生日期")),
    ("mobile", gettext_lazy("手机")),
    ("email", gettext_lazy("邮箱")),
    ("province", gettext_lazy("省份")),
    ("city", gettext_lazy("城市")),
    ("address", gettext_lazy("地址")),
    ("customer_class", gettext_lazy("客户类别")),
    ("tags", gettext_lazy("标签")),
)


def export_header() -> list[str]:
    """Column titles in the active language."""
    return [str(label) for _key, label in EXPORT_COLUMNS]


def export_fields() -> str:
    return ",".join(key for key, _label in EXPORT_COLUMNS)


def export_row(customer: Customer, *, unmasked: bool) -> list[str]:
    c = customer
    if unmasked:
        name, birth, mobile, email, address = c.name, c.birth_date, c.mobile, c.email, c.address
    else:
        name = pii.mask_name(c.name)
        birth = mask_birth_date(c.birth_date)
        mobile = pii.mask_mobile(c.mobile) if c.mobile else ""
        email = pii.mask_email(c.email) if c.email else ""
        address = pii.mask_address(c.address)
    row = [
        c.customer_key,
        name,
        str(c.get_gender_display()) if c.gender else "",
        birth,
        mobile,
        email,
        c.province,
        c.city,
        address,
        str(c.get_customer_class_display()),
        " ".join(sorted(t.name for t in c.tags.all())),
    ]
    return row  # the export's writer (web.exports.safe) keeps formulas out


def search_fields() -> str:
    """The fields a search result shows (masked), for the audit log."""
    return "name,gender,mobile,email,province,city,customer_class,tags"


def search_subject(query: str, tag: str | None, customer_class: str | None) -> str:
    """What was searched, for the audit log: the kind of search and the filters, never the
    searched value (a phone, a name)."""
    parts = []
    kind = selectors.classify(query).kind
    if kind:
        parts.append(SEARCH_KIND_SUBJECTS[kind])
    if tag:
        parts.append(f"tag={tag}")
    if customer_class:
        parts.append(f"class={customer_class}")
    return "; ".join(parts)[:200]


def export_subject(query: str, tag: str | None, customer_class: str | None, unmasked: bool) -> str:
    """What was exported, for the audit log: filters by kind, never a searched value."""
    parts = []
    kind = selectors.classify(query).kind
    if kind:
        parts.append(SEARCH_KIND_SUBJECTS[kind])
    if tag:
        parts.append(f"tag={tag}")
    if customer_class:
        parts.append(f"class={customer_class}")
    parts.append("unmasked" if unmasked else "masked")
    subject = "; ".join(parts) if len(parts) > 1 else f"all customers; {parts[0]}"
    return subject[:200]
