"""The CLV family's job (``job_api``): BG/NBD + Gamma-Gamma on the lake's paid orders.

1. The hold-out check first, as the paper's figure does: fit at ``as_of − holdout_days``,
   predict each customer's purchases in the following ``holdout_days`` and compare, by
   calibration frequency (0 … 6, 7+), with the purchase days they really made.
2. The serving fit at ``as_of`` (default: the last day with a paid order): per customer
   P(alive), expected purchases in the next 30/90/365 days, the Gamma-Gamma expected spend
   and the CLV — the margin on the expected spend of the purchases expected in each of the
   next ``months`` months, discounted at ``annual_discount_rate``.

Parameters (all optional; ``DEFAULTS``): as_of (YYYY-MM-DD), unit (week|day — the time unit
of the fitted α, as the paper counts weeks), holdout_days (28–365), months (1–60), margin
(0–1, gross margin on revenue), annual_discount_rate (0–1).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.conf import settings

from guanxi.insight.job_api import FitFailed, JobResult, Progress
from guanxi.stats import clv

DEFAULTS: dict[str, Any] = {
    "as_of": None,
    "unit": "week",
    "holdout_days": 90,
    "months": 12,
    "margin": 0.3,
    "annual_discount_rate": 0.1,
}
UNIT_DAYS = {"week": 7.0, "day": 1.0}
MIN_CUSTOMERS = 20  # fewer cannot identify four parameters
MIN_REPEAT = 10  # repeat customers needed by the dropout and the spend models
BUCKETS = 7  # hold-out table rows: frequency 0 … 6 and 7+
CENT = Decimal("0.01")


def _bad(field: str, zh: str, en: str) -> FitFailed:
    return FitFailed(f"参数 {field}：{zh}", f"Parameter {field}: {en}")


def _number(params: dict[str, Any], field: str, low: float, high: float, whole: bool) -> float:
    value = params.get(field, DEFAULTS[field])
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not (low <= number <= high) or (whole and number != int(number)):
        kind_zh, kind_en = ("整数", "a whole number") if whole else ("数", "a number")
        raise _bad(
            field,
            f"{value!r} 无效，请填写 {low:g}–{high:g} 之间的{kind_zh}",
            f"{value!r} is not valid; give {kind_en} from {low:g} to {high:g}",
        )
    return number


def validate(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters with their defaults, checked; FitFailed naming the field if bad."""
    unknown = sorted(set(params) - set(DEFAULTS))
    if unknown:
        raise _bad(
            unknown[0],
            f"未知参数；可用：{', '.join(DEFAULTS)}",
            f"unknown; the parameters are {', '.join(DEFAULTS)}",
        )
    out: dict[str, Any] = {}
    as_of = params.get("as_of")
    if as_of in (None, ""):
        out["as_of"] = None
    else:
        try:
            out["as_of"] = dt.date.fromisoformat(str(as_of)).isoformat()
        except ValueError:
            raise _bad(
                "as_of",
                f"{as_of!r} 不是日期，请用 YYYY-MM-DD",
                f"{as_of!r} is not a date; use YYYY-MM-DD",
            ) from None
    unit = params.get("unit", DEFAULTS["unit"])
    if unit not in UNIT_DAYS:
        raise _bad("unit", f"{unit!r} 无效，请用 week 或 day", f"{unit!r}; give week or day")
    out["unit"] = unit
    out["holdout_days"] = int(_number(params, "holdout_days", 28, 365, True))
    out["months"] = int(_number(params, "months", 1, 60, True))
    out["margin"] = _number(params, "margin", 0.0001, 1, False)
    out["annual_discount_rate"] = _number(params, "annual_discount_rate", 0, 1, False)
    return out


def _last_paid_day(store: Any, time_zone: str) -> dt.date | None:
    orders = store.table("orders")
    latest = store.arrow(orders.filter(orders.customer_key.notnull()).paid_at.max()).as_py()
    if latest is None:
        return None
    from zoneinfo import ZoneInfo

    when = latest if latest.tzinfo else latest.replace(tzinfo=dt.UTC)
    return when.astimezone(ZoneInfo(time_zone)).date()


def _read_input(store: Any, end: dt.date, time_zone: str, unit: str) -> dict[str, np.ndarray]:
    from guanxi.metrics.clv_input import clv_input

    expr = clv_input(store.table("orders"), calibration_end=end, time_zone=time_zone, unit=unit)
    table = store.arrow(expr.order_by("customer_key"))
    return {
        name: table.column(name).to_numpy(zero_copy_only=False)
        for name in ("customer_key", "frequency", "recency", "T", "monetary_value")
    }


def _fit_bgnbd(data: dict[str, np.ndarray], when: str) -> clv.BetaGeoFitter:
    n = len(data["frequency"])
    repeat = int(np.count_nonzero(data["frequency"]))
    if n < MIN_CUSTOMERS or repeat < MIN_REPEAT:
        raise FitFailed(
            f"{when}前只有 {n} 位付款客户、{repeat} 位复购客户；至少需要 {MIN_CUSTOMERS} 位客户和 "
            f"{MIN_REPEAT} 位复购客户才能拟合。",
            f"Only {n} paying customers and {repeat} repeat customers by {when}; the fit needs "
            f"at least {MIN_CUSTOMERS} customers and {MIN_REPEAT} repeat customers.",
        )
    try:
        return clv.BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])
    except clv.ConvergenceError as exc:
        raise FitFailed(
            f"BG/NBD 模型在 {when} 的数据上没有收敛（{exc}）；上一次的结果继续有效。",
            f"The BG/NBD model did not converge on the data to {when} ({exc}); "
            "the previous run stays in use.",
        ) from None


def _fit_gamma_gamma(data: dict[str, np.ndarray], when: str) -> clv.GammaGammaFitter:
    paid = np.where(data["monetary_value"] > 0, data["frequency"], 0)
    try:
        ggf = clv.GammaGammaFitter().fit(paid, data["monetary_value"])
    except (clv.ConvergenceError, ValueError) as exc:
        raise FitFailed(
            f"客单价模型（Gamma-Gamma）无法拟合 {when} 的数据：{exc}。",
            f"The spend model (Gamma-Gamma) cannot be fitted on the data to {when}: {exc}.",
        ) from None
    if ggf.q_ <= 1:
        raise FitFailed(
            f"客单价模型的 q = {ggf.q_:.3g} ≤ 1：平均客单价无上界，结果不可用。",
            f"The spend model's q = {ggf.q_:.3g} ≤ 1: its mean spend is unbounded; "
            "the result cannot be used.",
        )
    return ggf


def holdout_table(
    frequency: np.ndarray, predicted: np.ndarray, actual: np.ndarray
) -> list[dict[str, Any]]:
    """Mean predicted and actual hold-out purchases by calibration frequency 0 … 6, 7+."""
    bucket = np.minimum(frequency.astype(int), BUCKETS)
    rows = []
    for b in range(BUCKETS + 1):
        mask = bucket == b
        n = int(mask.sum())
        if n == 0:
            continue
        rows.append(
            {
                "frequency": f"{b}+" if b == BUCKETS else str(b),
                "customers": n,
                "predicted": round(float(predicted[mask].mean()), 3),
                "actual": round(float(actual[mask].mean()), 3),
            }
        )
    return rows


def _holdout(
    store: Any, as_of: dt.date, p: dict[str, Any], time_zone: str, progress: Progress
) -> dict[str, Any]:
    from guanxi.metrics.clv_input import holdout_purchases

    days = p["holdout_days"]
    end = as_of - dt.timedelta(days=days)
    data = _read_input(store, end, time_zone, p["unit"])
    try:
        bgf = _fit_bgnbd(data, end.isoformat())
    except FitFailed as exc:
        return {"calibration_end": end.isoformat(), "skipped_zh": exc.zh, "skipped_en": exc.en}
    progress(0.35, "hold-out: predicting")
    horizon = days / UNIT_DAYS[p["unit"]]
    predicted = bgf.conditional_expected_purchases(
        horizon, data["frequency"], data["recency"], data["T"]
    )
    later = holdout_purchases(
        store.table("orders"), start=end + dt.timedelta(days=1), end=as_of, time_zone=time_zone
    )
    got = store.arrow(later)
    counts = dict(
        zip(
            got.column("customer_key").to_pylist(), got.column("purchases").to_pylist(), strict=True
        )
    )
    actual = np.array([counts.get(k, 0) for k in data["customer_key"]], dtype=np.float64)
    total_p, total_a = float(predicted.sum()), float(actual.sum())
    return {
        "calibration_end": end.isoformat(),
        "end": as_of.isoformat(),
        "days": days,
        "customers": len(actual),
        "params": {k: round(v, 6) for k, v in bgf.params_.items()},
        "predicted": round(total_p, 1),
        "actual": round(total_a, 1),
        # relative error of the total, and the mean absolute error per customer
        "error": round((total_p - total_a) / total_a, 4) if total_a else None,
        "mae": round(float(np.abs(predicted - actual).mean()), 4),
        "buckets": holdout_table(data["frequency"], predicted, actual),
    }


def _money(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(CENT, rounding=ROUND_HALF_UP)


def fit(params: dict[str, Any], progress: Progress) -> JobResult:
    from guanxi import lake

    p = validate(params)
    time_zone = settings.TIME_ZONE
    store = lake.get()
    if not store.exists("orders"):
        raise FitFailed(
            "湖中还没有订单数据，无法拟合。", "The lake has no orders yet; nothing to fit."
        )
    versions = {"orders": store.version("orders") or 0}
    progress(0.02, "reading the last paid day")
    as_of = dt.date.fromisoformat(p["as_of"]) if p["as_of"] else _last_paid_day(store, time_zone)
    if as_of is None:
        raise FitFailed("还没有已付款的订单，无法拟合。", "No paid orders yet; nothing to fit.")
    progress(0.05, "hold-out check: reading the calibration period")
    holdout = _holdout(store, as_of, p, time_zone, progress)
    progress(0.5, "reading the customers to the as-of date")
    data = _read_input(store, as_of, time_zone, p["unit"])
    progress(0.6, "fitting BG/NBD")
    bgf = _fit_bgnbd(data, as_of.isoformat())
    progress(0.7, "fitting Gamma-Gamma")
    ggf = _fit_gamma_gamma(data, as_of.isoformat())
    progress(0.8, "predicting per customer")
    x, t_x, age = data["frequency"], data["recency"], data["T"]
    per_day = UNIT_DAYS[p["unit"]]
    alive = bgf.conditional_probability_alive(x, t_x, age)
    expected = {
        d: bgf.conditional_expected_purchases(d / per_day, x, t_x, age) for d in (30, 90, 365)
    }
    value = ggf.conditional_expected_average_profit(
        np.where(data["monetary_value"] > 0, x, 0), data["monetary_value"]
    )
    lifetime = clv.discounted_clv(
        bgf,
        value,
        x,
        t_x,
        age,
        months=p["months"],
        days_per_unit=per_day,
        margin=p["margin"],
        annual_discount_rate=p["annual_discount_rate"],
    )
    customers = {
        str(key): {
            "p_alive": round(float(alive[i]), 6),
            "expected_30": round(float(expected[30][i]), 6),
            "expected_90": round(float(expected[90][i]), 6),
            "expected_365": round(float(expected[365][i]), 6),
            "expected_value": _money(value[i]),
            "clv": _money(lifetime[i]),
        }
        for i, key in enumerate(data["customer_key"])
    }
    progress(0.95, "summarising")
    metrics = {
        "as_of": as_of.isoformat(),
        "unit": p["unit"],
        "params": p,
        "bgnbd": {
            **{k: round(v, 6) for k, v in bgf.params_.items()},
            "log_likelihood": round(bgf.log_likelihood_, 3),
            "converged": bgf.converged_,
            "iterations": bgf.report_.iterations,
            "standard_errors": {k: round(v, 6) for k, v in bgf.standard_errors_.items()},
        },
        "gamma_gamma": {
            **{k: round(v, 6) for k, v in ggf.params_.items()},
            "log_likelihood": round(ggf.log_likelihood_, 3),
            "converged": ggf.converged_,
            "customers": ggf.n_customers_,
        },
        "customers": len(x),
        "repeat_customers": int(np.count_nonzero(x)),
        "clv_total": round(float(lifetime.sum()), 2),
        "holdout": holdout,
    }
    return JobResult(metrics=metrics, customers=customers, input_versions=versions)
