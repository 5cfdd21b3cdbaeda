"""BM25 on a hand-made corpus, synonyms as one concept, the ranking's tie-break, jieba tokens
and highlights. Pure: no database."""

from __future__ import annotations

import math

import numpy as np
import pytest

from guanxi.knowledge import bm25, text

# k1 = 1.2, b = 0.75. Four documents, lengths 3, 3, 2, 2: N = 4, avgdl = 10 / 4 = 2.5.
CORPUS = [
    ["退货", "运费", "买家"],
    ["退货", "退货", "地址"],
    ["发货", "时间"],
    ["运费", "险"],
]


def test_bm25_scores_match_the_hand_computation() -> None:
    index = bm25.build(CORPUS)
    assert (index.size, index.avgdl, index.k1, index.b) == (4, 2.5, 1.2, 0.75)
    # 退货 is in 2 of 4 documents: idf = ln(1 + (4 − 2 + 0.5) / (2 + 0.5)) = ln 2 = 0.693147
    # D0: tf 1, |D| 3: k1·(1 − b + b·3/2.5) = 1.2·(0.25 + 0.9) = 1.38
    #     0.693147 · 1·2.2 / (1 + 1.38) = 0.693147 · 0.924370 = 0.640724
    # D1: tf 2, |D| 3: 0.693147 · 2·2.2 / (2 + 1.38) = 0.693147 · 1.301775 = 0.902321
    scores = bm25.scores(index, [["退货"]])
    assert scores.tolist() == pytest.approx([0.640724, 0.902321, 0.0, 0.0], abs=1e-6)
    # 退货 运费: 运费 is in D0 and D3, idf ln 2 too.
    # D3: tf 1, |D| 2: k1·(0.25 + 0.75·2/2.5) = 1.2·0.85 = 1.02
    #     0.693147 · 2.2 / 2.02 = 0.754912
    # D0 = 0.640724 + 0.640724 = 1.281448 (both words once) > D1 0.902321 > D3 0.754912
    scores = bm25.scores(index, [["退货"], ["运费"]])
    assert scores.tolist() == pytest.approx([1.281448, 0.902321, 0.0, 0.754912], abs=1e-6)
    assert bm25.top(scores, 10) == [0, 1, 3]
    assert bm25.top(scores, 2) == [0, 1]
    assert math.isclose(index.idf(2), math.log(2))


def test_a_synonym_group_is_one_concept() -> None:
    # N = 3, lengths 2, 1, 1, avgdl 4/3. The concept {退货, 退回}: n = max(1, 1) = 1,
    # idf = ln(1 + (3 − 1 + 0.5) / 1.5) = ln 2.666667 = 0.980829.
    # D0 (退回 once, |D| 2): k1·(0.25 + 0.75·2/(4/3)) = 1.2·1.375 = 1.65
    #     → 0.980829·2.2/2.65 = 0.814273
    # D1 (退货 once, |D| 1): 1.2·(0.25 + 0.75·0.75) = 0.975 → 0.980829·2.2/1.975 = 1.092570
    index = bm25.build([["退回", "地址"], ["退货"], ["发货"]])
    scores = bm25.scores(index, [["退货", "退回"]])
    assert scores.tolist() == pytest.approx([0.814273, 1.092570, 0.0], abs=1e-6)
    # Summed tf: a document with both words has tf 2 for the concept, not two concepts' worth.
    both = bm25.build([["退货", "退回"], ["退货", "发货"]])
    # n = max(2, 1) = 2 of N = 2: idf = ln(1 + 0.5/2.5) = ln 1.2 = 0.182322; avgdl 2, norm 1.2
    # D0: tf 2 → 0.182322 · 4.4 / 3.2 = 0.250693; D1: tf 1 → 0.182322 · 2.2 / 2.2 = 0.182322
    assert bm25.scores(both, [["退货", "退回"]]).tolist() == pytest.approx(
        [0.250693, 0.182322], abs=1e-6
    )


def test_equal_scores_rank_by_usage_then_position() -> None:
    index = bm25.build([["运费"], ["运费"], ["运费"], ["发货"]])
    scores = bm25.scores(index, [["运费"]])
    assert bm25.top(scores, 5, tie_break=np.array([3, 9, 3, 0])) == [1, 0, 2]
    assert bm25.top(bm25.scores(index, [["没有"]]), 5) == []


def test_tokens_cut_chinese_and_drop_function_words() -> None:
    words = text.tokens("亲，七天无理由退换货的运费谁出？")
    assert "七天无理由" in words and "退换货" in words and "退换" in words and "运费" in words
    assert not {"亲", "的", "，", "？"} & set(words)


def test_highlight_marks_the_longest_match_and_escapes_nothing_itself() -> None:
    assert text.highlight("退换货运费<b>由买家</b>承担", ["退换", "退换货", "运费"]) == [
        ("退换货", True),
        ("运费", True),
        ("<b>由买家</b>承担", False),
    ]
    assert text.highlight("没有", []) == [("没有", False)]
