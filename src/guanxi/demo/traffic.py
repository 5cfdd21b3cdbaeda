"""Daily page views and visitors, derived from the generated orders and chats.

Visitors are what the shop's conversion implies: paying customers ÷ a daily conversion of
2.5–5.5 %, and never fewer than five times the customers who chatted that day. Page views
are visitors × a visit depth of 1.5–3.5.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from guanxi.demo import rhythm
from guanxi.demo.catalog import PLATFORM
from guanxi.demo.columns import NO_TIME, constant


def _per_day(day: np.ndarray, who: np.ndarray) -> np.ndarray:
    """Distinct (local day, customer) pairs counted per day of the year."""
    inside = (day >= 0) & (day < rhythm.DAYS)
    pairs = np.unique(day[inside] * (1 << 32) + who[inside])
    return np.bincount(pairs >> 32, minlength=rhythm.DAYS)


class TrafficCounter:
    """Accumulates payers and chatting customers per day, month by month."""

    def __init__(self) -> None:
        self.payers = np.zeros(rhythm.DAYS, dtype=np.int64)
        self.consulting = np.zeros(rhythm.DAYS, dtype=np.int64)

    def add(self, paid_at: np.ndarray, payer: np.ndarray, sent_at: np.ndarray, who: np.ndarray):
        paid = paid_at != NO_TIME
        self.payers += _per_day(rhythm.local_day(paid_at[paid]), payer[paid])
        self.consulting += _per_day(rhythm.local_day(sent_at), who)

    def table(self, rng: np.random.Generator) -> pa.Table:
        conversion = rng.uniform(0.025, 0.055, rhythm.DAYS)
        uv = np.maximum.reduce(
            [np.round(self.payers / conversion), self.consulting * 5, np.full(rhythm.DAYS, 50)]
        ).astype(np.int64)
        pv = np.round(uv * rng.uniform(1.5, 3.5, rhythm.DAYS)).astype(np.int64)
        dates = [rhythm.FIRST_DAY + dt.timedelta(days=i) for i in range(rhythm.DAYS)]
        return pa.table(
            {
                "platform": constant(PLATFORM, rhythm.DAYS),
                "date": pa.array(dates, pa.date32()),
                "pv": pa.array(pv, pa.int64()),
                "uv": pa.array(uv, pa.int64()),
            }
        )
