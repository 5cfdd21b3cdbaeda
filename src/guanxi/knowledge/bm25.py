"""A small in-memory BM25 index (Okapi BM25, Robertson & Zaragoza 2009) over token lists.

    score(D, Q) = Σ_{c ∈ Q} idf(c) · tf(c,D) · (k1 + 1) / (tf(c,D) + k1 · (1 − b + b·|D|/avgdl))
    idf(c)      = ln(1 + (N − n(c) + 0.5) / (n(c) + 0.5))

with k1 = 1.2, b = 0.75 (the usual defaults; Lucene's too), |D| the document's token count and
avgdl the mean over the index. The idf is Lucene's variant, never negative, so that a word in
more than half the entries still counts a little instead of pushing them down.

A query is a list of *concepts*; a concept is a set of equivalent words (a word and its
synonyms). As in Lucene's SynonymQuery, a concept's tf in a document is the sum of its words'
tfs and its n(c) the largest of its words' document counts: a document saying 退货 twice and
退换 once has tf 3 for the concept {退货, 退换, 退回}, and an entry is not ranked higher for
using two synonyms than for repeating one.

Postings are numpy arrays (document positions and term counts); a query adds each concept's
scores into a dense array of N floats, which takes well under a millisecond for 50,000 entries
(bench/knowledge.py measures it). Pure: no Django, no database; ``knowledge.search`` builds it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class Index:
    size: int
    lengths: np.ndarray  # float64 [size]: tokens per document
    avgdl: float
    postings: dict[str, tuple[np.ndarray, np.ndarray]]  # word → (positions int32, tf float64)
    k1: float = K1
    b: float = B

    def df(self, word: str) -> int:
        posting = self.postings.get(word)
        return 0 if posting is None else len(posting[0])

    def idf(self, n: int) -> float:
        return math.log(1 + (self.size - n + 0.5) / (n + 0.5))


def build(documents: Iterable[Sequence[str]], *, k1: float = K1, b: float = B) -> Index:
    """The index of ``documents`` (token lists); a document's position is its number in the
    iteration, which the caller maps back to its entry."""
    grouped: dict[str, tuple[list[int], list[int]]] = {}
    lengths: list[int] = []
    for position, words in enumerate(documents):
        lengths.append(len(words))
        for word, count in Counter(words).items():
            places, counts = grouped.setdefault(word, ([], []))
            places.append(position)
            counts.append(count)
    postings = {
        word: (np.asarray(places, dtype=np.int32), np.asarray(counts, dtype=np.float64))
        for word, (places, counts) in grouped.items()
    }
    size = len(lengths)
    lengths_array = np.asarray(lengths, dtype=np.float64)
    avgdl = float(lengths_array.mean()) if size else 0.0
    return Index(size, lengths_array, avgdl, postings, k1, b)


def scores(index: Index, concepts: Sequence[Iterable[str]]) -> np.ndarray:
    """The BM25 score of every document for the query ``concepts`` (0 where none matches)."""
    total = np.zeros(index.size, dtype=np.float64)
    if not index.size:
        return total
    norm = index.k1 * (1 - index.b + index.b * index.lengths / index.avgdl)
    for concept in concepts:
        found = [index.postings[w] for w in set(concept) if w in index.postings]
        if not found:
            continue
        n = max(len(places) for places, _ in found)
        if len(found) == 1:
            places, counts = found[0]
            tf = np.zeros(index.size, dtype=np.float64)
            tf[places] = counts
        else:
            tf = np.bincount(
                np.concatenate([p for p, _ in found]),
                weights=np.concatenate([c for _, c in found]),
                minlength=index.size,
            )
        hit = tf > 0
        total[hit] += index.idf(n) * tf[hit] * (index.k1 + 1) / (tf[hit] + norm[hit])
    return total


def top(score: np.ndarray, limit: int, tie_break: np.ndarray | None = None) -> list[int]:
    """The positions of the ``limit`` best documents with a score > 0: score descending, then
    ``tie_break`` descending (usage), then position. Only the documents at or above the
    ``limit``-th score are sorted, so that a common word's 30,000 hits are not."""
    hits = np.flatnonzero(score > 0)
    if len(hits) > limit:
        kth = np.partition(score[hits], len(hits) - limit)[len(hits) - limit]
        hits = hits[score[hits] >= kth]
    second = tie_break[hits] if tie_break is not None else np.zeros(len(hits))
    # lexsort sorts by the last key first: score, then usage (both descending), then position.
    order = np.lexsort((hits, -second, -score[hits]))
    return [int(p) for p in hits[order][:limit]]
