"""Churn risk's job (``job_api``): build features on a time split, fit, measure against the
recency baseline on a later held-out period, refit and score today, and give the valuable
customers at risk their top reasons in words.

The time split (``plan``), with N = ``horizon_days`` and month-start cutoffs:

- *evaluation* cutoff E: the latest month start whose label period [E, E+N) has ended by
  the data's last day — the held-out later period the page's figures come from;
- *training* cutoffs: the latest month start T whose label period [T, T+N) ends by E, and
  the ``train_cutoffs − 1`` months before it (stacked: more examples, still none of them
  looking at E's label period). Every feature reads only before its own cutoff, so no
  training row sees a day of the held-out label period (tests/insight: ``plan`` is checked
  for that);
- *scoring* cutoff S: the month start nearest the data's last day; the served model is
  refitted on the training cutoffs plus E (all labels known by then) and scores S.

Complaints (service desk) and member scores (loyalty) live in the app database: they are
read here and handed to the Ibis features as small tables.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from guanxi.insight.job_api import FitFailed, JobResult, Progress
from guanxi.metrics.churn_features import local_midnight
from guanxi.stats import churn

DEFAULTS: dict[str, Any] = {
    "horizon_days": 90,  # churned = no paid order in the next N days
    "train_cutoffs": 3,  # monthly training cutoffs stacked
    "min_customers": 50,  # per period, below which a fit means nothing
    "valuable_share": 0.2,  # valuable = the top 20 % by the past year's spend
    "at_risk": 0.5,  # at risk = predicted risk ≥ 0.5
    "random_state": 0,
}
LIMITS = {
    "horizon_days": (7, 365),
    "train_cutoffs": (1, 12),
    "min_customers": (10, 1_000_000),
}


def _month_start(day: dt.date, shift: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Plan:
    train: tuple[dt.date, ...]  # oldest first
    evaluate: dt.date
    score: dt.date
    horizon_days: int

    def label_end(self, cutoff: dt.date) -> dt.date:
        """The first day after ``cutoff``'s label period."""
        return cutoff + dt.timedelta(days=self.horizon_days)


def plan(last_day: dt.date, horizon_days: int, train_cutoffs: int) -> Plan:
    """The cutoffs for data that ends on ``last_day`` (inclusive); the caller checks that
    the data begins before the first training cutoff."""
    data_end = last_day + dt.timedelta(days=1)  # first day with no data
    evaluate = _month_start(last_day)
    while evaluate + dt.timedelta(days=horizon_days) > data_end:
        evaluate = _month_start(evaluate, -1)
    train = _month_start(evaluate)
    while train + dt.timedelta(days=horizon_days) > evaluate:
        train = _month_start(train, -1)
    cutoffs = tuple(_month_start(train, -k) for k in reversed(range(train_cutoffs)))
    score = _month_start(last_day, 1 if last_day.day >= 15 else 0)
    return Plan(cutoffs, evaluate, score, horizon_days)


def clean_params(params: dict[str, Any]) -> dict[str, Any]:
    """The defaults with ``params`` over them, checked; a wrong value raises FitFailed
    naming the field and the allowed range."""
    out = {**DEFAULTS, **(params or {})}
    for name, (low, high) in LIMITS.items():
        value = out[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise FitFailed(
                f"参数 {name} 应为 {low} 到 {high} 之间的整数（现为 {value!r}）。",
                f"Parameter {name} must be a whole number from {low} to {high} (got {value!r}).",
            )
    for name in ("valuable_share", "at_risk"):
        value = out[name]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < 1:
            raise FitFailed(
                f"参数 {name} 应为 0 到 1 之间的小数（现为 {value!r}）。",
                f"Parameter {name} must be a fraction between 0 and 1 (got {value!r}).",
            )
    return out


# -- reading ---------------------------------------------------------------------------------
def _complaints(cutoff: dt.date, time_zone: str) -> Any:
    """``customer_key, complaints``: complaint tickets received in the 12 months before."""
    import ibis
    from django.db.models import Count

    from guanxi.metrics.churn_features import WINDOW_MONTHS
    from guanxi.servicedesk.models import Kind, Ticket

    start = local_midnight(_month_start(cutoff, -WINDOW_MONTHS), time_zone)
    end = local_midnight(cutoff, time_zone)
    rows = (
        Ticket.objects.filter(kind=Kind.COMPLAINT, created_at__gte=start, created_at__lt=end)
        .exclude(customer_key="")
        .values("customer_key")
        .annotate(n=Count("id"))
    )
    keys = [r["customer_key"] for r in rows]
    counts = [r["n"] for r in rows]
    return ibis.memtable(
        pa.table(
            {
                "customer_key": pa.array(keys, pa.string()),
                "complaints": pa.array(counts, pa.int64()),
            }
        )
    )


def _members(cutoff: dt.date) -> Any:
    """``customer_key, member_score``: each customer's latest monthly score before the
    cutoff's month (a later score would leak the future)."""
    import ibis

    from guanxi.loyalty.models import MemberScore

    latest: dict[str, int] = {}
    rows = (
        MemberScore.objects.filter(month__lt=cutoff)
        .order_by("customer_id", "month")
        .values_list("customer__customer_key", "score")
    )
    for key, score in rows.iterator(chunk_size=5000):
        latest[key] = score  # ordered by month: the last one wins
    return ibis.memtable(
        pa.table(
            {
                "customer_key": pa.array(list(latest), pa.string()),
                "member_score": pa.array(list(latest.values()), pa.int64()),
            }
        )
    )


@dataclass
class Inputs:
    store: Any
    orders: Any
    refunds: Any
    reviews: Any
    months: Any
    time_zone: str


def _inputs() -> tuple[Inputs, dt.date | None]:
    from django.conf import settings

    from guanxi import lake
    from guanxi.customers.standing import sessions_and_months, table_or_empty
    from guanxi.imports.derived import figures_from_derived

    store = lake.get()
    if not store.exists("orders"):
        return Inputs(store, None, None, None, None, settings.TIME_ZONE), None
    tz = settings.TIME_ZONE
    orders = store.table("orders")
    refunds = table_or_empty(store, "refunds")
    reviews = table_or_empty(store, "reviews")
    last = store.arrow(orders.aggregate(last=orders.created_at.max())).column("last")[0].as_py()
    if last is None:
        return Inputs(store, orders, refunds, reviews, None, tz), None
    last_day = _to_local_day(last, tz)
    sessions, months = sessions_and_months(store, last_day, fresh=figures_from_derived())
    if months is None:
        from guanxi.core.timeutil import Period
        from guanxi.metrics.customer_facts import customer_months
        from guanxi.metrics.customers import EARLIEST

        months = customer_months(
            orders=orders,
            refunds=refunds,
            reviews=reviews,
            sessions=sessions,
            time_zone=tz,
            span=Period(EARLIEST, last_day + dt.timedelta(days=1)),
        )
    return Inputs(store, orders, refunds, reviews, months, tz), last_day


def _to_local_day(at: dt.datetime, time_zone: str) -> dt.date:
    import zoneinfo

    return at.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def _frame(inputs: Inputs, cutoff: dt.date, horizon_days: int | None) -> pa.Table:
    from guanxi.metrics.churn_features import churn_features

    expr = churn_features(
        orders=inputs.orders,
        refunds=inputs.refunds,
        reviews=inputs.reviews,
        months=inputs.months,
        complaints=_complaints(cutoff, inputs.time_zone),
        members=_members(cutoff),
        cutoff=cutoff,
        time_zone=inputs.time_zone,
        horizon_days=horizon_days,
    )
    return inputs.store.arrow(expr).sort_by("customer_key")


def _xy(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    x = churn.as_matrix(
        {n: table.column(n).to_numpy(zero_copy_only=False) for n in churn.FEATURE_NAMES}
    )
    y = table.column("churned").to_numpy().astype(int)
    return x, y


def _check_period(name_zh: str, name_en: str, cutoff: dt.date, y: np.ndarray, least: int) -> None:
    if len(y) < least:
        raise FitFailed(
            f"{name_zh}（截至 {cutoff}）只有 {len(y)} 位有购买的客户，少于 {least} 位，"
            "无法可靠地训练或评估。"
            "请导入更长时间的订单，或调低 min_customers。",
            f"The {name_en} period (cutoff {cutoff}) has only {len(y)} customers with purchases, "
            f"fewer than {least}: too few to fit or measure. Import a longer order history or "
            "lower min_customers.",
        )
    churned = int(y.sum())
    if churned in (0, len(y)):
        word_zh, word_en = ("全部流失", "all churned") if churned else ("无人流失", "none churned")
        raise FitFailed(
            f"{name_zh}（截至 {cutoff}）的 {len(y)} 位客户{word_zh}：只有一类结果，模型无从区分。"
            "请换一个观察天数（horizon_days）。",
            f"In the {name_en} period (cutoff {cutoff}) {word_en} of the {len(y)} customers: "
            "one outcome only, nothing to tell apart. Try another horizon_days.",
        )


def fit(params: dict[str, Any], progress: Progress) -> JobResult:
    p = clean_params(params)
    progress(0.02, "读取订单 / reading orders")
    inputs, last_day = _inputs()
    if last_day is None:
        raise FitFailed(
            "还没有订单数据，无法预测流失。", "No orders yet: nothing to predict churn from."
        )
    split = plan(last_day, p["horizon_days"], p["train_cutoffs"])
    first = inputs.store.arrow(inputs.orders.aggregate(first=inputs.orders.created_at.min()))
    first_day = _to_local_day(first.column("first")[0].as_py(), inputs.time_zone)
    if split.train[0] <= first_day:
        need = p["horizon_days"] * 2 + 31 * p["train_cutoffs"]
        raise FitFailed(
            f"订单历史从 {first_day} 到 {last_day}，不够一个训练期加一个之后的评估期"
            f"（观察 {p['horizon_days']} 天时约需 {need} 天以上）。"
            "请导入更长的历史或缩短 horizon_days。",
            f"The orders run from {first_day} to {last_day}: not enough for a training period and "
            f"a later held-out period (with a {p['horizon_days']}-day horizon about {need}+ days "
            "are needed). Import a longer history or shorten horizon_days.",
        )

    frames = []
    for i, cutoff in enumerate(split.train):
        progress(0.05 + 0.35 * i / len(split.train), f"训练特征 / training features {cutoff}")
        frames.append(_frame(inputs, cutoff, p["horizon_days"]))
    train = pa.concat_tables(frames)
    progress(0.45, f"评估特征 / held-out features {split.evaluate}")
    held = _frame(inputs, split.evaluate, p["horizon_days"])
    x_train, y_train = _xy(train)
    x_held, y_held = _xy(held)
    _check_period("训练期", "training", split.train[-1], y_train, p["min_customers"])
    _check_period("评估期", "held-out", split.evaluate, y_held, p["min_customers"])

    progress(0.55, "训练 / fitting")
    model = churn.ChurnModel(random_state=p["random_state"]).fit(x_train, y_train)
    risk = model.predict_proba(x_held)
    recency = x_held[:, churn.FEATURE_NAMES.index("recency_days")]
    figures = {
        "model": churn.evaluate(y_held, risk),
        "baseline": churn.evaluate(y_held, churn.recency_baseline(recency)),
    }
    beats = (
        figures["model"]["auc"] > figures["baseline"]["auc"]
        and figures["model"]["lift_top_decile"] >= figures["baseline"]["lift_top_decile"]
    )

    progress(0.7, f"重新训练并评分 / refit and score {split.score}")
    x_all = np.vstack([x_train, x_held])
    y_all = np.concatenate([y_train, y_held])
    served = churn.ChurnModel(random_state=p["random_state"]).fit(x_all, y_all)
    today = _frame(inputs, split.score, None)
    keys = today.column("customer_key").to_pylist()
    x_today = churn.as_matrix(
        {n: today.column(n).to_numpy(zero_copy_only=False) for n in churn.FEATURE_NAMES}
    )
    risk_today = served.predict_proba(x_today) if len(keys) else np.array([])
    customers, at_risk = _customers(served, keys, x_today, risk_today, p)

    progress(0.95, "汇总 / summing up")
    metrics = {
        "horizon_days": p["horizon_days"],
        "train_cutoffs": [c.isoformat() for c in split.train],
        "evaluate_cutoff": split.evaluate.isoformat(),
        "score_cutoff": split.score.isoformat(),
        "train_customers": len(y_train),
        "train_churn_rate": float(y_train.mean()),
        "held_customers": len(y_held),
        "held_churn_rate": float(y_held.mean()),
        "scored_customers": len(keys),
        "valuable_at_risk": at_risk,
        "valuable_share": p["valuable_share"],
        "at_risk": p["at_risk"],
        "model_beats_baseline": beats,
        "contribution_method": "occlusion against the training median",
        **figures,
    }
    versions = {
        name: v
        for name in ("orders", "refunds", "reviews", "chat_messages")
        if (v := inputs.store.version(name)) is not None
    }
    return JobResult(metrics=metrics, customers=customers, input_versions=versions)


def _customers(
    model: churn.ChurnModel,
    keys: list[str],
    x: np.ndarray,
    risk: np.ndarray,
    p: dict[str, Any],
) -> tuple[dict[str, dict[str, Any]], int]:
    """churn_risk for every scored customer; reasons for the valuable ones at risk."""
    out: dict[str, dict[str, Any]] = {
        k: {"churn_risk": round(float(r), 4), "churn_reasons": []}
        for k, r in zip(keys, risk, strict=True)
    }
    if not keys:
        return out, 0
    monetary = x[:, churn.FEATURE_NAMES.index("monetary")]
    # valuable: at or above the spend of the top ``valuable_share`` (at least one customer)
    top = max(1, math.ceil(len(keys) * p["valuable_share"]))
    threshold = np.sort(monetary)[::-1][top - 1]
    chosen = np.flatnonzero((monetary >= threshold) & (risk >= p["at_risk"]))
    if len(chosen):
        contributions = model.contributions(x[chosen])
        for row, i in enumerate(chosen):
            out[keys[i]]["churn_reasons"] = churn.top_reasons(
                x[i], contributions[row], model.medians_
            )
    return out, len(chosen)
