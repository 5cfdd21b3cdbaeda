"""The JSON shapes of the agent figures, shared by the performance and reports APIs: the
metrics (derived from ``AGENT_METRICS``), an agent's row with its diagnosis, a unit's row,
a scorecard score."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ninja import Field, Schema
from pydantic import create_model

from guanxi.metrics import scorecard
from guanxi.metrics.agents import AGENT_METRICS, AgentMetric, AgentReport
from guanxi.metrics.diagnosis import Finding
from guanxi.performance.exports import unit_label
from guanxi.web.exports.values import json_value


class FindingOut(Schema):
    metric: str
    why: str
    causes: str
    remedies: str


# The agent metrics' schema is derived from the registry, so a metric added to
# AGENT_METRICS reaches the API by itself (tests/performance/test_api.py checks).
_METRIC_TYPES: dict[str, Any] = {"count": int, "money": str | None}


def _metric_field(metric: AgentMetric) -> tuple[Any, Any]:
    kind = _METRIC_TYPES.get(metric.kind, float | None)
    return kind, Field(..., title=metric.name_en, description=f"{metric.name_zh} ({metric.kind})")


if TYPE_CHECKING:  # mypy sees a plain schema; the fields are made at import time
    MetricsOut = Schema
else:
    MetricsOut = create_model(
        "MetricsOut",
        __base__=Schema,
        **{m.key: _metric_field(m) for m in AGENT_METRICS},
    )


class AgentOut(MetricsOut):
    agent: str
    team: str = Field(description="the agent's team (客服组); empty when in none")
    diagnosis: list[FindingOut]


class UnitOut(MetricsOut):
    unit: str = Field(
        description="an agent's id, a team's name, *none (agents in no team) or *shop"
    )
    label: str = Field(description="as the pages show the unit: 未分组 / 全店 for *none / *shop")


class ItemOut(Schema):
    metric: str
    label: str
    manual: bool
    value: float | None
    band: str | None
    score: float
    weight: float
    weighted: float
    missing: bool  # a manual item not scored yet (counted as 0)
    recorded_by: str | None = None  # manual items: who entered the score that counts
    recorded_at: dt.datetime | None = None


class ScoreOut(Schema):
    agent: str
    rank: int | None  # among the team; None for an agent, who sees only their own row
    total: float
    complete: bool  # False while a manual item is unscored
    items: list[ItemOut]


def metrics_json(report: AgentReport) -> dict[str, object]:
    return {m.key: json_value(getattr(report, m.key), m.kind) for m in AGENT_METRICS}


def unit_out(report: AgentReport) -> dict[str, object]:
    """One unit's figures (amounts as strings), as ``UnitOut``."""
    return {"unit": report.unit, "label": unit_label(report.unit)} | metrics_json(report)


def agent_out(
    report: AgentReport, findings: dict[str, list[Finding]], teams: Mapping[str, str]
) -> dict[str, object]:
    """One agent's figures (amounts as strings), team and diagnosis, as ``AgentOut``."""
    return (
        {"agent": report.unit, "team": teams.get(report.unit, "")}
        | metrics_json(report)
        | {
            "diagnosis": [
                {"metric": f.metric, "why": f.why, "causes": f.causes, "remedies": f.remedies}
                for f in findings.get(report.unit, [])
            ]
        }
    )


def score_out(
    s: scorecard.AgentScore, rank: int | None = None, recorded: dict[str, Any] | None = None
) -> dict[str, object]:
    """One agent's score as ``ScoreOut``; ``recorded``: the manual scores that count."""
    recorded = recorded or {}
    items: list[dict[str, object]] = []
    for i in s.items:
        row = recorded.get(i.metric) if i.manual else None
        items.append(
            {
                "metric": i.metric,
                "label": i.label,
                "manual": i.manual,
                "value": None if i.value is None else float(i.value),
                "band": i.band,
                "score": float(i.score),
                "weight": float(i.weight),
                "weighted": float(i.weighted),
                "missing": i.missing,
                "recorded_by": row.recorded_by_username if row else None,
                "recorded_at": row.recorded_at if row else None,
            }
        )
    return {
        "agent": s.agent,
        "rank": rank,
        "total": float(s.total),
        "complete": s.complete,
        "items": items,
    }
