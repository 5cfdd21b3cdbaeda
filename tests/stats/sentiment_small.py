"""The tests' small review sentiment model, trained once per test process: the shop set's
train split plus 600 corpus lines per class (a few seconds, not the full model's minute),
with snownlp scored on the shop held-out set and 10 corpus lines per class."""

from __future__ import annotations

import functools
from typing import Any

CORPUS_ROWS = 600


@functools.cache
def small() -> tuple[Any, Any]:
    from guanxi.stats import sentiment

    return sentiment.train_and_evaluate(CORPUS_ROWS, snownlp_limit=10)


def loaded() -> Any:
    """The small model as ``sentiment_store.current`` hands it out."""
    from guanxi.satisfaction import sentiment_store

    model, report = small()
    meta = {
        **report.as_dict(),
        "kind": "fallback",
        "trained_at": "2026-12-06T00:00:00+00:00",
        "train_seconds": 1.0,
        "versions": sentiment_store.versions(),
    }
    return sentiment_store.Loaded(model, meta, stored=False)
