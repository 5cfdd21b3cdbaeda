"""Themes of a review or a text answer (SPEC §4–§5; issue 17): what a customer talks about.

Six themes, the causes the seeds give for a shop's low scores (SPEC §4) and the indicators
of seed 002 §3.1.3: product quality, as described, logistics, service attitude, price and
packaging. A theme is found by its words (a hand-written lexicon, matched on the text's
characters so no segmentation can split a word away); a text may have several themes or
none. The lexicon favours precision: "快" alone is not logistics ("客服回复很快" is service),
so logistics needs 物流, 快递, 发货, 到货 ….
"""

from __future__ import annotations

from collections.abc import Iterable

THEMES: tuple[str, ...] = ("quality", "as_described", "logistics", "service", "price", "packaging")

LABELS: dict[str, tuple[str, str]] = {
    "quality": ("商品质量", "Product quality"),
    "as_described": ("与描述相符", "As described"),
    "logistics": ("物流", "Logistics"),
    "service": ("服务态度", "Service attitude"),
    "price": ("价格", "Price"),
    "packaging": ("包装", "Packaging"),
}

WORDS: dict[str, tuple[str, ...]] = {
    "quality": (
        "质量", "品质", "做工", "面料", "材质", "手感", "线头", "起球", "掉色", "褪色", "变形",
        "开线", "破洞", "异味", "味道大", "耐用", "结实", "质感", "瑕疵", "坏了", "用料",
        "料子", "缩水", "版型", "舒服", "透气", "厚实", "扎人", "拉链", "扣子", "污渍",
    ),
    "as_described": (
        "描述", "图片", "色差", "不符", "实物", "与图", "和图", "跟图", "货不对版", "宣传",
        "尺码", "偏大", "偏小", "不一样", "买家秀", "照片", "码数", "偏长", "大一码",
        "小一码", "化纤",
    ),
    "logistics": (
        "物流", "快递", "发货", "到货", "送货", "配送", "派送", "运输", "签收", "寄", "邮费",
        "几天才到", "第二天就到", "丢件", "漏发", "错发", "才到",
    ),
    "service": (
        "客服", "服务", "态度", "回复", "耐心", "热情", "售后", "答复", "不理", "不回",
        "解答", "推荐的", "退款", "七天无理由", "不给退",
    ),
    "price": (
        "价格", "性价比", "便宜", "贵", "划算", "实惠", "价钱", "优惠", "降价", "值这个价",
        "不值", "物美价廉", "一分钱一分货", "价位",
    ),
    "packaging": ("包装", "盒子", "袋子", "纸箱", "破损", "压坏", "挤压", "礼盒", "塑料袋"),
}  # fmt: skip


def themes(text: str) -> list[str]:
    """The themes ``text`` mentions, in ``THEMES`` order."""
    if not text:
        return []
    return [t for t in THEMES if any(w in text for w in WORDS[t])]


def theme_counts(texts: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(THEMES, 0)
    for text in texts:
        for t in themes(text):
            counts[t] += 1
    return counts


def label(theme: str, language: str = "zh-hans") -> str:
    zh, en = LABELS[theme]
    return en if language.startswith("en") else zh
