"""The demo shop's surveys: a CSAT follow-up, an NPS survey, a SERVQUAL survey (the five
dimensions of 1988, with importance weights and a few remedies filled in) and a survey of
seed 001's model (product value, service value, expectation), all open, sent to demo
customers some weeks before the end of the demo's data — so the satisfaction pages and the
dashboard have something to show. Deterministic for a seed (the link nonces excepted: they
are credentials, drawn with ``secrets``; no figure depends on them).

Rows are written through the models in bulk (hundreds of rows in a few statements) while
keeping what the surveys' services guarantee: one invitation per customer and survey, one
response per invitation, ``answered_at`` set exactly when a response exists, each answer
within its question's scale, a phone interview's invitation closed when it is keyed in.

The answers follow a respondent's mood (happy / neutral / unhappy, 55 / 27 / 18 %) so that
the figures are plausible and consistent across questions: an NPS near +30, ratings mostly
4–5, and in SERVQUAL two dimensions clearly short of expectation (responsiveness: slow
replies at peak hours; reliability: late dispatch in the sale weeks).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from guanxi import lake as lake_module
from guanxi.accounts.models import Agent
from guanxi.customers.models import Customer
from guanxi.demo.catalog import PLATFORM, PRODUCTS
from guanxi.satisfaction.models import (
    Answer,
    Channel,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyKind,
    SurveyState,
)

SCALE = {"small": 1, "medium": 2, "large": 4}
MOODS = ("happy", "neutral", "unhappy")
MOOD_P = (0.55, 0.27, 0.18)
SPAN_DAYS = 45  # invitations go out over the last 45 days of the demo's data

_R5: dict[str, tuple[int, ...]] = {
    "happy": (5, 5, 5, 4),
    "neutral": (4, 4, 3, 3),
    "unhappy": (1, 2, 2, 3),
}
_RECOMMEND: dict[str, tuple[int, ...]] = {
    "happy": (9, 10, 10, 9, 10),
    "neutral": (7, 8, 8, 6),
    "unhappy": (2, 3, 5, 6, 4, 0),
}
_VALUE: dict[str, tuple[int, ...]] = {
    "happy": (8, 9, 10, 9),
    "neutral": (6, 7, 8, 7),
    "unhappy": (3, 4, 5, 6),
}
# Unhappy buyers had expected more (seed 001: an inflated detail page → a letdown).
_EXPECT: dict[str, tuple[int, ...]] = {
    "happy": (7, 8, 8, 9),
    "neutral": (8, 9, 9, 8),
    "unhappy": (9, 10, 9, 10),
}
_TEXT = {
    "happy": (
        "衣服质量很好，面料舒服，尺码标准，会回购",
        "客服很耐心，推荐的尺码刚刚好，谢谢",
        "包装很用心，还送了小礼物，好评",
        "和详情页的实拍图一样，颜色很正",
        "性价比很高，穿着显瘦，已经推荐给同事了",
    ),
    "neutral": (
        "衣服还可以，就是比想象中薄一点",
        "物流有点慢，等了四天才到",
        "整体不错，袖子稍微有点长",
        "面料一般，价格还算合理",
    ),
    "unhappy": (
        "颜色和图片色差很大，不太好",
        "洗了一次就起球了，很失望",
        "客服回复太慢，问了半天没人理",
        "说好48小时发货，等了一个星期",
        "包装很豪华，衣服却很一般，落差大",
    ),
}


@dataclass(frozen=True)
class Item:
    """One question of a demo survey; ``answer(mood, rng)`` gives its number (and for a
    SERVQUAL item the expected score) or its text."""

    kind: str
    text: str
    indicator: str = ""
    dimension: str = ""
    importance: str = "1"
    remedy: str = ""
    required: bool = True


# SERVQUAL (five dimensions, 20 items, a 7-point scale); the perceived score's shift against
# the expected one per dimension, before the respondent's mood.
_SERVQUAL_SHIFT = {
    "tangibles": 0.4,
    "reliability": -1.3,
    "responsiveness": -1.8,
    "assurance": 0.5,
    "empathy": -0.3,
}
_SERVQUAL_ITEMS: tuple[tuple[str, str, str, str], ...] = (
    ("tangibles", "店铺首页与详情页美观、信息清楚", "0.8", ""),
    ("tangibles", "商品实拍图与实物一致", "1.2", ""),
    ("tangibles", "包装整洁、与商品价值相称", "0.8", ""),
    ("tangibles", "客服的头像、话术专业统一", "0.6", ""),
    (
        "reliability",
        "承诺的发货时间能做到",
        "1.5",
        "大促前按预售量备货，超过 48 小时未发货自动提醒仓库并主动告知买家",
    ),
    ("reliability", "发出的商品与订单一致，不错发漏发", "1.4", ""),
    ("reliability", "尺码推荐准确", "1.1", ""),
    ("reliability", "退款在承诺时间内到账", "1.2", ""),
    (
        "responsiveness",
        "咨询后客服很快回复",
        "1.6",
        "高峰时段（20:00–23:00）增加一名客服值班，首次响应目标 30 秒",
    ),
    ("responsiveness", "售后问题处理迅速", "1.4", "退换货申请当天审核，工单超时自动升级给组长"),
    ("responsiveness", "物流异常时主动告知", "1.0", ""),
    ("responsiveness", "大促期间也能及时答复", "1.3", ""),
    ("assurance", "客服熟悉面料与尺码知识", "1.0", ""),
    ("assurance", "客服态度礼貌", "0.9", ""),
    ("assurance", "支付与个人信息让人放心", "1.1", ""),
    ("assurance", "七天无理由退换说明清楚", "0.8", ""),
    ("empathy", "客服会问清我的身材和穿着场合", "1.0", ""),
    ("empathy", "晚上也能找到客服", "0.9", ""),
    ("empathy", "老客户有专属优惠与关怀", "0.7", ""),
    ("empathy", "理解我的特殊要求（改地址、加急）", "0.8", ""),
)


@dataclass(frozen=True)
class Plan:
    key: str
    kind: str
    name: str
    intro: str
    items: tuple[Item, ...]
    invited: int  # at small scale
    phone_share: float
    credit_agent: bool
    credit_product: bool


PLANS: tuple[Plan, ...] = (
    Plan(
        "csat",
        SurveyKind.CSAT,
        "购物满意度回访",
        "感谢您的购买！花 30 秒告诉我们这次购物的感受。",
        (
            Item(QuestionKind.RATING5, "您对这次购物总体满意吗？", "overall"),
            Item(QuestionKind.RATING5, "您对客服的服务态度满意吗？", "service"),
            Item(QuestionKind.RATING5, "您对物流速度满意吗？", "logistics"),
            Item(QuestionKind.TEXT, "还有什么想对我们说的？", required=False),
        ),
        120,
        0.1,
        True,
        True,
    ),
    Plan(
        "nps",
        SurveyKind.NPS,
        "推荐意愿调查",
        "您会把本店推荐给朋友吗？",
        (
            Item(
                QuestionKind.RATING10, "您有多大可能把本店推荐给朋友或同事？（0–10）", "recommend"
            ),
            Item(QuestionKind.TEXT, "打这个分数的主要原因是？", required=False),
        ),
        160,
        0.0,
        False,
        False,
    ),
    Plan(
        "servqual",
        SurveyKind.SERVQUAL,
        "服务质量调查（SERVQUAL）",
        "每一项请分别给出您的期望和实际感受（1 = 非常不同意，7 = 非常同意）。",
        tuple(
            Item(QuestionKind.SERVQUAL, text, dimension=dim, importance=weight, remedy=remedy)
            for dim, text, weight, remedy in _SERVQUAL_ITEMS
        ),
        40,
        0.4,  # key customers interviewed by phone (seed 002 §3.1)
        False,
        False,
    ),
    Plan(
        "model",
        SurveyKind.CUSTOM,
        "购物体验与期望调查",
        "买之前您期待什么，收到后感觉如何？",
        (
            Item(
                QuestionKind.RATING10,
                "下单前，看了详情页和图片，您对这件衣服的期待有多高？",
                "expectation",
            ),
            Item(QuestionKind.RATING5, "收到后，您对商品质量满意吗？", "product"),
            Item(QuestionKind.RATING10, "您觉得这件衣服的性价比如何？", "value"),
            Item(QuestionKind.RATING5, "您对客服和售后服务满意吗？", "service"),
            Item(QuestionKind.RATING5, "您对物流和包装满意吗？", "logistics"),
            Item(QuestionKind.TEXT, "和您的期待相比，哪里不一样？", required=False),
        ),
        100,
        0.05,
        False,
        True,
    ),
)


def demo_satisfaction_create(*, scale: str, seed: int) -> dict[str, int]:
    """Create the demo's four surveys once (nothing when any survey exists). Returns the
    counts: surveys, invitations, responses, answers."""
    if Survey.objects.exists():
        return {}
    customers = list(
        Customer.objects.filter(merged_into__isnull=True)
        .order_by("customer_key")
        .values_list("pk", "customer_key")
    )
    if not customers:
        return {}
    rng = np.random.default_rng(seed + 17)
    end = _data_end()
    agents = list(Agent.objects.order_by("agent_id"))
    counts = {"surveys": 0, "invitations": 0, "responses": 0, "answers": 0}
    with transaction.atomic():
        for plan in PLANS:
            made = _survey(plan, SCALE.get(scale, 1), customers, agents, end, rng)
            for key, value in made.items():
                counts[key] += value
    return counts


def _data_end() -> dt.datetime:
    """The last moment of the demo's reviews (its data ends in the past), else now."""
    now = timezone.now()
    shop = lake_module.get()
    if not shop.exists("reviews"):
        return now
    latest = shop.arrow(shop.table("reviews").created_at.max()).as_py()
    return min(latest, now) if isinstance(latest, dt.datetime) else now


def _survey(
    plan: Plan,
    factor: int,
    customers: list[tuple[int, str]],
    agents: list[Agent],
    end: dt.datetime,
    rng: np.random.Generator,
) -> dict[str, int]:
    opened = end - dt.timedelta(days=SPAN_DAYS + 1)
    survey = Survey.objects.create(
        name=plan.name,
        kind=plan.kind,
        intro=plan.intro,
        state=SurveyState.OPEN,
        opened_at=opened,
    )
    Survey.objects.filter(pk=survey.pk).update(created_at=opened)
    questions = Question.objects.bulk_create(
        [
            Question(
                survey=survey,
                position=i,
                kind=item.kind,
                text=item.text,
                required=item.required,
                indicator=item.indicator,
                dimension=item.dimension,
                scale_max=7,
                importance=Decimal(item.importance),
                remedy=item.remedy,
            )
            for i, item in enumerate(plan.items)
        ]
    )
    size = min(plan.invited * factor, len(customers))
    picks = sorted(rng.choice(len(customers), size=size, replace=False).tolist())
    invitations, answered = [], []
    for i in picks:
        pk, key = customers[i]
        sent = end - dt.timedelta(days=float(rng.uniform(0.5, SPAN_DAYS)))
        phone = bool(rng.random() < plan.phone_share)
        agent = agents[int(rng.integers(len(agents)))] if plan.credit_agent and agents else None
        product = str(rng.choice([p.product_id for p in PRODUCTS])) if plan.credit_product else ""
        if phone:  # keyed in during the call: answered when made, nothing left to expire
            at: dt.datetime | None = sent
            expires = sent
        else:
            expires = sent + dt.timedelta(days=survey.link_days)
            at = sent + dt.timedelta(days=float(rng.exponential(1.5)))
            # 60 % answer their link, within its life and before the data ends
            if rng.random() >= 0.6 or at > end or at > expires:
                at = None
        invitations.append(
            Invitation(
                survey=survey,
                nonce=secrets.token_hex(16),
                channel=Channel.PHONE if phone else Channel.LINK,
                customer_key=key,
                customer_id=pk,
                agent=agent,
                team=agent.team if agent else "",
                platform=PLATFORM if (agent or product) else "",
                product_id=product,
                created_at=sent,
                expires_at=expires,
                answered_at=at,
            )
        )
        answered.append(at)
    made = Invitation.objects.bulk_create(invitations)
    responses = [
        Response(
            survey=survey,
            invitation=inv,
            channel=inv.channel,
            customer_key=inv.customer_key,
            customer_id=inv.customer_id,
            agent=inv.agent,
            team=inv.team,
            product_id=inv.product_id,
            submitted_at=at,
        )
        for inv, at in zip(made, answered, strict=True)
        if at is not None
    ]
    responses = Response.objects.bulk_create(responses)
    answers = []
    for response in responses:
        mood = MOODS[int(rng.choice(3, p=MOOD_P))]
        for question, item in zip(questions, plan.items, strict=True):
            answer = _answer(item, mood, rng)
            if answer is not None:
                answers.append(Answer(response=response, question=question, **answer))
    Answer.objects.bulk_create(answers, batch_size=500)
    return {
        "surveys": 1,
        "invitations": len(made),
        "responses": len(responses),
        "answers": len(answers),
    }


def _pick(values: tuple[int, ...] | tuple[str, ...], rng: np.random.Generator) -> Any:
    return values[int(rng.integers(len(values)))]


def _answer(item: Item, mood: str, rng: np.random.Generator) -> dict[str, Any] | None:
    if item.kind == QuestionKind.TEXT:
        # Four in ten leave a comment; the unhappy ones more often.
        if rng.random() < (0.7 if mood == "unhappy" else 0.35):
            return {"text": _pick(_TEXT[mood], rng)}
        return None
    if item.kind == QuestionKind.SERVQUAL:
        expected = int(_pick((6, 7, 7, 7, 6, 5), rng))
        shift = (
            _SERVQUAL_SHIFT[item.dimension] + {"happy": 0.4, "neutral": -0.3, "unhappy": -1.6}[mood]
        )
        perceived = int(np.clip(round(expected + shift + rng.normal(0, 0.6)), 1, 7))
        return {"number": perceived, "expected": expected}
    tables: dict[str, dict[str, tuple[int, ...]]] = {
        "recommend": _RECOMMEND,
        "value": _VALUE,
        "expectation": _EXPECT,
    }
    if item.kind == QuestionKind.RATING10:
        return {"number": int(_pick(tables[item.indicator][mood], rng))}
    return {"number": int(_pick(_R5[mood], rng))}
