"""The demo shop's fixed cast: a Taobao clothing shop's 40 products and its 6 agents.

Agents differ on purpose, so every agent metric has something to show: 小美 answers fast and
sells up, 大伟 is slow and converts poorly, 晓晓 mostly handles after-sales.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PLATFORM = "taobao"


@dataclass(frozen=True)
class Agent:
    """One customer-service agent and the skills that drive the generated data."""

    agent_id: str
    nickname: str
    response_seconds: float  # median delay of a reply after the customer's last message
    conversion: float  # share of pre-sale inquiries that end in an order
    aov_multiplier: float  # >1: recommends more items per order; <1: fewer
    reply_rate: float  # chance that a session's last customer round gets an answer
    payment_rate: float  # share of the agent's orders that are paid (payment reminders)
    presale_share: float  # relative share of pre-sale sessions
    aftersale_share: float  # relative share of in-sale and after-sale sessions


AGENTS: tuple[Agent, ...] = (
    Agent("kf01", "小美", 6.0, 0.58, 1.45, 0.99, 0.95, 1.3, 0.6),
    Agent("kf02", "小丽", 9.0, 0.48, 1.30, 0.97, 0.92, 1.2, 0.8),
    Agent("kf03", "阿杰", 13.0, 0.42, 1.30, 0.96, 0.90, 1.0, 0.8),
    Agent("kf04", "小雪", 20.0, 0.36, 1.15, 0.93, 0.88, 0.9, 0.7),
    Agent("kf05", "大伟", 32.0, 0.28, 1.05, 0.88, 0.85, 0.8, 0.6),
    Agent("kf06", "晓晓", 11.0, 0.40, 1.20, 0.97, 0.90, 0.4, 2.5),
)

# Each agent's rota (workday hours, rest-day hours), for the business-time figures.
ROTAS: dict[str, tuple[str, str]] = {
    "kf01": ("09:00-18:00", "10:00-18:00"),
    "kf02": ("13:00-24:00", "13:00-22:00"),
    "kf03": ("08:00-12:00, 13:00-17:00", ""),
    "kf04": ("09:00-18:00", "09:00-18:00"),
    "kf05": ("09:00-18:00", ""),
    "kf06": ("10:00-22:00", "10:00-22:00"),
}

# 售前组 answers questions before the sale, 售后组 after it (returns, complaints).
TEAMS: dict[str, str] = {
    "kf01": "售前组",
    "kf02": "售前组",
    "kf03": "售前组",
    "kf04": "售前组",
    "kf05": "售后组",
    "kf06": "售后组",
}


@dataclass(frozen=True)
class Product:
    product_id: str
    title: str
    category: str
    price_cents: int


_LINES: dict[str, tuple[tuple[str, int], ...]] = {
    "女装": (
        ("法式碎花连衣裙 夏季新款收腰显瘦", 25900),
        ("高腰阔腿牛仔裤 女 垂感拖地裤", 15900),
        ("纯棉短袖T恤 女 宽松百搭", 5900),
        ("小香风针织开衫 秋冬外套", 19900),
        ("羊毛双面呢大衣 中长款", 89900),
        ("轻薄羽绒服 女 短款立领", 45900),
        ("真丝衬衫 女 通勤气质", 32900),
        ("半身裙 A字中长款 百褶", 13900),
        ("防晒衣 女 冰丝透气 UPF50+", 9900),
        ("卫衣 女 加绒加厚 连帽", 12900),
    ),
    "男装": (
        ("商务休闲衬衫 男 免烫长袖", 16900),
        ("纯棉圆领T恤 男 三件装", 9900),
        ("直筒牛仔裤 男 弹力修身", 19900),
        ("冲锋衣 男 三合一 防水防风", 59900),
        ("羽绒服 男 中长款 加厚", 69900),
        ("Polo衫 男 夏季 翻领", 12900),
        ("休闲西装 男 单西外套", 39900),
        ("运动卫裤 男 束脚", 8900),
        ("羊毛衫 男 V领 针织", 29900),
        ("夹克 男 春秋 立领", 25900),
    ),
    "童装": (
        ("儿童纯棉睡衣套装 春秋款", 7900),
        ("女童公主裙 夏季 连衣裙", 11900),
        ("男童运动套装 两件套", 12900),
        ("儿童羽绒服 轻薄款", 29900),
        ("婴儿连体衣 纯棉 哈衣", 5900),
        ("儿童卫衣 卡通 加绒", 8900),
        ("儿童牛仔裤 弹力 松紧腰", 7900),
        ("童装 防晒衣 超薄透气", 6900),
        ("儿童袜子 五双装", 2900),
        ("儿童棉服 冬季 加厚", 19900),
    ),
    "配饰": (
        ("真丝丝巾 女 百搭小方巾", 8900),
        ("羊绒围巾 男女同款", 19900),
        ("鸭舌帽 棒球帽 遮阳", 4900),
        ("真皮腰带 男 自动扣", 12900),
        ("编织腰带 女 装饰", 3900),
        ("毛线帽 针织 冬季保暖", 5900),
        ("帆布包 女 大容量 单肩", 6900),
        ("触屏手套 加绒 冬季", 3900),
        ("太阳镜 偏光 防紫外线", 15900),
        ("发夹 发抓 鲨鱼夹 三件套", 2900),
    ),
}

PRODUCTS: tuple[Product, ...] = tuple(
    Product(f"p{100 + 10 * c + i}", title, category, price)
    for c, (category, lines) in enumerate(_LINES.items())
    for i, (title, price) in enumerate(lines)
)

PRICE_CENTS = np.array([p.price_cents for p in PRODUCTS], dtype=np.int64)

POPULARITY = np.array([1.0 / (1 + (i % 10)) ** 0.8 for i in range(len(PRODUCTS))])
"""Within each category the first-listed products sell best (a mild Zipf curve)."""
POPULARITY = POPULARITY / POPULARITY.sum()


def agent_array(attribute: str) -> np.ndarray:
    """One skill of all agents as an array indexed by agent number."""
    return np.array([getattr(a, attribute) for a in AGENTS], dtype=np.float64)
