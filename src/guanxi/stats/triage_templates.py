"""How the labelled ticket set (``data/tickets_labelled.csv``) is made: hand-written message
templates, each with its three labels, rendered a few times with different products,
couriers, days, platforms and openers.

Every template below was written for this project after the complaint cases and causes of
the seeds (000 项目三: the shirt with loose threads and a missing spare button, the 618 price
picture, the leather shoes that rub, the evening dress returned after a night, the NIKE
colour difference that went to a journalist, the 双十一 split parcel that went to 315; 002
§3.3; SPEC §4's causes of bad ratings: service / logistics / product) and what buyers write
on Taobao, JD, Pinduoduo and Douyin. No message comes from a real customer.

The labels are the template's, given by these rules (the docs repeat them):

category — what the message is about (SPEC §4):
  logistics: dispatch, delivery speed, tracking, lost or missing parcels and items (漏发,
    赠品没收到), damage in transit (箱子压坏, 到手就碎), wrong item sent, the courier;
  product: quality, defects, not as described, colour difference, size, smell, fakes,
    how to use or choose an item;
  service: the agents (attitude, slow or no replies, broken promises), refunds and their
    handling, invoices, prices, coupons and price protection, the shop's policies.
tier — SPEC §6, the strongest signal wins:
  escalated: platform intervention asked for or under way (平台介入, 小二), 315 / 12315,
    消协, 市场监管 / 工商, media, journalists, public exposure, lawyers, courts;
  difficult: 维权, refund disputes (a refund refused or argued over), a bad review
    threatened or given, a stubborn demand that refuses any other option;
  ordinary: everything else (plain complaints, inquiries, praise).
sentiment — the writer's mood: negative (a complaint, however polite), neutral (a question
  or request without judgement), positive (praise or thanks, also after a solved problem).

The split is by template: a template's rows are all in train or all in test, so a test
message is never a re-rendering of a training one. Every fourth template of each
(category, tier) stratum, in the order written here, is held out.
"""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data" / "tickets_labelled.csv"
COLUMNS = ("id", "group", "split", "text", "category", "tier", "sentiment")
VARIANTS = 4  # renderings per template (fewer when the slots run out)
SEED = 16

SLOTS: dict[str, tuple[str, ...]] = {
    "p": (
        "连衣裙",
        "运动鞋",
        "手机壳",
        "蓝牙耳机",
        "空气净化器",
        "坚果礼盒",
        "面霜",
        "羽绒服",
        "保温杯",
        "儿童玩具",
        "四件套",
        "扫地机器人",
        "口红",
        "零食大礼包",
        "真皮皮鞋",
        "衬衣",
        "牛仔裤",
        "电饭煲",
        "台灯",
        "行李箱",
        "卫衣",
        "洗面奶",
        "数据线",
        "茶叶",
    ),
    "c": ("中通", "圆通", "韵达", "申通", "顺丰", "京东快递", "极兔", "邮政", "EMS", "德邦"),
    "d": ("两天", "三天", "四天", "五天", "一个星期", "十天", "半个月"),
    "pf": ("淘宝", "天猫", "京东", "拼多多", "抖音"),
    "n": ("2", "3", "4", "5", "两", "三"),
    "m": ("39", "59", "89", "129", "199", "299", "499", "1299"),
}
# Openers and closers by sentiment (a neutral question often ends in thanks, as real ones do).
OPENERS = {
    "negative": ("", "", "", "你好，", "在吗？", "亲，", "客服，", "喂，", "老板，", "掌柜的，"),
    "neutral": ("", "", "你好，", "在吗？", "亲，", "客服你好，", "老板，", "您好，"),
    "positive": ("", "", "", "亲，", "客服，", "老板，", "掌柜的，"),
}
CLOSERS = {
    "negative": ("", "", "。", "！", "？？", "…", "。。。"),
    "neutral": ("", "", "？", "，谢谢", "，麻烦了", "，谢谢啦"),
    "positive": ("", "", "！", "~", "。", "👍"),
}

# (category, tier, sentiment, text). Slots: {p} product, {c} courier, {d} days,
# {pf} platform, {n} a count, {m} an amount; [a|b] picks one alternative.
TEMPLATES: tuple[tuple[str, str, str, str], ...] = (
    # ---- logistics, ordinary, negative
    ("logistics", "ordinary", "negative", "快递{d}了还没到，[物流|单号]一直不更新"),
    ("logistics", "ordinary", "negative", "下单{d}了还没发货，[说好的|不是说]48小时发货呢"),
    ("logistics", "ordinary", "negative", "物流信息停在中转站{d}没动了，[到底|究竟]发没发"),
    ("logistics", "ordinary", "negative", "{c}太慢了吧，隔壁城市走了{d}"),
    ("logistics", "ordinary", "negative", "显示已签收但我根本没收到{p}，[谁签的|快递柜也没有]"),
    ("logistics", "ordinary", "negative", "买了{n}件只到了一件，少发了"),
    ("logistics", "ordinary", "negative", "箱子都压扁了，{p}[外壳|包装]磕坏了一块"),
    ("logistics", "ordinary", "negative", "收到的{p}碎了，[快递|物流]也太暴力了"),
    ("logistics", "ordinary", "negative", "发错货了，我买的是{p}，寄来的是别的"),
    ("logistics", "ordinary", "negative", "说好的赠品没收到，包裹里只有{p}"),
    ("logistics", "ordinary", "negative", "{c}快递员不送上门，直接扔驿站也不打电话"),
    ("logistics", "ordinary", "negative", "预售说{d}内发，现在都过了还是待发货"),
    ("logistics", "ordinary", "negative", "包裹被退回去了，我[啥都没|根本没]拒收啊"),
    ("logistics", "ordinary", "negative", "快递送到别的小区去了，{c}[也不管|说不归他管]"),
    ("logistics", "ordinary", "negative", "生鲜[路上|在路上]走了{d}，到手都[化了|坏了]"),
    ("logistics", "ordinary", "negative", "[怎么|咋]还在揽收状态，{d}了都没发出来"),
    ("logistics", "ordinary", "negative", "拆开箱子里面是空的，{p}没在里面"),
    ("logistics", "ordinary", "negative", "配送[超级|特别]慢，急着用{p}，耽误事了"),
    ("logistics", "ordinary", "negative", "地址写得清清楚楚，{c}还是[送错了|给我退回了]"),
    ("logistics", "ordinary", "negative", "运单号查不到任何信息，是不是假发货"),
    # ---- logistics, ordinary, neutral
    ("logistics", "ordinary", "neutral", "请问今天下单什么时候能发货"),
    ("logistics", "ordinary", "neutral", "可以[发|换成]顺丰吗，补运费也行"),
    ("logistics", "ordinary", "neutral", "[麻烦|帮忙]查一下我的{p}到哪了"),
    ("logistics", "ordinary", "neutral", "能[改|修改]一下收货地址吗，[刚刚|刚才]写错了"),
    ("logistics", "ordinary", "neutral", "发什么快递呀，我这边{c}[能到吗|比较方便]"),
    ("logistics", "ordinary", "neutral", "[偏远地区|新疆]包邮吗，大概几天能到"),
    ("logistics", "ordinary", "neutral", "我下周不在家，能晚几天再发{p}吗"),
    ("logistics", "ordinary", "neutral", "[一起|同时]买的{n}件能合并成一个包裹发吗"),
    ("logistics", "ordinary", "neutral", "我的{p}显示派送中，大概几点能送到"),
    # ---- logistics, ordinary, positive
    ("logistics", "ordinary", "positive", "物流[超快|好快]，昨天下单今天就到了"),
    ("logistics", "ordinary", "positive", "{c}速度可以的，{p}包装也很严实"),
    ("logistics", "ordinary", "positive", "包装很用心，里三层外三层，{p}一点没坏"),
    ("logistics", "ordinary", "positive", "发货[挺|很]及时的，比预计早到了{n}天，点赞"),
    ("logistics", "ordinary", "positive", "快递小哥送货上门还帮搬上楼，[谢谢|感谢]"),
    ("logistics", "ordinary", "positive", "[这次|这回]物流神速，{p}已收到，很满意"),
    ("logistics", "ordinary", "positive", "补发的{p}已经收到了，[谢谢处理|处理得很快]"),
    # ---- logistics, difficult, negative
    ("logistics", "difficult", "negative", "丢件了你们不管是吧，不给我[补发|退款]我就给差评"),
    ("logistics", "difficult", "negative", "快递{d}不到，我已经申请维权了，[等着吧|你们看着办]"),
    ("logistics", "difficult", "negative", "货压坏了还不给退，这个差评我是给定了"),
    (
        "logistics",
        "difficult",
        "negative",
        "别跟我说找{c}，东西是你们发的，我只要全额退款，别的免谈",
    ),
    (
        "logistics",
        "difficult",
        "negative",
        "第{n}次找你们了，少发的{p}还没补，不解决就[一星|差评]伺候",
    ),
    ("logistics", "difficult", "negative", "没收到货凭什么[不让我|不给]退款，我要维权"),
    (
        "logistics",
        "difficult",
        "negative",
        "不接受补发，也不要优惠券，[必须|一定要]赔偿，晚到的损失谁负责",
    ),
    ("logistics", "difficult", "negative", "已经给了差评，物流慢成这样还[想要|要]好评？"),
    # ---- logistics, escalated, negative
    ("logistics", "escalated", "negative", "付了钱{d}不发货，我已经申请{pf}平台介入了"),
    (
        "logistics",
        "escalated",
        "negative",
        "双十一买的{p}拆成好几个包裹，少了一件没人管，我要去315投诉",
    ),
    ("logistics", "escalated", "negative", "假发货骗人，已经打12315举报了"),
    ("logistics", "escalated", "negative", "丢件推来推去，我找了消协，[等通知吧|你们等着]"),
    ("logistics", "escalated", "negative", "虚假发货，小二已经介入了，你们自己跟平台解释吧"),
    ("logistics", "escalated", "negative", "{d}都不给发货，我发抖音曝光你们这家店"),
    ("logistics", "escalated", "negative", "你们一直说在途中，我已经向市场监管局投诉了"),
    # ---- logistics, difficult, neutral
    ("logistics", "difficult", "neutral", "我已经发起维权了，请尽快核实一下{c}的物流"),
    # ---- product, ordinary, negative
    ("product", "ordinary", "negative", "{p}和图片[色差|颜色差]也太大了吧"),
    ("product", "ordinary", "negative", "尺码[偏小|偏大]，按尺码表买的根本穿不上"),
    ("product", "ordinary", "negative", "{p}质量太差了，用了{d}就坏了"),
    ("product", "ordinary", "negative", "衣服有好多线头，还有一处开线"),
    ("product", "ordinary", "negative", "{p}有一股[刺鼻的|很重的]味道，散了{d}还有"),
    ("product", "ordinary", "negative", "收到的{p}和描述不符，[材质|做工]差很多"),
    ("product", "ordinary", "negative", "鞋子挤脚磨脚，[而且|还有]一只有明显褶皱"),
    ("product", "ordinary", "negative", "{p}[充不进电|开不了机]，是不是次品"),
    ("product", "ordinary", "negative", "洗了一次就掉色，[还染了|把别的]衣服"),
    ("product", "ordinary", "negative", "用了你们的面霜脸上[过敏|起痘]了"),
    ("product", "ordinary", "negative", "{p}做工粗糙，[跟|和]{pf}上别家的没法比"),
    ("product", "ordinary", "negative", "零食快过期了才发给我，日期就剩{n}个月"),
    ("product", "ordinary", "negative", "这是正品吗，[logo|商标]都是歪的"),
    ("product", "ordinary", "negative", "耳机一边有声音一边没声音"),
    ("product", "ordinary", "negative", "[实物|东西]比图片小好多，感觉被图片骗了"),
    ("product", "ordinary", "negative", "穿了一天{p}就起球了，[什么|啥]破质量"),
    ("product", "ordinary", "negative", "拉链[坏了|拉不上]，才用了{d}"),
    ("product", "ordinary", "negative", "杯子保温效果很差，[倒的开水|装的热水]{n}个小时就凉了"),
    ("product", "ordinary", "negative", "{p}的说明书全是英文，而且少了[配件|零件]"),
    ("product", "ordinary", "negative", "茶叶[碎末|茶梗]特别多，跟详情页[说的|写的]不一样"),
    # ---- product, ordinary, neutral
    ("product", "ordinary", "neutral", "身高165体重110穿什么码"),
    ("product", "ordinary", "neutral", "这款{p}是什么材质的"),
    ("product", "ordinary", "neutral", "{p}有[其他|别的]颜色吗，黑色还有货吗"),
    ("product", "ordinary", "neutral", "请问这个{p}怎么[用|安装]，有没有教程视频"),
    ("product", "ordinary", "neutral", "[敏感肌|孕妇]可以用这款吗"),
    ("product", "ordinary", "neutral", "{p}保修多久，[在哪|怎么]保修"),
    ("product", "ordinary", "neutral", "这个和上一代有什么区别，[值得|要不要]换吗"),
    ("product", "ordinary", "neutral", "{p}的保质期[是多久|到什么时候]"),
    ("product", "ordinary", "neutral", "脚宽[适合|应该]拍大一码吗"),
    ("product", "ordinary", "neutral", "这个{p}能水洗吗，还是只能干洗"),
    # ---- product, ordinary, positive
    ("product", "ordinary", "positive", "{p}质量很好，[跟|和]图片一模一样，会回购"),
    ("product", "ordinary", "positive", "[面料|料子]很舒服，尺码标准，五星好评"),
    ("product", "ordinary", "positive", "{p}[超级|特别]好用，性价比很高，推荐"),
    ("product", "ordinary", "positive", "已经是第{n}次回购了，[一如既往的|还是那么]好"),
    ("product", "ordinary", "positive", "[宝贝|东西]收到了，做工精细，没有色差，满意"),
    ("product", "ordinary", "positive", "坚果很新鲜，[颗颗饱满|味道很好]，孩子爱吃"),
    ("product", "ordinary", "positive", "{p}颜值[很高|在线]，用着[也顺手|很方便]，yyds"),
    ("product", "ordinary", "positive", "鞋子[很轻|很软]，穿了一天不累脚，好评"),
    # ---- product, difficult, negative
    (
        "product",
        "difficult",
        "negative",
        "明明是质量问题，你们[却|还]说是我穿坏的，不给退我就给差评",
    ),
    ("product", "difficult", "negative", "真皮{p}有褶皱，质检证明我不看，必须退货退款"),
    ("product", "difficult", "negative", "东西跟描述完全不一样，我要申请维权"),
    (
        "product",
        "difficult",
        "negative",
        "{p}坏了不给换，那我只能如实差评了，[让大家|让买家]都看看",
    ),
    ("product", "difficult", "negative", "别给我补偿{m}块，我就要退货，运费也得你们出"),
    ("product", "difficult", "negative", "[你们|店家]拒绝退款是什么意思，{p}明明就是次品"),
    ("product", "difficult", "negative", "我只试穿了一下，吊牌都在，凭什么只退一半"),
    ("product", "difficult", "negative", "追评已经写了{p}是假货，[不处理|不解决]我就一直追评"),
    ("product", "difficult", "negative", "我不要换货，就要三倍赔偿，这是你们的问题"),
    ("product", "difficult", "negative", "退款被你们驳回了{n}次，[色差|掉色]这么明显还说没问题"),
    # ---- product, escalated, negative
    ("product", "escalated", "negative", "{p}是假货，我已经打315投诉你们了"),
    ("product", "escalated", "negative", "鞋子左右颜色不一样，找了记者曝光你们"),
    ("product", "escalated", "negative", "材质严重不符，已经申请平台介入，等小二判吧"),
    ("product", "escalated", "negative", "用了你们的{p}过敏住院，我[找了律师|要去法院起诉]"),
    ("product", "escalated", "negative", "{p}漏电差点出事，我向市场监管局举报了"),
    ("product", "escalated", "negative", "三无产品还敢卖，我已经投诉到12315了"),
    (
        "product",
        "escalated",
        "negative",
        "我在微博发了{p}的质量问题，[好多人|很多人]转发了，你们自己看吧",
    ),
    ("product", "escalated", "negative", "过期食品都敢卖，已经向消费者协会反映了"),
    # ---- product, difficult, neutral
    ("product", "difficult", "neutral", "维权已经提交了，{p}的照片和检测报告在附件里，请查收"),
    # ---- service, ordinary, negative
    ("service", "ordinary", "negative", "客服半天不回消息，[人呢|有人吗]"),
    ("service", "ordinary", "negative", "客服态度太差了，问两句就不耐烦"),
    ("service", "ordinary", "negative", "退款申请了{d}还没到账，[到底|究竟]什么时候退"),
    ("service", "ordinary", "negative", "发票说好开的，[到现在|过了{d}]还没给我"),
    ("service", "ordinary", "negative", "一直是机器人自动回复，[问什么|说什么]都答非所问"),
    ("service", "ordinary", "negative", "刚买完就降价{m}，也不给保价"),
    ("service", "ordinary", "negative", "答应给我返现{m}元，一直没[兑现|到账]"),
    ("service", "ordinary", "negative", "客服[让我|叫我]等等，然后就再也没回复了"),
    ("service", "ordinary", "negative", "优惠券领了用不了，问客服也说不清楚"),
    ("service", "ordinary", "negative", "售后[推来推去|踢皮球]，一个问题问了{n}个人"),
    ("service", "ordinary", "negative", "客服说话阴阳怪气的，[什么|啥]服务态度"),
    ("service", "ordinary", "negative", "退货{d}了你们还没确认收货，退款[卡着|拖着]不处理"),
    ("service", "ordinary", "negative", "电话打了{n}次都没人接，售后形同虚设"),
    ("service", "ordinary", "negative", "活动页面写的满减，结算的时候[没有了|不算]，客服也不解释"),
    ("service", "ordinary", "negative", "客服回复[太慢了|慢死了]，问个问题等了半小时"),
    # ---- service, ordinary, neutral
    ("service", "ordinary", "neutral", "[请问|麻烦问下]能开增值税专用发票吗"),
    ("service", "ordinary", "neutral", "退款[一般|大概]多久能到账"),
    ("service", "ordinary", "neutral", "[现在买|这个]有优惠券可以领吗"),
    ("service", "ordinary", "neutral", "支持七天无理由退换吗，运费怎么算"),
    ("service", "ordinary", "neutral", "发票抬头写错了，能帮我重开一张吗"),
    ("service", "ordinary", "neutral", "会员有什么[折扣|优惠]，积分怎么用"),
    ("service", "ordinary", "neutral", "下单后还能改规格吗，[刚才|刚刚]拍错了"),
    ("service", "ordinary", "neutral", "{pf}上买的能不能[保价|价保]，过几天会降价吗"),
    ("service", "ordinary", "neutral", "[请问|想问下]你们的客服几点上班"),
    # ---- service, ordinary, positive
    ("service", "ordinary", "positive", "客服[非常|特别]耐心，一点都不敷衍，[谢谢啦|感谢]"),
    ("service", "ordinary", "positive", "[小姐姐|客服]态度超好，问题很快就解决了"),
    ("service", "ordinary", "positive", "退款[很快|秒]到账了，售后[给力|靠谱]"),
    ("service", "ordinary", "positive", "问了好多问题客服都一一解答，[很专业|非常专业]"),
    ("service", "ordinary", "positive", "虽然出了点问题，但客服处理得很及时，好评"),
    ("service", "ordinary", "positive", "[谢谢|感谢]客服帮我改了地址，服务很贴心"),
    ("service", "ordinary", "positive", "发票已经收到了，[效率很高|谢谢]"),
    ("service", "ordinary", "positive", "客服推荐的尺码[刚刚好|正合适]，[太贴心了|下次还来]"),
    ("service", "ordinary", "positive", "售后主动[联系|打电话]问我用得怎么样，[很暖心|服务真好]"),
    # ---- service, difficult, negative
    ("service", "difficult", "negative", "退款拖了{d}还不给退，不退我就给差评"),
    ("service", "difficult", "negative", "客服爱理不理的，这种服务[等着|就等着]收差评吧"),
    ("service", "difficult", "negative", "别跟我解释规则，我就要你们[全额退款|退全款]加赔偿"),
    ("service", "difficult", "negative", "说好的[保价|返现]不认账，我要维权"),
    ("service", "difficult", "negative", "你们拒绝退款还[挂我电话|不回消息]，这事没完"),
    ("service", "difficult", "negative", "客服让我改好评才给退款，[太恶心了|什么操作]"),
    (
        "service",
        "difficult",
        "negative",
        "补偿{m}块打发谁呢，今天不给个说法我就[一直|天天]来找你们",
    ),
    ("service", "difficult", "negative", "退款纠纷拖着不处理，我已经在评价里写清楚了，差评"),
    ("service", "difficult", "negative", "我不管什么流程，必须今天就给我退，不然[一星|差评]"),
    (
        "service",
        "difficult",
        "negative",
        "答应的赔偿又反悔，这次我不会再相信了，[我要维权|维权到底]",
    ),
    # ---- service, escalated, negative
    ("service", "escalated", "negative", "再[不处理|拖下去]我就打315热线"),
    ("service", "escalated", "negative", "退款拖了{d}，我已经申请{pf}小二介入了"),
    ("service", "escalated", "negative", "客服辱骂顾客，聊天记录已经截图发给媒体了"),
    ("service", "escalated", "negative", "不退款我就去消协，[还要|顺便]在网上曝光"),
    (
        "service",
        "escalated",
        "negative",
        "[平台客服|官方客服]已经介入了，你们[自己|等着]跟平台解释",
    ),
    ("service", "escalated", "negative", "霸王条款不给开发票，我向税务和工商[投诉|举报]了"),
    ("service", "escalated", "negative", "价格欺诈，先涨价再打折，我已经举报到12315"),
    ("service", "escalated", "negative", "我是记者，[想了解一下|来核实]你们拒绝退款的情况"),
    # ---- service, difficult, neutral
    ("service", "difficult", "neutral", "我已经在{pf}上申请维权了，请按流程[处理|回复]"),
    # ---- service, escalated, neutral
    ("service", "escalated", "neutral", "平台已经介入了，请把{p}的聊天记录和凭证上传给小二"),
)


@dataclass(frozen=True)
class Row:
    id: int
    group: str
    split: str
    text: str
    category: str
    tier: str
    sentiment: str


def render(template: str, sentiment: str, rng: random.Random) -> str:
    """One rendering of ``template``: every ``[a|b]`` and slot filled at random, with an
    opener and a closer that fit the sentiment."""
    text = re.sub(r"\[([^\]]+)\]", lambda m: rng.choice(m.group(1).split("|")), template)
    text = re.sub(r"\{(\w+)\}", lambda m: rng.choice(SLOTS[m.group(1)]), text)
    return rng.choice(OPENERS[sentiment]) + text + rng.choice(CLOSERS[sentiment])


def held_out_groups() -> set[str]:
    """Every fourth template (the 4th, 8th …) of each (category, tier) stratum, plus the
    first of a stratum that has fewer than four, so that every tier is tested."""
    seen: dict[tuple[str, str], int] = {}
    held = set()
    for number, (category, tier, _sentiment, _text) in enumerate(TEMPLATES, 1):
        key = (category, tier)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] % 4 == 0:
            held.add(f"t{number:03d}")
    for key, count in seen.items():
        if count < 4:
            first = next(n for n, (c, t, _s, _x) in enumerate(TEMPLATES, 1) if (c, t) == key)
            held.add(f"t{first:03d}")
    return held


def build_rows(seed: int = SEED) -> list[Row]:
    """The labelled set, deterministically: ``VARIANTS`` distinct renderings per template."""
    rng = random.Random(seed)
    held = held_out_groups()
    rows: list[Row] = []
    for number, (category, tier, sentiment, template) in enumerate(TEMPLATES, 1):
        group = f"t{number:03d}"
        texts: list[str] = []
        for _attempt in range(VARIANTS * 10):
            text = render(template, sentiment, rng)
            if text not in texts:
                texts.append(text)
            if len(texts) == VARIANTS:
                break
        for text in texts:
            rows.append(
                Row(
                    len(rows) + 1,
                    group,
                    "test" if group in held else "train",
                    text,
                    category,
                    tier,
                    sentiment,
                )
            )
    return rows


def to_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([getattr(row, column) for column in COLUMNS])
    return out.getvalue()


if __name__ == "__main__":  # python -m guanxi.stats.triage_templates: rewrite the CSV
    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_text(to_csv(build_rows()), encoding="utf-8")
    print(f"wrote {DATA}")
