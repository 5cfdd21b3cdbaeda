"""Chat, review and system message templates: the only free text the demo puts in the lake.

Templates never mention a customer (no names, phones or addresses), so the lake stays free of
personal data; the tests check that no customer name can occur inside any template.
Messages are picked by (slot, session kind) and stored once in an Arrow array that the
generators index with numpy, so 10 M messages cost one ``take``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from guanxi.demo.catalog import AGENTS

# Session kinds
PRESALE_WON, PRESALE_LOST, INSALE, LOGISTICS, RETURN = range(5)
KINDS = 5

# Message slots
OPEN, ASK, CUSTOMER_CLOSE, GREET, ANSWER, AGENT_CLOSE = range(6)

_OPEN_PRE = (
    "在吗", "你好，在吗？", "亲，这款还有货吗", "请问这个有现货吗", "老板在吗",
    "这件有优惠吗", "你好，想咨询一下这款", "客服在吗？想问下尺码",
)  # fmt: skip
_ASK_PRE = (
    "我身高165体重110斤，穿什么码？", "这个颜色会不会显黑", "面料是纯棉的吗", "有优惠券吗",
    "有优惠吗", "能便宜点吗", "什么时候发货", "发什么快递？", "包邮吗", "洗了会缩水吗",
    "M码还有吗", "可以开发票吗", "两件能一起发吗", "有没有赠品", "偏大还是偏小？",
    "这个是什么材质的", "会起球吗", "活动什么时候结束", "可以用花呗吗", "黑色还有L码吗",
    "买两件有折扣吗", "模特穿的是什么码", "孩子120身高穿哪个码", "冬天穿会冷吗",
)  # fmt: skip
_WIN = (
    "好的，那我拍了", "好的，我去下单了", "行，拍了，麻烦快点发货", "已拍，记得早点发哦",
    "好的，我拍两件", "那我先拍一件试试",
)  # fmt: skip
_LOST = ("好的，我再看看", "我考虑一下", "那算了，谢谢", "有点贵，再想想", "嗯，我对比一下")
_THANKS = ("好的，谢谢", "嗯嗯", "谢谢亲", "好吧", "行", "知道了，谢谢")
_INSALE = (
    "什么时候发货？", "我昨天拍的怎么还没发货", "能不能快点发，急用", "可以改一下收货地址吗",
    "能发顺丰吗", "帮我备注一下是送人的，不要放发票", "拍错颜色了能改吗", "付款了，麻烦尽快发",
)  # fmt: skip
_LOGISTICS = (
    "快递到哪了？", "物流好几天没更新了", "怎么还没到，都三天了", "显示签收了但是我没收到",
    "快递员说放驿站了，是哪个驿站", "能帮忙催一下快递吗", "物流怎么这么慢",
)  # fmt: skip
_AFTER = (
    "衣服有线头，质量太差了", "尺码偏小，想换大一码", "收到的颜色和图片不一样",
    "发错货了，我买的是黑色", "洗了一次就起球了", "想退货，不太喜欢", "怎么申请退款",
    "退货运费谁出？", "已经寄回了，什么时候退款", "7天无理由可以退吗", "衣服有污渍",
    "拉链坏了", "穿着不合身，想换货",
)  # fmt: skip
_GREET = (
    "亲，在的哦～", "您好，欢迎光临，有什么可以帮您的吗？", "亲，在的，请问有什么可以帮您～",
    "在的亲，请说～", "亲亲，在的呢～",
)  # fmt: skip
_ANSWER_PRE = (
    "亲，这款是常规尺码，按平时穿的选就可以哦", "根据您说的身高体重，建议选M码哦～",
    "亲，现货的，今天下单48小时内发货", "目前有满199减20的店铺券，领了再下单更划算哦",
    "亲，默认发中通，需要顺丰可以补差价哦", "全国包邮（偏远地区除外）哦",
    "面料是95%棉，舒适透气的", "亲，这个价格已经是活动价了哦",
    "可以开电子发票的，下单时备注就行", "亲，搭配这款半身裙很好看哦，一起买还能满减",
    "这款版型偏大，建议拍小一码", "亲，不会起球的，我们都是做过测试的",
    "支持花呗分期的哦", "这款是加绒的，冬天穿很暖和",
)  # fmt: skip
_CLOSE_PRE = (
    "好的亲，拍下后我们尽快为您安排发货～", "感谢亲的支持，有问题随时找我哦～",
    "好的亲，有需要随时联系哦～", "亲，喜欢的话可以先加购收藏哦～",
)  # fmt: skip
_ANSWER_INSALE = (
    "亲，已经在安排了，48小时内发出哦", "亲，仓库正在打包，今天会发出的～",
    "好的亲，已经帮您备注了", "收货地址可以修改的，请在订单里提交修改申请哦",
    "大促期间订单较多，我们会按付款顺序尽快发货，请亲耐心等待", "已经帮您改好颜色了哦",
)  # fmt: skip
_ANSWER_LOGISTICS = (
    "亲，帮您查了一下，包裹已经到您所在城市了，预计明天送达",
    "亲，大促期间物流较慢，请再耐心等待一下哦", "已经帮您联系快递催件了，有消息第一时间通知您",
    "亲，麻烦看一下门口或者附近的驿站哦，我们也在联系快递核实", "物流显示正在派送中哦",
)  # fmt: skip
_ANSWER_AFTER = (
    "非常抱歉给您带来不好的体验，麻烦拍一下照片给我看看",
    "亲，可以申请退换货的，我们支持7天无理由退换哦",
    "亲，换货的话请在订单里申请，我们收到后会尽快给您寄出新的",
    "亲，收到退货后1-3天内为您退款哦", "亲，质量问题的退货运费由我们承担",
    "非常抱歉发错了，马上给您补发正确的款式", "已经为您登记，给您补偿一张10元无门槛券，您看可以吗",
    "亲，已经超过7天无理由退换的期限了，质量问题我们帮您处理",
)  # fmt: skip
_CLOSE_AFTER = (
    "还有其他可以帮您的吗？", "给您带来不便非常抱歉，祝您生活愉快～", "感谢您的理解和支持～",
)  # fmt: skip

POOLS: dict[tuple[int, int], tuple[str, ...]] = {}
for _kind, (_open, _ask, _close, _answer, _agent_close) in enumerate(
    (
        (_OPEN_PRE, _ASK_PRE, _WIN, _ANSWER_PRE, _CLOSE_PRE),
        (_OPEN_PRE, _ASK_PRE, _LOST, _ANSWER_PRE, _CLOSE_PRE),
        (_INSALE, _INSALE, _THANKS, _ANSWER_INSALE, _CLOSE_AFTER),
        (_LOGISTICS, _LOGISTICS, _THANKS, _ANSWER_LOGISTICS, _CLOSE_AFTER),
        (_AFTER, _AFTER, _THANKS, _ANSWER_AFTER, _CLOSE_AFTER),
    )
):
    POOLS[OPEN, _kind] = _open
    POOLS[ASK, _kind] = _ask
    POOLS[CUSTOMER_CLOSE, _kind] = _close
    POOLS[GREET, _kind] = _GREET
    POOLS[ANSWER, _kind] = _answer
    POOLS[AGENT_CLOSE, _kind] = _agent_close

TRANSFERS = tuple(f"会话已转接给 {a.nickname}" for a in AGENTS)

_flat: list[str] = []
POOL_START = np.zeros((6, KINDS), dtype=np.int64)
POOL_SIZE = np.zeros((6, KINDS), dtype=np.int64)
for (_slot, _kind), _pool in POOLS.items():
    POOL_START[_slot, _kind] = len(_flat)
    POOL_SIZE[_slot, _kind] = len(_pool)
    _flat.extend(_pool)
TRANSFER_START = len(_flat)
_flat.extend(TRANSFERS)
CHAT_TEXTS = pa.array(_flat, pa.string())


def chat_text_index(
    rng: np.random.Generator, slot: np.ndarray, kind: np.ndarray, transfer_to: np.ndarray
) -> np.ndarray:
    """Index into ``CHAT_TEXTS``; ``slot`` -1 marks a system transfer message to ``transfer_to``."""
    system = slot < 0
    s = np.where(system, 0, slot)
    start = POOL_START[s, kind]
    size = POOL_SIZE[s, kind]
    chosen = start + (rng.random(len(slot)) * size).astype(np.int64)
    return np.where(system, TRANSFER_START + transfer_to, chosen)


# Reviews by rating band (0: 1–2 stars, 1: 3 stars, 2: 4–5 stars)
_REVIEWS = (
    (
        "质量太差了，洗一次就变形", "和图片差距很大，失望", "客服态度很差，问了半天不回",
        "物流太慢了，等了一个星期", "有色差，做工粗糙", "尺码严重偏小，退货还要自己出运费",
        "衣服有异味，不推荐",
    ),
    (
        "一般般吧，价格还行", "衣服还可以，就是物流有点慢", "质量中规中矩，有点线头",
        "客服回复有点慢，衣服还行", "颜色和图片有点差别，能接受",
    ),
    (
        "质量很好，面料舒服，很满意", "尺码标准，上身效果很好", "物流很快，第二天就到了",
        "客服很耐心，推荐的尺码刚刚好", "第二次购买了，一如既往的好", "性价比很高，会回购的",
        "包装很用心，送人很有面子", "孩子穿着很合身，颜色也好看", "款式好看，做工精细",
    ),
)  # fmt: skip
REVIEW_START = np.cumsum([0] + [len(r) for r in _REVIEWS])[:-1]
REVIEW_SIZE = np.array([len(r) for r in _REVIEWS])
REVIEW_TEXTS = pa.array([t for band in _REVIEWS for t in band], pa.string())


def review_text_index(rng: np.random.Generator, rating: np.ndarray) -> np.ndarray:
    band = np.where(rating <= 2, 0, np.where(rating == 3, 1, 2))
    return REVIEW_START[band] + (rng.random(len(rating)) * REVIEW_SIZE[band]).astype(np.int64)


def all_texts() -> list[str]:
    """Every string the chat and review generators can emit (for the no-PII checks)."""
    return CHAT_TEXTS.to_pylist() + REVIEW_TEXTS.to_pylist()
