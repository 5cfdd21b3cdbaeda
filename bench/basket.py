"""Issue 18, association rules and recommendations on the large demo shop's baskets.

    python -m bench --only basket [--scale large]

Two cases, each once in its own spawned process (reading the baskets through Ibis is the
untimed setup; the peak RSS is the whole process's, baskets in memory included):
1. FP-growth (``stats.basket.AssociationRules``: mlxtend's fpgrowth, then the rules) on
   every paid order's basket — target < 30 s and < 4 GB;
2. the recommendation evaluation: each customer's last order held out (customers with ≥ 2
   orders), hit-rate@10 and recall@10 of co-occurrence + rules beside the popularity
   baseline (the rules of the evaluation mined again on the training baskets).
The lake is only read (``var/bench/<scale>/lake``).
"""

from __future__ import annotations

import json
from typing import Any

from bench import harness
from bench.shop import ROOT

PARAMS: dict[str, Any] = {"min_support": 0.005, "min_confidence": 0.1, "max_len": 3}
_state: dict[str, Any] = {}
_scale: dict[str, str] = {"scale": "large"}


def _read() -> None:
    from guanxi import lake as lake_module
    from guanxi.metrics.baskets import baskets, customer_sequences

    lake_module.configure(str(ROOT / _scale["scale"] / "lake"), engine="duckdb")
    lake = lake_module.get()
    table = lake.arrow(baskets(lake.table("orders"), lake.table("order_items")))
    _state["baskets"] = [frozenset(b) for b in table["products"].to_pylist()]
    _state["sequences"] = customer_sequences(table)


def setup_large() -> None:
    _scale["scale"] = "large"
    _read()


def setup_medium() -> None:
    _scale["scale"] = "medium"
    _read()


def run_fp_growth() -> dict[str, Any]:
    from guanxi.stats.basket import AssociationRules

    model = AssociationRules(**PARAMS).fit(_state["baskets"])
    return {
        "baskets": model.n_baskets_,
        "items": len(model.items_),
        "itemsets": len(model.itemsets_),
        "rules": len(model.rules_),
        "top_rule": model.rules_[0].as_dict() if model.rules_ else None,
    }


def run_evaluation() -> dict[str, Any]:
    from guanxi.stats.basket import AssociationRules
    from guanxi.stats.recommend import evaluate

    on_model, on_baseline = evaluate(
        _state["sequences"], k=10, rules_from=AssociationRules(**PARAMS)
    )
    return {"model": on_model.as_dict(), "baseline": on_baseline.as_dict()}


def run(scale: str) -> int:
    setup = setup_large if scale == "large" else setup_medium
    fp = harness.measure(
        harness.Case("fp-growth", run_fp_growth, warm_up=False, setup=setup), repeats=1
    )
    ev = harness.measure(
        harness.Case("evaluation", run_evaluation, warm_up=False, setup=setup), repeats=1
    )
    r = fp.result
    print(f"\n## Association rules and recommendations ({scale} demo shop)\n")
    print(
        f"{r['baskets']:,} baskets, {r['items']} products; min support "
        f"{PARAMS['min_support']}, min confidence {PARAMS['min_confidence']}, max length "
        f"{PARAMS['max_len']}: {r['itemsets']} frequent itemsets, {r['rules']} rules.\n"
    )
    print("| case | seconds | peak MB | target |")
    print("|---|---:|---:|---|")
    fp_ok = fp.seconds < 30 and fp.peak_mb < 4096
    print(
        f"| FP-growth (mlxtend) + rules | {fp.seconds:.2f} | {fp.peak_mb:,.0f} | "
        f"< 30 s, < 4 GB: {'met' if fp_ok else 'MISSED'} |"
    )
    print(f"| evaluation (hold-out, both models) | {ev.seconds:.2f} | {ev.peak_mb:,.0f} | — |")
    m, b = ev.result["model"], ev.result["baseline"]
    print(
        f"\nRecommendations, each customer's last order held out ({m['customers']:,} "
        "customers with ≥ 2 orders and a new product in the last one):\n"
    )
    print("| model | hit-rate@10 | recall@10 |")
    print("|---|---:|---:|")
    print(f"| co-occurrence + rules | {m['hit_rate']:.4f} | {m['recall']:.4f} |")
    print(f"| popularity baseline | {b['hit_rate']:.4f} | {b['recall']:.4f} |")
    beats = m["hit_rate"] > b["hit_rate"] and m["recall"] >= b["recall"]
    print("\nThe model " + ("beats" if beats else "does NOT beat") + " the baseline.")
    out = ROOT / "basket.json"
    out.write_text(
        json.dumps(
            {
                "scale": scale,
                "params": PARAMS,
                "fp_growth": {"seconds": fp.seconds, "peak_mb": fp.peak_mb, **r},
                "evaluation": {"seconds": ev.seconds, "peak_mb": ev.peak_mb, **ev.result},
            },
            indent=2,
            default=str,
        )
    )
    return 0 if fp_ok else 1
