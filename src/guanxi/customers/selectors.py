"""Reads for the customer pages: blind-index search in the master, facts from the lake.

Personal fields are encrypted, so SQL cannot LIKE-search them. A query is instead classified
(full mobile, 尾号, email, customer key, otherwise name or buyer account), normalised the way
the value was normalised when stored, and looked up through the matching blind index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from guanxi import lake
from guanxi.accounts.models import Agent
from guanxi.core import pii
from guanxi.core.models import AuditEntry
from guanxi.customers import services
from guanxi.customers.models import Customer, PlatformIdentity, Tag
from guanxi.ingest.pii import KnownValues

if TYPE_CHECKING:
    import ibis

PAGE_SIZE = 50
# The platforms a buyer id may belong to; mirrors guanxi.imports.services.PLATFORMS (a test
# keeps the two equal). Not imported: imports depend on customers, not the other way round.
PLATFORMS = ("taobao", "tmall", "jd", "pdd", "douyin", "shopify", "amazon", "generic")

_KEY = re.compile(r"c[0-9a-f]{16}")
_TAIL = re.compile(r"\d{4}")


# -- search ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchQuery:
    """How a search box entry is looked up. ``kind`` names the index, never the value."""

    kind: str  # "", "mobile", "mobile_tail", "email", "customer_key", "name_or_buyer"
    value: str  # normalised value (personal data: do not log or audit it)


def classify(query: str) -> SearchQuery:
    """Decide which blind index ``query`` goes to, normalised as stored values are."""
    raw = query.strip()
    if not raw:
        return SearchQuery("", "")
    # NFKC folds full-width digits, ＋ and ＠ (typed with a Chinese IME) to ASCII.
    folded = unicodedata.normalize("NFKC", raw)
    try:
        return SearchQuery("mobile", pii.normalise_mobile(folded))
    except pii.InvalidContactError:
        pass
    compact = re.sub(r"[\s\-]", "", folded)
    if _TAIL.fullmatch(compact):
        return SearchQuery("mobile_tail", compact)
    if "@" in folded:
        try:
            return SearchQuery("email", pii.normalise_email(folded))
        except pii.InvalidContactError:
            # Not a valid address: still look it up (lower-cased), it simply finds nobody.
            return SearchQuery("email", folded.strip().lower())
    if _KEY.fullmatch(folded.lower()):
        return SearchQuery("customer_key", folded.lower())
    # Names and buyer ids are indexed as stored (only stripped): no folding here.
    return SearchQuery("name_or_buyer", raw)


def _search_filter(search: SearchQuery) -> Q:
    if search.kind == "mobile":
        return Q(mobile_index=services.mobile_index(search.value))
    if search.kind == "mobile_tail":
        return Q(mobile_tail_index=services.mobile_tail_index(search.value))
    if search.kind == "email":
        return Q(email_index=services.email_index(search.value))
    if search.kind == "customer_key":
        return Q(customer_key=search.value)
    # A buyer id is indexed per platform; the query does not say which, so try them all.
    # A subquery (not a join) so a customer with two matching identities appears once.
    buyer_indexes = [services.buyer_index(p, search.value) for p in PLATFORMS]
    by_buyer = PlatformIdentity.objects.filter(buyer_id_index__in=buyer_indexes).values(
        "customer_id"
    )
    return Q(name_index=services.name_index(search.value)) | Q(id__in=by_buyer)


def _tag_filter(tag: Tag | int | str) -> Q:
    """Customers carrying ``tag``: a Tag, its id, or its name (a digit string may be either)."""
    if isinstance(tag, Tag):
        tags = Tag.objects.filter(pk=tag.pk)
    elif isinstance(tag, int):
        tags = Tag.objects.filter(pk=tag)
    else:
        match = Q(name=tag)
        if tag.isdigit():
            match |= Q(pk=int(tag))
        tags = Tag.objects.filter(match)
    holders = Customer.tags.through.objects.filter(tag__in=tags).values("customer_id")
    return Q(id__in=holders)


def customer_search(
    query: str = "",
    tag: Tag | int | str | None = None,
    customer_class: str | None = None,
    *,
    rfm_group: str = "",
    r_score: int | None = None,
    f_score: int | None = None,
) -> QuerySet[Customer]:
    """Customers matching the search box and filters, tags and identities prefetched.

    Records merged into another customer are left out: the survivor stands for them.
    ``rfm_group``, ``r_score`` and ``f_score`` (the RFM explorer's click-through) read the
    standing of the last recompute.
    """
    customers = Customer.objects.filter(merged_into__isnull=True)
    search = classify(query)
    if search.kind:
        customers = customers.filter(_search_filter(search))
    if tag not in (None, ""):
        assert tag is not None
        customers = customers.filter(_tag_filter(tag))
    if customer_class:
        customers = customers.filter(customer_class=customer_class)
    if rfm_group:
        customers = customers.filter(standing__rfm_group=rfm_group)
    if r_score is not None:
        customers = customers.filter(standing__r_score=r_score)
    if f_score is not None:
        customers = customers.filter(standing__f_score=f_score)
    return customers.order_by("customer_key").prefetch_related("tags", "identities")


def customer_page(customers: QuerySet[Customer], number: Any) -> Page[Customer]:
    """One page of ``customers``; a missing or out-of-range page number gives the nearest."""
    return Paginator(customers, PAGE_SIZE).get_page(number)


def customer_get(customer_key: str) -> Customer | None:
    return (
        Customer.objects.prefetch_related("tags", "identities")
        .filter(customer_key=customer_key)
        .first()
    )


KNOWN_CHUNK = 2000  # customers decrypted per query


def known_values(customer_keys: Iterable[str]) -> dict[str, KnownValues]:
    """customer_key → the personal values the master holds (plain), for masking free text.

    A record merged into another lends its values to the survivor: the same person may
    write the old phone. Personal data: never log or store what this returns."""
    wanted = sorted({k for k in customer_keys if k})
    found: dict[str, KnownValues] = {}
    for start in range(0, len(wanted), KNOWN_CHUNK):
        chunk = wanted[start : start + KNOWN_CHUNK]
        # Two indexed look-ups, not one OR across the merge join: SQLite answers the OR by
        # scanning every customer (0.7 s per call on 300,000 customers).
        owners = list(Customer.objects.filter(customer_key__in=chunk).only("pk"))
        records = Customer.objects.filter(
            Q(pk__in=[o.pk for o in owners]) | Q(merged_into__in=[o.pk for o in owners])
        ).prefetch_related("identities")
        people: dict[str, list[Customer]] = {}
        for record in records.select_related("merged_into"):
            owner = record.customer_key if record.customer_key in chunk else None
            if owner is None and record.merged_into is not None:
                owner = record.merged_into.customer_key
            if owner is not None:
                people.setdefault(owner, []).append(record)
        for key, records_of in people.items():
            found[key] = KnownValues(
                names=tuple(r.name for r in records_of if r.name),
                mobiles=tuple(r.mobile for r in records_of if r.mobile),
                emails=tuple(r.email for r in records_of if r.email),
                addresses=tuple(r.address for r in records_of if r.address),
                accounts=tuple(i.buyer_id for r in records_of for i in r.identities.all()),
            )
    return found


def tag_names() -> list[str]:
    return list(Tag.objects.values_list("name", flat=True))


def audit_page(number: Any) -> Page[AuditEntry]:
    return Paginator(AuditEntry.objects.all(), PAGE_SIZE).get_page(number)


# -- facts from the lake -------------------------------------------------------------------
def _of(name: str, customer_key: str) -> ibis.Table | None:
    """Rows of lake table ``name`` for the customer, or None while the table does not exist
    (a new installation that has imported no refunds yet, say)."""
    shop = lake.get()
    if not shop.exists(name):
        return None
    table = shop.table(name)
    return table.filter(table.customer_key == customer_key)


def agent_served(agent_id: str, customer_key: str) -> bool:
    """Whether ``agent_id`` sent a message in any session of ``customer_key``."""
    rows = _of("chat_messages", customer_key)
    if rows is None or not agent_id:
        return False
    mine = rows.filter((rows.sender == "agent") & (rows.agent_id == agent_id)).limit(1)
    return lake.get().arrow(mine.select("message_id")).num_rows > 0


def agent_names(agent_ids: Iterable[str]) -> dict[str, str]:
    """Roster names of the agents in a chat (agent_id → name), one query."""
    wanted = {a for a in agent_ids if a}
    if not wanted:
        return {}
    return dict(Agent.objects.filter(agent_id__in=wanted).values_list("agent_id", "name"))
