"""The JSON shapes of the store figures, shared by the store and reports APIs: the store
figures, the DSR months and the funnel."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from guanxi.metrics.funnel import Funnel
from guanxi.metrics.store import METRICS, StoreFigures
from guanxi.store.exports.funnel import funnel_json
from guanxi.web.exports.values import json_value


class StoreOut(Schema):
    has_data: bool
    pv: int
    uv: int
    visit_depth: float | None
    consulting_customers: int
    consult_rate: float | None
    paying_customers: int
    paid_amount: str
    aov: str | None
    conversion_rate: float | None
    refund_rate: float | None


class DsrDimensionOut(Schema):
    score: float | None
    industry: float | None
    trend: str | None
    below_industry: bool


class DsrMonthOut(Schema):
    month: str
    ratings: int
    description: DsrDimensionOut
    service: DsrDimensionOut
    logistics: DsrDimensionOut


class FunnelStepOut(Schema):
    step: str
    count: int
    step_rate: float | None
    overall_rate: float | None


class FunnelPeriodOut(Schema):
    start: dt.date
    end: dt.date
    has_data: bool
    steps: list[FunnelStepOut]


class FunnelOut(FunnelPeriodOut):
    previous: FunnelPeriodOut


def store_out(figures: StoreFigures | None) -> dict[str, object] | None:
    if figures is None:
        return None
    return {"has_data": figures.has_data} | {
        m.key: json_value(getattr(figures, m.key), m.kind) for m in METRICS
    }


def funnel_out(funnel: Funnel | None) -> dict[str, object] | None:
    if funnel is None:
        return None
    data = funnel_json(funnel)
    return {
        "start": data["from"],
        "end": data["to"],
        "has_data": data["has_data"],
        "steps": data["steps"],
    }
