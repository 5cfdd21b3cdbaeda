"""The demo shop's industry DSR averages, so the DSR page has something to compare with.

Plausible rather than real: each dimension's average sits a steady distance from the shop's
own rolling score (the industry ahead on two dimensions and behind on one, which one from
the seed), with a small monthly wobble, so the page shows both ↑ and ↓ and flags the
dimensions below industry. No database here: ``guanxi demo`` and ``guanxi setup`` store
the values (``installation.demo_shop``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import numpy as np

from guanxi.metrics.dsr import DIMENSIONS

KEYS = tuple(key for key, _zh, _en in DIMENSIONS)
THOUSANDTH = Decimal("0.001")


def industry_averages(
    shop: Mapping[dt.date, Mapping[str, Decimal | None]], seed: int
) -> dict[dt.date, dict[str, Decimal]]:
    """Industry averages for each month of ``shop`` (month → dimension → the shop's rolling
    score, ``None`` without ratings) that has scores; the same ``seed`` gives the same values.
    Each within 1–5, to three decimals, as an industry average is entered."""
    rng = np.random.default_rng([seed, 4_242])
    signs = rng.permutation([1, 1, -1])  # +1: the industry is ahead, the shop below it
    offsets = {
        key: float(sign) * rng.uniform(0.03, 0.08) for key, sign in zip(KEYS, signs, strict=True)
    }
    out: dict[dt.date, dict[str, Decimal]] = {}
    for month in sorted(shop):
        # at most 0.015, under the smallest offset: a dimension never changes side
        noise = np.clip(rng.normal(0.0, 0.008, len(KEYS)), -0.015, 0.015)
        wobble = dict(zip(KEYS, noise, strict=True))
        values = {}
        for key in KEYS:
            score = shop[month].get(key)
            if score is None:
                continue
            value = min(max(float(score) + offsets[key] + wobble[key], 1.0), 5.0)
            values[key] = Decimal(f"{value:.3f}").quantize(THOUSANDTH)
        if values:
            out[month] = values
    return out
