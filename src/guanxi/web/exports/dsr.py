"""The DSR trend as JSON-ready dicts."""

from __future__ import annotations

from typing import Any

from guanxi.metrics.dsr import DIMENSIONS, DsrMonth


def dsr_json(months: list[DsrMonth]) -> list[dict[str, Any]]:
    def num(value: Any) -> float | None:
        return None if value is None else float(value)

    return [
        {
            "month": f"{m.month:%Y-%m}",
            "ratings": m.ratings,
            **{
                key: {
                    "score": num(m.scores[key]),
                    "industry": num(m.industry[key]),
                    "trend": m.trend[key] or None,
                    "below_industry": key in m.below_industry,
                }
                for key, _zh, _en in DIMENSIONS
            },
        }
        for m in months
    ]
