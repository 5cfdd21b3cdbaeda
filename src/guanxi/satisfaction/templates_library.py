"""Ready-made question sets the "new survey" page and ``guanxi surveys create`` start from.

The question texts are data the shop puts in front of its (Chinese) customers, so they are
written in Chinese and stored as they are; the builder's own labels are translated. Each set
is plain data: ``services.create_from_template`` turns it into rows, and the survey stays a
draft the shop can still edit before opening it.

- CSAT: the overall rating and the three indicators of seed 002 §3.1.3 (service, product
  quality, logistics), 1–5, plus one open question.
- NPS: 推荐意愿 0–10 (promoters 9–10, detractors 0–6) and the reason.
- SERVQUAL: the 22 items of the 1988 instrument (Parasuraman, Zeithaml & Berry), adapted to
  an online shop. Items 1–4 are tangibles, 5–9 reliability, 10–13 responsiveness, 14–17
  assurance, 18–22 empathy; with the ten 构面 of 1985 each item carries the finer dimension
  it was written for (e.g. item 15, "safe to pay", is security, which the 1988 fold puts
  under assurance — ``dimensions.FIVE_OF``).
- Model (seed 001's satisfaction model): what the detail page led the customer to expect,
  and the product value and service value they perceived, plus value for money.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi.satisfaction.dimensions import FIVE_OF


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    text: str
    indicator: str = ""
    dimension: str = ""
    choices: tuple[str, ...] = ()
    required: bool = True
    scale_max: int = 7


@dataclass(frozen=True)
class TemplateSpec:
    code: str
    label: str | Promise
    survey_kind: str
    intro: str
    questions: tuple[QuestionSpec, ...] = field(default_factory=tuple)


CSAT = TemplateSpec(
    code="csat",
    label=_("满意度 (CSAT)：总体 + 服务、商品质量、物流"),
    survey_kind="csat",
    intro="感谢您在本店购物！请花一分钟告诉我们您的感受，1 分表示很不满意，5 分表示非常满意。",
    questions=(
        QuestionSpec("rating5", "总体来说，您对这次购物满意吗？", indicator="overall"),
        QuestionSpec("rating5", "您对客服的服务满意吗？", indicator="service"),
        QuestionSpec("rating5", "您对商品的质量满意吗？", indicator="product"),
        QuestionSpec("rating5", "您对物流配送（速度、包装完好）满意吗？", indicator="logistics"),
        QuestionSpec("text", "您觉得我们最应该改进什么？", required=False),
    ),
)

NPS = TemplateSpec(
    code="nps",
    label=_("推荐意愿 (NPS)：0–10 分 + 原因"),
    survey_kind="nps",
    intro="感谢您在本店购物！只有两个问题。",
    questions=(
        QuestionSpec("rating10", "您有多大可能把本店推荐给朋友或同事？", indicator="recommend"),
        QuestionSpec("text", "主要原因是？", required=False),
    ),
)

# The 22 items: (text, dimension among the ten). Each text asks about this shop; the
# customer gives what they expect of an excellent online shop and what they found here.
SERVQUAL_ITEMS: tuple[tuple[str, str], ...] = (
    ("店铺页面和商品详情页美观、清楚，信息容易找到", "tangibles"),
    ("商品图片和视频真实、清晰，与实物一致", "tangibles"),
    ("客服的头像、昵称和回复用语规范、专业", "tangibles"),
    ("商品包装完好、整洁，附带的说明书和票据齐全", "tangibles"),
    ("店铺承诺的发货时间都能做到", "reliability"),
    ("遇到问题时，店铺真心诚意地帮助解决", "reliability"),
    ("第一次就把订单处理对（商品、规格、数量不出错）", "reliability"),
    ("在承诺的时间内完成退换货和退款", "reliability"),
    ("订单、物流和售后记录准确无误", "reliability"),
    ("客服明确告诉您问题何时能处理好", "responsiveness"),
    ("客服能迅速回复您的咨询", "responsiveness"),
    ("客服总是愿意帮助您", "responsiveness"),
    ("客服再忙也会及时回应您的请求", "responsiveness"),
    ("店铺的表现让您对它有信心", "credibility"),
    ("在店铺付款和留下个人信息让您放心", "security"),
    ("客服始终礼貌、客气", "courtesy"),
    ("客服有足够的商品知识回答您的问题", "competence"),
    ("店铺会针对您个人的情况给予关照", "understanding"),
    ("客服在线时间方便您联系", "access"),
    ("客服会主动、耐心地与您沟通", "communication"),
    ("店铺把您的利益放在心上", "understanding"),
    ("客服了解您的具体需要", "understanding"),
)


def servqual_template(dimension_set: str) -> TemplateSpec:
    """The 22 items with the dimension of ``dimension_set`` ("five" folds the ten)."""
    ten = dimension_set == "ten"
    return TemplateSpec(
        code="servqual",
        label=_("服务质量 (SERVQUAL)：22 个条目，期望与感知"),
        survey_kind="servqual",
        intro=(
            "每个条目请打两次分：左边是您对一家优秀网店的期望，右边是您在本店的实际感受。"
            "1 分表示完全不同意，7 分表示完全同意。"
        ),
        questions=tuple(
            QuestionSpec("servqual", text, dimension=code if ten else FIVE_OF[code], scale_max=7)
            for text, code in SERVQUAL_ITEMS
        ),
    )


MODEL = TemplateSpec(
    code="model",
    label=_("满意度模型：期望、商品价值、服务价值"),
    survey_kind="custom",
    intro="感谢您在本店购物！请告诉我们商品和服务与您的期望相比如何（1 分最低，5 分最高）。",
    questions=(
        QuestionSpec(
            "rating5", "购买前，商品详情页让您对商品有多高的期望？", indicator="expectation"
        ),
        QuestionSpec("rating5", "收到商品后，您觉得商品本身的价值如何？", indicator="product"),
        QuestionSpec(
            "rating5", "您觉得我们的服务（咨询、发货、售后）价值如何？", indicator="service"
        ),
        QuestionSpec("rating5", "和付出的价钱相比，您觉得值吗？", indicator="value"),
        QuestionSpec("rating5", "总体来说，您对这次购物满意吗？", indicator="overall"),
        QuestionSpec("text", "和您的期望相比，哪里超出或不及预期？", required=False),
    ),
)

CODES = ("csat", "nps", "servqual", "model")


def choices() -> list[tuple[str, str | Promise]]:
    return [(t.code, t.label) for t in (CSAT, NPS, servqual_template("five"), MODEL)]


def template(code: str, dimension_set: str = "five") -> TemplateSpec:
    """The set named ``code`` (one of ``CODES``); ``KeyError`` for another."""
    if code == "servqual":
        return servqual_template(dimension_set)
    return {"csat": CSAT, "nps": NPS, "model": MODEL}[code]
