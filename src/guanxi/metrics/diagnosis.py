"""Diagnosis (SPEC §2, [000] proj.4 §二): a weak metric shows its likely causes and remedies.

A metric is weak for an agent when it is in the team's bottom quartile (the worst quarter;
for times and returns the highest values are the worst) or when the scorecard gives it a
band score under ``pass_score`` (60). With fewer than 4 agents there is no quartile and
only the scorecard judges.

The team is the agent's 客服组 when the roster gives teams (``peers``): an after-sale agent
sells less than a pre-sale one by the nature of the work, so ranking them together would
flag every after-sale agent's sales. Agents in no team are one group, which is the whole
roster in a shop that uses no teams.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from guanxi.metrics.agents import NO_TEAM, AgentReport
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

# metric → (causes, remedies) in Chinese (the seeds' words) and in English.
_TRAFFIC = (
    "流量少、活动少",
    "引流推广、策划促销活动",
    "little traffic, few promotions",
    "bring in traffic, plan promotions",
)
_KNOWLEDGE = (
    "商品知识不足",
    "加强商品知识培训",
    "weak product knowledge",
    "product-knowledge training",
)
_BUNDLES = (
    "关联推荐不足",
    "做关联销售、搭配套餐",
    "few related recommendations",
    "recommend related items, offer bundles",
)
_INITIATIVE = (
    "主动性不够、催付不及时",
    "主动营销，优化催付话术和时机",
    "little initiative, late payment reminders",
    "take the initiative; improve payment-reminder scripts and timing",
)
_AWARENESS = (
    "服务意识不足",
    "服务意识培训",
    "weak service awareness",
    "service-awareness training",
)
_SLOW = (
    "打字慢、不熟悉商品",
    "打字练习（金牌客服每分钟≥60字）、快捷短语、商品培训",
    "slow typing, weak product knowledge",
    "typing practice (a gold-medal agent types ≥60 characters a minute), quick replies "
    "(快捷短语), product training",
)
_RETURNS = (
    "推荐不准、描述不清",
    "如实介绍商品和尺码",
    "inaccurate recommendations, unclear descriptions",
    "describe products and sizes honestly",
)
ADVICE: dict[str, tuple[str, str, str, str]] = {
    "consulting_customers": _TRAFFIC,
    "sales_amount": _KNOWLEDGE,
    "aov": _BUNDLES,
    "aov_ratio": _BUNDLES,
    "units_per_buyer": _BUNDLES,
    "inquiry_conversion_final": _INITIATIVE,
    "inquiry_conversion_next_day": _INITIATIVE,
    "payment_rate": (
        "下单后未及时催付",
        "优化催付话术和时机",
        "no timely reminder after the order",
        "improve payment-reminder scripts and timing",
    ),
    "answer_ratio": _AWARENESS,
    "reply_rate": (
        "服务意识不足、漏回消息",
        "服务意识培训",
        "weak service awareness, missed messages",
        "service-awareness training",
    ),
    "first_response_seconds": _SLOW,
    "avg_response_seconds": _SLOW,
    "three_minute_rate": (
        "响应慢",
        "快捷短语、合理排班",
        "slow responses",
        "quick replies, better shift planning",
    ),
    "slow_response_customers": (
        "响应慢",
        "快捷短语、商品培训",
        "slow responses",
        "quick replies, product training",
    ),
    "returns": _RETURNS,
    "return_rate": _RETURNS,
}


@dataclass(frozen=True)
class Finding:
    metric: str
    value: Decimal | int | None
    why: str  # "bottom quartile", "scorecard score 0" or both (English, for CLI and API)
    causes: str
    remedies: str
    causes_en: str = ""
    remedies_en: str = ""
    quartile: bool = False  # in the team's worst quarter
    band_score: Decimal | None = None  # the scorecard's score, when under the pass mark


def _quartile_cut(values: list[Decimal], lower_is_better: bool) -> Decimal:
    """The value beyond which an agent is in the worst quarter (nearest rank)."""
    ordered = sorted(values, reverse=lower_is_better)  # worst first
    index = max(0, (len(ordered) + 3) // 4 - 1)
    return ordered[index]


def _cuts(
    present: list[tuple[AgentReport, object]], group_of: Mapping[str, str], lower: bool
) -> dict[str, tuple[Decimal, Decimal]]:
    """Per peer group of 4 or more agents with a value: its worst-quarter cut and its best."""
    groups: dict[str, list[Decimal]] = {}
    for report, value in present:
        groups.setdefault(group_of.get(report.unit, NO_TEAM), []).append(Decimal(str(value)))
    return {
        group: (_quartile_cut(values, lower), min(values) if lower else max(values))
        for group, values in groups.items()
        if len(values) >= 4
    }


def diagnose(
    reports: list[AgentReport],
    card: Scorecard | None = None,
    pass_score: int = 60,
    *,
    peers: Mapping[str, str] | None = None,
) -> dict[str, list[Finding]]:
    """The weak metrics of each agent of ``reports``; ``peers`` maps agent ids to their
    team (客服组), whose members the quartiles rank together."""
    group_of = peers or {}
    findings: dict[str, list[Finding]] = {r.unit: [] for r in reports}
    for metric, (causes, remedies, causes_en, remedies_en) in ADVICE.items():
        lower = metric in LOWER_IS_BETTER
        present = [(r, getattr(r, metric)) for r in reports if getattr(r, metric) is not None]
        cuts = _cuts(present, group_of, lower)
        item = next((i for i in card.items if i.metric == metric), None) if card else None
        for report, value in present:
            reasons = []
            failing: Decimal | None = None
            cut, best = cuts.get(group_of.get(report.unit, NO_TEAM), (None, None))
            worse = cut is not None and (Decimal(value) >= cut if lower else Decimal(value) <= cut)
            if worse and Decimal(value) != best:  # a tie with the best is no weakness
                reasons.append("bottom quartile")
            if item is not None and not item.manual:
                band = item.band_for(Decimal(value))
                if band.score < pass_score:
                    failing = band.score
                    reasons.append(f"scorecard score {band.score.normalize():f}")
            if reasons:
                findings[report.unit].append(
                    Finding(
                        metric,
                        value,
                        "; ".join(reasons),
                        causes,
                        remedies,
                        causes_en,
                        remedies_en,
                        quartile=worse and Decimal(value) != best,
                        band_score=failing,
                    )
                )
    return findings
