"""`guanxi report agents --view team|shop --by day|week|month`: the hand-made shop of
``tests/metrics/test_units_and_series.py`` (its docstring has the hand computation)."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from guanxi.accounts.models import Agent
from guanxi.lake import Lake
from tests.metrics.test_units_and_series import shop  # noqa: F401 — the hand-made shop

pytestmark = pytest.mark.django_db
WEEK = ("--from", "2024-06-18", "--to", "2024-06-24")


@pytest.fixture
def teams() -> None:
    Agent.objects.create(agent_id="kf1", name="一", team="售前")
    Agent.objects.create(agent_id="kf2", name="二", team="售前")
    Agent.objects.create(agent_id="kf3", name="三")


def _run(*args: str) -> str:
    out = StringIO()
    call_command("report", "agents", *args, stdout=out)
    return out.getvalue()


def test_team_view_json(shop: Lake, teams: None) -> None:  # noqa: F811
    data = json.loads(
        _run("--from", "2024-06-18", "--to", "2024-06-18", "--view", "team", "--format", "json")
    )
    assert data["view"] == "team"
    rows = {row["team"]: row for row in data["agents"]}
    assert set(rows) == {"售前", None}  # None: the agents in no team (kf3)
    assert rows["售前"]["consulting_customers"] == 1  # c1 once, though kf1 and kf2 served them
    assert rows["售前"]["avg_response_seconds"] == 36.67  # (30 + 60 + 20) / 3
    assert rows[None]["sales_amount"] == "50.00"
    one = json.loads(
        _run(
            "--from",
            "2024-06-18",
            "--to",
            "2024-06-18",
            "--view",
            "team",
            "--team",
            "售前",
            "--format",
            "json",
        )
    )
    assert [row["team"] for row in one["agents"]] == ["售前"]


def test_shop_by_week_csv_json_and_xlsx(shop: Lake, tmp_path: Path) -> None:  # noqa: F811
    text = _run(*WEEK, "--view", "shop", "--by", "week", "--format", "csv")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:5] == ["from", "to", "partial", "shop", "咨询人数 consulting_customers"]
    # Tuesday to Sunday, then Monday alone: both weeks cut short by the period
    assert [r[:5] for r in rows[1:]] == [
        ["2024-06-18", "2024-06-23", "1", "全店", "2"],
        ["2024-06-24", "2024-06-24", "1", "全店", "1"],
    ]
    data = json.loads(_run(*WEEK, "--view", "shop", "--by", "week", "--format", "json"))
    assert (data["by"], data["view"]) == ("week", "shop")
    assert [p["partial"] for p in data["periods"]] == [True, True]
    second = data["periods"][1]
    assert (second["from"], second["to"]) == ("2024-06-24", "2024-06-24")
    assert second["agents"][0]["reply_rate"] == 0.5  # one of c3's two rounds answered
    path = tmp_path / "weeks.xlsx"
    _run(*WEEK, "--view", "shop", "--by", "week", "--format", "xlsx", "--output", str(path))
    sheet = load_workbook(path).active
    assert sheet is not None
    assert [sheet.cell(2, c).value for c in (1, 2, 3, 4)] == [
        "开始 From",
        "结束 To",
        "不完整 Partial",
        "全店 Shop",
    ]
    assert [[sheet.cell(r, c).value for c in (1, 3)] for r in (3, 4)] == [
        ["2024-06-18", "不完整 partial"],
        ["2024-06-24", "不完整 partial"],
    ]
    # under the table, what partial means, in both languages
    assert sheet.cell(6, 1).value.startswith("不完整：不足整周")
    assert sheet.cell(7, 1).value.startswith("Partial: a part shorter than a whole week")


def test_agents_by_day_table(shop: Lake) -> None:  # noqa: F811
    text = _run(*WEEK, "--by", "day")
    assert text.count("客服绩效 Agent report") == 2  # Tuesday and Monday
    assert text.count("No agent data") == 5  # the quiet days say so, no zeros
    assert "No agent data from 2024-06-19 to 2024-06-19" in text


def test_unit_options_must_match_the_view(shop: Lake) -> None:  # noqa: F811
    with pytest.raises(CommandError, match="--team needs --view team"):
        _run(*WEEK, "--team", "售前")
    with pytest.raises(CommandError, match="--agent needs --view agent"):
        _run(*WEEK, "--view", "shop", "--agent", "kf1")
    with pytest.raises(CommandError, match="invalid choice"):
        _run(*WEEK, "--by", "fortnight")
