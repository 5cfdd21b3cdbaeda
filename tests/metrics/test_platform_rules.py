"""Pinduoduo's effective reply rate and Douyin's 3-minute manual reply rate (SPEC §2) on
hand-made chats, 2024-06-18, Shanghai time. Both count 08:00–23:00 only.

kf1:
- c1: asks 09:00:00, kf1 answers 09:02:00 (120 s); asks 09:10:00 and 09:12:30 (one round),
  kf1 answers 09:13:00 (the round waited 180 s; the messages 180 s and 30 s).
- c2: asks 10:00:00, kf1 answers 11:30:00 (5,400 s: over Pinduoduo's hour, over 3 minutes).
- c3: asks 23:30:00 (after 23:00: counts for neither), kf1 answers 23:45:00.
- c4: asks 07:59:00 (before 08:00: neither), kf1 answers 08:00:10; asks again 08:05:00 and
  gets no answer (the round belongs to kf1, who spoke last).
  Pinduoduo: customers with a round in hours c1, c2, c4; every round answered within an hour
  only for c1 → 1/3 = 33.33 %. Douyin: messages in hours c1 ×3 (all within 180 s),
  c2 ×1 (no), c4 08:05 (no) → 3/5 = 60 %.
kf2: c5 asks 14:00:00, answered 14:00:59 → 1/1 and 1/1.
Each rule counts its own platform's chats only: the same chats logged as Taobao's give
neither rate.
"""

from __future__ import annotations

from decimal import Decimal

from guanxi.core.timeutil import Period, parse_day
from guanxi.lake import Lake
from guanxi.metrics.agents import AgentReport
from tests.factories import chats_table, reports_by_agent

DAY = "2024-06-18"
CHATS: list[tuple[str, str, str, str | None, str]] = [
    ("a", "c1", "customer", None, f"{DAY} 09:00:00"),
    ("a", "c1", "agent", "kf1", f"{DAY} 09:02:00"),
    ("a", "c1", "customer", None, f"{DAY} 09:10:00"),
    ("a", "c1", "customer", None, f"{DAY} 09:12:30"),
    ("a", "c1", "agent", "kf1", f"{DAY} 09:13:00"),
    ("b", "c2", "customer", None, f"{DAY} 10:00:00"),
    ("b", "c2", "agent", "kf1", f"{DAY} 11:30:00"),
    ("c", "c3", "customer", None, f"{DAY} 23:30:00"),
    ("c", "c3", "agent", "kf1", f"{DAY} 23:45:00"),
    ("d", "c4", "customer", None, f"{DAY} 07:59:00"),
    ("d", "c4", "agent", "kf1", f"{DAY} 08:00:10"),
    ("d", "c4", "customer", None, f"{DAY} 08:05:00"),
    ("e", "c5", "customer", None, f"{DAY} 14:00:00"),
    ("e", "c5", "agent", "kf2", f"{DAY} 14:00:59"),
]


def _reports(lake: Lake, platform: str) -> dict[str, AgentReport]:
    lake.write("chat_messages", chats_table(CHATS, platform=platform))
    return reports_by_agent(lake, Period(parse_day(DAY), parse_day(DAY)))


def test_pinduoduo_effective_reply_rate(lake: Lake) -> None:
    reports = _reports(lake, "pdd")
    assert reports["kf1"].pdd_effective_reply_rate == Decimal("0.3333")  # 1 / 3
    assert reports["kf2"].pdd_effective_reply_rate == Decimal("1.0000")
    assert reports["kf1"].douyin_three_minute_rate is None  # no Douyin chats


def test_douyin_three_minute_manual_reply_rate(lake: Lake) -> None:
    reports = _reports(lake, "douyin")
    assert reports["kf1"].douyin_three_minute_rate == Decimal("0.6000")  # 3 / 5
    assert reports["kf2"].douyin_three_minute_rate == Decimal("1.0000")
    assert reports["kf1"].pdd_effective_reply_rate is None


def test_taobao_chats_give_neither(lake: Lake) -> None:
    reports = _reports(lake, "taobao")
    assert all(
        r.pdd_effective_reply_rate is None and r.douyin_three_minute_rate is None
        for r in reports.values()
    )


def test_no_qualifying_chats_means_no_rate(lake: Lake) -> None:
    lake.write("chat_messages", chats_table(CHATS, platform="pdd"))
    other_day = Period(parse_day("2024-06-19"), parse_day("2024-06-19"))
    reports = reports_by_agent(lake, other_day)
    assert all(r.pdd_effective_reply_rate is None for r in reports.values())
