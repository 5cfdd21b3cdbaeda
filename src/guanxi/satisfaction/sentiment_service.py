"""The sentiment of reviews and text answers, for every page, command and API of the
satisfaction area: one function, ``classify``, so the model behind it can change without
its callers noticing.

Each text gets a ``label`` (positive / neutral / negative), a ``score`` in [0, 1] (the
probability the text is positive) and its ``themes`` (``stats.review_themes``). Texts are
classified once each per call (reviews repeat themselves: "好评", "不错").

The engine today is the service desk's sentiment model (``stats.triage.sentiment``,
trained on customer messages); the review model of issue 17 replaces it here.
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


def classify(texts: Sequence[str]) -> list[SentimentResult]:
    from guanxi.stats import triage  # numpy and scikit-learn load only when asked

    distinct = list(dict.fromkeys(t or "" for t in texts))
    scored = triage.sentiment(distinct)
    by_text = {
        text: SentimentResult(
            s.label, round((s.score + 1) / 2, 4), tuple(review_themes.themes(text))
        )
        for text, s in zip(distinct, scored, strict=True)
    }
    return [by_text[t or ""] for t in texts]
