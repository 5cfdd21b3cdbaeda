"""Know every customer (SPEC §1, §9): per-customer facts at an as-of date, the customer
classes 普通/潜在/核心/VIP with the reason for each, and RFM with its eight groups.

Pure Ibis over the lake (DuckDB or PySpark): every function takes tables, an as-of date
(a local calendar day of the shop, included) and the shop's time zone, and returns an
expression; the rules (``rules.ClassRules``, ``rules.RfmRules``) come in as arguments.

Where the figures come from:

- Orders (first/last order, orders and paid amount all-time and in the trailing window,
  items, the days between paid orders) from the raw orders. The derived ``customer_months``
  keys a paid order by its creation month and counts it paid whenever it was paid, so it
  cannot say what was paid *by* a past as-of date; one grouped pass over the orders can.
- Refunds, returns, chat sessions and reviews from ``customer_months`` for the whole local
  months inside the range, and from the raw rows (the same ``customer_months`` code on
  them) for the days of the partial months at its ends — exact at any as-of date, while
  the chat's sessions, the expensive part, are read from the derived tables.

A paid order is one with a payment time on or before the as-of date's end; its amount is
the order's ``amount`` (refunds are separate figures). The trailing window of
``trailing_months`` months is the local days (as-of − N months, as-of]: for 2025-06-30 and
12 months, 2024-07-01 … 2025-06-30. Paid figures in it count orders *paid* in it; order
counts count orders *created* in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import ibis

from guanxi.core.timeutil import Period, local_midnight_utc, month_period
from guanxi.metrics.customer_facts import customer_months
from guanxi.metrics.facts import local_clock
from guanxi.metrics.rules import ClassRules, RfmRules, RuleError

EARLIEST = dt.date(1999, 1, 1)
"""Before any online shop's first order: the span within which local days are computed."""

MONTH_EVENTS = ("refunds", "refund_amount", "returns", "sessions", "reviews", "rating_sum")
"""``customer_months``' columns that are sums of events dated in the month."""
_EVENT_TYPES = {
    "refunds": "int64",
    "refund_amount": "decimal(38, 2)",
    "returns": "int64",
    "sessions": "int64",
    "reviews": "int64",
    "rating_sum": "int64",
}
MONEY_SUM = "decimal(38, 2)"


# -- windows ---------------------------------------------------------------------------------
def trailing_period(as_of: dt.date, months: int) -> Period:
    """The local days (``as_of`` − ``months`` months, ``as_of``]; a day missing in the
    earlier month (29–31) is its month's last day: 2024-02-29 − 12 months = 2023-02-28, so
    the window starts on 2023-03-01."""
    index = as_of.year * 12 + as_of.month - 1 - months
    year, month = divmod(index, 12)
    last = month_period(year, month + 1).end
    back = dt.date(year, month + 1, min(as_of.day, last.day))
    return Period(back + dt.timedelta(days=1), as_of)


@dataclass(frozen=True)
class MonthSplit:
    """A range of local days as the whole months inside it (``first_month``..``last_month``,
    'YYYY-MM', or none) and the days left over at its ends (``days``)."""

    first_month: str | None
    last_month: str | None
    days: tuple[Period, ...]

    @property
    def has_months(self) -> bool:
        return self.last_month is not None


def _month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def split_months(start: dt.date | None, end: dt.date) -> MonthSplit:
    """``start``..``end`` (``start`` None: from the beginning) as whole months and days."""
    end_month = month_period(end.year, end.month)
    last_full_end = end if end == end_month.end else end_month.start - dt.timedelta(days=1)
    if start is None:
        first_full_start = EARLIEST
    elif start.day == 1:
        first_full_start = start
    else:
        first_full_start = month_period(start.year, start.month).end + dt.timedelta(days=1)
    if start is not None and first_full_start > last_full_end:
        return MonthSplit(None, None, (Period(start, end),))
    days = []
    if start is not None and start < first_full_start:
        days.append(Period(start, first_full_start - dt.timedelta(days=1)))
    if last_full_end < end:
        days.append(Period(last_full_end + dt.timedelta(days=1), end))
    first = None if start is None else _month_key(first_full_start)
    return MonthSplit(first, _month_key(last_full_end), tuple(days))


def _within(table: ibis.Table, column: str, days: Sequence[Period], time_zone: str) -> ibis.Table:
    """The rows whose ``column`` (UTC) falls on one of the local ``days``."""
    condition = ibis.literal(False)
    for period in days:
        start, end = period.utc_bounds(time_zone)
        condition |= (table[column] >= ibis.literal(start)) & (table[column] < ibis.literal(end))
    return table.filter(condition)


def _end_of(as_of: dt.date, time_zone: str) -> ibis.Value:
    return ibis.literal(local_midnight_utc(as_of + dt.timedelta(days=1), time_zone))


def _with_local_day(
    table: ibis.Table, column: str, name: str, time_zone: str, as_of: dt.date
) -> ibis.Table:
    """``table`` with ``name``: the local date of ``column`` (on or before ``as_of``)."""
    out = local_clock(table, column, time_zone, Period(EARLIEST, as_of))
    return out.mutate(**{name: out.day}).drop("day", "local_seconds")


# -- facts -----------------------------------------------------------------------------------
def order_facts(
    orders: ibis.Table, *, as_of: dt.date, time_zone: str, trailing_months: int = 12
) -> ibis.Table:
    """Per customer with an order created by ``as_of``: ``orders, first_order_at,
    last_order_at, paid_orders, paid_amount, paid_items, first_paid_at, last_paid_at,
    first_paid_day, last_paid_day, mean_days_between_paid_orders, trailing_orders,
    trailing_paid_orders, trailing_paid_amount, trailing_unpaid_orders``.

    平均购买间隔 mean days between paid orders = (last paid day − first paid day) ÷
    (paid orders − 1), in local days (the mean of the gaps between consecutive payments);
    empty below two paid orders. ``trailing_unpaid_orders``: orders created in the window
    and not paid by ``as_of`` (加购未付, the potential customers' sign)."""
    end = _end_of(as_of, time_zone)
    window = trailing_period(as_of, trailing_months)
    start = ibis.literal(local_midnight_utc(window.start, time_zone))
    o = orders.filter(orders.customer_key.notnull() & (orders.created_at < end))
    paid = o.paid_at.notnull() & (o.paid_at < end)
    paid_recently = paid & (o.paid_at >= start)
    created_recently = o.created_at >= start
    facts = o.group_by("customer_key").aggregate(
        orders=o.count(),
        first_order_at=o.created_at.min(),
        last_order_at=o.created_at.max(),
        paid_orders=o.count(where=paid),
        paid_amount=o.amount.sum(where=paid).cast(MONEY_SUM).fill_null(0),
        paid_items=o.item_count.cast("int64").sum(where=paid).fill_null(0),
        first_paid_at=o.paid_at.min(where=paid),
        last_paid_at=o.paid_at.max(where=paid),
        trailing_orders=o.count(where=created_recently),
        trailing_paid_orders=o.count(where=paid_recently),
        trailing_paid_amount=o.amount.sum(where=paid_recently).cast(MONEY_SUM).fill_null(0),
        trailing_unpaid_orders=o.count(where=created_recently & ~paid),
    )
    facts = _with_local_day(facts, "first_paid_at", "first_paid_day", time_zone, as_of)
    facts = _with_local_day(facts, "last_paid_at", "last_paid_day", time_zone, as_of)
    span_days = facts.last_paid_day.delta(facts.first_paid_day, unit="day")
    return facts.mutate(
        mean_days_between_paid_orders=(facts.paid_orders >= 2).ifelse(
            span_days.cast("float64") / (facts.paid_orders - 1), ibis.null("float64")
        )
    )


def event_facts(
    *,
    months: ibis.Table | None,
    orders: ibis.Table,
    refunds: ibis.Table,
    reviews: ibis.Table,
    sessions: ibis.Table,
    start: dt.date | None,
    end: dt.date,
    time_zone: str,
) -> ibis.Table:
    """Per customer, ``MONTH_EVENTS`` and ``last_chat_at`` (the start of the latest session)
    over the local days ``start``..``end`` (``start`` None: from the beginning).

    ``months``: the ``customer_months`` table (derived or built); the whole months inside
    the range are read from it, the days at its ends are counted from the raw ``refunds``,
    ``reviews`` and ``sessions`` (``ChatFacts.sessions``: ``customer_key, first_at``) by the
    same code. ``months`` None: every day from the raw rows (the reference path, and the
    fallback while the derived tables are refreshed). ``orders`` only lends its schema."""
    if months is None:
        split = MonthSplit(None, None, (Period(start or EARLIEST, end),))
    else:
        split = split_months(start, end)
    columns = [*MONTH_EVENTS, "last_chat_at"]
    stamp = sessions.first_at.type()

    def typed(t: ibis.Table) -> ibis.Table:
        return t.select(
            "customer_key",
            **{c: t[c].cast(_EVENT_TYPES[c]) for c in MONTH_EVENTS},
            last_chat_at=t.last_chat_at.cast(stamp),
        )

    parts = []
    if months is not None and split.has_months:
        in_range = months.month <= split.last_month
        if split.first_month is not None:
            in_range &= months.month >= split.first_month
        parts.append(typed(months.filter(in_range)))
    if split.days:
        span = Period(split.days[0].start, split.days[-1].end)
        chats = sessions.select("customer_key", "first_at")
        edges = customer_months(
            orders=orders.filter(ibis.literal(False)),
            refunds=_within(refunds, "requested_at", split.days, time_zone),
            reviews=_within(reviews, "created_at", split.days, time_zone),
            sessions=_within(chats, "first_at", split.days, time_zone),
            time_zone=time_zone,
            span=span,
        )
        parts.append(typed(edges))
    rows = parts[0] if len(parts) == 1 else parts[0].union(parts[1])
    return (
        rows.group_by("customer_key")
        .aggregate(**{c: rows[c].sum() for c in MONTH_EVENTS}, last_chat_at=rows.last_chat_at.max())
        .select("customer_key", *columns)
    )


def customer_facts(
    *,
    orders: ibis.Table,
    refunds: ibis.Table,
    reviews: ibis.Table,
    sessions: ibis.Table,
    months: ibis.Table | None,
    as_of: dt.date,
    time_zone: str,
    trailing_months: int = 12,
    dsr_ratings: ibis.Table | None = None,
) -> ibis.Table:
    """客户事实: one row per customer with anything up to ``as_of``.

    - ``order_facts``' columns (orders, paid orders and amounts, all-time and in the
      trailing window, items, first/last order and payment, mean days between payments);
    - ``refunds, refund_amount, returns`` (退货退款 among the refunds): requested by
      ``as_of``; ``sessions`` (咨询次数) and ``last_chat_at`` (最近咨询, the latest
      session's start); ``trailing_sessions``: sessions started in the window;
    - ``reviews``, ``rating_sum`` and ``mean_rating`` = rating_sum ÷ reviews (评价);
    - with ``dsr_ratings``: ``dsr_ratings`` given and the mean of each dimension
      (``dsr_description, dsr_service, dsr_logistics``).

    Counts are 0 and times empty where a customer has none. ``months``: the derived
    ``customer_months`` (None: count refunds, chats and reviews from the raw rows only)."""
    window = trailing_period(as_of, trailing_months)
    common = {
        "months": months,
        "orders": orders,
        "refunds": refunds,
        "reviews": reviews,
        "sessions": sessions,
        "time_zone": time_zone,
        "end": as_of,
    }
    bought = order_facts(orders, as_of=as_of, time_zone=time_zone, trailing_months=trailing_months)
    events = event_facts(start=None, **common)
    recent = event_facts(start=window.start, **common).select(
        "customer_key", trailing_sessions="sessions"
    )
    parts = [bought, events, recent]
    if dsr_ratings is not None:
        d = dsr_ratings.filter(
            dsr_ratings.customer_key.notnull() & (dsr_ratings.rated_at < _end_of(as_of, time_zone))
        )
        parts.append(
            d.group_by("customer_key").aggregate(
                dsr_ratings=d.count(),
                dsr_description=d.description.cast("float64").mean(),
                dsr_service=d.service.cast("float64").mean(),
                dsr_logistics=d.logistics.cast("float64").mean(),
            )
        )
    # Full outer joins, each part read once: a union of the parts' keys joined back to
    # every part made Ibis inline the order facts (a grouped pass over every order) once per
    # use — twice here, six times in the standing's query.
    out = parts[0]
    for part in parts[1:]:
        out = out.outer_join(part, "customer_key")
        out = out.mutate(customer_key=out.customer_key.fill_null(out.customer_key_right)).drop(
            "customer_key_right"
        )
    counts = [
        "orders",
        "paid_orders",
        "paid_amount",
        "paid_items",
        "trailing_orders",
        "trailing_paid_orders",
        "trailing_paid_amount",
        "trailing_unpaid_orders",
        *MONTH_EVENTS,
        "trailing_sessions",
    ]
    if dsr_ratings is not None:
        counts.append("dsr_ratings")
    out = out.mutate(**{c: out[c].fill_null(0) for c in counts})
    return out.mutate(
        mean_rating=(out.reviews > 0).ifelse(
            out.rating_sum.cast("float64") / out.reviews, ibis.null("float64")
        )
    )


# -- classes ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClassRule:
    """A class rule as the pages explain it: ``figure`` compared with ``threshold``."""

    key: str
    customer_class: str
    name_zh: str
    name_en: str
    formula: str


CLASS_RULES: tuple[ClassRule, ...] = (
    ClassRule(
        "vip_top_share",
        "vip",
        "近期消费额居前",
        "Top share by trailing paid amount",
        "trailing paid amount ≥ the smallest amount in the top share of the window's buyers",
    ),
    ClassRule(
        "core_orders_and_spend",
        "core",
        "近期多次购买且消费额高于中位数",
        "Repeat buyer with above-median spend",
        "trailing paid orders ≥ the minimum and trailing paid amount > the buyers' median",
    ),
    ClassRule(
        "potential_chat",
        "potential",
        "咨询过但从未购买",
        "Consulted, never bought",
        "no paid order ever and trailing chat sessions > 0",
    ),
    ClassRule(
        "potential_unpaid_order",
        "potential",
        "下单未付款且从未购买",
        "Ordered without paying, never bought",
        "no paid order ever and trailing unpaid orders > 0",
    ),
    ClassRule("ordinary", "ordinary", "其他客户", "Everyone else", "no other rule applies"),
)
REASON_DECIMAL = "decimal(38, 3)"


def class_thresholds(facts: ibis.Table, rules: ClassRules = ClassRules()) -> ibis.Table:
    """One row: ``buyers`` (customers who paid in the trailing window), ``vip_threshold``
    (the smallest trailing paid amount among the VIPs) and ``median_amount`` (the buyers'
    median trailing paid amount: the middle one, or the mean of the two middle ones)."""
    return _thresholds(_buyers(facts, rules))


def _buyers(facts: ibis.Table, rules: ClassRules) -> ibis.Table:
    """Each buyer's ``amount``, ``above`` (buyers who paid strictly more), ``position`` in
    ascending amount (0-based, ties in any order: only the values at a position count),
    ``buyers`` and ``vip`` (``above`` < share × buyers, in exact integers)."""
    b = facts.filter(facts.trailing_paid_orders > 0)
    b = b.select(
        "customer_key",
        amount=b.trailing_paid_amount,
        above=ibis.rank().over(order_by=ibis.desc(b.trailing_paid_amount)),
        position=ibis.row_number().over(order_by=b.trailing_paid_amount),
        buyers=b.customer_key.count().over(ibis.window()),
    )
    share = Fraction(rules.vip_top_share)
    return b.mutate(vip=b.above * share.denominator < b.buyers * share.numerator)


def _thresholds(b: ibis.Table) -> ibis.Table:
    low, high = (b.buyers - 1) // 2, b.buyers // 2
    middle = b.amount.sum(where=b.position == low) + b.amount.sum(where=b.position == high)
    return b.aggregate(
        buyers=b.count(),
        vip_threshold=b.amount.min(where=b.vip),
        median_amount=(middle.cast(REASON_DECIMAL) * ibis.literal(0.5, type=REASON_DECIMAL)).cast(
            REASON_DECIMAL
        ),
    )


def customer_classes(facts: ibis.Table, rules: ClassRules = ClassRules()) -> ibis.Table:
    """客户分类 (SPEC §1): every customer of ``facts`` (``customer_facts`` with the
    window of ``rules.trailing_months``) with ``customer_class`` and the reason:
    ``rule`` (a ``CLASS_RULES`` key), ``figure`` and ``threshold`` — e.g. vip_top_share,
    3240.00 ≥ 2980.00; core_orders_and_spend, 500.00 > median 300.00 (with
    ``trailing_paid_orders`` ≥ ``rules.core_min_paid_orders``) — plus
    ``trailing_paid_orders, trailing_paid_amount, buyers, vip_threshold, median_amount``
    so a page can also say why a customer is *not* in a higher class.

    The first rule that holds decides, in the order VIP, core, potential, ordinary:

    - VIP: a buyer (paid in the window) such that fewer than ``vip_top_share`` of the
      buyers paid strictly more in the window. Equal amounts are all in or all out; with
      20 buyers and 5 % the top buyer (and anyone equal to them) is VIP, with 19 too
      (0 < 0.95), with 40 the top two. The threshold shown is the smallest VIP amount.
      (SPEC's "or highest member tier" waits for the member score.)
    - core: at least ``core_min_paid_orders`` orders paid in the window and a trailing
      paid amount strictly above the buyers' median.
    - potential: no paid order by the as-of date, and in the window a chat session
      (``potential_chat``) or an unpaid order (``potential_unpaid_order``). (SPEC's "one
      order with high predicted value" waits for the CLV model.)
    - ordinary: everyone else (figure: the trailing paid amount)."""
    return with_classes(facts, rules).select(
        "customer_key",
        "customer_class",
        "rule",
        "figure",
        "threshold",
        "trailing_paid_orders",
        "trailing_paid_amount",
        "buyers",
        "vip_threshold",
        "median_amount",
    )


def with_classes(facts: ibis.Table, rules: ClassRules = ClassRules()) -> ibis.Table:
    """``facts`` with ``customer_classes``' columns added (``customer_class, rule, figure,
    threshold, buyers, vip_threshold, median_amount``): the same classes, for a caller that
    wants the facts beside them (the standing) without joining the facts to themselves.

    The buyers' ranks, count, VIP threshold and median are window functions over ``facts``
    (ranks within the buyers' partition, filtered sums over the whole table), so ``facts``
    is read once: a join back to the facts made Ibis repeat the facts' whole query (every
    order grouped again) for each use."""
    buyer = facts.trailing_paid_orders > 0
    amount = facts.trailing_paid_amount
    f = facts.mutate(
        _buyer=buyer,
        _above=ibis.rank().over(group_by=buyer, order_by=ibis.desc(amount)),
        _position=ibis.row_number().over(group_by=buyer, order_by=amount),
        buyers=facts.customer_key.count(where=buyer).over(ibis.window()),
    )
    share = Fraction(rules.vip_top_share)
    low, high = (f.buyers - 1) // 2, f.buyers // 2
    f = f.mutate(
        _vip=f._buyer & (f._above * share.denominator < f.buyers * share.numerator),
        _low=f.trailing_paid_amount.sum(where=f._buyer & (f._position == low)).over(ibis.window()),
        _high=f.trailing_paid_amount.sum(where=f._buyer & (f._position == high)).over(
            ibis.window()
        ),
    )
    f = f.mutate(
        vip_threshold=f.trailing_paid_amount.min(where=f._vip).over(ibis.window()),
        median_amount=(
            (f._low + f._high).cast(REASON_DECIMAL) * ibis.literal(0.5, type=REASON_DECIMAL)
        ).cast(REASON_DECIMAL),
    )
    f = f.mutate(vip=f._vip)
    out = _classified(f, rules)
    return out.drop("_buyer", "_above", "_position", "_vip", "_low", "_high", "vip")


def _classified(f: ibis.Table, rules: ClassRules) -> ibis.Table:
    """``f`` (facts with ``vip``, ``vip_threshold``, ``median_amount``) with the class, the
    rule, its figure and threshold."""
    amount = f.trailing_paid_amount
    is_vip = f.vip.fill_null(False)
    is_core = (f.trailing_paid_orders >= rules.core_min_paid_orders) & (
        amount.cast(REASON_DECIMAL) > f.median_amount
    ).fill_null(False)
    never_paid = f.paid_orders == 0
    chatted = never_paid & (f.trailing_sessions > 0) & rules.potential_by_chat
    carted = never_paid & (f.trailing_unpaid_orders > 0) & rules.potential_by_unpaid_order
    rule = ibis.cases(
        (is_vip, "vip_top_share"),
        (is_core, "core_orders_and_spend"),
        (chatted, "potential_chat"),
        (carted, "potential_unpaid_order"),
        else_="ordinary",
    )
    f = f.mutate(rule=rule)
    owner = {r.key: r.customer_class for r in CLASS_RULES}
    money = f.trailing_paid_amount.cast(REASON_DECIMAL)
    return f.mutate(
        customer_class=f.rule.substitute(owner),
        figure=ibis.cases(
            (f.rule == "potential_chat", f.trailing_sessions.cast(REASON_DECIMAL)),
            (f.rule == "potential_unpaid_order", f.trailing_unpaid_orders.cast(REASON_DECIMAL)),
            else_=money,
        ),
        threshold=ibis.cases(
            (f.rule == "vip_top_share", f.vip_threshold.cast(REASON_DECIMAL)),
            (f.rule == "core_orders_and_spend", f.median_amount),
            else_=ibis.null(REASON_DECIMAL),
        ),
    )


# -- RFM -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RfmGroup:
    """One of the eight classic groups: which of R, F, M are high (高) in it."""

    key: str
    name_zh: str
    name_en: str
    recency_high: bool
    frequency_high: bool
    monetary_high: bool


RFM_GROUPS: tuple[RfmGroup, ...] = (
    RfmGroup("important_value", "重要价值", "Important value", True, True, True),
    RfmGroup("important_develop", "重要发展", "Important to develop", True, False, True),
    RfmGroup("important_keep", "重要保持", "Important to keep", False, True, True),
    RfmGroup("important_win_back", "重要挽留", "Important to win back", False, False, True),
    RfmGroup("general_value", "一般价值", "General value", True, True, False),
    RfmGroup("general_develop", "一般发展", "General to develop", True, False, False),
    RfmGroup("general_keep", "一般保持", "General to keep", False, True, False),
    RfmGroup("general_win_back", "一般挽留", "General to win back", False, False, False),
)


def rfm_values(
    orders: ibis.Table,
    *,
    as_of: dt.date,
    time_zone: str,
    refunds: ibis.Table | None = None,
    rules: RfmRules = RfmRules(),
) -> ibis.Table:
    """R, F, M per customer with an order paid by ``as_of``: ``customer_key,
    last_paid_at, last_paid_day, recency_days, frequency, monetary``.

    - R ``recency_days``: whole local days from the last paid order's payment day to
      ``as_of`` (paid that day: 0);
    - F ``frequency``: orders paid by ``as_of``;
    - M ``monetary``: their amounts; with ``rules.deduct_refunds``, less the successful
      refunds of those orders completed by ``as_of`` (requested, when no completion time
      is known), never below 0."""
    if rules.deduct_refunds and refunds is None:
        raise RuleError("deduct_refunds: the refunds table is needed to deduct refunds")
    end = _end_of(as_of, time_zone)
    o = orders.filter(orders.customer_key.notnull() & orders.paid_at.notnull())
    o = o.filter(o.paid_at < end)
    v = o.group_by("customer_key").aggregate(
        last_paid_at=o.paid_at.max(),
        frequency=o.count(),
        monetary=o.amount.sum().cast(MONEY_SUM),
    )
    if rules.deduct_refunds and refunds is not None:
        r = refunds.filter(
            (refunds.status == "success")
            & (refunds.completed_at.fill_null(refunds.requested_at) < end)
        )
        owners = o.select("platform", "order_id", owner="customer_key")
        r = r.join(owners, ["platform", "order_id"])
        back = r.group_by(customer_key=r.owner).aggregate(refunded=r.amount.sum())
        v = v.left_join(back, "customer_key").drop("customer_key_right")
        net = v.monetary - v.refunded.fill_null(0)
        v = v.mutate(monetary=ibis.greatest(net, 0).cast(MONEY_SUM)).drop("refunded")
    v = _with_local_day(v, "last_paid_at", "last_paid_day", time_zone, as_of)
    return v.select(
        "customer_key",
        "last_paid_at",
        "last_paid_day",
        recency_days=ibis.literal(as_of).delta(v.last_paid_day, unit="day"),
        frequency=v.frequency,
        monetary=v.monetary,
    )


def rfm_scores(values: ibis.Table, rules: RfmRules = RfmRules()) -> ibis.Table:
    """``values`` (``rfm_values``) with ``r_score, f_score, m_score`` (1–5),
    ``r_high, f_high, m_high`` and the group (``group_key`` of ``RFM_GROUPS``, ``group``
    its Chinese name).

    Scores by quintile of rank, ties deterministic: among the n customers, a customer's
    score is 1 + ⌊5 × b ÷ n⌋, where b counts the customers with a strictly *worse* value
    (F, M: smaller; R: more days). Customers with equal values therefore always share a
    score — that of the lowest position of their tie (SQL ``RANK``) — whatever the row
    order, and a tie straddling a quintile edge falls wholly below it. With ten distinct
    values the scores are 1,1,2,2,3,3,4,4,5,5; if 6 of 10 customers bought once, all six
    score 1 and the next value (b = 6) scores 4. R's best score goes to the most recent.

    High or low (SPEC §9 does not say): a dimension is high when its score is at least
    ``rules.high_score`` (default 3). A fixed rule on the scores explains itself per
    customer ("R 4 ≥ 3") and means the same at every as-of date; comparing with the mean
    score would move every group when one customer changes."""
    n = values.customer_key.count().over(ibis.window())

    def score(below: ibis.Value) -> ibis.Value:
        return (1 + (below * 5) // n).cast("int64")

    s = values.mutate(
        r_score=score(ibis.rank().over(order_by=ibis.desc(values.recency_days))),
        f_score=score(ibis.rank().over(order_by=values.frequency)),
        m_score=score(ibis.rank().over(order_by=values.monetary)),
    )
    s = s.mutate(
        r_high=s.r_score >= rules.high_score,
        f_high=s.f_score >= rules.high_score,
        m_high=s.m_score >= rules.high_score,
    )
    branches = [
        (
            (s.r_high == g.recency_high)
            & (s.f_high == g.frequency_high)
            & (s.m_high == g.monetary_high),
            g.key,
        )
        for g in RFM_GROUPS
    ]
    s = s.mutate(group_key=ibis.cases(*branches))
    names = {g.key: g.name_zh for g in RFM_GROUPS}
    return s.mutate(group=s.group_key.substitute(names))


def rfm(
    orders: ibis.Table,
    *,
    as_of: dt.date,
    time_zone: str,
    refunds: ibis.Table | None = None,
    rules: RfmRules = RfmRules(),
) -> ibis.Table:
    """RFM at ``as_of`` (SPEC §9): ``rfm_values`` scored and grouped by ``rfm_scores``."""
    values = rfm_values(orders, as_of=as_of, time_zone=time_zone, refunds=refunds, rules=rules)
    return rfm_scores(values, rules)


STANDING_RFM = (
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "group_key",
)
"""RFM's columns the standing keeps (the highs and the Chinese group name follow from them)."""


def standing(
    *,
    orders: ibis.Table,
    refunds: ibis.Table,
    reviews: ibis.Table,
    sessions: ibis.Table,
    months: ibis.Table | None,
    as_of: dt.date,
    time_zone: str,
    class_rules: ClassRules = ClassRules(),
    rfm_rules: RfmRules = RfmRules(),
) -> ibis.Table:
    """Every customer's facts, class and RFM at ``as_of`` (the standing's rows before the
    categories and loyalty): ``customer_facts`` → ``with_classes`` (the facts read once),
    joined with ``rfm``. The one composition the standing and its benchmark both count."""
    facts = customer_facts(
        orders=orders,
        refunds=refunds,
        reviews=reviews,
        sessions=sessions,
        months=months,
        as_of=as_of,
        time_zone=time_zone,
        trailing_months=class_rules.trailing_months,
    )
    classed = with_classes(facts, class_rules).drop("buyers", "vip_threshold", "median_amount")
    scores = rfm(orders, as_of=as_of, time_zone=time_zone, refunds=refunds, rules=rfm_rules)
    scores = scores.select("customer_key", *STANDING_RFM)
    return classed.left_join(scores, "customer_key").drop("customer_key_right")
