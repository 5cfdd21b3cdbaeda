"""The seven-day no-reason return calculator (七天无理由退换货): one function,
``return_decide``, called by the after-sales panel and by ``guanxi returns check``.

No Django here, so the rules are tested as plain functions. The rules and where they come
from (seed 000 项目三 任务一 二(二) "七天无理由退换货规则"; SPEC §6):

- The window starts at 00:00 (shop time) of the day after signing ("以签收日后的第二天零时起
  计算时间") and lasts 168 hours ("满168小时为七天"). The hours are calendar hours: a
  holiday inside the window does not extend it (the rule counts hours, not working days).
  The deadline is exclusive: a request at exactly the deadline is too late.
- Quality problems (goods broken or incomplete, "货品破损或残缺"): the seller pays all
  shipping ("所有邮费必须商家承担"). Otherwise the buyer pays the return shipping, both ways
  for an exchange ("应由买家承担往返运费").
- Not returnable without reason: washed, damaged by the buyer, tags removed ("被洗过、人为
  破坏或标牌拆卸的不与退换"), made to order or special size ("预定或订制特殊尺码的不与退换");
  packaging, accessories and tags must be complete ("完整的外包装、配件、吊牌").

Decisions the seed leaves open, taken here (and shown as reasons):

- A quality problem is the seller's responsibility, not a favour of the no-reason service:
  it is not refused for being past the 168 hours nor for the no-reason exclusions (washed,
  tags removed, custom, special size, packaging), which the seed lists for the buyer who
  "因不满意货品希望退换货" (rule 1). Those conditions are reported as needing the buyer's
  evidence (seed 000 项目三 任务二: 由客户送检举证). Damage by the buyer still refuses it:
  damage the buyer caused is by definition not a quality problem.
- No-reason covers 退货 and 换货 only ("对其已购特定商品进行退换货"): a repair is a
  quality service (seed 002 §3.3.2 "对产品质量问题提供维修服务"), and a refund without
  sending the goods back (仅退款) is not a no-reason return; both are refused for no reason.
- ``shipping_paid_by`` says who pays if the case goes ahead; it follows the reason alone
  (quality → seller, no-reason → buyer) for every case kind.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from guanxi.core.errors import UserInputError

DEFAULT_TIME_ZONE = "Asia/Shanghai"
WINDOW = dt.timedelta(hours=168)

NO_REASON = "no-reason"
QUALITY = "quality"
REASONS = (NO_REASON, QUALITY)

RETURN = "return"
EXCHANGE = "exchange"
REPAIR = "repair"
REFUND = "refund"
CASE_KINDS = (RETURN, EXCHANGE, REPAIR, REFUND)

SELLER = "seller"
BUYER = "buyer"

# The conditions that refuse a no-reason return, in the order their reasons are listed,
# with the seed's words (zh) and English.
CONDITIONS: dict[str, tuple[str, str]] = {
    "washed": ("商品已洗涤，不予七天无理由退换", "washed: not returnable without reason"),
    "damaged": (
        "商品被人为损坏，不予退换",
        "damaged by the buyer: not returnable",
    ),
    "tags-removed": ("吊牌已拆，不予七天无理由退换", "tags removed: not returnable without reason"),
    "custom": ("预定或定制商品，不予七天无理由退换", "custom-made: not returnable without reason"),
    "special-size": (
        "特殊尺码（预定/订制），不予七天无理由退换",
        "special size: not returnable without reason",
    ),
    "incomplete-packaging": (
        "外包装、配件或吊牌不完整，不符合退换条件",
        "packaging, accessories or tags incomplete: not returnable without reason",
    ),
}

# Short names of the conditions (zh, en), for lists inside a reason.
CONDITION_NAMES: dict[str, tuple[str, str]] = {
    "washed": ("已洗涤", "washed"),
    "damaged": ("人为损坏", "damaged by the buyer"),
    "tags-removed": ("吊牌已拆", "tags removed"),
    "custom": ("定制", "custom-made"),
    "special-size": ("特殊尺码", "special size"),
    "incomplete-packaging": ("包装配件不全", "packaging incomplete"),
}

TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


class ReturnsInputError(UserInputError):
    """Bad input to the calculator; ``field`` names it (``signed``, ``requested``, …)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


@dataclass(frozen=True)
class DecisionReason:
    """One reason that decided: a stable code, the Chinese words and the English words."""

    code: str
    zh: str
    en: str

    @property
    def english(self) -> str:
        """The English words as a sentence (the rules' tables keep them in lower case)."""
        return self.en[:1].upper() + self.en[1:]

    def text(self, language: str = "zh-hans") -> str:
        return self.english if language.startswith("en") else self.zh


@dataclass(frozen=True)
class ReturnDecision:
    eligible: bool
    deadline: dt.datetime  # aware, in the shop's time zone; exclusive
    shipping_paid_by: str  # SELLER | BUYER
    reasons: tuple[DecisionReason, ...]

    def as_json(self, language: str = "zh-hans") -> dict[str, Any]:
        """The CLI's JSON: reasons as ``{code, text}`` in ``language``."""
        return {
            "eligible": self.eligible,
            "deadline": self.deadline.isoformat(),
            "shipping_paid_by": self.shipping_paid_by,
            "reasons": [{"code": r.code, "text": r.text(language)} for r in self.reasons],
        }

    def as_stored(self) -> dict[str, Any]:
        """What ``AfterSalesCase.decision`` keeps: both languages, so the page shows the
        reader's language whatever language the saver used."""
        return {
            "eligible": self.eligible,
            "deadline": self.deadline.isoformat(),
            "shipping_paid_by": self.shipping_paid_by,
            "reasons": [{"code": r.code, "text": r.zh, "text_en": r.english} for r in self.reasons],
        }


def shop_zone(time_zone: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ReturnsInputError(
            "time_zone", f"{time_zone!r} is not a time zone; use e.g. Asia/Shanghai"
        ) from None


def in_shop_time(moment: dt.datetime, time_zone: str) -> dt.datetime:
    """``moment`` in the shop's zone; a naive time is read as shop time."""
    zone = shop_zone(time_zone)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def window_deadline(signed_at: dt.datetime, *, time_zone: str = DEFAULT_TIME_ZONE) -> dt.datetime:
    """The end of the no-reason window: 00:00 shop time of the day after signing + 168 h.

    The 168 hours are elapsed hours (added in UTC), so a zone with summer time would still
    give exactly 168 of them; Asia/Shanghai has none, and there it is 7 × 24 h to midnight.
    """
    zone = shop_zone(time_zone)
    signed = in_shop_time(signed_at, time_zone)
    opens = dt.datetime.combine(signed.date() + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return (opens.astimezone(dt.UTC) + WINDOW).astimezone(zone)


def return_decide(
    *,
    signed_at: dt.datetime,
    requested_at: dt.datetime,
    reason: str,
    conditions: tuple[str, ...] | list[str] = (),
    case_kind: str = RETURN,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> ReturnDecision:
    """Whether an after-sales request may go ahead under the no-reason rules, who pays the
    shipping, and every reason that decided, in order: the window, the case kind, the
    goods' conditions, then the shipping.

    Raises ``ReturnsInputError`` naming the field for an unknown reason, case kind or
    condition, or a request before the signing.
    """
    if reason not in REASONS:
        raise ReturnsInputError("reason", f"{reason!r} is not one of {', '.join(REASONS)}")
    if case_kind not in CASE_KINDS:
        raise ReturnsInputError("kind", f"{case_kind!r} is not one of {', '.join(CASE_KINDS)}")
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown:
        raise ReturnsInputError(
            "condition", f"unknown {', '.join(unknown)}; use any of {', '.join(CONDITIONS)}"
        )
    signed = in_shop_time(signed_at, time_zone)
    requested = in_shop_time(requested_at, time_zone)
    if requested < signed:
        raise ReturnsInputError(
            "requested",
            f"{requested:%Y-%m-%d %H:%M} is before the signing ({signed:%Y-%m-%d %H:%M}); "
            "a request comes after the goods are signed for",
        )
    deadline = window_deadline(signed, time_zone=time_zone)
    present = [c for c in CONDITIONS if c in conditions]  # in the rules' order, once each
    if reason == QUALITY:
        reasons = _quality_reasons(requested, deadline, present)
        shipping = SELLER
    else:
        reasons = _no_reason_reasons(requested, deadline, present, case_kind)
        shipping = BUYER
    refused = any(r.code in REFUSING for r in reasons)
    return ReturnDecision(
        eligible=not refused, deadline=deadline, shipping_paid_by=shipping, reasons=tuple(reasons)
    )


# The reason codes that make a case ineligible; every other code explains an acceptance.
REFUSING = frozenset(
    {"window-closed", "repair-needs-quality", "refund-needs-return", "buyer-damaged"}
    | {f"condition-{c}" for c in CONDITIONS}
)


def _deadline_text(deadline: dt.datetime) -> str:
    return f"{deadline:%Y-%m-%d %H:%M}"


def _no_reason_reasons(
    requested: dt.datetime, deadline: dt.datetime, present: list[str], case_kind: str
) -> list[DecisionReason]:
    due = _deadline_text(deadline)
    if requested < deadline:
        window = DecisionReason(
            "window-open",
            f"在七天无理由期限内申请（签收次日零时起168小时，截止 {due}）",
            f"requested within the 7-day window (168 h from 00:00 the day after signing, "
            f"until {due})",
        )
    else:
        window = DecisionReason(
            "window-closed",
            f"已超过七天无理由期限（截止 {due}），不予无理由退换",
            f"past the 7-day window (it ended {due}): no return without reason",
        )
    reasons = [window]
    if case_kind == REPAIR:
        reasons.append(
            DecisionReason(
                "repair-needs-quality",
                "维修只适用于商品质量问题；七天无理由只适用于退货和换货",
                "a repair is for quality problems; no-reason covers returns and exchanges only",
            )
        )
    elif case_kind == REFUND:
        reasons.append(
            DecisionReason(
                "refund-needs-return",
                "七天无理由须退回商品（退货退款），不能仅退款",
                "a no-reason refund needs the goods sent back (a return), not a refund only",
            )
        )
    for code in present:
        zh, en = CONDITIONS[code]
        reasons.append(DecisionReason(f"condition-{code}", zh, en))
    if case_kind == EXCHANGE:
        reasons.append(
            DecisionReason(
                "buyer-pays-shipping",
                "非质量问题的换货，由买家承担往返运费",
                "not a quality problem: the buyer pays the shipping both ways of the exchange",
            )
        )
    else:
        reasons.append(
            DecisionReason(
                "buyer-pays-shipping",
                "非质量问题，由买家承担退货运费",
                "not a quality problem: the buyer pays the return shipping",
            )
        )
    return reasons


def _quality_reasons(
    requested: dt.datetime, deadline: dt.datetime, present: list[str]
) -> list[DecisionReason]:
    reasons = [
        DecisionReason(
            "quality-problem",
            "质量问题（货品破损或残缺）的售后不受七天无理由条件限制",
            "a quality problem (goods broken or incomplete) is not bound by the no-reason rules",
        )
    ]
    if requested >= deadline:
        due = _deadline_text(deadline)
        reasons.append(
            DecisionReason(
                "quality-after-window",
                f"已过七天无理由期限（截止 {due}），只能按质量问题处理，需买家提供凭证",
                f"past the 7-day window (it ended {due}): handled as a quality problem only, "
                "with the buyer's evidence",
            )
        )
    if "damaged" in present:
        reasons.append(
            DecisionReason(
                "buyer-damaged",
                "商品被人为损坏，不属于质量问题，不予退换",
                "damaged by the buyer: not a quality problem, not returnable",
            )
        )
    noted = [c for c in present if c != "damaged"]
    if noted:
        reasons.append(
            DecisionReason(
                "quality-evidence",
                f"商品状况（{'、'.join(CONDITION_NAMES[c][0] for c in noted)}）："
                "按质量问题处理需买家提供质量问题凭证",
                f"the goods' condition ({', '.join(CONDITION_NAMES[c][1] for c in noted)}): "
                "the buyer must evidence the quality problem",
            )
        )
    reasons.append(
        DecisionReason(
            "seller-pays-shipping",
            "质量问题产生的退换货，所有邮费由商家承担",
            "a quality problem: the seller pays all shipping",
        )
    )
    return reasons


def parse_shop_time(text: str, *, field: str, time_zone: str = DEFAULT_TIME_ZONE) -> dt.datetime:
    """A time typed as ``YYYY-MM-DD HH:MM[:SS]`` (shop time), or ISO with an offset."""
    cleaned = text.strip()
    for fmt in TIME_FORMATS:
        try:
            return in_shop_time(dt.datetime.strptime(cleaned, fmt), time_zone)
        except ValueError:
            continue
    try:
        parsed = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        raise ReturnsInputError(
            field, f"{text!r} is not a time; write it as YYYY-MM-DD HH:MM (shop time)"
        ) from None
    if parsed.tzinfo is None and len(cleaned) <= len("YYYY-MM-DD"):
        # A bare day is ambiguous (the signing time decides nothing within the day, but
        # the request's does): ask for the minutes.
        raise ReturnsInputError(field, f"{text!r} has no time of day; write YYYY-MM-DD HH:MM")
    return in_shop_time(parsed, time_zone)


def parse_conditions(text: str) -> tuple[str, ...]:
    """``washed,tags-removed`` → the codes; an unknown one names itself and the choices."""
    codes = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [c for c in codes if c not in CONDITIONS]
    if unknown:
        raise ReturnsInputError(
            "condition", f"unknown {', '.join(unknown)}; use any of {', '.join(CONDITIONS)}"
        )
    return codes
