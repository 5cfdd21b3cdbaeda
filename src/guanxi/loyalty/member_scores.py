"""The monthly member score (会员成长值, 淘气值-style; SPEC §7): counted over the lake by
``metrics.member_score``, kept per customer and month in ``MemberScore`` and copied to
each customer's ``CustomerStanding`` (the latest month), plus the shop's member settings.

Which month, which data: Taobao updates 淘气值 on the 8th from the last 12 months. The score
*for* month M counts the 12 whole months before it (as of M's day 0, the last day of M−1):
the same figures whichever day of M the job runs, and by the 8th the previous month's late
payments, refunds and reviews are in. ``--as-of D`` counts up to D instead (the row says so).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.customers.models import Customer, CustomerStanding
from guanxi.customers.services import insert_rows
from guanxi.loyalty.models import (
    MemberScore,
    MemberSettings,
    default_benefits,
    default_coupons,
)
from guanxi.loyalty.rules import PERKS, TIERS, MemberRules, RuleError

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

PROFILE_FIELDS = ("name", "gender", "birth_date", "mobile", "email", "address", "province", "city")
"""The master's fields whose filling is the profile completeness (账户信息的完善)."""
MAX_BENEFITS = 12
MAX_BENEFIT_CHARS = 60
MAX_COUPON = Decimal(10_000)
SCORE_COLUMNS = ("purchase", "interaction", "credit", "score", "tier")


@dataclass(frozen=True)
class Computed:
    month: dt.date
    as_of: dt.date
    customers: int
    tiers: dict[str, int]
    seconds: float


# -- settings --------------------------------------------------------------------------------
def member_settings() -> MemberSettings:
    row, _ = MemberSettings.objects.get_or_create(pk=1)
    return row


def member_rules(row: MemberSettings | None = None) -> MemberRules:
    """The formula's defaults with the shop's tier bounds and perk thresholds."""
    row = row or member_settings()
    return MemberRules(
        super_from=row.super_from,
        apass_from=row.apass_from,
        perk_daily_from=row.perk_daily_from,
        perk_premium_from=row.perk_premium_from,
    )


def benefits_of(row: MemberSettings) -> dict[str, list[str]]:
    """Every tier and perk level's benefits (a level never saved: its default)."""
    stored = row.benefits if isinstance(row.benefits, dict) else {}
    return {k: list(stored.get(k, v)) for k, v in default_benefits().items()}


def coupons_of(row: MemberSettings) -> dict[str, Decimal]:
    stored = row.coupons if isinstance(row.coupons, dict) else {}
    return {k: Decimal(str(stored.get(k, v))) for k, v in default_coupons().items()}


def settings_save(values: Mapping[str, Any], *, user: str) -> MemberSettings:
    """Check and store the member settings: ``super_from, apass_from, perk_daily_from,
    perk_premium_from, run_day`` (whole numbers), ``benefits`` (level → list of text) and
    ``coupons`` (tier → ¥). A bad value raises ``RuleError`` naming its field; nothing is
    stored then. A changed ``run_day`` moves the waiting monthly job."""
    bounds = {
        k: values[k]
        for k in ("super_from", "apass_from", "perk_daily_from", "perk_premium_from")
        if k in values
    }
    with transaction.atomic():
        row = MemberSettings.objects.select_for_update().get_or_create(pk=1)[0]
        merged = {f: getattr(row, f) for f in bounds} | bounds
        for name, value in merged.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise RuleError(name, f"{value!r} is not a whole number")
        rules = dataclasses.replace(member_rules(row), **merged)
        run_day = values.get("run_day", row.run_day)
        if isinstance(run_day, bool) or not isinstance(run_day, int) or not 1 <= run_day <= 28:
            raise RuleError("run_day", f"{run_day!r}: give a day from 1 to 28 (every month has it)")
        benefits = _benefits(values.get("benefits", benefits_of(row)))
        coupons = _coupons(values.get("coupons", coupons_of(row)))
        moved = run_day != row.run_day
        row.super_from, row.apass_from = rules.super_from, rules.apass_from
        row.perk_daily_from, row.perk_premium_from = rules.perk_daily_from, rules.perk_premium_from
        row.run_day = run_day
        row.benefits = benefits
        row.coupons = {k: str(v) for k, v in coupons.items()}
        row.updated_by = user
        row.save()
    if moved:
        from guanxi.loyalty import tasks

        tasks.schedule_monthly(replace=True)
    return row


def _benefits(given: Any) -> dict[str, list[str]]:
    if not isinstance(given, Mapping):
        raise RuleError("benefits", "give a list of benefits for each tier and perk level")
    out: dict[str, list[str]] = {}
    for level in (*TIERS, *PERKS):
        items = given.get(level, [])
        if isinstance(items, str):
            items = items.splitlines()
        cleaned = [str(i).strip() for i in items if str(i).strip()]
        field = f"benefits_{level}"
        if len(cleaned) > MAX_BENEFITS:
            raise RuleError(field, f"{len(cleaned)} benefits; give at most {MAX_BENEFITS}")
        for item in cleaned:
            if len(item) > MAX_BENEFIT_CHARS:
                raise RuleError(
                    field,
                    f"“{item[:20]}…” is too long; keep each to {MAX_BENEFIT_CHARS} characters",
                )
        out[level] = cleaned
    return out


def _coupons(given: Any) -> dict[str, Decimal]:
    if not isinstance(given, Mapping):
        raise RuleError("coupons", "give a coupon value (¥) for each tier")
    out: dict[str, Decimal] = {}
    for tier in TIERS:
        field = f"coupon_{tier}"
        raw = given.get(tier, "0")
        try:
            value = Decimal(str(raw).strip() or "0")
        except InvalidOperation:
            raise RuleError(field, f"{raw!r} is not an amount; give e.g. 10.00") from None
        if not value.is_finite() or value < 0:
            raise RuleError(field, f"{raw} is negative; give 0 (none) or more")
        if value > MAX_COUPON:
            raise RuleError(field, f"{raw} is too large; give at most {MAX_COUPON}")
        if value != value.quantize(Decimal("0.01")):
            raise RuleError(field, f"{raw} has more than two decimals; round it to 0.01")
        out[tier] = value.quantize(Decimal("0.01"))
    return out


# -- months ----------------------------------------------------------------------------------
def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def resolve(month: dt.date | None = None, as_of: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(month, as_of): a month counts up to the last day before it; an as-of date scores its
    own month; neither: ``default_month``."""
    if as_of is not None:
        return month_start(as_of), as_of
    first = month_start(month or default_month())
    return first, first - dt.timedelta(days=1)


def default_month() -> dt.date:
    """This month (shop time) — or, when the lake's orders end before last month (a shop
    that imported last year's history, the demo), the month after its latest order, so the
    12 months counted are where the data are (as ``customers.standing`` does for its day)."""
    from guanxi import lake

    this = month_start(timezone.localdate())
    store = lake.get()
    if not store.exists("orders"):
        return this
    latest = store.execute(store.table("orders").created_at.max())
    if latest is None:
        return this
    after = month_start(month_start(timezone.localtime(latest).date()) + dt.timedelta(days=32))
    return min(this, after)


# -- counting --------------------------------------------------------------------------------
def _filled() -> Any:
    terms = [
        Case(When(~Q(**{name: ""}), then=Value(1)), default=Value(0), output_field=IntegerField())
        for name in PROFILE_FIELDS
    ]
    total: Any = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def profile_rows() -> tuple[list[str], list[int]]:
    """Each current customer's key and number of ``PROFILE_FIELDS`` filled (counted in SQL:
    the encrypted fields are tested for emptiness only, never decrypted)."""
    rows = (
        Customer.objects.filter(merged_into__isnull=True)
        .annotate(filled=_filled())
        .values_list("customer_key", "filled")
    )
    keys: list[str] = []
    filled: list[int] = []
    for key, n in rows.iterator(chunk_size=20_000):
        keys.append(key)
        filled.append(n)
    return keys, filled


def score_table(as_of: dt.date, rules: MemberRules) -> Any:
    """The lake's scores at ``as_of`` for every current customer (pyarrow)."""
    import ibis
    import pyarrow as pa

    from guanxi import lake
    from guanxi.customers.standing import sessions_and_months, table_or_empty
    from guanxi.imports.derived import figures_from_derived
    from guanxi.metrics.member_score import member_scores

    keys, filled = profile_rows()
    profiles = ibis.memtable(
        pa.table(
            {
                "customer_key": pa.array(keys, pa.string()),
                "filled": pa.array(filled, pa.int64()),
                "fields": pa.array([len(PROFILE_FIELDS)] * len(keys), pa.int64()),
            }
        )
    )
    store = lake.get()
    sessions, _months = sessions_and_months(store, as_of, fresh=figures_from_derived())
    expr = member_scores(
        orders=table_or_empty(store, "orders"),
        refunds=table_or_empty(store, "refunds"),
        reviews=table_or_empty(store, "reviews"),
        dsr_ratings=table_or_empty(store, "dsr_ratings"),
        sessions=sessions,
        profiles=profiles,
        as_of=as_of,
        time_zone=settings.TIME_ZONE,
        rules=rules,
    )
    return store.arrow(expr)


def compute(
    month: dt.date | None = None, *, as_of: dt.date | None = None, progress: Progress | None = None
) -> Computed:
    """Count every customer's score for ``month`` (or at ``as_of``; see ``resolve``), replace
    that month's rows, record the run and copy the latest month to the standing."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    month, as_of = resolve(month, as_of)
    row = member_settings()
    rules = member_rules(row)
    say("counting")
    table = score_table(as_of, rules)
    now = timezone.now()
    ids = dict(Customer.objects.filter(merged_into__isnull=True).values_list("customer_key", "pk"))
    fields = {f.attname: f for f in MemberScore._meta.concrete_fields}
    columns = ["customer_id", "month", "as_of", "computed_at", *SCORE_COLUMNS]
    data = [table.column(c).to_pylist() for c in SCORE_COLUMNS]
    fixed = [
        fields["month"].get_db_prep_value(month, connection),
        fields["as_of"].get_db_prep_value(as_of, connection),
        fields["computed_at"].get_db_prep_value(now, connection),
    ]
    rows = []
    tiers = dict.fromkeys(TIERS, 0)
    for key, *values in zip(table.column("customer_key").to_pylist(), *data, strict=True):
        customer_id = ids.get(key)
        if customer_id is None:  # erased or merged since the keys were read
            continue
        tiers[values[-1]] += 1
        rows.append((customer_id, *fixed, *values))
    say("writing")
    with transaction.atomic():
        MemberScore.objects.filter(month=month).delete()
        insert_rows(MemberScore, columns, rows)
        apply_to_standing()
        seconds = time.perf_counter() - started
        MemberSettings.objects.filter(pk=row.pk).update(
            last_run_at=now,
            last_run_month=month,
            last_run_as_of=as_of,
            last_run_customers=len(rows),
            last_run_seconds=seconds,
        )
    log.info("member scores for %s (as of %s): %s customers", month, as_of, len(rows))
    return Computed(month, as_of, len(rows), tiers, time.perf_counter() - started)


def latest_month() -> dt.date | None:
    month: dt.date | None = MemberScore.objects.aggregate(m=Max("month"))["m"]
    return month


def apply_to_standing() -> int:
    """Copy the latest month's score and tier to every standing row (none: cleared). Called
    by ``compute`` and at the end of ``customers.standing.recompute``, which rewrites the
    standing rows and would otherwise lose the score until the next month."""
    month = latest_month()
    if month is None:
        return CustomerStanding.objects.update(member_score=None, member_tier="")
    of_month = MemberScore.objects.filter(customer=OuterRef("pk"), month=month)
    return CustomerStanding.objects.update(
        member_score=Subquery(of_month.values("score")[:1]),
        member_tier=Coalesce(Subquery(of_month.values("tier")[:1]), Value("")),
    )
