"""Knowledge-base search over 50,000 entries (issue 16: p95 < 50 ms), our BM25 against
SQLite FTS5.

    python -m bench --only knowledge [--rounds N]

What it does:
1. generates 50,000 entries deterministically (``random.Random(16)``): Q&A, quick replies,
   scripts, policies and product notes about 60 products and 24 service topics, in the
   phrasing shops use; and 200 customer-style queries (some with a synonym of the entries'
   word: 快递 for 物流, 退回 for 退货 …);
2. for each engine, ``rounds`` times, each round in a freshly spawned process: builds the
   index (timed), then runs the 200 queries once each (each timed; a warm-up query first):
   - **bm25 (ours)**: ``knowledge.search.build_snapshot`` + ``knowledge.search.run`` — the
     product's code path (jieba tokens, synonym concepts, BM25, top 20, highlights), minus the
     database;
   - **sqlite fts5**: the same jieba tokens stored space-joined in an in-memory FTS5 table
     (question and keywords weighted 2, as ours), queried with an OR of the words and their
     synonyms, ``ORDER BY bm25(…) LIMIT 20``, the same highlights on the 20 rows;
   - **guanxi search, end to end**: ``knowledge.search.search`` on a migrated SQLite app
     database holding the 50,000 entries — the version token's two aggregate queries, BM25,
     highlights and the usage counts read back: what a page or API request pays;
3. prints, per engine, the median over rounds of p50 / p95 / max per query, the spread of p95
   (min–max over rounds), the build time and the top-5 agreement between the two engines.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import statistics
import tempfile
import time
from typing import Any

ENTRIES = 50_000
QUERIES = 200
TARGET_P95_MS = 50.0
SEED = 16

PRODUCTS = [
    f"{colour}{item}"
    for colour in ("黑色", "白色", "藏青", "米色", "灰色", "红色")
    for item in (
        "连衣裙",
        "T恤",
        "衬衫",
        "牛仔裤",
        "运动鞋",
        "羽绒服",
        "卫衣",
        "保温杯",
        "双肩包",
        "床单",
    )
]
TOPICS = {
    "发货": ("什么时候发货", "付款后 48 小时内发货，预售按页面日期发出"),
    "物流": ("物流一直不更新", "请提供订单号，我们联系快递公司核实包裹位置"),
    "退货": ("怎么申请退货", "在订单里申请售后，审核通过后按地址寄回"),
    "换货": ("可以换尺码吗", "签收七天内吊牌完好可以换货"),
    "退款": ("退款多久到账", "收到退货后 48 小时内原路退款"),
    "运费": ("退货运费谁承担", "质量问题由店铺承担，无理由退货由买家承担退回运费"),
    "尺码": ("尺码偏大还是偏小", "请参考详情页尺码表，介于两个尺码之间建议选大一码"),
    "质量": ("收到有质量问题", "请拍照片发给客服，确认后退换货运费由店铺承担"),
    "发票": ("能开发票吗", "确认收货后在订单里申请电子发票"),
    "优惠": ("有没有优惠券", "店铺首页领取满减券，会员可叠加会员价"),
    "议价": ("能便宜一点吗", "已经是活动价，可以凑单满减或申请小赠品"),
    "催付": ("拍下还没付款", "今天付款今天发货，库存不多请尽快付款"),
    "地址": ("怎么修改收货地址", "未发货可以改地址，已发货需要联系快递改派"),
    "洗涤": ("怎么清洗", "建议冷水手洗，不要漂白，反面晾干"),
    "材质": ("是什么材质", "面料成分见吊牌和详情页，纯棉透气"),
    "颜色": ("有色差吗", "实物拍摄，不同屏幕可能略有色差"),
    "库存": ("还有货吗", "页面能拍下就有库存，缺货会及时通知"),
    "赠品": ("有赠品吗", "活动期间下单送小礼品，随包裹寄出"),
    "保修": ("保修多久", "非人为损坏一年内免费维修"),
    "破损": ("收到包裹破损", "请拒收或拍照联系客服，我们补发或退款"),
    "少件": ("收到少了一件", "请提供包裹照片和面单，核实后补发"),
    "预售": ("预售什么时候发", "预售商品按页面约定时间发货，付尾款后排单"),
    "会员": ("怎么成为会员", "累计消费满 500 元自动升级为会员"),
    "评价": ("好评有返现吗", "感谢支持，好评可获得下次购物的优惠券"),
}
SYNONYMS = [
    ["退货", "退换", "退回", "退掉"],
    ["快递", "物流", "包裹"],
    ["运费", "邮费", "快递费"],
    ["便宜", "优惠", "打折", "折扣"],
    ["发货", "寄出", "出库"],
    ["尺码", "码数", "尺寸", "大小"],
    ["破损", "坏了", "损坏"],
    ["付款", "支付", "付钱"],
    ["退款", "退钱"],
    ["发票", "开票"],
]
KINDS = ("qa", "qa", "qa", "quick_reply", "script", "policy", "product")
OPENERS = ("亲，", "您好，", "亲亲，", "")
CLOSERS = ("有问题随时联系我们哦。", "感谢您的支持！", "祝您购物愉快～", "")
ASKS = ("请问{p}{q}？", "{p}{q}？", "买的{p}{q}", "{q}，我买的是{p}", "想问下{p}{q}")
PHRASINGS = {  # what customers type, with the synonyms the entries do not use
    "退货": ("不想要了怎么退回", "{p}能退掉吗", "退换流程是什么"),
    "物流": ("快递怎么还没到", "包裹到哪了", "{p}的快递一直没动"),
    "运费": ("退回去邮费谁出", "快递费谁承担"),
    "优惠": ("能不能打折", "{p}有折扣吗", "便宜点行不行"),
    "尺码": ("{p}码数怎么选", "大小合适吗"),
    "破损": ("{p}收到坏了", "东西损坏了怎么办"),
}


def corpus() -> list[tuple[int, str, str, str, str, str, str]]:
    """(id, kind, question, answer, scene, keywords, product) × ENTRIES, deterministic."""
    rng = random.Random(SEED)
    topics = list(TOPICS)
    rows = []
    for number in range(ENTRIES):
        topic = rng.choice(topics)
        question, answer = TOPICS[topic]
        product = rng.choice(PRODUCTS)
        other = TOPICS[rng.choice(topics)][1]
        kind = rng.choice(KINDS)
        rows.append(
            (
                number + 1,
                kind,
                rng.choice(ASKS).format(p=product, q=question)[:300],
                f"{rng.choice(OPENERS)}{product}{answer}。{other}。{rng.choice(CLOSERS)}",
                topic if kind == "script" else "",
                f"{topic} {product}",
                f"SKU{rng.randrange(10_000, 99_999)}",
            )
        )
    return rows


def queries() -> list[str]:
    rng = random.Random(SEED + 1)
    found = []
    for _ in range(QUERIES):
        product = rng.choice(PRODUCTS)
        if rng.random() < 0.4:
            topic = rng.choice(list(PHRASINGS))
            found.append(rng.choice(PHRASINGS[topic]).format(p=product))
        else:
            question = TOPICS[rng.choice(list(TOPICS))][0]
            found.append(rng.choice(ASKS).format(p=product, q=question))
    return found


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[int(0.95 * (len(ordered) - 1) + 0.5)],
        "max": ordered[-1],
    }


def _django() -> str:
    """Django on a throw-away folder (settings need a database, keys and a lake path even
    when, as for the in-memory engines, nothing is read from them)."""
    folder = tempfile.mkdtemp(prefix="guanxi-bench-kb-")
    os.environ.update(
        {
            "GUANXI_DATABASE_URL": f"sqlite:///{folder}/app.sqlite3",
            "GUANXI_LAKE": f"{folder}/lake",
            "GUANXI_KEY_FILE": f"{folder}/keys/field.key",
            "GUANXI_SECRET_KEY_FILE": f"{folder}/keys/secret.key",
            "GUANXI_STATIC_ROOT": f"{folder}/static",
            "DJANGO_SETTINGS_MODULE": "guanxi.settings",
        }
    )
    import django

    django.setup()
    return folder


def _docs(rows: list[tuple[Any, ...]]) -> list[Any]:
    from guanxi.knowledge.search import Doc

    return [Doc(i, k, q, a, s, kw, p, 0) for i, k, q, a, s, kw, p in rows]


def _round_bm25(queue: Any) -> None:
    shutil.rmtree(_django())
    from guanxi.knowledge import search, text

    text.tokens("预热")  # jieba's dictionary: loaded by the first search in a worker too
    rows = corpus()
    start = time.perf_counter()
    snapshot = search.build_snapshot(_docs(rows), SYNONYMS, (0, None, 0, None))
    build = time.perf_counter() - start
    search.run(snapshot, "预热查询")
    times, tops = [], []
    for query in queries():
        start = time.perf_counter()
        result = search.run(snapshot, query, limit=20)
        times.append((time.perf_counter() - start) * 1000)
        tops.append([h.id for h in result.hits[:5]])
    queue.put((build, times, tops, None))


def _fts_text(words: list[str]) -> str:
    return " ".join(words)


def _round_fts5(queue: Any) -> None:
    import sqlite3

    shutil.rmtree(_django())
    from guanxi.knowledge import search, text
    from guanxi.knowledge.models import split_words

    text.tokens("预热")
    rows = corpus()
    groups = search.synonym_groups(SYNONYMS)
    text.add_words(w for g in SYNONYMS for w in g)
    start = time.perf_counter()
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE kb USING fts5(question, keywords, body, tokenize='unicode61')")
    db.executemany(
        "INSERT INTO kb(rowid, question, keywords, body) VALUES (?, ?, ?, ?)",
        (
            (
                i,
                _fts_text(text.tokens(q)),
                _fts_text(text.tokens(" ".join(split_words(kw)))),
                _fts_text(text.tokens(f"{s} {p} {a}")),
            )
            for i, k, q, a, s, kw, p in rows
        ),
    )
    db.commit()
    build = time.perf_counter() - start
    by_id = {r[0]: r for r in rows}

    def run(query: str) -> list[int]:
        words: list[str] = []
        for word in dict.fromkeys(text.tokens(query)):
            words += sorted(groups.get(word, frozenset({word})))
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in dict.fromkeys(words))
        ids = [
            r[0]
            for r in db.execute(
                "SELECT rowid FROM kb WHERE kb MATCH ? ORDER BY bm25(kb, 2.0, 2.0, 1.0), rowid "
                "LIMIT 20",
                (match,),
            )
        ]
        for i in ids:  # the same highlights as ours, on the 20 rows shown
            text.highlight(by_id[i][2], words)
            text.highlight(by_id[i][3], words)
        return ids

    run("预热查询")
    times, tops = [], []
    for query in queries():
        start = time.perf_counter()
        ids = run(query)
        times.append((time.perf_counter() - start) * 1000)
        tops.append(ids[:5])
    queue.put((build, times, tops, None))


def _round_end_to_end(queue: Any) -> None:
    folder = _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from guanxi.knowledge import search
    from guanxi.knowledge.models import Entry, Synonym

    Entry.objects.all().delete()
    Synonym.objects.all().delete()
    Synonym.objects.bulk_create(Synonym(words="、".join(g)) for g in SYNONYMS)
    Entry.objects.bulk_create(
        (
            Entry(kind=k, question=q, answer=a, scene=s, keywords=kw, product_id=p)
            for _i, k, q, a, s, kw, p in corpus()
        ),
        batch_size=2000,
    )
    start = time.perf_counter()
    search.search("预热查询")  # the lazy build, as the first search after a change
    build = time.perf_counter() - start
    times, tops = [], []
    for query in queries():
        start = time.perf_counter()
        result = search.search(query, limit=20)
        times.append((time.perf_counter() - start) * 1000)
        tops.append([h.id for h in result.hits[:5]])
    # An agent's manager edits one entry: the next search rebuilds (only that entry re-cut).
    entry = Entry.objects.order_by("id").first()
    assert entry is not None
    entry.answer += "（已更新）"
    entry.save()
    start = time.perf_counter()
    search.search("已更新")
    rebuild = time.perf_counter() - start
    shutil.rmtree(folder, ignore_errors=True)
    queue.put((build, times, tops, rebuild))


ENGINES = {
    "bm25 (ours, in memory)": _round_bm25,
    "sqlite fts5 (in memory)": _round_fts5,
    "guanxi search, end to end (SQLite app db)": _round_end_to_end,
}


def _guarded(target: Any, queue: Any) -> None:
    try:
        target(queue)
    except BaseException as exc:  # reported to the parent, which fails loudly
        queue.put(f"{type(exc).__name__}: {exc}")


def _spawned(target: Any) -> tuple[float, list[float], list[list[int]], float | None]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_guarded, args=(target, queue))
    process.start()
    result = queue.get()
    process.join()
    if isinstance(result, str):
        raise RuntimeError(f"knowledge benchmark round {target.__name__} failed: {result}")
    return result


def run(rounds: int) -> int:
    rounds = max(rounds, 3)
    print(
        f"Knowledge search: {ENTRIES:,} entries, {QUERIES} queries, top 20 with highlights; "
        f"median of {rounds} rounds (each a fresh process)\n"
    )
    print("| engine | build s | rebuild after an edit s | p50 ms | p95 ms (spread) | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    status = 0
    tops: dict[str, list[list[int]]] = {}
    for name, target in ENGINES.items():
        samples = [_spawned(target) for _ in range(rounds)]
        figures = [_percentiles(sample[1]) for sample in samples]
        rebuilds = [s[3] for s in samples if s[3] is not None]
        rebuild = f"{statistics.median(rebuilds):.2f}" if rebuilds else "–"
        p95s = [f["p95"] for f in figures]
        p95 = statistics.median(p95s)
        print(
            f"| {name} | {statistics.median(s[0] for s in samples):.2f} | {rebuild} "
            f"| {statistics.median(f['p50'] for f in figures):.2f} "
            f"| {p95:.2f} ({min(p95s):.2f}–{max(p95s):.2f}) "
            f"| {statistics.median(f['max'] for f in figures):.2f} |"
        )
        tops[name] = samples[0][2]
        if p95 >= TARGET_P95_MS:
            status = 1
    ours, fts = tops["bm25 (ours, in memory)"], tops["sqlite fts5 (in memory)"]
    same = sum(len(set(a) & set(b)) for a, b in zip(ours, fts, strict=True))
    total = sum(len(a) for a in ours)
    print(
        f"\nTop-5 agreement bm25 vs fts5: {same}/{total} ({same / max(total, 1):.0%}); "
        f"target p95 < {TARGET_P95_MS:.0f} ms: {'met' if status == 0 else 'MISSED'}"
    )
    return status
