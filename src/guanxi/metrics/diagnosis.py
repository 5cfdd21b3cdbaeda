"""Diagnosis (SPEC §2, [000] proj.4 §二): a weak metric shows its likely causes and remedies.

A metric is weak for an agent when it is in the team's bottom quartile (the worst quarter;
for times and returns the highest values are the worst) or when the scorecard gives it a
band score under ``pass_score`` (60). With fewer than 4 agents there is no quartile and
only the scorecard judges.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from guanxi.metrics.agents import AgentReport
from guanxi.metrics.scorecard import Scorecard

LOWER_IS_BETTER = {
    "first_response_seconds",
    "avg_response_seconds",
    "slow_response_customers",
    "mean_session_seconds",
    "returns",
    "return_rate",
    "order_loss_rate",
}

# metric → (causes, remedies), in the words of the seeds.
ADVICE: dict[str, tuple[str, str]] = {
    "consulting_customers": ("流量少、活动少", "引流推广、策划促销活动"),
    "sales_amount": ("商品知识不足", "加强商品知识培训"),
    "aov": ("关联推荐不足", "做关联销售、搭配套餐"),
    "aov_ratio": ("关联推荐不足", "做关联销售、搭配套餐"),
    "units_per_buyer": ("关联推荐不足", "做关联销售、搭配套餐"),
    "inquiry_conversion_final": ("主动性不够、催付不及时", "主动营销，优化催付话术和时机"),
    "inquiry_conversion_next_day": ("主动性不够、催付不及时", "主动营销，优化催付话术和时机"),
    "payment_rate": ("下单后未及时催付", "优化催付话术和时机"),
    "answer_ratio": ("服务意识不足", "服务意识培训"),
    "reply_rate": ("服务意识不足、漏回消息", "服务意识培训"),
    "first_response_seconds": (
        "打字慢、不熟悉商品",
        "打字练习（金牌客服每分钟≥60字）、快捷短语、商品培训",
    ),
    "avg_response_seconds": (
        "打字慢、不熟悉商品",
        "打字练习（金牌客服每分钟≥60字）、快捷短语、商品培训",
    ),
    "three_minute_rate": ("响应慢", "快捷短语、合理排班"),
    "slow_response_customers": ("响应慢", "快捷短语、商品培训"),
    "returns": ("推荐不准、描述不清", "如实介绍商品和尺码"),
    "return_rate": ("推荐不准、描述不清", "如实介绍商品和尺码"),
}


@dataclass(frozen=True)
class Finding:
    metric: str
    value: Decimal | int | None
    why: str  # "bottom quartile" or "scorecard score 0"
    causes: str
    remedies: str


def _quartile_cut(values: list[Decimal], lower_is_better: bool) -> Decimal:
    """The value beyond which an agent is in the worst quarter (nearest rank)."""
    ordered = sorted(values, reverse=lower_is_better)  # worst first
    index = max(0, (len(ordered) + 3) // 4 - 1)
    return ordered[index]


def diagnose(
    reports: list[AgentReport], card: Scorecard | None = None, pass_score: int = 60
) -> dict[str, list[Finding]]:
    findings: dict[str, list[Finding]] = {r.agent_id: [] for r in reports}
    for metric, (causes, remedies) in ADVICE.items():
        lower = metric in LOWER_IS_BETTER
        present = [(r, getattr(r, metric)) for r in reports if getattr(r, metric) is not None]
        cut = best = None
        if len(present) >= 4:
            values = [Decimal(v) for _r, v in present]
            cut = _quartile_cut(values, lower)
            best = min(values) if lower else max(values)
        item = next((i for i in card.items if i.metric == metric), None) if card else None
        for report, value in present:
            reasons = []
            worse = cut is not None and (Decimal(value) >= cut if lower else Decimal(value) <= cut)
            if worse and Decimal(value) != best:  # a tie with the best is no weakness
                reasons.append("bottom quartile")
            if item is not None and not item.manual:
                band = item.band_for(Decimal(value))
                if band.score < pass_score:
                    reasons.append(f"scorecard score {band.score.normalize():f}")
            if reasons:
                findings[report.agent_id].append(
                    Finding(metric, value, "; ".join(reasons), causes, remedies)
                )
    return findings
