"""Reads for segments: a filter's members as one queryset (a count is one SQL query), and
the values the builder offers (tags, provinces, categories bought).

Customers with no standing row (nothing bought, no chat: never counted) have no spend, no
orders, no categories and no purchase: a range that admits 0 admits them, "not bought within
N days" includes them, and every other figure filter leaves them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from guanxi.customers.models import Customer, CustomerStanding, Tag
from guanxi.privacy.models import Consent, ConsentPurpose
from guanxi.segments.filters import SegmentFilter, parse
from guanxi.segments.models import Segment


class ArrayHasElements(Func):
    """True when a JSON list column holds any (or every) one of ``values``, on SQLite
    (``json_each``) and PostgreSQL (jsonb ``?|`` / ``?&``, which match a list's string
    elements). Django's ``contains`` on a JSONField is refused by SQLite."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, values: Sequence[str], *, every: bool) -> None:
        super().__init__(F(column))
        self.values = list(values)
        self.every = every

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.source_expressions[0])
        marks = ", ".join(["%s"] * len(self.values))
        inner = f"FROM json_each({column}) AS element WHERE element.value IN ({marks})"
        if self.every:
            sql = f"(SELECT COUNT(DISTINCT element.value) {inner}) = %s"
            return sql, (*params, *self.values, len(self.values))
        return f"EXISTS (SELECT 1 {inner})", (*params, *self.values)

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.source_expressions[0])
        operator = "?&" if self.every else "?|"
        return f"({column} {operator} %s::text[])", (*params, self.values)


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the shop's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


def _range(column: str, low: Any, high: Any, zero: Any) -> Q:
    """``low ≤ column ≤ high`` (either bound optional); customers without a standing row
    count as ``zero`` and are in when the range admits it."""
    condition = Q()
    if low is not None:
        condition &= Q(**{f"standing__{column}__gte": low})
    if high is not None:
        condition &= Q(**{f"standing__{column}__lte": high})
    if (low is None or low <= zero) and (high is None or zero <= high):
        condition |= Q(standing__isnull=True)
    return condition


def _filter_of(target: Segment | SegmentFilter | dict[str, Any]) -> SegmentFilter:
    if isinstance(target, SegmentFilter):
        return target
    if isinstance(target, Segment):
        return parse(target.filters)
    return parse(target)


def _prediction_range(column: str, low: Any, high: Any, scale: float = 1.0) -> Q:
    """``low ≤ prediction.column ≤ high``; percentages are divided by ``scale`` (100) to the
    stored fraction. Customers without that prediction are outside any range."""
    condition = Q(**{f"prediction__{column}__isnull": False})
    if low is not None:
        condition &= Q(**{f"prediction__{column}__gte": float(low) / scale if scale != 1 else low})
    if high is not None:
        condition &= Q(
            **{f"prediction__{column}__lte": float(high) / scale if scale != 1 else high}
        )
    return condition


# ?sort= → ORDER BY (customers without the value last; the key breaks ties).
_ORDER = {
    "clv_desc": F("prediction__clv").desc(nulls_last=True),
    "clv_asc": F("prediction__clv").asc(nulls_last=True),
    "churn_desc": F("prediction__churn_risk").desc(nulls_last=True),
    "churn_asc": F("prediction__churn_risk").asc(nulls_last=True),
    "p_alive_desc": F("prediction__p_alive").desc(nulls_last=True),
    "p_alive_asc": F("prediction__p_alive").asc(nulls_last=True),
    "cluster": F("prediction__cluster_name").asc(nulls_last=True),
}


def members(
    target: Segment | SegmentFilter | dict[str, Any],
    *,
    today: dt.date | None = None,
    sort: str = "key",
) -> QuerySet[Customer]:
    """The customers a segment (or a filter, or its JSON) selects, by customer key; records
    merged into another are never members. ``today`` (default: the shop's today) anchors
    "bought within N days": within N days means the last payment was on local day
    today − N or later, i.e. R ≤ N as the RFM counts R."""
    f = _filter_of(target)
    today = today or timezone.localdate(timezone=timezone.get_default_timezone())
    customers = Customer.objects.filter(merged_into__isnull=True)
    if f.customer_classes:
        customers = customers.filter(customer_class__in=f.customer_classes)
    if f.member_tiers:
        customers = customers.filter(standing__member_tier__in=f.member_tiers)
    if f.rfm_groups:
        customers = customers.filter(standing__rfm_group__in=f.rfm_groups)
    if f.loyalty_levels:
        customers = customers.filter(standing__loyalty__in=f.loyalty_levels)
    if f.tags:
        tagged = Customer.tags.through.objects.filter(customer_id=OuterRef("pk"))
        if f.tags_match == "all":
            for name in f.tags:
                customers = customers.filter(Exists(tagged.filter(tag__name=name)))
        else:
            customers = customers.filter(Exists(tagged.filter(tag__name__in=f.tags)))
    if f.provinces:
        customers = customers.filter(province__in=f.provinces)
    if f.cities:
        customers = customers.filter(city__in=f.cities)
    customers = customers.filter(_last_purchase(f, today))
    paid = ("paid_amount", "paid_orders") if f.window == "all" else _TRAILING
    if f.spend_min is not None or f.spend_max is not None:
        customers = customers.filter(_range(paid[0], f.spend_min, f.spend_max, 0))
    if f.orders_min is not None or f.orders_max is not None:
        customers = customers.filter(_range(paid[1], f.orders_min, f.orders_max, 0))
    if f.categories:
        every = f.categories_match == "all"
        customers = customers.filter(
            ArrayHasElements("standing__categories", f.categories, every=every)
        )
    if f.marketing_consent:
        newest = Consent.objects.filter(
            customer=OuterRef("pk"), purpose=ConsentPurpose.MARKETING
        ).order_by("-at", "-id")
        customers = customers.alias(consent=Subquery(newest.values("granted")[:1]))
        if f.marketing_consent == "yes":
            customers = customers.filter(consent=True)
        else:  # withdrawn, or never asked: no consent either way
            customers = customers.filter(Q(consent=False) | Q(consent__isnull=True))
    if f.clv_min is not None or f.clv_max is not None:
        customers = customers.filter(_prediction_range("clv", f.clv_min, f.clv_max))
    if f.churn_min is not None or f.churn_max is not None:
        customers = customers.filter(
            _prediction_range("churn_risk", f.churn_min, f.churn_max, 100.0)
        )
    if f.p_alive_min is not None or f.p_alive_max is not None:
        customers = customers.filter(
            _prediction_range("p_alive", f.p_alive_min, f.p_alive_max, 100.0)
        )
    if f.clusters:
        customers = customers.filter(prediction__cluster_name__in=f.clusters)
    if sort in _ORDER:
        if sort == "cluster":
            return customers.order_by(_ORDER[sort], "prediction__cluster", "customer_key")
        return customers.order_by(_ORDER[sort], "customer_key")
    return customers.order_by("customer_key")


_TRAILING = ("trailing_paid_amount", "trailing_paid_orders")


def _last_purchase(f: SegmentFilter, today: dt.date) -> Q:
    if f.last_purchase in ("within", "not_within") and f.last_purchase_days is not None:
        cutoff = local_midnight(today - dt.timedelta(days=f.last_purchase_days))
        if f.last_purchase == "within":
            return Q(standing__last_paid_at__gte=cutoff)
        return Q(standing__last_paid_at__lt=cutoff) | Q(standing__last_paid_at__isnull=True)
    if f.last_purchase == "between":
        condition = Q()
        if f.last_purchase_from is not None:
            condition &= Q(standing__last_paid_at__gte=local_midnight(f.last_purchase_from))
        if f.last_purchase_to is not None:
            end = local_midnight(f.last_purchase_to + dt.timedelta(days=1))
            condition &= Q(standing__last_paid_at__lt=end)
        return condition
    return Q()


def member_count(target: Segment | SegmentFilter | dict[str, Any]) -> int:
    """How many customers the segment holds now: one ``COUNT`` query."""
    return members(target).order_by().count()


def segment_list() -> QuerySet[Segment]:
    return Segment.objects.order_by("name")


def segment_get(segment_id: int) -> Segment | None:
    return Segment.objects.filter(pk=segment_id).first()


# -- what the builder offers ---------------------------------------------------------------
def tag_names() -> list[str]:
    return list(Tag.objects.order_by("name").values_list("name", flat=True))


def provinces() -> list[str]:
    return list(
        Customer.objects.filter(merged_into__isnull=True)
        .exclude(province="")
        .order_by("province")
        .values_list("province", flat=True)
        .distinct()
    )


def categories() -> list[str]:
    """Every category some customer bought (the standings' lists, unnested in SQL)."""
    table = CustomerStanding._meta.db_table
    if connection.vendor == "postgresql":
        sql = f"SELECT DISTINCT jsonb_array_elements_text(categories) AS c FROM {table} ORDER BY c"
    else:
        sql = (
            f"SELECT DISTINCT element.value FROM {table}, json_each({table}.categories) AS element"
            " ORDER BY 1"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [str(row[0]) for row in cursor.fetchall() if row[0]]


def cluster_names() -> list[str]:
    """The cluster names the serving clusters run gave (what the builder offers)."""
    from guanxi.insight.models import CustomerPrediction

    return list(
        CustomerPrediction.objects.exclude(cluster_name="")
        .order_by("cluster_name")
        .values_list("cluster_name", flat=True)
        .distinct()
    )


def tiers_computed() -> bool:
    """Whether any member tier has been computed yet (the monthly member-score job)."""
    return CustomerStanding.objects.exclude(member_tier="").exists()
