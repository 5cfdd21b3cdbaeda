"""Seed 001's satisfaction model as arithmetic (pure: no Django, no lake).

客户满意度 = 客户感知 vs 客户预期. The seed draws two sides:

- **客户感知价值 = 商品价值 + 服务价值** (perceived value = product value + service value);
- **客户预期** (expectation), shaped by the detail page and the packaging (controllable) and
  by the customer's past purchases (消费经历, uncontrollable).

Every source the shop has is put on one 0–100 scale so that the sides can be compared:

- a 1–5 rating r (a survey's rating5 item, a DSR score, a CSAT answer) → (r − 1) ÷ 4 × 100,
  so 1 → 0, 3 → 50, 5 → 100;
- a 0–10 rating r (a survey's rating10 item) → r × 10;
- a share s (好评率) → s × 100;
- a SERVQUAL item's Likert answer r on 1–top (7 in the instrument) → (r − 1) ÷ (top − 1) × 100;
  its *perceived* score feeds the service side, its *expected* score the expectation side.

Each value side is the plain mean of its *available* sources (a source without data is left
out, never counted as 0). The perceived value is the seed's sum brought back to the 0–100
scale: (product value + service value) ÷ 2 — the two weigh the same, as the seed adds them
without weights; when one side has no data the perceived value is the other alone and is
marked partial.

Where logistics goes: the seed splits perceived value into the goods and the service around
them; delivery is not the goods — the shop chooses the carrier and, in the seed's own
example, "主动为客户发送物流信息" is part of what makes the service feel attentive. So the
DSR's 物流服务 and survey items with indicator logistics count on the *service* side.

Word of mouth (seed 001): a satisfied buyer tells at least 12 people, an unsatisfied one at
least 20 — the course's rule of thumb, not a measurement of this shop.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Sides of the balance.
PRODUCT = "product"
SERVICE = "service"
EXPECTATION = "expectation"
SIDES = (PRODUCT, SERVICE, EXPECTATION)

# Scales a raw figure may come in.
RATING5 = "rating5"  # 1–5 (survey item, DSR score, CSAT answer)
RATING10 = "rating10"  # 0–10 (survey item)
SHARE = "share"  # 0–1 (好评率)
LIKERT = "likert"  # 1–top (a SERVQUAL item, 7 points in the instrument)

# Seed 001: "满意的购物经历分享至少12个人, 不满意的购物经历分享至少20个人".
TELLS_SATISFIED = 12
TELLS_UNSATISFIED = 20


class ScaleError(ValueError):
    """A raw value outside its scale (a programming error upstream, not user input)."""


def normalise(value: float, scale: str) -> float:
    """``value`` on the common 0–100 scale (see the module's docstring)."""
    if scale == RATING5:
        if not 1 <= value <= 5:
            raise ScaleError(f"a 1–5 rating out of range: {value}")
        return (value - 1) / 4 * 100
    if scale == RATING10:
        if not 0 <= value <= 10:
            raise ScaleError(f"a 0–10 rating out of range: {value}")
        return value * 10
    if scale == SHARE:
        if not 0 <= value <= 1:
            raise ScaleError(f"a share out of range: {value}")
        return value * 100
    raise ScaleError(f"unknown scale: {scale}")


@dataclass(frozen=True)
class Tally:
    """Answers of one scale: how many and the sum of their raw values (``top``: a Likert
    scale's highest point)."""

    scale: str
    n: int
    total: float
    top: int = 0


def mean_of_tallies(tallies: Iterable[Tally]) -> tuple[float | None, int]:
    """The mean on 0–100 of answers given on different scales (each answer weighs one), and
    their count. A rating5 sum S of n answers normalises to (S − n) ÷ 4 × 100 in total; a
    rating10 sum S to S × 10."""
    n = 0
    points = 0.0
    for t in tallies:
        if t.n <= 0:
            continue
        n += t.n
        if t.scale == RATING5:
            points += (t.total - t.n) / 4 * 100
        elif t.scale == RATING10:
            points += t.total * 10
        elif t.scale == LIKERT and t.top >= 2:
            points += (t.total - t.n) / (t.top - 1) * 100
        else:
            raise ScaleError(f"answers on scale {t.scale} cannot be tallied")
    return (points / n if n else None), n


@dataclass(frozen=True)
class Source:
    """One figure feeding a side: ``raw`` on its own ``scale`` (for a mixed set of survey
    answers: the 0–100 mean itself), ``n`` the count behind it (answers, ratings, reviews),
    ``value`` on 0–100 or ``None`` (no data — never 0)."""

    key: str
    side: str
    scale: str
    raw: float | None
    n: int
    value: float | None

    @property
    def available(self) -> bool:
        return self.value is not None and self.n > 0


def source(key: str, side: str, scale: str, raw: float | None, n: int) -> Source:
    """A source from a raw figure on ``scale``; no raw value or no count → no data."""
    if raw is None or n <= 0:
        return Source(key, side, scale, None, max(n, 0), None)
    return Source(key, side, scale, raw, n, round(normalise(raw, scale), 1))


def survey_source(key: str, side: str, tallies: Sequence[Tally]) -> Source:
    """A source from survey answers on mixed scales (``raw`` = the 0–100 mean)."""
    mean, n = mean_of_tallies(tallies)
    value = None if mean is None else round(mean, 1)
    return Source(key, side, "mixed", value, n, value)


def side_value(sources: Iterable[Source], side: str) -> float | None:
    """The plain mean of the side's available sources (one decimal), ``None`` without any."""
    values = [s.value for s in sources if s.side == side and s.available and s.value is not None]
    return round(sum(values) / len(values), 1) if values else None


@dataclass(frozen=True)
class Balance:
    product: float | None
    service: float | None
    perceived: float | None
    perceived_partial: bool  # only one of product/service had data
    expectation: float | None
    gap: float | None  # perceived − expectation
    verdict: str  # "satisfied" | "below" | "unknown"
    levers: tuple[str, ...]  # keys of LEVERS, most useful first (only when below)


def balance(sources: Sequence[Source]) -> Balance:
    product = side_value(sources, PRODUCT)
    service = side_value(sources, SERVICE)
    present = [v for v in (product, service) if v is not None]
    perceived = round(sum(present) / len(present), 1) if present else None
    expectation = side_value(sources, EXPECTATION)
    if perceived is None or expectation is None:
        return Balance(
            product, service, perceived, len(present) == 1, expectation, None, "unknown", ()
        )
    gap = round(perceived - expectation, 1)
    verdict = "satisfied" if gap >= 0 else "below"
    return Balance(
        product,
        service,
        perceived,
        len(present) == 1,
        expectation,
        gap,
        verdict,
        levers_for(verdict, product, service),
    )


def levers_for(verdict: str, product: float | None, service: float | None) -> tuple[str, ...]:
    """Seed 001's 提高满意度: when perception falls short, first bring the promise back to
    what is delivered (the controllable side of expectation: detail page, packaging), then
    lift the weaker side of perceived value (the one with no data counts as weaker: it is
    the one nobody is watching)."""
    if verdict != "below":
        return ()
    weaker_product = product is None or (service is not None and product <= service)
    value_levers = (
        ("product_value", "service_value") if weaker_product else ("service_value", "product_value")
    )
    return ("detail_page", "packaging", *value_levers, "cost")


# Advice in both languages (seed 001 §3 提高电商客户满意度), picked by the presenter.
LEVERS: dict[str, tuple[str, str]] = {
    "detail_page": (
        "产品详情页从实际出发：图片选用实拍图，精选买家秀展示，描述不夸大——预期过高会产生心理落差、导致差评。",
        "Make the detail page honest: real photos and selected buyer photos, no exaggerated "
        "claims — an inflated promise raises expectation and ends in bad reviews.",
    ),
    "packaging": (
        "包装应与商品价值相称：奢华包装配品质一般的商品会让买家失望。",
        "Match the packaging to the goods' value: luxury packaging around ordinary goods "
        "disappoints.",
    ),
    "product_value": (
        "提升商品价值：把好质量关，包裹里附小礼物，提供定制商品或服务，塑造品牌。",
        "Raise the product value: check quality, add a small gift to the parcel, offer "
        "customised goods or services, build the brand.",
    ),
    "service_value": (
        "提升服务价值：客服详细询问需求、精准推荐，主动发送物流信息，及时处理售后。",
        "Raise the service value: ask about needs and recommend precisely, send delivery "
        "updates unprompted, handle after-sales promptly.",
    ),
    "cost": (
        "降低客户成本：合理定价与打折满减（货币成本），精准推荐节省时间，送货上门降低体力成本。",
        "Lower the customer's costs: fair prices and discounts (money), precise "
        "recommendations (time), delivery to the door (effort).",
    ),
}


@dataclass(frozen=True)
class WordOfMouth:
    satisfied: int
    unsatisfied: int
    reach_satisfied: int
    reach_unsatisfied: int

    @property
    def reach(self) -> int:
        return self.reach_satisfied + self.reach_unsatisfied

    @property
    def unsatisfied_share(self) -> float | None:
        """The share of the people reached who hear a bad story (0–1)."""
        return self.reach_unsatisfied / self.reach if self.reach else None


def word_of_mouth(satisfied: int, unsatisfied: int) -> WordOfMouth:
    """Seed 001's estimate: reach ≈ satisfied × 12 + unsatisfied × 20 (at least)."""
    if satisfied < 0 or unsatisfied < 0:
        raise ValueError("counts cannot be negative")
    return WordOfMouth(
        satisfied,
        unsatisfied,
        satisfied * TELLS_SATISFIED,
        unsatisfied * TELLS_UNSATISFIED,
    )


def churn_rate(previous_buyers: int, retained: int) -> float | None:
    """流失率 as the complement of the customers area's 客户保持度 (retained ÷ previous
    buyers, ``metrics.retention``): the share of last window's buyers who did not buy again.
    Not a second definition — the same counts, read from the other side."""
    if previous_buyers <= 0:
        return None
    return (previous_buyers - retained) / previous_buyers
