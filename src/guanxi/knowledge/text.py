"""Chinese text for the knowledge base: jieba segmentation for the index and the queries, and
the highlight of matched words.

Segmentation is jieba's search mode (``lcut_for_search``): a long word is kept and its
dictionary sub-words are added too (退换货 → 退换, 换货, 退换货), so that a query for 退换
finds an answer written with 退换货. The same function cuts entries and queries, so both sides
agree. Punctuation and a short list of function words (的, 了, 吗, 怎么 …) are dropped: they are
in nearly every question and only add noise to the ranking.

jieba's dictionary loads in ~0.6 s on first use; it is loaded lazily (the first search or
index build), never at import, so that the CLI and other pages do not pay for it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence

# Words of shop service that jieba's general dictionary cuts apart; added once at first use.
SHOP_WORDS = (
    "七天无理由",
    "无理由退货",
    "运费险",
    "催付",
    "议价",
    "包邮",
    "退换货",
    "退运费",
    "发票",
    "尺码表",
    "质量问题",
    "售后",
    "预售",
    "定金",
    "尾款",
    "顺丰",
    "申通",
    "中通",
    "圆通",
    "韵达",
    "极兔",
    "京东物流",
)

_STOPWORDS = (
    "的 了 吗 呢 吧 啊 呀 哦 嗯 么 是 我 你 您 他 她 它 我们 你们 在 有 和 与 及 就 都 也 还 "
    "这 那 这个 那个 怎么 怎么办 怎样 如何 什么 哪 哪里 请问 一下 可以 能 能不能 会 要 "
    "想 把 被 给 对 从 到 为 又 很 太 啦 亲 嘛"
)
STOPWORDS = frozenset(_STOPWORDS.split())

_WORD = re.compile(r"[0-9a-z\u3400-\u9fff]", re.IGNORECASE)
_lock = threading.Lock()
_ready = False
_extra: set[str] = set()


def _jieba() -> object:
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(60)  # no "Building prefix dict" lines in the logs
                for word in SHOP_WORDS:
                    jieba.add_word(word)
                jieba.initialize()
                _ready = True
    return jieba


def add_words(words: Iterable[str]) -> None:
    """Teach jieba words the shop uses (the synonym groups' words) so that they are cut as
    one token; each word is added once per process."""
    jieba = _jieba()
    new = [w for w in words if len(w) > 1 and w not in _extra]
    with _lock:
        for word in new:
            jieba.add_word(word)  # type: ignore[attr-defined]
            _extra.add(word)


def tokens(text: str) -> list[str]:
    """The index terms of ``text``: lower-case, jieba search-mode words, without punctuation,
    spaces and function words (repeats kept: BM25 counts them)."""
    jieba = _jieba()
    return [
        word
        for word in jieba.lcut_for_search(text.lower())  # type: ignore[attr-defined]
        if _WORD.search(word) and word not in STOPWORDS
    ]


def highlight(text: str, words: Sequence[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (part, matched) pieces, matched where one of ``words`` occurs (longest
    first, case-insensitive). The template escapes each piece and wraps matched ones in
    ``<mark>``: no HTML is built here, so an entry's text can never inject markup."""
    wanted = sorted({w for w in words if w}, key=len, reverse=True)
    if not wanted or not text:
        return [(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(w) for w in wanted), re.IGNORECASE)
    parts: list[tuple[str, bool]] = []
    at = 0
    for match in pattern.finditer(text):
        if match.start() > at:
            parts.append((text[at : match.start()], False))
        parts.append((match.group(0), True))
        at = match.end()
    if at < len(text):
        parts.append((text[at:], False))
    return parts
