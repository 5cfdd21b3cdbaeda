"""Demo customers: behaviour arrays for the generators and personal records for the master.

Behaviour (how often someone buys, when they join and churn, promo sensitivity, returns) stays
in numpy arrays indexed by customer number; the lake only ever sees the surrogate
``customer_key``. Names, phones, emails and addresses are built only when the records are
written to the customer master, chunk by chunk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from guanxi.customers.models import CustomerClass, Gender
from guanxi.customers.services import CustomerRecord
from guanxi.demo import rhythm
from guanxi.demo.catalog import PLATFORM

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
GIVEN_FEMALE = (
    "婷", "静", "丽娟", "敏", "燕", "芳", "颖", "欣怡", "雨萱", "思琪", "梓涵", "佳怡", "晓燕",
    "慧敏", "雪", "琳", "倩", "璐", "可馨", "诗涵", "嘉欣", "文静", "秀英", "桂兰", "玉梅",
    "美玲", "雅婷", "若曦", "梦瑶", "紫萱",
)  # fmt: skip
GIVEN_MALE = (
    "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "浩然", "子轩", "宇航", "俊杰", "志强", "建华",
    "鹏", "博文", "明辉", "浩宇", "晨阳", "一鸣", "国庆", "建军", "天宇", "思远", "家豪",
)  # fmt: skip
NICK_STEMS = (
    "xiaomei", "tt", "lily", "momo", "sunny", "tb", "ahuang", "dudu", "keke", "jiajia", "yoyo",
    "mumu", "baobao_mama", "lele", "coco", "xiaoyu", "nini", "haohao", "mi", "dahai", "qingqing",
    "tianxin", "ayu", "yiyi",
)  # fmt: skip
MOBILE_PREFIXES = np.array(
    [130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158,
     159, 166, 170, 176, 177, 178, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 191, 198,
     199], dtype=np.int64,
)  # fmt: skip
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com")
PLACES = (
    ("浙江省", "杭州市", ("西湖区", "余杭区", "滨江区"), 9),
    ("浙江省", "宁波市", ("鄞州区", "海曙区"), 4),
    ("江苏省", "南京市", ("鼓楼区", "江宁区"), 5),
    ("江苏省", "苏州市", ("姑苏区", "吴中区"), 5),
    ("广东省", "广州市", ("天河区", "海珠区"), 8),
    ("广东省", "深圳市", ("南山区", "福田区"), 8),
    ("上海市", "上海市", ("浦东新区", "徐汇区"), 9),
    ("北京市", "北京市", ("朝阳区", "海淀区"), 7),
    ("四川省", "成都市", ("武侯区", "锦江区"), 5),
    ("湖北省", "武汉市", ("洪山区", "江汉区"), 4),
    ("山东省", "青岛市", ("市南区", "崂山区"), 3),
    ("福建省", "厦门市", ("思明区", "湖里区"), 3),
    ("河南省", "郑州市", ("金水区", "二七区"), 3),
    ("湖南省", "长沙市", ("岳麓区", "天心区"), 3),
    ("陕西省", "西安市", ("雁塔区", "碑林区"), 3),
)
ROADS = ("人民路", "解放路", "中山路", "建设路", "文化路", "长江路", "学院路", "新华路", "和平路")

TAG_LOYAL = "老客户"
TAG_PROMO = "大促敏感"
TAG_RETURNS = "高退货"


def all_names() -> list[str]:
    """Every name the generator can produce (for the no-PII checks against templates)."""
    surnames = list(SURNAMES) + list(COMPOUND_SURNAMES)
    return [s + g for s in surnames for g in GIVEN_FEMALE + GIVEN_MALE]


@dataclass(frozen=True)
class Population:
    """Customers as arrays indexed by customer number (0..n-1)."""

    keys: pa.Array  # customer_key strings, the only thing the lake learns about a customer
    activity: np.ndarray  # relative purchase frequency (heavy-tailed: repeat buyers)
    join_day: np.ndarray  # first local day the customer can buy
    churn_day: np.ndarray  # first day they no longer buy (beyond the year: never churns)
    never_buys: np.ndarray  # asks but never orders (潜在客户)
    promo_sensitive: np.ndarray
    high_return: np.ndarray
    female: np.ndarray
    male: np.ndarray
    seed: int

    @property
    def size(self) -> int:
        return len(self.activity)


def customer_keys(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct keys "c" + 16 hex digits: draw extra, keep the first distinct ones."""
    drawn = rng.integers(0, 2**63 - 1, size=2 * n + 16, dtype=np.int64)
    _, first = np.unique(drawn, return_index=True)
    values = drawn[np.sort(first)[:n]]
    return [f"c{v:016x}" for v in values.tolist()]


def population(n: int, seed: int) -> Population:
    rng = np.random.default_rng([seed, 1])
    weights = rhythm.day_weights()
    join = np.where(
        rng.random(n) < 0.45, 0, rng.choice(rhythm.DAYS, size=n, p=weights / weights.sum())
    )
    churns = rng.random(n) < 0.3
    churn = np.where(churns, join + 30 + rng.exponential(100, n).astype(np.int64), 10_000)
    gender = rng.random(n)
    return Population(
        keys=pa.array(customer_keys(rng, n), pa.string()),
        activity=rng.lognormal(0.0, 1.0, n),
        join_day=join.astype(np.int64),
        churn_day=churn.astype(np.int64),
        never_buys=rng.random(n) < 0.08,
        promo_sensitive=rng.random(n) < 0.18,
        high_return=rng.random(n) < 0.05,
        female=gender < 0.68,
        male=(gender >= 0.68) & (gender < 0.96),
        seed=seed,
    )


def _classes(pop: Population) -> np.ndarray:
    rank = np.argsort(np.argsort(-pop.activity)) / max(pop.size, 1)
    cls = np.where(rank < 0.03, 3, np.where(rank < 0.15, 2, 0))
    return np.where(pop.never_buys, 1, cls)


_CLASS_VALUES = (
    CustomerClass.ORDINARY,
    CustomerClass.POTENTIAL,
    CustomerClass.CORE,
    CustomerClass.VIP,
)


def records(pop: Population, chunk: int) -> Iterator[list[CustomerRecord]]:
    """The customers' personal records, ``chunk`` at a time (for batched inserts)."""
    rng = np.random.default_rng([pop.seed, 2])
    n = pop.size
    surnames = list(SURNAMES) + list(COMPOUND_SURNAMES)
    s_weights = np.array([1.0 / (1 + i) ** 0.6 for i in range(len(SURNAMES))] + [0.01] * 4)
    surname = rng.choice(len(surnames), size=n, p=s_weights / s_weights.sum())
    given_f = rng.integers(0, len(GIVEN_FEMALE), n)
    given_m = rng.integers(0, len(GIVEN_MALE), n)
    mobile = MOBILE_PREFIXES[rng.integers(0, len(MOBILE_PREFIXES), n)] * 10**8 + rng.integers(
        0, 10**8, n
    )
    has_email = rng.random(n) < 0.25
    domain = rng.integers(0, len(EMAIL_DOMAINS), n)
    stem = rng.integers(0, len(NICK_STEMS), n)
    nick_number = rng.permutation(n) + 1000  # distinct, so buyer ids are unique
    place_w = np.array([p[3] for p in PLACES], dtype=np.float64)
    place = rng.choice(len(PLACES), size=n, p=place_w / place_w.sum())
    district = rng.integers(0, 3, n)
    road = rng.integers(0, len(ROADS), n)
    house = rng.integers(1, 300, n)
    building = rng.integers(1, 30, n)
    room = rng.integers(1, 30, n) * 100 + rng.integers(1, 6, n)
    age_days = (rng.gamma(4.0, 2.5, n) + 18) * 365.25
    has_birthday = rng.random(n) < 0.7
    classes = _classes(pop)
    loyal = (pop.join_day == 0) & (pop.activity > np.median(pop.activity))
    keys = pop.keys.to_pylist()
    for start in range(0, n, chunk):
        batch = []
        for i in range(start, min(n, start + chunk)):
            if pop.female[i]:
                given, gender = GIVEN_FEMALE[given_f[i]], Gender.FEMALE
            elif pop.male[i]:
                given, gender = GIVEN_MALE[given_m[i]], Gender.MALE
            else:
                given, gender = GIVEN_FEMALE[given_f[i]], Gender.UNKNOWN
            province, city, districts, _ = PLACES[place[i]]
            where = province if province == city else province + city
            nick = f"{NICK_STEMS[stem[i]]}{nick_number[i]}"
            tags = [
                tag
                for tag, on in (
                    (TAG_LOYAL, loyal[i]),
                    (TAG_PROMO, pop.promo_sensitive[i]),
                    (TAG_RETURNS, pop.high_return[i]),
                )
                if on
            ]
            batch.append(
                CustomerRecord(
                    customer_key=keys[i],
                    name=surnames[surname[i]] + given,
                    gender=gender,
                    birth_date=(
                        rhythm.FIRST_DAY - dt.timedelta(days=int(age_days[i]))
                        if has_birthday[i]
                        else None
                    ),
                    mobile=str(mobile[i]),
                    email=f"{nick}@{EMAIL_DOMAINS[domain[i]]}" if has_email[i] else "",
                    address=(
                        f"{where}{districts[district[i] % len(districts)]}{ROADS[road[i]]}"
                        f"{house[i]}号{building[i]}幢{room[i]}室"
                    ),
                    province=province,
                    city=city,
                    customer_class=_CLASS_VALUES[classes[i]],
                    tags=tags,
                    identities=[(PLATFORM, nick)],
                )
            )
        yield batch
