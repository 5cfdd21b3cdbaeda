"""Recompute every customer's standing (SPEC §1, §7, §9): the facts, the rules' class and
its reason, RFM and loyalty, counted over the lake by ``metrics.customers`` and kept in
``CustomerStanding`` so the profile, the explorer and the segments read one row per customer.

``recompute`` runs after every import (the background task), on demand (``guanxi customers
recompute``, the rules page) and at any as-of date. It replaces the table in one transaction
and then sets each customer's class to the rule's, except where a manager pinned one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import DateTimeField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.customers import rules as customer_rules
from guanxi.customers.models import ClassPin, Customer, CustomerClass, CustomerStanding
from guanxi.customers.services import insert_rows

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

# CustomerStanding's columns filled from the lake rows, by the lake column they come from.
FROM_FACTS = {
    "orders": "orders",
    "paid_orders": "paid_orders",
    "paid_amount": "paid_amount",
    "paid_items": "paid_items",
    "trailing_orders": "trailing_orders",
    "trailing_paid_orders": "trailing_paid_orders",
    "trailing_paid_amount": "trailing_paid_amount",
    "first_order_at": "first_order_at",
    "last_order_at": "last_order_at",
    "last_paid_at": "last_paid_at",
    "mean_days_between": "mean_days_between_paid_orders",
    "categories": "categories",
    "refunds": "refunds",
    "refund_amount": "refund_amount",
    "returns": "returns",
    "sessions": "sessions",
    "trailing_sessions": "trailing_sessions",
    "last_chat_at": "last_chat_at",
    "reviews": "reviews",
    "mean_rating": "mean_rating",
    "rule_class": "customer_class",
    "class_rule": "rule",
    "class_figure": "figure",
    "class_threshold": "threshold",
    "recency_days": "recency_days",
    "frequency": "frequency",
    "monetary": "monetary",
    "r_score": "r_score",
    "f_score": "f_score",
    "m_score": "m_score",
    "rfm_group": "group_key",
    "loyalty": "loyalty",
    "loyalty_components": "loyalty_components",
}
ZERO_IF_EMPTY = {
    "orders", "paid_orders", "paid_amount", "paid_items", "trailing_orders",
    "trailing_paid_orders", "trailing_paid_amount", "refunds", "refund_amount", "returns",
    "sessions", "trailing_sessions", "reviews", "frequency", "monetary",
}  # fmt: skip
BLANK_IF_EMPTY = {"rfm_group", "class_rule", "loyalty"}


AGE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "<18"),
    (18, "18-24"),
    (25, "25-29"),
    (30, "30-34"),
    (35, "35-39"),
    (40, "40-49"),
    (50, "50+"),
)
"""The age bands by their lowest age (the usual bands of the platforms' audience reports)."""


def age_band(birth: dt.date, on: dt.date) -> str:
    """The band of the age in whole years on ``on`` ("" for a birth date after it)."""
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if age < 0:
        return ""
    band = ""
    for lowest, name in AGE_BANDS:
        if age >= lowest:
            band = name
    return band


def _age_bands(on: dt.date) -> dict[int, str]:
    """Every customer's age band on ``on`` by primary key: the birth dates are decrypted
    here, once per recompute, so pages count bands without decrypting 300,000 dates."""
    bands: dict[int, str] = {}
    rows = Customer.objects.filter(merged_into__isnull=True).exclude(birth_date="")
    for pk, birth in rows.values_list("pk", "birth_date").iterator(chunk_size=5000):
        try:
            band = age_band(dt.date.fromisoformat(birth), on)
        except (TypeError, ValueError):  # an unreadable date: no band rather than a guess
            continue
        if band:
            bands[pk] = band
    return bands


@dataclass(frozen=True)
class Recomputed:
    as_of: dt.date
    customers: int  # standing rows written
    classes: dict[str, int]  # customers per effective class (pins included)
    pinned: int
    seconds: float


def local_today() -> dt.date:
    return timezone.localdate()


def default_as_of() -> dt.date:
    """Today in shop time — or the local day of the lake's latest order when the data end
    earlier (a shop importing last year's history, the demo): recency and the trailing
    window are then counted where the data are, not from an empty stretch after them."""
    from guanxi import lake

    today = local_today()
    store = lake.get()
    if not store.exists("orders"):
        return today
    latest = store.arrow(store.table("orders").created_at.max()).as_py()
    if latest is None:  # no orders in the table (every import undone)
        return today
    return min(today, timezone.localtime(latest).date())


def standing_rows(as_of: dt.date) -> Any:
    """The lake's per-customer rows at ``as_of`` as a pyarrow table (None: no orders yet):
    ``metrics.customers.customer_facts`` joined with the classes, RFM, categories and
    loyalty. Reads the derived chat sessions and ``customer_months`` when they are fresh,
    else builds the sessions from the raw messages (the reference path)."""
    from guanxi import lake
    from guanxi.imports.derived import figures_from_derived
    from guanxi.metrics import customers as m

    store = lake.get()
    if not store.exists("orders"):
        return None
    tz = settings.TIME_ZONE
    class_rules = customer_rules.class_rules()
    rfm_rules = customer_rules.rfm_rules()
    orders = store.table("orders")
    refunds = table_or_empty(store, "refunds")
    reviews = table_or_empty(store, "reviews")
    sessions, months = sessions_and_months(store, as_of, fresh=figures_from_derived())
    out = m.standing(
        orders=orders,
        refunds=refunds,
        reviews=reviews,
        sessions=sessions,
        months=months,
        as_of=as_of,
        time_zone=tz,
        class_rules=class_rules,
        rfm_rules=rfm_rules,
    )
    bought = _categories(store, orders, as_of, tz)
    if bought is not None:
        out = out.left_join(bought, "customer_key").drop("customer_key_right")
    return _with_loyalty(store, store.arrow(out), refunds, reviews, as_of, tz)


def _with_loyalty(
    store: Any, facts: Any, refunds: Any, reviews: Any, as_of: dt.date, tz: str
) -> Any:
    """The counted rows (Arrow) with loyalty and its components (``metrics.loyalty``);
    after-sales judged by the ratings given after a refund; recommend by each customer's
    latest 0–10 "would you recommend us" survey answer up to the end of ``as_of`` (unknown
    without one). Loyalty reads the rows twice (the amount's ranks, then each row): over
    the counted rows, not the expression that counts them, which the engine would otherwise
    count twice (on the large demo it ran out of memory)."""
    import ibis
    import pyarrow as pa

    from guanxi.core.timeutil import local_midnight_utc
    from guanxi.metrics.loyalty import after_sales_ratings, with_loyalty
    from guanxi.satisfaction.survey_selectors import latest_recommend_answers

    after = after_sales_ratings(refunds, reviews, as_of=as_of, time_zone=tz)
    answers = latest_recommend_answers(local_midnight_utc(as_of + dt.timedelta(days=1), tz))
    nps = None
    if answers:
        nps = ibis.memtable(
            pa.table(
                {
                    "customer_key": pa.array(list(answers), pa.string()),
                    "nps": pa.array(list(answers.values()), pa.int64()),
                }
            )
        )
    rows = ibis.memtable(facts)
    rules = customer_rules.loyalty_rules()
    return store.arrow(with_loyalty(rows, rules, nps=nps, after_sales=after))


def table_or_empty(store: Any, name: str) -> Any:
    """The lake table ``name``, or an empty one of its schema when it was never imported."""
    from guanxi.lake.schema import TABLES

    if store.exists(name):
        return store.table(name)
    import ibis

    # An empty table of the right types (a shop that never imported reviews): the facts
    # then count none, rather than every column needing a missing-table case.
    return ibis.memtable(TABLES[name].schema.empty_table())


def sessions_and_months(store: Any, as_of: dt.date, *, fresh: bool) -> tuple[Any, Any]:
    """The chat sessions and per-customer months (``customer_months``): the derived tables
    when they are fresh, else counted from the raw ones up to ``as_of``. Shared by the
    standing, the member scores and the prediction models."""
    if fresh and store.derived.exists("sessions"):
        return store.derived.table("sessions"), store.derived.table("customer_months")
    from guanxi.core.timeutil import Period
    from guanxi.metrics.customers import EARLIEST
    from guanxi.metrics.facts import session_facts

    if not store.exists("chat_messages"):
        import ibis
        import pyarrow as pa

        no_sessions = pa.table(
            {
                "customer_key": pa.array([], pa.string()),
                "first_at": pa.array([], pa.timestamp("us", tz="UTC")),
            }
        )
        return ibis.memtable(no_sessions), None
    parts = session_facts(
        store.table("chat_messages"),
        store.table("orders"),
        settings.TIME_ZONE,
        Period(EARLIEST, as_of + dt.timedelta(days=1)),
    )
    return parts["sessions"], None


def _categories(store: Any, orders: Any, as_of: dt.date, tz: str) -> Any:
    """Per customer the sorted distinct product categories of the items of orders paid by
    ``as_of`` (None when the lake has no order lines or products)."""
    if not (store.exists("order_items") and store.exists("products")):
        return None
    from guanxi.core.timeutil import local_midnight_utc

    end = local_midnight_utc(as_of + dt.timedelta(days=1), tz)
    o = orders.filter(orders.customer_key.notnull() & (orders.paid_at < end))
    items = store.table("order_items")
    products = store.table("products")
    # The lines with their category first, then the orders: joined the other way round,
    # DuckDB joined the 40 products to the 1.8M orders on the platform alone (71.8M rows)
    # and then the 4.4M order lines to that, spilling 3 GB: 106 s on the large demo; 7 s so.
    typed = items.select("platform", "order_id", "product_id").join(
        products.select("platform", "product_id", "category"), ["platform", "product_id"]
    )
    lines = o.select("platform", "order_id", "customer_key").join(typed, ["platform", "order_id"])
    lines = lines.filter(lines.category.notnull() & (lines.category != ""))
    pairs = lines.select("customer_key", "category").distinct()
    return pairs.group_by("customer_key").aggregate(categories=pairs.category.collect())


# -- writing ---------------------------------------------------------------------------------
def _db_rows(
    table: Any,
    as_of: dt.date,
    now: dt.datetime,
    ids: dict[str, int],
    bands: dict[int, str] | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The rows to insert, values prepared for the database (``get_db_prep_value``).

    Column by column, each distinct value prepared once: a customer at a time, every cell
    through its field, took 27–36 s for the large demo's 264,132 rows (45 columns); the
    counts, scores, classes, groups and amounts repeat, so most cells are a dict look-up."""
    fields = {f.attname: f for f in CustomerStanding._meta.concrete_fields}
    present = [c for c in FROM_FACTS if FROM_FACTS[c] in table.column_names]
    # Columns the rows do not give (loyalty before it is counted, the member score, which
    # its own monthly job sets) take the field's default: a raw INSERT does not.
    absent = [
        f.attname
        for f in CustomerStanding._meta.concrete_fields
        if f.attname not in ("customer_id", "as_of", "computed_at", "age_band", *present)
    ]
    bands = bands or {}
    columns = ["customer_id", "as_of", "computed_at", *present, *absent, "age_band"]
    keys = table.column("customer_key").to_pylist()
    kept = [i for i, key in enumerate(keys) if key in ids]  # erased keys have no customer
    n = len(kept)

    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the per-thread proxy

    def prep(column: str, value: Any) -> Any:
        return fields[column].get_db_prep_value(value, db, prepared=False)

    prepared: list[list[Any]] = [
        [prep("customer_id", ids[keys[i]]) for i in kept],
        [prep("as_of", as_of)] * n,
        [prep("computed_at", now)] * n,
    ]
    every = n == len(keys)
    for c in present:
        data = table.column(FROM_FACTS[c]).to_pylist()
        prepared.append(_prepared(c, fields[c], data if every else [data[i] for i in kept], db))
    for c in absent:
        prepared.append([prep(c, fields[c].get_default())] * n)
    prepared.append([prep("age_band", bands.get(ids[keys[i]], "")) for i in kept])
    return columns, list(zip(*prepared, strict=True))


def _stored(column: str, value: Any) -> Any:
    """A lake value as the model stores it (an empty count is 0, an empty class ordinary…)."""
    if value is None:
        if column in ZERO_IF_EMPTY:
            return 0
        if column in BLANK_IF_EMPTY:
            return ""
        if column == "rule_class":
            return CustomerClass.ORDINARY
        if column == "categories":
            return []
        if column == "loyalty_components":
            return {}
        return None
    if column == "categories":
        return sorted(value)
    if isinstance(value, float) and column in ("class_figure", "class_threshold"):
        return Decimal(str(value))
    return value


def _prepared(column: str, field: Any, values: list[Any], db: Any) -> list[Any]:
    """One column's values prepared for the database, each distinct value once.

    A lake column holds one type (Arrow), so equal values prepare alike: an amount column's
    decimals all have its scale. Missing values are prepared once (their ``_stored`` value);
    times, nearly all distinct, and the categories' lists skip the memo."""

    def prep(value: Any) -> Any:
        return field.get_db_prep_value(_stored(column, value), db, prepared=False)

    empty = prep(None)
    if isinstance(field, DateTimeField):
        # an aware time is what DateTimeField.get_prep_value returns unchanged (it only
        # makes naive ones aware, with a warning): straight to the backend's adapter
        adapt = db.ops.adapt_datetimefield_value
        return [
            empty if v is None else adapt(v) if v.tzinfo is not None else prep(v) for v in values
        ]
    if column in ("categories", "loyalty_components"):
        return [empty if v is None else prep(v) for v in values]
    memo: dict[Any, Any] = {}
    out: list[Any] = []
    for v in values:
        if v is None:
            out.append(empty)
            continue
        found = memo.get(v, memo)
        if found is memo:
            found = memo[v] = prep(v)
        out.append(found)
    return out


def _customer_ids(keys: Iterable[str]) -> dict[str, int]:
    wanted = set(keys)
    return {
        key: pk
        for key, pk in Customer.objects.filter(merged_into__isnull=True).values_list(
            "customer_key", "pk"
        )
        if key in wanted
    }


def apply_classes() -> None:
    """Every customer's class = the standing rule's class (普通 without a standing), except a
    pinned customer, who keeps the pin."""
    pinned = ClassPin.objects.filter(removed_at__isnull=True)
    rule = CustomerStanding.objects.filter(customer=OuterRef("pk")).values("rule_class")[:1]
    Customer.objects.exclude(pk__in=pinned.values("customer_id")).update(
        customer_class=Coalesce(Subquery(rule), Value(CustomerClass.ORDINARY))
    )
    for pin in pinned.only("customer_id", "customer_class"):
        Customer.objects.filter(pk=pin.customer_id).exclude(
            customer_class=pin.customer_class
        ).update(customer_class=pin.customer_class)


def recompute(as_of: dt.date | None = None, *, progress: Progress | None = None) -> Recomputed:
    """Count every customer's standing at ``as_of`` (default: ``default_as_of``) and store it."""
    import time

    started = time.perf_counter()
    as_of = as_of or default_as_of()
    say = progress or (lambda _message: None)
    say("counting")
    table = standing_rows(as_of)
    now = timezone.now()
    with transaction.atomic():
        CustomerStanding.objects.all().delete()
        written = 0
        if table is not None and table.num_rows:
            say("writing")
            ids = _customer_ids(table.column("customer_key").to_pylist())
            columns, rows = _db_rows(table, as_of, now, ids, _age_bands(as_of))
            insert_rows(CustomerStanding, columns, rows)
            written = len(rows)
        apply_classes()
        # The rows were rewritten: give them back the latest monthly member score.
        from guanxi.loyalty.member_scores import apply_to_standing

        apply_to_standing()
    counts = dict.fromkeys(CustomerClass.values, 0)
    for value, n in _class_counts():
        counts[value] = n
    result = Recomputed(
        as_of=as_of,
        customers=written,
        classes=counts,
        pinned=ClassPin.objects.filter(removed_at__isnull=True).count(),
        seconds=time.perf_counter() - started,
    )
    log.info("customer standing recomputed: %s customers at %s", written, as_of)
    return result


def _class_counts() -> list[tuple[str, int]]:
    from django.db.models import Count

    rows = (
        Customer.objects.filter(merged_into__isnull=True)
        .values("customer_class")
        .annotate(n=Count("pk"))
        .values_list("customer_class", "n")
    )
    return list(rows)


# -- pins ------------------------------------------------------------------------------------
def class_pin(customer: Customer, customer_class: str, *, reason: str, user: str) -> ClassPin:
    """Pin ``customer``'s class by hand (replacing a standing pin); the rules keep off it."""
    from guanxi.core.errors import UserInputError

    if customer_class not in CustomerClass.values:
        raise UserInputError(
            f"customer_class: {customer_class!r} is not a class; give one of "
            + ", ".join(CustomerClass.values)
        )
    reason = reason.strip()
    if not reason:
        raise UserInputError("reason: say why the class is pinned (kept with the pin)")
    with transaction.atomic():
        _unpin(customer, user)
        pin = ClassPin.objects.create(
            customer=customer, customer_class=customer_class, reason=reason[:200], pinned_by=user
        )
        Customer.objects.filter(pk=customer.pk).update(customer_class=customer_class)
    customer.customer_class = customer_class
    return pin


def class_unpin(customer: Customer, *, user: str) -> None:
    """Remove the pin: the customer takes the rules' class again (普通 if none counted yet)."""
    with transaction.atomic():
        _unpin(customer, user)
        standing = CustomerStanding.objects.filter(customer=customer).first()
        value = standing.rule_class if standing else CustomerClass.ORDINARY
        Customer.objects.filter(pk=customer.pk).update(customer_class=value)
    customer.customer_class = value


def _unpin(customer: Customer, user: str) -> None:
    ClassPin.objects.filter(customer=customer, removed_at__isnull=True).update(
        removed_at=timezone.now(), removed_by=user
    )


def current_pin(customer: Customer) -> ClassPin | None:
    return ClassPin.objects.filter(customer=customer, removed_at__isnull=True).first()
