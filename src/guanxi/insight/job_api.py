"""What a model family hands the run machinery (``insight.runs``), and what it gets.

Each family has one module ``insight/job_<kind>.py`` with ``fit(params, progress) ->
JobResult``: it reads the lake (through Ibis), fits its ``stats`` estimator, measures it and
returns its metrics and results. The runner (``insight.runs``) does the rest — the run's
row, its state and progress, the inputs' versions, storing per-customer values and rules,
switching the serving run, and keeping the previous one when a fit fails.

A fit that cannot succeed (too little data, no convergence) raises ``FitFailed`` with a
sentence for the page in both languages; anything else is a bug and is logged as such.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# progress(fraction 0–1, step description) — cheap to call often; the runner throttles writes.
Progress = Callable[[float, str], None]


class FitFailed(Exception):  # noqa: N818 — a domain outcome, not a programming error
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


@dataclass
class JobResult:
    # Figures for the page and the API (JSON-ready: numbers, strings, lists, dicts).
    metrics: dict[str, Any]
    # customer_key -> {CustomerPrediction field: value} for this family's fields only
    # (clv: p_alive, expected_30, expected_90, expected_365, expected_value, clv;
    #  churn: churn_risk, churn_reasons; clusters: cluster, cluster_name;
    #  basket: recommendations).
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    # basket only: {"antecedent": [...], "consequent": [...], "baskets", "support",
    # "confidence", "lift"}
    rules: list[dict[str, Any]] = field(default_factory=list)
    # The lake tables read and their Delta versions ({"orders": 12, ...}).
    input_versions: dict[str, int] = field(default_factory=dict)
