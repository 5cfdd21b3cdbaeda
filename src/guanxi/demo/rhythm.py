"""The shop's calendar for 2025: daily and weekly rhythm, 618 and 双11, shipping delays.

Days are numbered 0..364 from 2025-01-01 in Asia/Shanghai; times are generated as local
seconds and converted once to UTC microseconds (local minus 8 hours, China has no DST).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

YEAR = 2025
DAYS = 365
FIRST_DAY = dt.date(YEAR, 1, 1)
DAY_US = 86_400_000_000
_EPOCH_DAYS = (FIRST_DAY - dt.date(1970, 1, 1)).days
_UTC_OFFSET_US = 8 * 3_600_000_000

WEEKDAY = np.array([0.92, 0.9, 0.95, 1.0, 1.1, 1.3, 1.25])  # Monday..Sunday

HOURS = np.array(
    [1.3, 0.6, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2.5, 4.0, 5.0, 5.0,
     4.0, 4.5, 5.0, 5.0, 4.5, 4.0, 4.2, 5.0, 6.2, 6.8, 6.2, 3.8]
)  # fmt: skip
"""Local hour weights: quiet nights, a late-morning and afternoon plateau, evening peak."""
HOURS_PEAK = HOURS.copy()
HOURS_PEAK[0] *= 8  # the midnight rush when 618 and 双11 open
HOURS_PEAK[1] *= 3


def day_index(day: dt.date) -> int:
    return (day - FIRST_DAY).days


def _span(first: dt.date, last: dt.date) -> slice:
    return slice(day_index(first), day_index(last) + 1)


def _d(month: int, day: int) -> dt.date:
    return dt.date(YEAR, month, day)


def day_weights() -> np.ndarray:
    """Relative order volume per day: weekday rhythm, seasons, festivals and promotions."""
    weekday = np.array([(FIRST_DAY + dt.timedelta(days=i)).weekday() for i in range(DAYS)])
    w = WEEKDAY[weekday].astype(np.float64)
    w *= 1.0 + 0.15 * np.cos((np.arange(DAYS) - 320) / DAYS * 2 * np.pi)  # autumn/winter
    w[_span(_d(1, 24), _d(2, 5))] *= 0.45  # Spring Festival (除夕 1-28): couriers stop
    w[_span(_d(3, 7), _d(3, 8))] *= 1.8  # 女王节
    w[_span(_d(5, 20), _d(5, 31))] *= 1.2  # 618 warm-up
    w[_span(_d(6, 1), _d(6, 17))] *= 1.8
    w[day_index(_d(6, 18))] *= 5.0
    w[_span(_d(6, 19), _d(6, 25))] *= 0.8  # after-promo slump
    w[_span(_d(10, 20), _d(10, 31))] *= 1.3  # 双11 pre-sale
    w[_span(_d(11, 1), _d(11, 10))] *= 2.2
    w[day_index(_d(11, 11))] *= 9.0
    w[_span(_d(11, 12), _d(11, 20))] *= 0.8
    w[day_index(_d(12, 12))] *= 2.5  # 双12
    return w


PROMO = np.zeros(DAYS, dtype=bool)
PROMO[_span(_d(6, 1), _d(6, 18))] = True
PROMO[_span(_d(11, 1), _d(11, 11))] = True
PROMO[day_index(_d(12, 12))] = True
"""Promotion days: discounted prices, promo-sensitive customers buy more, more returns."""

PEAK = np.zeros(DAYS, dtype=bool)
PEAK[[day_index(_d(6, 18)), day_index(_d(11, 11))]] = True

SHIP_DELAY_DAYS = np.zeros(DAYS)
"""Extra days before shipping, by the day of payment (warehouse backlog, holidays)."""
SHIP_DELAY_DAYS[_span(_d(6, 16), _d(6, 20))] = 1.5
SHIP_DELAY_DAYS[_span(_d(11, 9), _d(11, 15))] = 2.5
SHIP_DELAY_DAYS[_span(_d(1, 22), _d(2, 4))] = 5.0


def month_days(month: int) -> np.ndarray:
    """Day indexes of ``month`` (1..12)."""
    first = dt.date(YEAR, month, 1)
    last = dt.date(YEAR + (month == 12), month % 12 + 1, 1)
    return np.arange(day_index(first), day_index(last))


def to_utc_us(day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """UTC microseconds of local day index + local seconds since midnight."""
    return (
        (np.asarray(day, dtype=np.int64) + _EPOCH_DAYS) * DAY_US
        + (np.asarray(seconds, dtype=np.float64) * 1e6).astype(np.int64)
        - _UTC_OFFSET_US
    )


def local_day(utc_us: np.ndarray) -> np.ndarray:
    """Local day index (may fall outside 0..364) of UTC microseconds."""
    return (np.asarray(utc_us) + _UTC_OFFSET_US) // DAY_US - _EPOCH_DAYS


def local_hour(utc_us: np.ndarray) -> np.ndarray:
    return ((np.asarray(utc_us) + _UTC_OFFSET_US) % DAY_US) // 3_600_000_000


AS_OF_US = int(to_utc_us(np.array([DAYS]), np.array([0]))[0])
"""The data is a snapshot at local midnight 2026-01-01: later events have not happened yet."""


def seconds_of_day(rng: np.random.Generator, day: np.ndarray) -> np.ndarray:
    """Local seconds since midnight following the hour weights (midnight rush on peaks)."""
    n = len(day)
    normal = rng.choice(24, size=n, p=HOURS / HOURS.sum())
    peak = rng.choice(24, size=n, p=HOURS_PEAK / HOURS_PEAK.sum())
    hour = np.where(PEAK[np.clip(day, 0, DAYS - 1)], peak, normal)
    return hour * 3600 + rng.random(n) * 3600
