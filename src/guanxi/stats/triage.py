"""Ticket triage (工单分诊): a new message's category (product / logistics / service, SPEC §4),
tier (ordinary / difficult / escalated, SPEC §6) and sentiment, learnt from the labelled set
that ships beside this module (``data/tickets_labelled.csv``; how it was made:
``triage_templates`` and ``data/README.md``).

The model: jieba words (and word bigrams) plus character 1–2-grams → TF-IDF (one shared
vocabulary), plus the keyword rules' hits as features → one multinomial logistic regression
per label. Logistic regression rather
than a linear SVM because the ticket page shows a confidence, and its probabilities are
usable as one. It trains on the ~650 rows in well under a second (after jieba's dictionary
load, ~0.7 s once per process), so callers fit it lazily once per process rather than
persisting a pickle that would need invalidating and trusting.

``KeywordBaseline`` is the comparison a shop would write by hand: keyword lists per class.
``evaluate`` measures both on the held-out split (templates never seen in training) and
``group_kfold`` by K-fold over templates; the figures are always computed, never stored.

``sentiment(texts)`` is the sentiment model on its own (later issues read review sentiment).

No Django here: this runs in scripts, benchmarks and the web process alike.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import logging
import re
import statistics
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "tickets_labelled.csv"
LABELS: dict[str, tuple[str, ...]] = {
    "category": ("product", "logistics", "service"),
    "tier": ("ordinary", "difficult", "escalated"),
    "sentiment": ("negative", "neutral", "positive"),
}
COLUMNS = ("id", "group", "split", "text", "category", "tier", "sentiment")


class TriageDataError(ValueError):
    """The labelled file is unusable; the message names the row and column."""


# ---------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class LabelledSet:
    texts: tuple[str, ...]
    labels: dict[str, tuple[str, ...]]  # label name -> one value per text
    groups: tuple[str, ...]  # the template each row was rendered from
    splits: tuple[str, ...]  # "train" or "test"
    sha256: str  # of the file's bytes: which data the figures were measured on

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, split: str) -> LabelledSet:
        keep = [i for i, s in enumerate(self.splits) if s == split]
        return self.take(keep)

    def take(self, indices: Sequence[int]) -> LabelledSet:
        return LabelledSet(
            tuple(self.texts[i] for i in indices),
            {name: tuple(values[i] for i in indices) for name, values in self.labels.items()},
            tuple(self.groups[i] for i in indices),
            tuple(self.splits[i] for i in indices),
            self.sha256,
        )


def load_labelled(path: Path = DATA) -> LabelledSet:
    """Read and check the labelled CSV (UTF-8, the columns of ``COLUMNS``)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TriageDataError(f"{path}: not UTF-8 ({exc}); save it as UTF-8") from exc
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise TriageDataError(f"{path}: missing column(s) {', '.join(missing)}")
    texts: list[str] = []
    groups: list[str] = []
    splits: list[str] = []
    labels: dict[str, list[str]] = {name: [] for name in LABELS}
    for line, row in enumerate(reader, 2):
        if not row["text"].strip():
            raise TriageDataError(f"{path}, line {line}, column text: empty message")
        if row["split"] not in ("train", "test"):
            raise TriageDataError(
                f"{path}, line {line}, column split: {row['split']!r} (use train or test)"
            )
        for name, classes in LABELS.items():
            if row[name] not in classes:
                raise TriageDataError(
                    f"{path}, line {line}, column {name}: {row[name]!r} "
                    f"(use one of {', '.join(classes)})"
                )
            labels[name].append(row[name])
        texts.append(row["text"])
        groups.append(row["group"])
        splits.append(row["split"])
    shared = {g for g, s in zip(groups, splits, strict=True) if s == "train"} & {
        g for g, s in zip(groups, splits, strict=True) if s == "test"
    }
    if shared:
        raise TriageDataError(
            f"{path}: group(s) {', '.join(sorted(shared))} in both train and test; "
            "split by group so no test message is a re-rendering of a training one"
        )
    return LabelledSet(
        tuple(texts),
        {name: tuple(values) for name, values in labels.items()},
        tuple(groups),
        tuple(splits),
        hashlib.sha256(raw).hexdigest(),
    )


# ---------------------------------------------------------------------------- tokens

_NOISE = re.compile(r"^[\s\W_]+$")
_jieba_lock = threading.Lock()


def words(text: str) -> list[str]:
    """jieba's words of ``text`` (the default dictionary, precise mode), lower-cased,
    without whitespace and punctuation, followed by the word bigrams ("不" + "回复")."""
    import jieba

    with _jieba_lock:  # the first call loads the dictionary; jieba's own lock is per call
        if not jieba.dt.initialized:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
    tokens = [t.lower() for t in jieba.lcut(text) if not _NOISE.match(t)]
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


# ---------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Prediction:
    value: str
    confidence: float  # the predicted class's probability, 0–1
    probabilities: dict[str, float] = field(default_factory=dict)


class TriageModel:
    """TF-IDF over jieba words and character n-grams, one logistic regression per label.

    ``__init__`` stores hyperparameters only; ``fit`` returns ``self``; fitted attributes
    end in ``_`` (scikit-learn's conventions)."""

    def __init__(
        self,
        *,
        c: float = 10.0,
        char_ngrams: tuple[int, int] = (1, 2),
        keyword_weight: float = 0.5,
    ) -> None:
        self.c = c
        self.char_ngrams = char_ngrams
        # The keyword rules' hits as extra features (0 turns them off). Chosen, with C and
        # the n-gram range, by 5-fold cross-validation over templates on the train split
        # only (never the test split): accuracy category 0.704 → 0.778, tier 0.900 →
        # 0.948, sentiment 0.878 → 0.898 with them at weight 0.5.
        self.keyword_weight = keyword_weight

    def _features(self) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion
        from sklearn.preprocessing import FunctionTransformer

        parts: list[tuple[str, Any]] = [
            ("words", TfidfVectorizer(analyzer=words, sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(analyzer="char", ngram_range=self.char_ngrams, sublinear_tf=True),
            ),
        ]
        weights = {"words": 1.0, "chars": 1.0}
        if self.keyword_weight:
            parts.append(("keywords", FunctionTransformer(keyword_hits)))
            weights["keywords"] = self.keyword_weight
        return FeatureUnion(parts, transformer_weights=weights)

    def fit(self, texts: Sequence[str], labels: Mapping[str, Sequence[str]]) -> TriageModel:
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        self.features_ = self._features()
        matrix = self.features_.fit_transform(list(texts))
        self.classifiers_: dict[str, Any] = {}
        # One BLAS thread: the problem is tiny, and on a busy 2-core machine the default
        # thread pool made lbfgs 70× slower (7 s instead of 0.1 s for the three labels).
        with threadpool_limits(limits=1):
            for name, values in labels.items():
                # Balanced weights: escalated and positive messages are the rare classes,
                # and the costly ones to miss.
                classifier = LogisticRegression(C=self.c, class_weight="balanced", max_iter=2000)
                self.classifiers_[name] = classifier.fit(matrix, list(values))
        return self

    def predict(self, texts: Sequence[str]) -> dict[str, list[Prediction]]:
        """Per label, one prediction per text."""
        matrix = self.features_.transform(list(texts))
        out: dict[str, list[Prediction]] = {}
        for name, classifier in self.classifiers_.items():
            classes = [str(c) for c in classifier.classes_]
            out[name] = []
            # A sparse product (no BLAS): no thread limit needed, and threadpoolctl's
            # ~7 ms per call would be most of a suggestion's time.
            for row in classifier.predict_proba(matrix):
                probabilities = {c: float(p) for c, p in zip(classes, row, strict=True)}
                best = max(probabilities, key=lambda c: probabilities[c])
                out[name].append(Prediction(best, probabilities[best], probabilities))
        return out


# ---------------------------------------------------------------------------- the baseline

# The hand-written rules a shop would start from: the first class whose keywords appear,
# checked in this order; else the default (the commonest class of the label).
KEYWORDS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "category": (
        (
            "logistics",
            (
                "快递",
                "物流",
                "发货",
                "到货",
                "签收",
                "包裹",
                "配送",
                "单号",
                "顺丰",
                "送货",
                "中通",
                "圆通",
                "韵达",
                "丢件",
                "少发",
                "漏发",
                "地址",
            ),
        ),
        ("service", ("客服", "态度", "回复", "退款", "发票", "优惠", "保价", "售后", "返现")),
    ),
    "tier": (
        (
            "escalated",
            (
                "315",
                "12315",
                "消协",
                "消费者协会",
                "工商",
                "市场监管",
                "媒体",
                "记者",
                "曝光",
                "平台介入",
                "小二",
                "律师",
                "起诉",
                "法院",
                "举报",
            ),
        ),
        ("difficult", ("维权", "差评", "拒绝退款", "不给退", "赔偿", "一星", "必须")),
    ),
    "sentiment": (
        (
            "positive",
            (
                "谢谢",
                "感谢",
                "好评",
                "满意",
                "推荐",
                "回购",
                "很好",
                "不错",
                "给力",
                "点赞",
                "耐心",
                "贴心",
            ),
        ),
        ("neutral", ("请问", "吗", "能不能", "可以", "多久", "什么时候", "怎么")),
    ),
}
DEFAULTS = {"category": "product", "tier": "ordinary", "sentiment": "negative"}


class KeywordBaseline:
    """Keyword rules per label (``KEYWORDS``); ``fit`` learns nothing (kept for symmetry)."""

    def fit(self, texts: Sequence[str], labels: Mapping[str, Sequence[str]]) -> KeywordBaseline:
        return self

    def predict(self, texts: Sequence[str]) -> dict[str, list[Prediction]]:
        out: dict[str, list[Prediction]] = {}
        for name, rules in KEYWORDS.items():
            out[name] = [
                Prediction(_first_match(text, rules, DEFAULTS[name]), 1.0) for text in texts
            ]
        return out


def keyword_hits(texts: Iterable[str]) -> Any:
    """One column per keyword list of ``KEYWORDS``: 1 where any of its words occurs."""
    from scipy import sparse

    lists = [keywords for rules in KEYWORDS.values() for _value, keywords in rules]
    rows = [
        [1.0 if any(k in text for k in keywords) else 0.0 for keywords in lists] for text in texts
    ]
    return sparse.csr_matrix(rows)


def _first_match(text: str, rules: Iterable[tuple[str, tuple[str, ...]]], default: str) -> str:
    for value, keywords in rules:
        if any(k in text for k in keywords):
            return value
    return default


# ---------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Score:
    accuracy: float
    macro_f1: float


@dataclass(frozen=True)
class Evaluation:
    """Held-out figures per label for the model and the keyword baseline."""

    model: dict[str, Score]
    baseline: dict[str, Score]
    majority: dict[str, float]  # accuracy of always answering the training set's commonest
    train_rows: int
    test_rows: int
    test_groups: int
    sha256: str


def score(truth: Sequence[str], predicted: Sequence[str]) -> Score:
    from sklearn.metrics import accuracy_score, f1_score

    return Score(
        float(accuracy_score(truth, predicted)),
        float(f1_score(truth, predicted, average="macro", zero_division=0)),
    )


def _scores(model: Any, test: LabelledSet) -> dict[str, Score]:
    predicted = model.predict(test.texts)
    return {name: score(test.labels[name], [p.value for p in predicted[name]]) for name in LABELS}


def evaluate(data: LabelledSet, model: TriageModel | None = None) -> Evaluation:
    """Fit on the train split, score on the test split (templates unseen in training)."""
    train, test = data.subset("train"), data.subset("test")
    fitted = (model or TriageModel()).fit(train.texts, train.labels)
    majority = {}
    for name in LABELS:
        commonest = statistics.mode(train.labels[name])
        majority[name] = sum(v == commonest for v in test.labels[name]) / len(test)
    return Evaluation(
        model=_scores(fitted, test),
        baseline=_scores(KeywordBaseline(), test),
        majority=majority,
        train_rows=len(train),
        test_rows=len(test),
        test_groups=len(set(test.groups)),
        sha256=data.sha256,
    )


@dataclass(frozen=True)
class FoldScores:
    """Mean and standard deviation over the folds, per label."""

    folds: int
    model: dict[str, tuple[Score, Score]]  # (mean, standard deviation)
    baseline: dict[str, tuple[Score, Score]]


def group_kfold(data: LabelledSet, folds: int = 5) -> FoldScores:
    """K-fold over the whole set with whole templates per fold (sklearn's GroupKFold)."""
    from sklearn.model_selection import GroupKFold

    per: dict[str, dict[str, list[Score]]] = {
        "model": {name: [] for name in LABELS},
        "baseline": {name: [] for name in LABELS},
    }
    splitter = GroupKFold(n_splits=folds)
    for train_at, test_at in splitter.split(data.texts, groups=data.groups):
        train, test = data.take(train_at), data.take(test_at)
        model = TriageModel().fit(train.texts, train.labels)
        for kind, fitted in (("model", model), ("baseline", KeywordBaseline())):
            for name, s in _scores(fitted, test).items():
                per[kind][name].append(s)

    def summary(scores: list[Score]) -> tuple[Score, Score]:
        acc = [s.accuracy for s in scores]
        f1 = [s.macro_f1 for s in scores]
        return (
            Score(statistics.mean(acc), statistics.mean(f1)),
            Score(statistics.stdev(acc), statistics.stdev(f1)),
        )

    return FoldScores(
        folds,
        {name: summary(s) for name, s in per["model"].items()},
        {name: summary(s) for name, s in per["baseline"].items()},
    )


# ---------------------------------------------------------------------------- sentiment alone


@dataclass(frozen=True)
class SentimentScore:
    label: str  # negative / neutral / positive
    score: float  # P(positive) − P(negative), from −1 to 1
    confidence: float  # the label's probability


_sentiment_model: TriageModel | None = None
_sentiment_lock = threading.Lock()


def sentiment(texts: Sequence[str]) -> list[SentimentScore]:
    """The sentiment of each text, from a model fitted on the whole labelled set once per
    process (the first call takes about a second)."""
    global _sentiment_model
    with _sentiment_lock:
        if _sentiment_model is None:
            data = load_labelled()
            _sentiment_model = TriageModel().fit(
                data.texts, {"sentiment": data.labels["sentiment"]}
            )
    out = []
    for p in _sentiment_model.predict(texts)["sentiment"]:
        polarity = p.probabilities.get("positive", 0.0) - p.probabilities.get("negative", 0.0)
        out.append(SentimentScore(p.value, polarity, p.confidence))
    return out
