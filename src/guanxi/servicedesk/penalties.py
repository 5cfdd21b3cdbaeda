"""The platform penalty reference and the dispute-risk weighing, shown beside difficult
(疑难) and escalated (升级) cases. Data and one pure function; no Django.

Sources: seed 000 项目三 任务三 二 步骤二 (一) 退款投诉的处罚细则 (the eight outcomes), (二)
普通维权 (only the buyer can cancel a 维权; if it is not cancelled in time the platform steps in
and rules it founded), and 天猫“描述不符”相关规定 (−12/−6/−3); 任务二 一(二): weigh the risk
the complaint brings to the shop against the loss of meeting the customer's demand
("衡量这个投诉给网店所带来的风险与满足客户要求所带来的损失这两者的轻重").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Rule:
    code: str
    zh: str
    en: str
    points: int = 0  # points deducted (描述不符), 0 where the rule deducts none

    @property
    def english(self) -> str:
        """The English words as a sentence (kept in lower case to nest in other reasons)."""
        return self.en[:1].upper() + self.en[1:]


# 描述不符 (not as described): points by how far the goods differ from the listing.
MISMATCH_RULES = (
    Rule(
        "serious",
        "材质、成份等描述与收到的商品严重不符，或导致买家无法正常使用",
        "material or composition seriously differs from the listing, or the item is unusable",
        12,
    ),
    Rule(
        "affects-use",
        "未披露瑕疵或描述不符，且影响买家正常使用",
        "an undisclosed defect or a difference from the listing that affects normal use",
        6,
    ),
    Rule(
        "minor",
        "未披露瑕疵或描述不符，但未对正常使用造成实质性影响",
        "an undisclosed defect or a difference that does not materially affect use",
        3,
    ),
)
MISMATCH_POINTS = {rule.code: rule.points for rule in MISMATCH_RULES}
SEVERITIES = ("none", *MISMATCH_POINTS)

# 退款投诉的处罚细则: the outcome of a refund complaint, case by case.
REFUND_COMPLAINT_OUTCOMES = (
    Rule(
        "settled",
        "双方已达成一致，买家确认收货且交易完成：投诉撤销",
        "both sides agreed, the buyer confirmed receipt and the trade completed: withdrawn",
    ),
    Rule(
        "fake-shipping",
        "支付宝交易，卖家虚假发货致买家未收到货：永久公示监管（已申请退款的，按退款结果定）",
        "Alipay trade, fake shipping so the buyer got nothing: permanent public supervision "
        "(after a refund request, decided by the refund's outcome)",
    ),
    Rule(
        "no-ship-no-refund",
        "收款后不发货且拒绝退款：永久公示警告，限制出价和发布商品1个月；再犯冻结",
        "paid but not shipped and no refund: permanent public warning, no bidding or listing "
        "for 1 month; a repeat freezes the shop",
    ),
    Rule(
        "late-ship",
        "收款后未及时发货，但事后补发或退款：公示查看1个月，限制发布商品14天",
        "paid but shipped late, then shipped or refunded: public notice for 1 month, "
        "no listing for 14 days",
    ),
    Rule(
        "offline-20-plus",
        "非支付宝交易，金额≥20元且买家未收到货：永久公示监管",
        "not through Alipay, 20 yuan or more, goods not received: permanent public supervision",
    ),
    Rule(
        "offline-under-20-unreachable",
        "金额<20元且联系不上卖家：永久公示警告，限制出价和发布1个月；再犯冻结",
        "under 20 yuan and the seller unreachable: permanent public warning, no bidding or "
        "listing for 1 month; a repeat freezes the shop",
    ),
    Rule(
        "no-proof-20-plus",
        "可联系卖家，投诉成立后未提供发货单，金额≥20元：永久公示监管",
        "seller reachable, complaint upheld, no shipping proof, 20 yuan or more: permanent "
        "public supervision",
    ),
    Rule(
        "no-proof-under-20",
        "可联系卖家，投诉成立后未提供发货单，金额<20元：公示查看1个月，限制出价和发布14天；"
        "再犯永久公示警告",
        "seller reachable, complaint upheld, no shipping proof, under 20 yuan: public notice "
        "for 1 month, no bidding or listing for 14 days; a repeat gets a permanent warning",
    ),
)

WEIQUAN_RULE = Rule(
    "weiquan-cancel",
    "维权只能由买家（维权方）取消退款申请来结束，卖家无权取消；规定时间内未取消，平台小二介入并"
    "判定维权成立，对店铺影响很大。",
    "A rights claim (维权) ends only when the buyer withdraws the refund request; the seller "
    "cannot cancel it. If it is not withdrawn in time, the platform steps in and rules it "
    "founded, which hurts the shop badly.",
)


@dataclass(frozen=True)
class DisputeWeighing:
    """What settling costs against what arbitration risks, and the advice that follows."""

    settle_cost: Decimal
    arbitration_money: Decimal  # refund + return shipping the seller loses if ruled against
    points: int  # 描述不符 points deducted if ruled against
    advice: Rule
    reasons: tuple[Rule, ...]


def dispute_weigh(
    *,
    settle_cost: Decimal,
    order_amount: Decimal,
    return_shipping: Decimal = Decimal("0"),
    severity: str = "none",
    seller_has_evidence: bool = False,
) -> DisputeWeighing:
    """Settle, or let the platform arbitrate? (seed 000 项目三 任务二、任务三)

    If the platform rules against the seller, the seller refunds the order and bears the
    return shipping (the NIKE case of 任务三: full refund, return shipping, the item
    delisted, points deducted) — ``arbitration_money = order_amount + return_shipping`` —
    and loses the 描述不符 points of ``severity``. Settling costs ``settle_cost`` (the refund,
    compensation or shipping the customer asks for).

    Advice, in order:
    1. points at stake (the goods differ from the listing) → settle: a deduction and a
       founded 维权 cost more than the order ("避免投诉再次升级…得不偿失");
    2. settling costs no more than what arbitration risks → settle;
    3. the seller holds evidence (a quality certificate, shipping proof) → defend with it,
       offering options (exchange, partial compensation) before the platform steps in;
    4. otherwise → negotiate: the demand exceeds the exposure but without evidence the
       ruling is uncertain; offer a partial settlement.
    """
    if severity not in SEVERITIES:
        raise ValueError(f"severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    for name, value in (
        ("settle_cost", settle_cost),
        ("order_amount", order_amount),
        ("return_shipping", return_shipping),
    ):
        if value < 0:
            raise ValueError(f"{name} must not be negative (got {value})")
    points = MISMATCH_POINTS.get(severity, 0)
    exposure = order_amount + return_shipping
    reasons: list[Rule] = []
    if points:
        rule = next(r for r in MISMATCH_RULES if r.code == severity)
        reasons.append(
            Rule(
                "points-at-stake",
                f"若维权成立：描述不符扣{points}分（{rule.zh}）",
                f"if the claim is upheld: −{points} points for not as described ({rule.en})",
                points,
            )
        )
    reasons.append(
        Rule(
            "exposure",
            f"平台判定不利时：退款并承担退货运费，共 {exposure} 元；和解成本 {settle_cost} 元",
            f"if the platform rules against the shop: refund and return shipping, {exposure} "
            f"yuan in all; settling costs {settle_cost} yuan",
        )
    )
    if points:
        advice = Rule(
            "settle",
            "建议和解：扣分与维权成立的影响大于订单金额",
            "settle: the deduction and a founded claim cost more than the order",
        )
    elif settle_cost <= exposure:
        advice = Rule(
            "settle",
            "建议和解：满足客户要求的损失不超过仲裁风险",
            "settle: meeting the demand costs no more than arbitration risks",
        )
    elif seller_has_evidence:
        advice = Rule(
            "defend",
            "可凭证据申辩：先提供换货、部分补偿等多种方案，争取买家撤销",
            "defend with the evidence: first offer options (exchange, partial compensation) "
            "so the buyer withdraws",
        )
    else:
        advice = Rule(
            "negotiate",
            "建议协商部分补偿：要求高于风险，但缺少证据，仲裁结果难料",
            "negotiate a partial settlement: the demand exceeds the exposure, but without "
            "evidence the ruling is uncertain",
        )
    return DisputeWeighing(
        settle_cost=settle_cost,
        arbitration_money=exposure,
        points=points,
        advice=advice,
        reasons=(*reasons, WEIQUAN_RULE),
    )
