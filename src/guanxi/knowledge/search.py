"""Search over the knowledge base: BM25 over jieba tokens with synonyms, highlights, and
suggestions for a ticket.

The index lives in each process's memory and is built lazily, on the first search after a
change. Whether it is current is checked on every search by a *version token* read from the
database — (entries, latest ``updated_at``, synonym groups, their latest ``updated_at``) —
two small aggregate queries: an entry saved, deactivated, imported or deleted in any gunicorn
worker changes the token, and the next search in every worker rebuilds. Usage counts are
updated with ``F()`` and do not touch ``updated_at``: a use does not rebuild the index (the
counts shown beside the hits are read fresh; the usage tie-break is the build's).

Why BM25 of our own and not SQLite FTS5: bench/knowledge.py measures both on 50,000 entries
(bench/README.md, "Issue 16 — knowledge search"). Both are well inside 50 ms; FTS5 needs the
text segmented by jieba before it is stored anyway (its tokenizers do not cut Chinese words),
it exists only on SQLite (the product also runs on PostgreSQL), and synonyms as one concept
(summed tf) are not expressible in its MATCH syntax — an OR of the words counts a document
with two synonyms twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Max

from guanxi.knowledge import text as segment
from guanxi.knowledge.models import Entry, EntryKind, Synonym, split_words

if TYPE_CHECKING:
    import numpy as np

    from guanxi.knowledge import bm25

Token = tuple[int, dt.datetime | None, int, dt.datetime | None]

# Field weights: the question and the keywords say what an entry is about, the answer is long
# and says much else. Repeating a field's tokens is the simple form of BM25F's field weights.
QUESTION_WEIGHT = 2
KEYWORD_WEIGHT = 2


@dataclass(frozen=True)
class Doc:
    id: int
    kind: str
    question: str
    answer: str
    scene: str
    keywords: str
    product_id: str
    uses: int
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class Snapshot:
    token: Token
    docs: list[Doc]
    index: bm25.Index
    kinds: np.ndarray  # the kind of each position (for the kind filter)
    scenes: np.ndarray  # the scene of each position (for the scene filter)
    uses: np.ndarray  # the tie-break
    groups: dict[str, frozenset[str]]  # word → its synonym group (itself included)


@dataclass(frozen=True)
class Hit:
    id: int
    kind: str
    kind_label: str
    question: str
    answer: str
    scene: str
    keywords: str
    product_id: str
    uses: int
    score: float
    question_parts: list[tuple[str, bool]]
    answer_parts: list[tuple[str, bool]]
    active: bool = True


@dataclass(frozen=True)
class Result:
    query: str
    concepts: list[list[str]]  # each query word with its synonyms, for "also searched: …"
    hits: list[Hit]
    matched: int  # entries with a score > 0 (before the limit)


_lock = threading.Lock()
_snapshot: Snapshot | None = None
# Segmenting is 90 % of a build (jieba: 50,000 entries ≈ 3 M characters ≈ 15 s on a busy
# 2-core machine, bench/README.md), so each entry's tokens are kept between builds, keyed by
# its id and updated_at: after an edit only the changed entries are cut again. A change of
# the synonym groups teaches jieba new words, so it empties the cache.
_tokens: dict[int, tuple[dt.datetime | None, list[str]]] = {}
_tokens_groups: tuple[int, dt.datetime | None] | None = None


def _cached_tokens(doc: Doc) -> list[str]:
    kept = _tokens.get(doc.id)
    if kept is not None and kept[0] == doc.updated_at and doc.updated_at is not None:
        return kept[1]
    words = doc_tokens(doc)
    _tokens[doc.id] = (doc.updated_at, words)
    return words


def version_token() -> Token:
    entries = Entry.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    groups = Synonym.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (entries["n"], entries["at"], groups["n"], groups["at"])


def doc_tokens(doc: Doc) -> list[str]:
    question = segment.tokens(doc.question)
    keywords = segment.tokens(" ".join(split_words(doc.keywords)))
    return (
        question * QUESTION_WEIGHT
        + keywords * KEYWORD_WEIGHT
        + segment.tokens(doc.scene)
        + segment.tokens(doc.product_id)
        + segment.tokens(doc.answer)
    )


def synonym_groups(groups: Sequence[Sequence[str]]) -> dict[str, frozenset[str]]:
    """word → the union of every group it belongs to (a word in two groups joins them for
    that word only: 退 in {退货, 退} and {退款, 退} matches both families)."""
    found: dict[str, set[str]] = {}
    for group in groups:
        for word in group:
            found.setdefault(word, {word}).update(group)
    return {word: frozenset(words) for word, words in found.items()}


def build_snapshot(
    docs: list[Doc],
    groups: Sequence[Sequence[str]],
    token: Token,
    tokens_of: Callable[[Doc], list[str]] = doc_tokens,
) -> Snapshot:
    # numpy and the index here, not at import: the URL map loads this module, and commands
    # that never search (migrate, check) should not pay for numpy.
    import numpy as np

    from guanxi.knowledge import bm25

    segment.add_words(w for g in groups for w in g)
    index = bm25.build(tokens_of(d) for d in docs)
    return Snapshot(
        token=token,
        docs=docs,
        index=index,
        kinds=np.asarray([d.kind for d in docs], dtype=object),
        scenes=np.asarray([d.scene for d in docs], dtype=object),
        uses=np.asarray([d.uses for d in docs], dtype=np.int64),
        groups=synonym_groups(groups),
    )


def _load() -> Snapshot:
    """The current snapshot: the cached one if the token has not moved, else a new build."""
    global _snapshot, _tokens_groups
    token = version_token()
    current = _snapshot
    if current is not None and current.token == token:
        return current
    with _lock:
        if _snapshot is not None and _snapshot.token == token:
            return _snapshot
        rows = Entry.objects.filter(active=True).order_by("id")
        fields = ("kind", "question", "answer", "scene", "keywords", "product_id", "uses")
        docs = [
            Doc(
                e.id,
                e.kind,
                e.question,
                e.answer,
                e.scene,
                e.keywords,
                e.product_id,
                e.uses,
                e.updated_at,
            )
            for e in rows.only("id", "updated_at", *fields).iterator(chunk_size=5000)
        ]
        groups = [s.word_list() for s in Synonym.objects.all()]
        if _tokens_groups != token[2:]:
            _tokens.clear()
            _tokens_groups = token[2:]
        live = {d.id for d in docs}
        for gone in [i for i in _tokens if i not in live]:
            del _tokens[gone]
        _snapshot = build_snapshot(docs, groups, token, _cached_tokens)
        return _snapshot


def concepts(snapshot: Snapshot, query: str) -> list[list[str]]:
    """The query's words, each with its synonyms (the word itself first), repeats dropped.
    A synonym group's words are also cut by jieba when they are longer than one token."""
    seen: set[str] = set()
    found: list[list[str]] = []
    for word in segment.tokens(query):
        if word in seen:
            continue
        seen.add(word)
        group = snapshot.groups.get(word, frozenset({word}))
        words = [word, *sorted(group - {word})]
        found.append(words)
    return found


def run(
    snapshot: Snapshot, query: str, *, kind: str = "", scene: str = "", limit: int = 20
) -> Result:
    """The ranked hits of ``query`` in ``snapshot`` (pure: no database)."""
    import numpy as np

    from guanxi.knowledge import bm25

    wanted = concepts(snapshot, query)
    if not wanted or not snapshot.docs:
        return Result(query, wanted, [], 0)
    score = bm25.scores(snapshot.index, wanted)
    if kind:
        score[snapshot.kinds != kind] = 0
    if scene:
        score[snapshot.scenes != scene] = 0
    positions = bm25.top(score, limit, snapshot.uses)
    words = [w for concept in wanted for w in concept]
    labels = dict(EntryKind.choices)
    hits = [
        Hit(
            id=d.id,
            kind=d.kind,
            kind_label=str(labels.get(d.kind, d.kind)),
            question=d.question,
            answer=d.answer,
            scene=d.scene,
            keywords=d.keywords,
            product_id=d.product_id,
            uses=d.uses,
            score=round(float(score[p]), 3),
            question_parts=segment.highlight(d.question, words),
            answer_parts=segment.highlight(d.answer, words),
        )
        for p in positions
        for d in (snapshot.docs[p],)
    ]
    return Result(query, wanted, hits, int(np.count_nonzero(score)))


def search(query: str, *, kind: str = "", scene: str = "", limit: int = 20) -> Result:
    """Active entries matching ``query`` (BM25 with synonyms), best first, with highlights and
    today's usage counts."""
    result = run(_load(), query, kind=kind, scene=scene, limit=limit)
    if not result.hits:
        return result
    uses = dict(Entry.objects.filter(id__in=[h.id for h in result.hits]).values_list("id", "uses"))
    hits = [dataclasses.replace(h, uses=uses.get(h.id, h.uses)) for h in result.hits]
    return Result(result.query, result.concepts, hits, result.matched)


# A ticket's description can be long: only its first 400 characters are read (the rest is
# rarely about a new topic, and each extra word widens the match).
SUGGEST_CHARS = 400


def suggest(text: str, limit: int = 5) -> list[Hit]:
    """The entries that best answer ``text`` (a ticket's subject and description)."""
    if not text.strip():
        return []
    return search(text[:SUGGEST_CHARS], limit=limit).hits


def ticket_text(subject: str, description: str) -> str:
    """What a ticket is about, for ``suggest``: its subject, then the start of its text."""
    return f"{subject} {description}"[:SUGGEST_CHARS]
