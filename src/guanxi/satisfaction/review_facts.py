"""The sentiment of every imported review, kept in the lake (``<lake>/_satisfaction/
review_sentiment``) so the pages read it instead of classifying at each view.

Classifying a large shop's reviews takes minutes; the pages need seconds. ``refresh`` runs
after an import (``alerts.upkeep``) and from ``guanxi reviews alerts --refresh``: it reads
the reviews' keys and texts, keeps the stored result of every review whose text (by its
hash) and model are unchanged, classifies the *distinct* texts of the others once each
(reviews repeat themselves: "好评", "不错") through ``sentiment_service.classify``, and
writes the table again in one Delta commit (a reader sees the old table or the new one).

Rows hold no text and no customer: platform, review_id, the text's hash, the label, the
score (P(positive)), one flag per theme and the model's version. A review whose text was
rewritten by a re-import, or a new model, is classified again; a deleted review's row goes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import ibis
import pyarrow as pa

from guanxi.lake.store import snapshot, table_exists
from guanxi.satisfaction import sentiment_service
from guanxi.stats.review_themes import THEMES

NAME = "review_sentiment"
THEME_COLUMNS = tuple(f"theme_{t}" for t in THEMES)
SCHEMA = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("review_id", pa.string(), nullable=False),
        pa.field("text_hash", pa.string(), nullable=False),
        pa.field("sentiment", pa.string(), nullable=False),
        pa.field("score", pa.float64(), nullable=False),
        *(pa.field(c, pa.bool_(), nullable=False) for c in THEME_COLUMNS),
        pa.field("model", pa.string(), nullable=False),
    ]
)


def model_version() -> str:
    """The sentiment model's version when the service names one (a new model scores every
    review again); otherwise the module's name."""
    found = getattr(sentiment_service, "model_version", None) or getattr(
        sentiment_service, "MODEL_VERSION", None
    )
    value = found() if callable(found) else found
    return str(value) if value else "sentiment_service"


def text_hash(text: str | None) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()[:24]


def path(shop: Any) -> str:
    return f"{shop.root.rstrip('/')}/_satisfaction/{NAME}"


def exists(shop: Any) -> bool:
    return table_exists(path(shop))


def table(shop: Any) -> ibis.Table:
    """The stored results on the lake's engine (empty before the first refresh)."""
    found = snapshot(path(shop))
    files = list(found[1]) if found is not None else []
    return shop.engine.table(NAME, files, SCHEMA)


def version(shop: Any) -> int | None:
    found = snapshot(path(shop))
    return found[0] if found is not None else None


@dataclass(frozen=True)
class RefreshResult:
    reviews: int  # reviews in the lake
    classified: int  # reviews (re)classified by this refresh
    texts: int  # distinct texts sent to the model
    written: bool  # a new version of the table was written


def refresh(shop: Any) -> RefreshResult:
    """Bring the stored results up to the lake's reviews (see the module's docstring)."""
    from deltalake import write_deltalake

    if not shop.exists("reviews"):
        return RefreshResult(0, 0, 0, False)
    reviews = shop.arrow(shop.table("reviews").select("platform", "review_id", "text"))
    model = model_version()
    stored: dict[tuple[str, str], dict[str, Any]] = {}
    if exists(shop):
        for row in shop.arrow(table(shop)).to_pylist():
            stored[(row["platform"], row["review_id"])] = row
    keys = list(zip(reviews["platform"].to_pylist(), reviews["review_id"].to_pylist(), strict=True))
    texts = [t or "" for t in reviews["text"].to_pylist()]
    hashes = [text_hash(t) for t in texts]
    todo = [
        i
        for i, key in enumerate(keys)
        if (old := stored.get(key)) is None
        or old["text_hash"] != hashes[i]
        or old["model"] != model
    ]
    if not todo and len(stored) == len(keys):
        return RefreshResult(len(keys), 0, 0, False)
    distinct = list(dict.fromkeys(texts[i] for i in todo))
    results = dict(zip(distinct, sentiment_service.classify(distinct), strict=True))
    rows: list[dict[str, Any]] = []
    fresh = set(todo)
    for i, (platform, review_id) in enumerate(keys):
        if i not in fresh:
            rows.append(stored[(platform, review_id)])
            continue
        result = results[texts[i]]
        row = {
            "platform": platform,
            "review_id": review_id,
            "text_hash": hashes[i],
            "sentiment": result.label,
            "score": float(result.score),
            "model": model,
        }
        row.update({f"theme_{t}": t in result.themes for t in THEMES})
        rows.append(row)
    write_deltalake(path(shop), pa.Table.from_pylist(rows, schema=SCHEMA), mode="overwrite")
    return RefreshResult(len(keys), len(todo), len(distinct), True)


def unscored(shop: Any) -> int:
    """Reviews in the lake without a stored result yet (0 after a refresh)."""
    if not shop.exists("reviews"):
        return 0
    r = shop.table("reviews")
    s = table(shop)
    joined = r.left_join(s, [r.platform == s.platform, r.review_id == s.review_id])
    missing = joined.filter(joined.text_hash.isnull())
    return int(shop.arrow(missing.count()).as_py())
