"""Issue 16, ticket triage: the model against the keyword rules on the labelled set, and
what training and a suggestion cost.

    python -m bench --only triage [--repeats N]

Prints (and writes to ``var/bench/triage.json``):
1. accuracy and macro-F1 per label on the held-out split (templates never seen in
   training), for the model, the keyword baseline and always answering the commonest class;
2. the same by 5-fold cross-validation over templates (GroupKFold), mean ± standard
   deviation over the folds;
3. timings, each case in its own spawned process (best of ``repeats`` after a warm-up):
   jieba's dictionary load, fitting on the whole set, one suggestion, and a batch of 100.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from bench import harness
from bench.shop import ROOT

_state: dict[str, Any] = {}


def _setup_cold() -> None:
    from guanxi.stats import triage

    _state["data"] = triage.load_labelled()


def run_jieba_load() -> float:
    """jieba's first call in a fresh process (the dictionary load): timed once, cold."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    started = time.perf_counter()
    jieba.dt.initialized = False  # the warm-up run loaded it; load it again
    jieba.initialize()
    return time.perf_counter() - started


def _setup_warm() -> None:
    from guanxi.stats import triage

    _setup_cold()
    triage.words("预热")  # the dictionary load is measured on its own


def run_fit() -> int:
    from guanxi.stats import triage

    data = _state["data"]
    model = triage.TriageModel().fit(data.texts, data.labels)
    _state["model"] = model
    return len(data)


def _setup_fitted() -> None:
    _setup_warm()
    run_fit()


def run_suggest_one() -> str:
    return str(_state["model"].predict(["快递五天了还没到，客服也不回消息"])["category"][0].value)


def run_suggest_batch() -> int:
    texts = list(_state["data"].texts[:100])
    return len(_state["model"].predict(texts)["tier"])


def _figures() -> dict[str, Any]:
    from guanxi.stats import triage

    data = triage.load_labelled()
    held = triage.evaluate(data)
    plain = triage.evaluate(data, triage.TriageModel(keyword_weight=0))
    folds = triage.group_kfold(data, 5)
    return {"held_out": held, "plain": plain, "folds": folds}


def snownlp_comparison() -> dict[str, Any]:
    """snownlp's sentiment (a probability of positive, trained on product reviews) on the
    held-out messages, when it is installed (it is not a dependency): three classes with
    cut-offs 0.4 / 0.6, and positive-vs-negative on the non-neutral rows at 0.5, beside the
    model's P(positive) > P(negative) on the same rows."""
    from guanxi.stats import triage

    try:
        from snownlp import SnowNLP
    except ImportError:
        return {
            "text": "snownlp: not installed, skipped (`pip install snownlp` to compare).",
            "figures": None,
        }
    data = triage.load_labelled()
    train, test = data.subset("train"), data.subset("test")
    truth = test.labels["sentiment"]
    scores = [SnowNLP(text).sentiments for text in test.texts]
    three = ["positive" if s > 0.6 else "negative" if s < 0.4 else "neutral" for s in scores]
    polar = [(s, t) for s, t in zip(scores, truth, strict=True) if t != "neutral"]
    snow_polar = sum((s > 0.5) == (t == "positive") for s, t in polar) / len(polar)
    model = triage.TriageModel().fit(train.texts, train.labels)
    predicted = model.predict(test.texts)["sentiment"]
    mine = [
        (p.probabilities["positive"] > p.probabilities["negative"], t)
        for p, t in zip(predicted, truth, strict=True)
        if t != "neutral"
    ]
    model_polar = sum(a == (t == "positive") for a, t in mine) / len(mine)
    score = triage.score(truth, three)
    praise = SnowNLP("客服很耐心，谢谢").sentiments
    text = (
        f"snownlp on the same {len(test)} held-out messages: three classes (cut-offs 0.4/0.6) "
        f"accuracy {score.accuracy:.3f}, macro-F1 {score.macro_f1:.3f}; positive vs negative "
        f"on the {len(polar)} non-neutral ones {snow_polar:.3f} (the model: "
        f"{model_polar:.3f}); 客服很耐心，谢谢 → {praise:.2f}."
    )
    return {
        "text": text,
        "figures": {
            "accuracy": score.accuracy,
            "macro_f1": score.macro_f1,
            "polar_accuracy": snow_polar,
            "model_polar_accuracy": model_polar,
            "praise_of_service": praise,
        },
    }


def run(repeats: int) -> int:
    from guanxi.stats import triage

    figures = _figures()
    held: triage.Evaluation = figures["held_out"]
    plain: triage.Evaluation = figures["plain"]
    folds: triage.FoldScores = figures["folds"]
    print("### Ticket triage (issue 16): accuracy on the labelled set")
    print()
    print(
        f"Held out: {held.test_rows} messages from {held.test_groups} templates never seen in "
        f"training ({held.train_rows} training messages); data sha256 {held.sha256[:12]}."
    )
    print()
    print(
        "| label | model accuracy | model macro-F1 | without keyword features | "
        "keywords accuracy | keywords macro-F1 | commonest class |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in triage.LABELS:
        mine, keys, words = held.model[name], held.baseline[name], plain.model[name]
        print(
            f"| {name} | {mine.accuracy:.3f} | {mine.macro_f1:.3f} | {words.accuracy:.3f} / "
            f"{words.macro_f1:.3f} | {keys.accuracy:.3f} | {keys.macro_f1:.3f} | "
            f"{held.majority[name]:.3f} |"
        )
    print()
    print(f"{folds.folds}-fold cross-validation over templates (GroupKFold, all 648 rows):")
    print()
    print("| label | model accuracy | model macro-F1 | keywords accuracy | keywords macro-F1 |")
    print("|---|---:|---:|---:|---:|")
    for name in triage.LABELS:
        (ma, ms), (ba, bs) = folds.model[name], folds.baseline[name]
        print(
            f"| {name} | {ma.accuracy:.3f} ± {ms.accuracy:.3f} | {ma.macro_f1:.3f} ± "
            f"{ms.macro_f1:.3f} | {ba.accuracy:.3f} ± {bs.accuracy:.3f} | "
            f"{ba.macro_f1:.3f} ± {bs.macro_f1:.3f} |"
        )
    print()
    snow = snownlp_comparison()
    print(snow["text"])
    print()
    cases = [
        harness.Case("jieba dictionary load", run_jieba_load, setup=_setup_cold),
        harness.Case("fit on 648 messages", run_fit, setup=_setup_warm),
        harness.Case("suggest one message", run_suggest_one, setup=_setup_fitted),
        harness.Case("suggest 100 messages", run_suggest_batch, setup=_setup_fitted),
    ]
    rows = [harness.measure(case, repeats) for case in cases]
    print(f"| case | seconds (best of {repeats}) | peak MB |")
    print("|---|---:|---:|")
    for m in rows:
        print(f"| {m.name} | {m.seconds:.4f} | {m.peak_mb:,.0f} |")
    record = {
        "held_out": {
            "test_rows": held.test_rows,
            "test_groups": held.test_groups,
            "train_rows": held.train_rows,
            "sha256": held.sha256,
            "model": {n: vars(s) for n, s in held.model.items()},
            "model_without_keyword_features": {n: vars(s) for n, s in plain.model.items()},
            "keywords": {n: vars(s) for n, s in held.baseline.items()},
            "commonest": held.majority,
        },
        "group_kfold": {
            "folds": folds.folds,
            "model": {n: [vars(s) for s in pair] for n, pair in folds.model.items()},
            "keywords": {n: [vars(s) for s in pair] for n, pair in folds.baseline.items()},
        },
        "snownlp": snow["figures"],
        "seconds": {m.name: m.seconds for m in rows},
    }
    ROOT.mkdir(parents=True, exist_ok=True)
    out = ROOT / "triage.json"
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    print()
    print(f"recorded in {out}")
    if rows[2].result not in triage.LABELS["category"]:
        print(f"MISMATCH: suggestion {rows[2].result!r}", file=sys.stderr)
        return 1
    return 0
