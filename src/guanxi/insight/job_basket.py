"""The basket run (关联规则与推荐): FP-growth rules, bundles, bought-together per product and
each customer's next products, with the recommendation evaluation beside its baseline.

``fit(params, progress)`` (the contract in ``insight.job_api``) reads the paid orders'
baskets from the lake (``metrics.baskets``), mines the rules — on Spark MLlib when the
lake's engine is Spark, else with mlxtend — and evaluates the recommender on each
customer's last order held out (the rules of the evaluation are mined again on the
training baskets only, so the held-out orders never leak in). The per-customer
recommendations stored for the pages are then made from every order.

Parameters (all optional; a bad one fails the run with a sentence naming it):
``min_support`` (share of baskets, default 0.005), ``min_confidence`` (default 0.1),
``max_len`` (largest itemset, 2–4, default 3), ``top_rules`` (rules kept for the pages,
default 500), ``k`` (recommendations per customer, 1–50, default 10),
``exclude_bought`` (default true: bought products are not recommended again).
"""

from __future__ import annotations

import time
from typing import Any

from guanxi import lake as lake_module
from guanxi.insight.job_api import FitFailed, JobResult, Progress
from guanxi.metrics.baskets import baskets, customer_sequences
from guanxi.stats.basket import AssociationRules, Rule
from guanxi.stats.recommend import CoOccurrenceRecommender, evaluate

DEFAULTS: dict[str, Any] = {
    "min_support": 0.005,
    "min_confidence": 0.1,
    "max_len": 3,
    "top_rules": 500,
    "k": 10,
    "exclude_bought": True,
}
MIN_BASKETS = 20  # fewer paid orders with products than this: too little to mine
TOGETHER_PRODUCTS = 300  # "frequently bought together" kept for the most bought products
TOGETHER_EACH = 5
BUNDLES = 20


def _number(params: dict[str, Any], name: str, low: float, high: float, *, whole: bool) -> Any:
    value = params.get(name, DEFAULTS[name])
    kind = int if whole else float
    try:
        if isinstance(value, bool) or (whole and float(value) != int(value)):
            raise ValueError
        number = kind(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high or (not whole and low == 0 and number == 0):
        what = "一个整数" if whole else "一个数"
        raise FitFailed(
            f"参数 {name} 应为{what}，范围 {low}–{high}（收到 {value!r}）。",
            f"Parameter {name} must be a {'whole ' if whole else ''}number from {low} to "
            f"{high} (got {value!r}).",
        )
    return number


def checked_params(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters with defaults filled in; FitFailed names the first bad one."""
    unknown = sorted(set(params) - set(DEFAULTS))
    if unknown:
        raise FitFailed(
            f"未知参数：{', '.join(unknown)}；可用：{', '.join(DEFAULTS)}。",
            f"Unknown parameter(s): {', '.join(unknown)}; known: {', '.join(DEFAULTS)}.",
        )
    out = {
        "min_support": _number(params, "min_support", 0, 1, whole=False),
        "min_confidence": _number(params, "min_confidence", 0, 1, whole=False),
        "max_len": _number(params, "max_len", 2, 4, whole=True),
        "top_rules": _number(params, "top_rules", 1, 10_000, whole=True),
        "k": _number(params, "k", 1, 50, whole=True),
    }
    bought = params.get("exclude_bought", True)
    if not isinstance(bought, bool):
        raise FitFailed(
            f"参数 exclude_bought 应为 true 或 false（收到 {bought!r}）。",
            f"Parameter exclude_bought must be true or false (got {bought!r}).",
        )
    out["exclude_bought"] = bought
    return out


def _rules_on_spark(lake: Any, expr: Any, p: dict[str, Any]) -> list[Rule]:
    from guanxi.insight.spark_fpgrowth import spark_rules

    engine = lake.engine
    frame = engine.session.sql(str(engine.con.compile(expr)))
    _, _, rules = spark_rules(
        frame,
        min_support=p["min_support"],
        min_confidence=p["min_confidence"],
        max_len=p["max_len"],
    )
    return rules


def fit(params: dict[str, Any], progress: Progress) -> JobResult:
    p = checked_params(params)
    lake = lake_module.get()
    versions = {name: lake.version(name) for name in ("orders", "order_items")}
    progress(0.02, "读取订单商品 / reading the orders' products")
    expr = baskets(lake.table("orders"), lake.table("order_items"))
    table = lake.arrow(expr)
    all_baskets = [frozenset(b) for b in table["products"].to_pylist()]
    if len(all_baskets) < MIN_BASKETS:
        raise FitFailed(
            f"只有 {len(all_baskets)} 个含商品的已付款订单，"
            f"至少需要 {MIN_BASKETS} 个才能分析关联。",
            f"Only {len(all_baskets)} paid orders with products; association analysis needs "
            f"at least {MIN_BASKETS}.",
        )
    sequences = customer_sequences(table)
    del table

    progress(0.15, "FP-growth 挖掘频繁项集 / mining frequent itemsets (FP-growth)")
    started = time.perf_counter()
    model = AssociationRules(p["min_support"], p["min_confidence"], p["max_len"])
    model.fit(all_baskets)
    engine = getattr(lake, "engine_name", "duckdb")
    rules = model.rules_
    if engine == "pyspark":
        # The stored rules come from MLlib; the itemset counts (bundles, bought-together)
        # from the local fit, which the parity test shows to be the same.
        rules = _rules_on_spark(lake, expr, p)
    fp_seconds = time.perf_counter() - started

    progress(0.45, "留出每位客户最后一单评估推荐 / evaluating on each last order held out")
    rules_for_eval = AssociationRules(p["min_support"], p["min_confidence"], p["max_len"])
    try:
        on_model, on_baseline = evaluate(
            sequences, k=p["k"], rules_from=rules_for_eval, exclude_bought=p["exclude_bought"]
        )
    except ValueError as exc:  # no training baskets left
        raise FitFailed(
            "留出最后一单后没有可训练的订单。", f"No training orders are left ({exc})."
        ) from exc

    progress(0.75, "为每位客户推荐 / recommending for every customer")
    keys = list(sequences)
    owned = [frozenset().union(*sequences[key]) for key in keys]
    recommender = CoOccurrenceRecommender(p["k"], p["exclude_bought"]).fit(
        all_baskets, rules, owned
    )
    picks = recommender.recommend(owned)
    customers = {key: {"recommendations": recs} for key, recs in zip(keys, picks, strict=True)}

    progress(0.95, "整理结果 / writing the results")
    popular = sorted(model.item_counts_, key=lambda i: (-model.item_counts_[i], i))
    together = {
        product: [
            [r.consequent[0], r.confidence, r.lift, r.baskets]
            for r in model.bought_together(product, TOGETHER_EACH)
        ]
        for product in popular[:TOGETHER_PRODUCTS]
    }
    metrics = {
        "engine": engine,
        "baskets": model.n_baskets_,
        "items": len(model.items_),
        "customers": len(sequences),
        "itemsets": len(model.itemsets_),
        "rules": len(rules),
        "rules_kept": min(len(rules), p["top_rules"]),
        "min_support": p["min_support"],
        "min_count": model.min_count_,
        "min_confidence": p["min_confidence"],
        "max_len": p["max_len"],
        "k": p["k"],
        "exclude_bought": p["exclude_bought"],
        "fp_growth_seconds": round(fp_seconds, 3),
        "evaluation": {
            "model": on_model.as_dict(),
            "baseline": on_baseline.as_dict(),
            "beats_baseline": on_model.hit_rate > on_baseline.hit_rate
            and on_model.recall >= on_baseline.recall,
        },
        "bundles": [
            {
                "items": list(b.items),
                "baskets": b.baskets,
                "expected": b.expected,
                "uplift": b.uplift,
                "lift": b.lift,
                "confidence_ab": b.confidence_ab,
                "confidence_ba": b.confidence_ba,
            }
            for b in model.bundles(BUNDLES)
        ],
        "item_baskets": {i: model.item_counts_[i] for i in popular[:TOGETHER_PRODUCTS]},
        "bought_together": together,
    }
    return JobResult(
        metrics=metrics,
        customers=customers,
        rules=[r.as_dict() for r in rules[: p["top_rules"]]],
        input_versions={k: v for k, v in versions.items() if v is not None},
    )
