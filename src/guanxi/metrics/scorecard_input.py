"""Metric values given directly (a CSV row per agent), for shops whose figures come from
elsewhere: ``agent`` then one column per metric of the scorecard."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from guanxi.metrics.scorecard import Scorecard, ScorecardError, number


def read_metrics_csv(
    path: Path, card: Scorecard
) -> list[tuple[str, dict[str, Decimal | None], dict[str, Decimal]]]:
    """(agent, metric values, manual scores) per row; errors name the row and column."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="gb18030")
    except OSError as exc:
        raise ScorecardError(f"{path}: cannot read: {exc.strerror}") from exc
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise ScorecardError(f"{path.name}: empty file")
    header = [h.strip() for h in rows[0]]
    if not header or header[0] != "agent":
        raise ScorecardError(f"{path.name}: the first column must be 'agent', not {header[:1]}")
    missing = [m for m in card.metrics if m not in header]
    if missing:
        raise ScorecardError(
            f"{path.name}: missing column(s) {', '.join(missing)}; the scorecard needs "
            f"agent, {', '.join(card.metrics)}"
        )
    manual_items = [i.metric for i in card.items if i.manual]
    out = []
    for number_, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        agent = cells.get("agent", "")
        if not agent:
            raise ScorecardError(f"{path.name}: row {number_}: the agent cell is empty")
        values: dict[str, Decimal | None] = {}
        for metric in card.metrics:
            raw = cells.get(metric, "")
            values[metric] = (
                number(raw, f"{path.name}: row {number_}, column {metric}")[0] if raw else None
            )
        manual = {
            m: number(cells[m], f"{path.name}: row {number_}, column {m}")[0]
            for m in manual_items
            if cells.get(m)
        }
        out.append((agent, values, manual))
    return out
