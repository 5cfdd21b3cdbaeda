"""Chat metrics on hand-made sessions; each expected figure is computed by hand below.

Local times are Asia/Shanghai; the period is 2024-06-18.
- s1 (c1): 09:00:00 C, 09:00:10 C, 09:00:40 kf1, 09:00:50 kf1, 09:02:00 C, 09:04:30 kf1,
  09:05:00 C, 09:05:01 system. Rounds: r1 (2 msgs) answered by kf1 after 40 s; r2 answered
  by kf1 after 150 s; r3 unanswered, belongs to kf1 (who spoke before it).
- s2 (c2), across midnight and transferred: 23:59:00 C, 00:01:30 kf1 (r1: 150 s),
  00:02:00 system "会话已转接", 00:03:00 C, 00:07:00 kf2 (r2: 240 s, but on the 19th).
- s3 (c3): 02:00:00 C, never answered (belongs to nobody; an unanswered session).
- s4 (c4), started by kf2 (催付): 10:00:00 kf2, 10:30:00 C (unanswered, belongs to kf2).
The source rows are shuffled: order comes from time and message id, not from the file.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pyarrow as pa
import pytest

from guanxi.core.timeutil import Period, parse_day
from guanxi.lake import Lake
from guanxi.metrics import chat, period_counts
from tests.factories import utc

D = "2024-06-18"
N = "2024-06-19"
ROWS = [
    # message id, session, customer, sender, agent, local time
    ("m01", "s1", "c1", "customer", None, f"{D} 09:00:00"),
    ("m02", "s1", "c1", "customer", None, f"{D} 09:00:10"),
    ("m03", "s1", "c1", "agent", "kf1", f"{D} 09:00:40"),
    ("m04", "s1", "c1", "agent", "kf1", f"{D} 09:00:50"),
    ("m05", "s1", "c1", "customer", None, f"{D} 09:02:00"),
    ("m06", "s1", "c1", "agent", "kf1", f"{D} 09:04:30"),
    ("m07", "s1", "c1", "customer", None, f"{D} 09:05:00"),
    ("m08", "s1", "c1", "system", None, f"{D} 09:05:01"),
    ("m09", "s2", "c2", "customer", None, f"{D} 23:59:00"),
    ("m10", "s2", "c2", "agent", "kf1", f"{N} 00:01:30"),
    ("m11", "s2", "c2", "system", None, f"{N} 00:02:00"),
    ("m12", "s2", "c2", "customer", None, f"{N} 00:03:00"),
    ("m13", "s2", "c2", "agent", "kf2", f"{N} 00:07:00"),
    ("m14", "s3", "c3", "customer", None, f"{D} 02:00:00"),
    ("m15", "s4", "c4", "agent", "kf2", f"{D} 10:00:00"),
    ("m16", "s4", "c4", "customer", None, f"{D} 10:30:00"),
]


@pytest.fixture
def chats(lake: Lake) -> Lake:
    rows = ROWS[:]
    random.Random(3).shuffle(rows)
    lake.write(
        "chat_messages",
        pa.table(
            {
                "platform": ["taobao"] * len(rows),
                "message_id": [r[0] for r in rows],
                "session_id": [r[1] for r in rows],
                "customer_key": [r[2] for r in rows],
                "agent_id": [r[4] for r in rows],
                "sender": [r[3] for r in rows],
                "sent_at": [utc(r[5]) for r in rows],
                "text": ["…"] * len(rows),
            }
        ),
    )
    return lake


def _figures(lake: Lake) -> dict[str, chat.AgentFigures]:
    day = parse_day(D)
    figures = period_counts.agent_figures(
        lake.table("chat_messages"), Period(day, day), "Asia/Shanghai", lake.arrow
    )
    return {f.agent_id: f for f in figures}


def test_rounds_are_split_answered_and_owned(chats: Lake) -> None:
    r = chats.arrow(chat.rounds(chats.table("chat_messages"))).to_pylist()
    got = sorted(
        (
            x["session_id"],
            x["round_no"],
            x["customer_messages"],
            x["answered_by"],
            x["owner"],
            x["response_seconds"],
        )
        for x in r
    )
    assert got == [
        ("s1", 1, 2, "kf1", "kf1", 40),
        ("s1", 2, 1, "kf1", "kf1", 150),
        ("s1", 3, 1, None, "kf1", None),
        ("s2", 1, 1, "kf1", "kf1", 150),
        ("s2", 2, 1, "kf2", "kf2", 240),
        ("s3", 1, 1, None, None, None),
        ("s4", 1, 1, None, "kf2", None),
    ]


def test_agent_figures_by_hand(chats: Lake) -> None:
    kf1, kf2 = _figures(chats)["kf1"], _figures(chats)["kf2"]
    # kf1 owns s1 r1–r3 and s2 r1 (s2 r2 starts on the 19th): 4 rounds, 3 answered.
    assert (kf1.rounds_owned, kf1.rounds_answered) == (4, 3)
    assert kf1.reply_rate == Decimal("0.7500")  # 3 ÷ 4
    assert kf1.avg_response_seconds == Decimal("113.33")  # (40 + 150 + 150) ÷ 3
    assert kf1.slow_response_customers == 2  # c1 (150 s) and c2 (150 s) waited over 60 s
    assert kf1.three_minute_rate == Decimal("0.7500")  # 4 rounds in 08–24; 3 within 180 s
    assert kf1.agent_messages == 3  # m03, m04, m06 (m10 is on the 19th)
    assert kf1.answer_ratio == Decimal("0.75")  # 3 ÷ (2 + 1 + 1) customer messages answered
    assert kf1.received_customers == 1  # only c1 got a message from kf1 on the 18th
    assert kf1.first_response_seconds == Decimal("95.00")  # s1 40 s, s2 150 s
    assert kf1.mean_session_seconds == Decimal("390.00")  # s1 300 s, s2 480 s
    # kf2 owns s4's unanswered round; s2 r2 (240 s) is on the 19th.
    assert (kf2.rounds_owned, kf2.rounds_answered) == (1, 0)
    assert kf2.reply_rate == Decimal("0.0000")
    assert kf2.avg_response_seconds is None and kf2.answer_ratio is None
    assert kf2.three_minute_rate == Decimal("0.0000")  # s4 r1 at 10:30, unanswered
    assert (kf2.agent_messages, kf2.received_customers) == (1, 1)  # m15 to c4
    assert kf2.first_response_seconds is None  # s4 was opened by kf2: no reply after a customer
    assert kf2.mean_session_seconds == Decimal("1140.00")  # s2 480 s, s4 1800 s


def test_the_next_day_sees_the_transfer(chats: Lake) -> None:
    day = parse_day(N)
    figures = period_counts.agent_figures(
        chats.table("chat_messages"), Period(day, day), "Asia/Shanghai", chats.arrow
    )
    kf2 = {f.agent_id: f for f in figures}["kf2"]
    assert (kf2.rounds_answered, kf2.avg_response_seconds) == (1, Decimal("240.00"))
    assert kf2.slow_response_customers == 1
    assert kf2.three_minute_rate is None  # its round started at 00:03, outside 08–24


def test_unanswered_sessions(chats: Lake) -> None:
    day = parse_day(D)
    count = chat.unanswered_sessions(
        chats.table("chat_messages"), Period(day, day), "Asia/Shanghai"
    )
    assert chats.arrow(count).as_py() == 1  # s3


def test_response_times_keep_fractions_of_a_second(lake: Lake) -> None:
    """Exported chat times carry milliseconds; every engine must keep them.

    s9 (c9): 09:00:00.250 C, 09:00:40.750 kf1 (40.5 s), 09:01:00.100 C, 09:02:00.900 kf1
    (60.8 s: slow, over 60 s — with whole seconds it would be 120 − 60 = 60, not slow).
    """
    times = [
        ("customer", None, f"{D} 09:00:00.250"),
        ("agent", "kf1", f"{D} 09:00:40.750"),
        ("customer", None, f"{D} 09:01:00.100"),
        ("agent", "kf1", f"{D} 09:02:00.900"),
    ]
    lake.write(
        "chat_messages",
        pa.table(
            {
                "platform": ["taobao"] * 4,
                "message_id": ["f1", "f2", "f3", "f4"],
                "session_id": ["s9"] * 4,
                "customer_key": ["c9"] * 4,
                "agent_id": [t[1] for t in times],
                "sender": [t[0] for t in times],
                "sent_at": [utc(t[2]) for t in times],
                "text": ["…"] * 4,
            }
        ),
    )
    kf1 = _figures(lake)["kf1"]
    assert kf1.avg_response_seconds == Decimal("50.65")  # (40.5 + 60.8) ÷ 2
    assert kf1.slow_response_customers == 1  # c9 waited 60.8 s once
    assert kf1.first_response_seconds == Decimal("40.50")
    assert kf1.mean_session_seconds == Decimal("120.65")  # 09:00:00.250 → 09:02:00.900
