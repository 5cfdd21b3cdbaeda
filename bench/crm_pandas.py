"""Every customer's standing (issue 15) in vectorised pandas: the baseline the product must
beat 5×.

The same definitions as ``guanxi.metrics.customers`` (read its docstrings): facts at an
as-of date with the trailing window, the classes (VIP top share with its tie rule, the
exact median), RFM values, rank-based quintile scores 1 + ⌊5·b/n⌋ and the eight groups.
No Python loop over rows: masks, ``groupby`` aggregations, ``merge`` and ``rank`` do the
work. Times are int64 microseconds since the epoch, money int64 cents (exact sums without
Decimal objects), local days int64 days since the epoch (the zone's one UTC offset, as in
the hand SQL). Like the SQL it reads only the columns it needs, the ``customer_months``
partitions inside each range (the month is in the file's path) and, of the derived chat
sessions, the partitions of the days at the ranges' ends.

``standing`` returns a DataFrame with the product's columns in those units
(``bench.crm.canonical`` turns both into one form to compare).
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from guanxi.core.timeutil import Period, local_midnight_utc
from guanxi.metrics.customers import EARLIEST, RFM_GROUPS, split_months, trailing_period
from guanxi.metrics.facts import fixed_offset
from guanxi.metrics.rules import ClassRules, RfmRules

DAY_US = 86_400_000_000
LOW, HIGH = np.iinfo(np.int64).min, np.iinfo(np.int64).max
EVENTS = ("refunds", "refund_amount", "returns", "sessions", "reviews", "rating_sum")


def _us(value: dt.datetime) -> int:
    delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _times(column: pa.ChunkedArray, null: int) -> np.ndarray:
    """A timestamp column as int64 microseconds, nulls as ``null``."""
    values = pc.cast(column, pa.timestamp("us", "UTC")).cast(pa.int64())
    return values.fill_null(null).to_numpy()


def _cents(column: pa.ChunkedArray) -> np.ndarray:
    return pc.multiply(column, 100).cast(pa.int64()).fill_null(0).to_numpy()


def _month(path: str) -> str:
    found = re.search(r"month=(\d{4}-\d{2})", path)
    assert found, f"not a month partition: {path}"
    return found.group(1)


def _read(paths: list[str], columns: list[str]) -> pa.Table:
    if not paths:
        return pa.table({c: pa.array([], pa.null()) for c in columns})
    return pq.ParquetDataset(paths).read(columns=columns)


class _Inputs:
    def __init__(self, files: dict[str, list[str]], tz: str) -> None:
        self.files = files
        self.tz = tz
        self._raw: dict[str, pd.DataFrame] = {}

    def raw(self, name: str) -> pd.DataFrame:
        """Refunds, reviews: every row (small tables), the columns the facts need."""
        if name not in self._raw:
            if name == "refunds":
                t = _read(self.files[name], ["customer_key", "requested_at", "kind", "amount"])
                frame = pd.DataFrame(
                    {
                        "customer_key": t["customer_key"].to_pandas(),
                        "at": _times(t["requested_at"], HIGH),
                        "refund_amount": _cents(t["amount"]),
                        "returns": (t["kind"].to_pandas() == "return_refund").astype("int64"),
                    }
                )
            else:
                t = _read(self.files[name], ["customer_key", "created_at", "rating"])
                frame = pd.DataFrame(
                    {
                        "customer_key": t["customer_key"].to_pandas(),
                        "at": _times(t["created_at"], HIGH),
                        "rating_sum": t["rating"].cast(pa.int64()).fill_null(0).to_numpy(),
                    }
                )
            self._raw[name] = frame[frame.customer_key.notna()]
        return self._raw[name]

    def events(self, first: str | None, last: str | None, days: tuple[Period, ...]) -> pd.DataFrame:
        """Per customer the event sums of a range: whole months ``first``..``last`` from
        ``customer_months``, the ``days`` at the ends from the raw rows."""
        parts = []
        if last is not None:
            paths = [
                p
                for p in self.files["customer_months"]
                if _month(p) <= last and (first is None or _month(p) >= first)
            ]
            t = _read(paths, ["customer_key", *EVENTS, "last_chat_at"])
            parts.append(
                pd.DataFrame(
                    {
                        "customer_key": t["customer_key"].to_pandas(),
                        **{
                            c: (_cents(t[c]) if c == "refund_amount" else t[c].to_numpy())
                            for c in EVENTS
                        },
                        "last_chat_at": _times(t["last_chat_at"], LOW),
                    }
                )
            )
        if days:
            bounds = [tuple(_us(x) for x in d.utc_bounds(self.tz)) for d in days]

            def inside(at: pd.Series) -> np.ndarray:
                mask = np.zeros(len(at), dtype=bool)
                for start, end in bounds:
                    mask |= (at.to_numpy() >= start) & (at.to_numpy() < end)
                return mask

            r = self.raw("refunds")
            r = r[inside(r["at"])]
            parts.append(
                pd.DataFrame(
                    {
                        "customer_key": r.customer_key,
                        "refunds": 1,
                        "refund_amount": r.refund_amount,
                        "returns": r.returns,
                    }
                )
            )
            v = self.raw("reviews")
            v = v[inside(v["at"])]
            parts.append(
                pd.DataFrame(
                    {"customer_key": v.customer_key, "reviews": 1, "rating_sum": v.rating_sum}
                )
            )
            months = {f"{d.year:04d}-{d.month:02d}" for p in days for d in (p.start, p.end)}
            # a session's partition is its local day's month: a day range's two ends name
            # every month it touches (each range lies within one month)
            paths = [p for p in self.files["sessions"] if _month(p) in months]
            s = _read(paths, ["customer_key", "first_at"])
            chats = pd.DataFrame(
                {"customer_key": s["customer_key"].to_pandas(), "at": _times(s["first_at"], LOW)}
            )
            chats = chats[chats.customer_key.notna() & inside(chats["at"])]
            parts.append(
                pd.DataFrame(
                    {"customer_key": chats.customer_key, "sessions": 1, "last_chat_at": chats["at"]}
                )
            )
        rows = pd.concat(parts, ignore_index=True)
        for c in EVENTS:
            rows[c] = rows[c].fillna(0).astype("int64")
        rows["last_chat_at"] = rows["last_chat_at"].fillna(LOW).astype("int64")
        out = rows.groupby("customer_key", sort=False).agg(
            **{c: (c, "sum") for c in EVENTS}, last_chat_at=("last_chat_at", "max")
        )
        out["last_chat_at"] = _null_at(out["last_chat_at"], LOW)
        return out


def _orders(files: dict[str, list[str]], end: int, start: int) -> pd.DataFrame:
    t = _read(files["orders"], ["customer_key", "created_at", "paid_at", "amount", "item_count"])
    created = _times(t["created_at"], HIGH)
    paid_at = _times(t["paid_at"], HIGH)
    made = created < end
    paid = paid_at < end
    keep = t["customer_key"].is_valid().to_numpy(zero_copy_only=False) & (made | paid)
    cents = _cents(t["amount"])
    items = t["item_count"].cast(pa.int64()).fill_null(0).to_numpy()
    made, paid, created, paid_at = made[keep], paid[keep], created[keep], paid_at[keep]
    cents, items = cents[keep], items[keep]
    both = made & paid
    recent_made = made & (created >= start)
    recent_paid = both & (paid_at >= start)
    o = pd.DataFrame(
        {
            "customer_key": t["customer_key"].filter(pa.array(keep)).to_pandas(),
            "orders": made.astype("int64"),
            "first_order_at": np.where(made, created, HIGH),
            "last_order_at": np.where(made, created, LOW),
            "paid_orders": both.astype("int64"),
            "paid_amount": np.where(both, cents, 0),
            "paid_items": np.where(both, items, 0),
            "first_paid_at": np.where(both, paid_at, HIGH),
            "last_paid_at": np.where(both, paid_at, LOW),
            "trailing_orders": recent_made.astype("int64"),
            "trailing_paid_orders": recent_paid.astype("int64"),
            "trailing_paid_amount": np.where(recent_paid, cents, 0),
            "trailing_unpaid_orders": (recent_made & ~paid).astype("int64"),
            "rfm_last_paid_at": np.where(paid, paid_at, LOW),
            "frequency": paid.astype("int64"),
            "monetary": np.where(paid, cents, 0),
        }
    )
    sums = [
        "orders", "paid_orders", "paid_amount", "paid_items", "trailing_orders",
        "trailing_paid_orders", "trailing_paid_amount", "trailing_unpaid_orders", "frequency",
        "monetary",
    ]  # fmt: skip
    mins = ["first_order_at", "first_paid_at"]
    maxes = ["last_order_at", "last_paid_at", "rfm_last_paid_at"]
    out = o.groupby("customer_key", sort=False).agg(
        **{c: (c, "sum") for c in sums},
        **{c: (c, "min") for c in mins},
        **{c: (c, "max") for c in maxes},
    )
    for c in mins:
        out[c] = _null_at(out[c], HIGH)
    for c in maxes:
        out[c] = _null_at(out[c], LOW)
    return out


def _null_at(values: pd.Series, null: int) -> pd.Series:
    """int64 microseconds with ``null`` standing for none, as a nullable column."""
    return values.astype("Int64").mask(values == null)


def standing(
    files: dict[str, list[str]],
    as_of: dt.date,
    tz: str,
    class_rules: ClassRules = ClassRules(),
    rfm_rules: RfmRules = RfmRules(),
) -> pd.DataFrame:
    if rfm_rules.deduct_refunds:
        raise NotImplementedError("the bench measures the default RFM (refunds not deducted)")
    offset = fixed_offset(Period(EARLIEST, as_of + dt.timedelta(days=1)), tz)
    if offset is None:
        raise NotImplementedError("the pandas baseline assumes one UTC offset (all of China)")
    shift = offset // dt.timedelta(microseconds=1)
    end = _us(local_midnight_utc(as_of + dt.timedelta(days=1), tz))
    window = trailing_period(as_of, class_rules.trailing_months)
    start = _us(local_midnight_utc(window.start, tz))
    as_of_day = (as_of - dt.date(1970, 1, 1)).days

    grouped = _orders(files, end, start)
    inputs = _Inputs(files, tz)
    every = split_months(None, as_of)
    ever = inputs.events(None, every.last_month, every.days)
    recent = split_months(window.start, as_of)
    trailing = inputs.events(recent.first_month, recent.last_month, recent.days)[["sessions"]]

    bought = grouped[grouped.orders > 0].drop(columns=["rfm_last_paid_at", "frequency", "monetary"])
    f = bought.join(ever, how="outer").join(
        trailing.rename(columns={"sessions": "trailing_sessions"}), how="outer"
    )
    counts = [
        "orders", "paid_orders", "paid_amount", "paid_items", "trailing_orders",
        "trailing_paid_orders", "trailing_paid_amount", "trailing_unpaid_orders", *EVENTS,
        "trailing_sessions",
    ]  # fmt: skip
    for c in counts:
        f[c] = f[c].fillna(0).astype("int64")
    first_day = (f.first_paid_at + shift) // DAY_US
    last_day = (f.last_paid_at + shift) // DAY_US
    f["first_paid_day"] = first_day
    f["last_paid_day"] = last_day
    many = (f.paid_orders >= 2).to_numpy()
    gap = (last_day - first_day).astype("float64").to_numpy() / (f.paid_orders - 1).replace(0, 1)
    f["mean_days_between_paid_orders"] = np.where(many, gap, np.nan)
    f["mean_rating"] = np.where(
        f.reviews > 0, f.rating_sum / f.reviews.replace(0, 1).astype("float64"), np.nan
    )

    # classes: VIP top share with ties all in or all out, the buyers' exact median
    share = Fraction(class_rules.vip_top_share)
    b = f.loc[f.trailing_paid_orders > 0, "trailing_paid_amount"]
    n = len(b)
    above = b.rank(method="min", ascending=False).astype("int64") - 1
    vip = (above * share.denominator < n * share.numerator).reindex(f.index, fill_value=False)
    median: int | None = None
    vip_threshold: int | None = None
    if n:
        ordered = np.sort(b.to_numpy())
        median = int(ordered[(n - 1) // 2] + ordered[n // 2]) * 5  # thousandths
        vip_threshold = int(b[vip[b.index]].min()) * 10
    amount = f.trailing_paid_amount
    core = (f.trailing_paid_orders >= class_rules.core_min_paid_orders) & (
        (amount * 10 > median) if median is not None else False
    )
    never = f.paid_orders == 0
    chat = never & (f.trailing_sessions > 0) & class_rules.potential_by_chat
    cart = never & (f.trailing_unpaid_orders > 0) & class_rules.potential_by_unpaid_order
    conditions = [vip.to_numpy(), core.to_numpy(), chat.to_numpy(), cart.to_numpy()]
    rule = np.select(
        conditions,
        ["vip_top_share", "core_orders_and_spend", "potential_chat", "potential_unpaid_order"],
        "ordinary",
    )
    f["customer_class"] = np.select(
        conditions, ["vip", "core", "potential", "potential"], "ordinary"
    )
    f["rule"] = rule
    f["figure"] = np.select(
        [rule == "potential_chat", rule == "potential_unpaid_order"],
        [f.trailing_sessions * 1000, f.trailing_unpaid_orders * 1000],
        amount * 10,
    )
    threshold = pd.Series(pd.NA, index=f.index, dtype="Int64")
    threshold[rule == "vip_top_share"] = vip_threshold
    threshold[rule == "core_orders_and_spend"] = median
    f["threshold"] = threshold

    # RFM over every customer with an order paid by the as-of date
    v = grouped.loc[grouped.frequency > 0, ["rfm_last_paid_at", "frequency", "monetary"]]
    m = len(v)
    recency = as_of_day - (v.rfm_last_paid_at + shift) // DAY_US
    scores = pd.DataFrame(
        {
            "recency_days": recency,
            "frequency": v.frequency,
            "monetary": v.monetary,
            "r_score": 1
            + (recency.rank(method="min", ascending=False).astype("int64") - 1) * 5 // m,
            "f_score": 1 + (v.frequency.rank(method="min").astype("int64") - 1) * 5 // m,
            "m_score": 1 + (v.monetary.rank(method="min").astype("int64") - 1) * 5 // m,
        }
    )
    high = rfm_rules.high_score
    code = (
        (scores.r_score >= high).astype("int64") * 4
        + (scores.f_score >= high).astype("int64") * 2
        + (scores.m_score >= high).astype("int64")
    )
    names = {g.recency_high * 4 + g.frequency_high * 2 + g.monetary_high: g.key for g in RFM_GROUPS}
    scores["group_key"] = code.map(names)
    out = f.join(scores, how="left")
    for c in ("recency_days", "frequency", "monetary", "r_score", "f_score", "m_score"):
        out[c] = out[c].astype("Int64")
    out.index.name = "customer_key"
    return out.reset_index()


def with_loyalty(
    rows: pd.DataFrame,
    files: dict[str, list[str]],
    as_of: dt.date,
    tz: str,
    rules: Any,
) -> pd.DataFrame:
    """``rows`` (``standing``'s) with ``loyalty`` and the components' columns
    (``loyalty_components.<component>.<field>``, ``loyalty_components.points``) as
    ``metrics.loyalty.with_loyalty`` defines them: after-sales judged by the ratings given
    after the first refund, no survey yet (recommend unknown)."""
    end = _us(local_midnight_utc(as_of + dt.timedelta(days=1), tz))
    inputs = _Inputs(files, tz)
    r = inputs.raw("refunds")
    r = r[r["at"] < end]
    first = r.groupby("customer_key", sort=False)["at"].min().rename("first_refund_at")
    v = inputs.raw("reviews")
    v = v[v["at"] < end]
    after = v.merge(first, left_on="customer_key", right_index=True)
    after = after[after["at"] >= after.first_refund_at]
    rated = after.groupby("customer_key", sort=False).agg(
        n=("rating_sum", "size"), total=("rating_sum", "sum")
    )
    after_sale = rated.reindex(first.index, fill_value=0)

    out = rows.set_index("customer_key")
    buyers = out.loc[out.trailing_paid_orders > 0, "trailing_paid_amount"]
    n = len(buyers)
    above = buyers.rank(method="min", ascending=False).astype("int64") - 1
    hs = Fraction(str(rules.amount_high_share))
    ms = Fraction(str(rules.amount_medium_share))
    amount_level = pd.Series(
        np.select(
            [above * hs.denominator < n * hs.numerator, above * ms.denominator < n * ms.numerator],
            ["high", "medium"],
            "low",
        ),
        index=buyers.index,
    )
    high_at = buyers[amount_level == "high"].min() if (amount_level == "high").any() else None
    medium_at = (
        buyers[amount_level == "medium"].min() if (amount_level == "medium").any() else high_at
    )

    bought = (out.paid_orders > 0).to_numpy()
    freq = out.trailing_paid_orders.to_numpy()
    fl = np.where(
        ~bought,
        "unknown",
        np.where(
            freq >= rules.frequency_high,
            "high",
            np.where(freq >= rules.frequency_medium, "medium", "low"),
        ),
    )
    al = np.where(~bought, "unknown", amount_level.reindex(out.index).fillna("low").to_numpy())
    rl = np.full(len(out), "unknown")
    a = after_sale.reindex(out.index)
    after_refund = (a.n.fillna(0) > 0).to_numpy()
    rc = np.where(after_refund, a.n.fillna(0).to_numpy(), out.reviews.to_numpy()).astype("int64")
    rs = np.where(after_refund, a.total.fillna(0).to_numpy(), out.rating_sum.to_numpy())
    rs = rs.astype("int64")
    sh, sm = Fraction(str(rules.satisfaction_high)), Fraction(str(rules.satisfaction_medium))
    sl = np.where(
        rc == 0,
        "unknown",
        np.where(
            rs * sh.denominator >= rc * sh.numerator,
            "high",
            np.where(rs * sm.denominator >= rc * sm.numerator, "medium", "low"),
        ),
    )
    worth = {"high": 2, "medium": 1, "low": 0}
    levels = [fl, al, rl, sl]
    total = sum(pd.Series(x).map(worth).fillna(0).astype("int64").to_numpy() for x in levels)
    known = sum(np.isin(x, list(worth)).astype("int64") for x in levels)
    any_low = np.logical_or.reduce([x == "low" for x in levels])
    ph, pm = Fraction(str(rules.high_points)), Fraction(str(rules.medium_points))
    loyalty = np.where(
        (total * ph.denominator >= known * ph.numerator) & ~any_low,
        "high",
        np.where(total * pm.denominator >= known * pm.numerator, "medium", "low"),
    ).astype(object)
    loyalty[~bought | (known == 0)] = None  # nothing to judge: a customer who never paid
    out["loyalty"] = loyalty
    nothing = np.full(len(out), np.nan)
    parts: dict[str, tuple[Any, ...]] = {
        "frequency": (freq, fl, rules.frequency_high, rules.frequency_medium, "window", None),
        "amount": (
            out.trailing_paid_amount.to_numpy() / 100,
            al,
            np.nan if high_at is None else high_at / 100,
            np.nan if medium_at is None else medium_at / 100,
            "window",
            None,
        ),
        "recommend": (nothing, rl, rules.recommend_high, rules.recommend_medium, "", None),
        "after_sales": (
            np.where(rc > 0, rs / np.where(rc > 0, rc, 1), np.nan),
            sl,
            float(rules.satisfaction_high),
            float(rules.satisfaction_medium),
            np.where(after_refund, "after_refund", np.where(rc > 0, "reviews", "")),
            rc,
        ),
    }
    for name, (figure, level, high, medium, basis, count) in parts.items():
        key = f"loyalty_components.{name}"
        out[f"{key}.figure"] = np.asarray(figure, dtype="float64")
        out[f"{key}.level"] = level
        out[f"{key}.high_at"] = float(high)
        out[f"{key}.medium_at"] = float(medium)
        out[f"{key}.basis"] = basis
        if count is None:
            out[f"{key}.count"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
        else:
            out[f"{key}.count"] = pd.array(count, dtype="Int64")
    out["loyalty_components.points"] = np.where(known > 0, total / np.maximum(known, 1), np.nan)
    return out.reset_index()
