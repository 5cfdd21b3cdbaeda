"""The sentiment of reviews and text answers, for every page, command and API of the
satisfaction area: one function, ``classify``, so the model behind it can change without
its callers noticing.

Each text gets a ``label`` (positive / neutral / negative), a ``score`` in [0, 1] (the
probability the text is positive) and its ``themes`` (``stats.review_themes``). Texts are
classified once each per call (reviews repeat themselves: "好评", "不错").

The engine is the review sentiment model of issue 17 (``stats.sentiment``): the one
stored by ``guanxi reviews sentiment --train`` under var/, else a small one trained once
per process (``sentiment_store.current``; a few seconds on the first call).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from guanxi.stats import review_themes

LABELS = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class SentimentResult:
    label: str  # one of LABELS
    score: float  # P(positive), 0 to 1
    themes: tuple[str, ...]


def model_version() -> str:
    """The model in use, by name (``satisfaction.review_facts`` scores every review again
    when it changes)."""
    from guanxi.satisfaction import sentiment_store

    return sentiment_store.version(sentiment_store.current())


def classify(texts: Sequence[str]) -> list[SentimentResult]:
    from guanxi.satisfaction import sentiment_store  # scikit-learn loads only when asked

    distinct = list(dict.fromkeys(t or "" for t in texts))
    if not distinct:
        return []
    # An empty text has no sentiment to read: neutral, P(positive) one half, no themes.
    readable = [t for t in distinct if t.strip()]
    model = sentiment_store.current().model
    predicted = dict(zip(readable, model.predict(readable), strict=True)) if readable else {}
    by_text = {}
    for text in distinct:
        p = predicted.get(text)
        by_text[text] = SentimentResult(
            p.label if p else "neutral",
            round(p.score, 4) if p else 0.5,
            tuple(review_themes.themes(text)),
        )
    return [by_text[t or ""] for t in texts]
