"""The 7-day no-reason calculator at its edges (seed 000 项目三 任务一: the window starts at
00:00 of the day after signing and lasts 168 hours). Shop time is Asia/Shanghai (+08:00)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from guanxi.servicedesk.returns import (
    CASE_KINDS,
    CONDITIONS,
    ReturnDecision,
    ReturnsInputError,
    parse_conditions,
    parse_shop_time,
    return_decide,
    window_deadline,
)

CST = dt.timezone(dt.timedelta(hours=8))


def shop(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


def decide(signed: str, requested: str, **options: Any) -> ReturnDecision:
    options.setdefault("reason", "no-reason")
    return return_decide(signed_at=shop(signed), requested_at=shop(requested), **options)


def codes(decision: ReturnDecision) -> list[str]:
    return [r.code for r in decision.reasons]


def test_window_opens_the_next_midnight_and_lasts_168_hours() -> None:
    # Signed 06-01 23:59 → opens 06-02 00:00; + 168 h = + 7 × 24 h → 06-09 00:00 (+08:00).
    deadline = window_deadline(shop("2025-06-01 23:59"))
    assert deadline.isoformat() == "2025-06-09T00:00:00+08:00"


def test_signed_at_00_01_and_23_59_of_one_day_give_one_deadline() -> None:
    # Both open at 06-02 00:00: the minute of signing within the day does not count.
    early = window_deadline(shop("2025-06-01 00:01"))
    late = window_deadline(shop("2025-06-01 23:59"))
    assert early == late == shop("2025-06-09 00:00")


def test_a_utc_signing_time_is_read_on_the_shop_calendar() -> None:
    # 2025-06-01 16:30 UTC is 06-02 00:30 in Shanghai: opens 06-03 00:00, ends 06-10 00:00.
    signed = dt.datetime(2025, 6, 1, 16, 30, tzinfo=dt.UTC)
    assert window_deadline(signed) == shop("2025-06-10 00:00")


def test_the_last_minute_is_in_and_the_deadline_is_out() -> None:
    assert decide("2025-06-01 23:59", "2025-06-08 23:59").eligible is True
    at_deadline = decide("2025-06-01 23:59", "2025-06-09 00:00")
    assert at_deadline.eligible is False
    late = decide("2025-06-01 23:59", "2025-06-09 00:01")
    assert late.eligible is False
    assert codes(late) == ["window-closed", "buyer-pays-shipping"]


def test_a_holiday_inside_the_window_does_not_extend_it() -> None:
    # Signed 2025-09-30 12:00, before the National Day holiday (10-01..10-08):
    # opens 10-01 00:00; + 168 calendar hours → 10-08 00:00, holidays or not.
    decision = decide("2025-09-30 12:00", "2025-10-08 00:30")
    assert decision.deadline == shop("2025-10-08 00:00")
    assert decision.eligible is False
    assert decide("2025-09-30 12:00", "2025-10-07 23:59").eligible is True


@pytest.mark.parametrize("condition", list(CONDITIONS))
def test_each_condition_refuses_a_no_reason_return(condition: str) -> None:
    decision = decide("2025-06-01 10:00", "2025-06-03 10:00", conditions=[condition])
    assert decision.eligible is False
    assert codes(decision) == ["window-open", f"condition-{condition}", "buyer-pays-shipping"]


def test_reasons_follow_the_rules_order_not_the_input_order() -> None:
    decision = decide(
        "2025-06-01 10:00",
        "2025-06-20 10:00",
        conditions=["custom", "washed"],
        case_kind="exchange",
    )
    assert codes(decision) == [
        "window-closed",
        "condition-washed",
        "condition-custom",
        "buyer-pays-shipping",
    ]
    assert decision.reasons[-1].zh == "非质量问题的换货，由买家承担往返运费"


@pytest.mark.parametrize("kind", CASE_KINDS)
def test_quality_makes_the_seller_pay_and_no_reason_the_buyer(kind: str) -> None:
    quality = decide("2025-06-01 10:00", "2025-06-03 10:00", reason="quality", case_kind=kind)
    assert (quality.shipping_paid_by, quality.eligible) == ("seller", True)
    assert codes(quality) == ["quality-problem", "seller-pays-shipping"]
    no_reason = decide("2025-06-01 10:00", "2025-06-03 10:00", case_kind=kind)
    assert no_reason.shipping_paid_by == "buyer"
    # No-reason covers returns and exchanges; a repair or a refund only is refused.
    assert no_reason.eligible is (kind in ("return", "exchange"))


def test_quality_past_the_window_with_washed_goods_goes_ahead_on_evidence() -> None:
    decision = decide(
        "2025-06-01 10:00", "2025-06-20 10:00", reason="quality", conditions=["washed"]
    )
    assert decision.eligible is True
    assert codes(decision) == [
        "quality-problem",
        "quality-after-window",
        "quality-evidence",
        "seller-pays-shipping",
    ]
    assert decision.reasons[2].zh == "商品状况（已洗涤）：按质量问题处理需买家提供质量问题凭证"


def test_damage_by_the_buyer_refuses_even_a_quality_claim() -> None:
    decision = decide(
        "2025-06-01 10:00", "2025-06-02 10:00", reason="quality", conditions=["damaged"]
    )
    assert decision.eligible is False
    assert codes(decision) == ["quality-problem", "buyer-damaged", "seller-pays-shipping"]


def test_bad_input_names_the_field() -> None:
    with pytest.raises(ReturnsInputError) as before:
        decide("2025-06-05 10:00", "2025-06-04 10:00")
    assert before.value.field == "requested"
    with pytest.raises(ReturnsInputError) as unknown:
        parse_conditions("washed, wet")
    assert str(unknown.value).startswith("condition: unknown wet; use any of washed,")
    with pytest.raises(ReturnsInputError) as bad_time:
        parse_shop_time("June 1", field="signed")
    assert bad_time.value.field == "signed"
    with pytest.raises(ReturnsInputError) as reason:
        decide("2025-06-01 10:00", "2025-06-02 10:00", reason="dislike")
    assert reason.value.field == "reason"


def test_typed_times_are_shop_time() -> None:
    assert parse_shop_time("2025-06-01 23:59", field="signed") == shop("2025-06-01 23:59")
    assert parse_shop_time("2025-06-01T15:59:00+00:00", field="signed") == shop("2025-06-01 23:59")
