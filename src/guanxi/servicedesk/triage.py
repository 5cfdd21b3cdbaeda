"""Triage suggestions for a ticket (category, tier, sentiment, each with a confidence) and
the model's held-out accuracy, for the ticket page and its panel.

The model (``guanxi.stats.triage``) is fitted lazily once per process on the whole labelled
set, and a second copy on the training split only is scored on the held-out split for the
figures shown beside the suggestions. Both take about a second together, the first time a
ticket page asks; nothing is persisted (no pickle to invalidate when the CSV changes, none
to trust when loading), and each gunicorn worker pays the second once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from guanxi.servicedesk.models import Category, Sentiment, Tier
from guanxi.stats import triage as model

_lock = threading.Lock()
_fitted: model.TriageModel | None = None
_evaluation: model.Evaluation | None = None

CHOICES = {"category": Category, "tier": Tier, "sentiment": Sentiment}


@dataclass(frozen=True)
class Suggested:
    value: str  # the model's value (Category / Tier / Sentiment value)
    label: str  # its name in the user's language
    confidence: float  # 0–1: the model's probability for it


@dataclass(frozen=True)
class TriageSuggestion:
    category: Suggested
    tier: Suggested
    sentiment: Suggested


def _model() -> model.TriageModel:
    global _fitted
    with _lock:
        if _fitted is None:
            data = model.load_labelled()
            _fitted = model.TriageModel().fit(data.texts, data.labels)
        return _fitted


def suggest(text: str) -> TriageSuggestion:
    """The suggested category, tier and sentiment of a message (a ticket's subject and
    description). Raises ``ValueError`` on a blank text: there is nothing to suggest from."""
    if not text or not text.strip():
        raise ValueError("text: empty; give the ticket's subject or description")
    predicted = _model().predict([text])
    picks = {}
    for name, choices in CHOICES.items():
        p = predicted[name][0]
        picks[name] = Suggested(p.value, str(choices(p.value).label), p.confidence)
    return TriageSuggestion(**picks)


def accuracy() -> model.Evaluation:
    """The held-out figures (model and keyword baseline, per label), computed once per
    process."""
    global _evaluation
    with _lock:
        if _evaluation is None:
            _evaluation = model.evaluate(model.load_labelled())
        return _evaluation
