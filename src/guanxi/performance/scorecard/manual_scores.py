"""Manual scorecard items (e.g. 日常工作 daily work): the manager's score per agent and month.

Scores are 0–100, like the band scores they sit beside, and are weighted by the item's
weight. Rows are append-only (a correction is a new row): the latest row counts, and the
earlier ones stay as the record of who scored what and when.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from guanxi.core.errors import UserInputError
from guanxi.metrics import scorecard as engine
from guanxi.performance import shop_settings
from guanxi.performance.models import ManualScore

LOWEST, HIGHEST = Decimal(0), Decimal(100)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def parse_month(text: str) -> dt.date:
    """The first day of a month written 2024-06 (or 2024-06-01)."""
    try:
        year, month = (int(p) for p in text.strip().split("-")[:2])
        return dt.date(year, month, 1)
    except ValueError:
        raise UserInputError(f"month: {text!r} is not a month like 2024-06") from None


@transaction.atomic
def manual_score_record(
    *,
    user: User,
    agent_id: str,
    month: dt.date,
    item: str,
    score: str | Decimal,
    note: str = "",
    card: engine.Scorecard | None = None,
) -> ManualScore:
    """Record a manager's score for ``agent_id``'s manual ``item`` in ``month``.

    Raises ``UserInputError`` naming the field when the item is not a manual item of the
    shop's scorecard, the agent is blank, or the score is not a number from 0 to 100.
    """
    card = card or shop_settings.scorecard()
    manual = {i.metric: i for i in card.items if i.manual}
    if item not in manual:
        known = ", ".join(f"{i.metric} ({i.label})" for i in manual.values()) or "none"
        raise UserInputError(
            f"item: {item!r} is not a manual item of the scorecard; manual items: {known}"
        )
    agent_id = agent_id.strip()
    if not agent_id or len(agent_id) > 64:
        raise UserInputError("agent: give the agent id (1–64 characters)")
    label = manual[item].label
    value, percent = engine.number(score, f"{label} score")
    if percent:
        raise UserInputError(f"{label} score: write a number from 0 to 100, not a percentage")
    if not LOWEST <= value <= HIGHEST:
        raise UserInputError(f"{label} score: {value} is outside 0–100")
    if value != value.quantize(Decimal("0.01")):
        raise UserInputError(f"{label} score: {value} has more than two decimals")
    return ManualScore.objects.create(
        agent_id=agent_id,
        month=month_start(month),
        item=item,
        score=value,
        note=note.strip()[:200],
        recorded_by=user,
        recorded_by_username=user.get_username(),
    )


def latest_scores(month: dt.date) -> dict[str, dict[str, ManualScore]]:
    """agent → item → the score that counts (the latest recorded) for ``month``."""
    out: dict[str, dict[str, ManualScore]] = {}
    rows = ManualScore.objects.filter(month=month_start(month)).order_by("-recorded_at", "-id")
    for row in rows:
        out.setdefault(row.agent_id, {}).setdefault(row.item, row)
    return out
