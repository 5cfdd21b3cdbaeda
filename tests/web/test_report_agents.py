"""`guanxi report agents`: the JSON keys, CSV, XLSX and an empty period that says so."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from guanxi.lake import Lake
from tests.metrics.test_attribution import shop  # noqa: F401 — the hand-made shop fixture

pytestmark = pytest.mark.django_db

KEYS = [
    "consulting_customers",
    "received_customers",
    "inquirers",
    "sales_amount",
    "sales_units",
    "buyers",
    "aov",
    "units_per_buyer",
    "aov_ratio",
    "inquiry_conversion_final",
    "inquiry_conversion_next_day",
    "payment_rate",
    "order_loss_rate",
    "first_response_seconds",
    "avg_response_seconds",
    "slow_response_customers",
    "three_minute_rate",
    "answer_ratio",
    "reply_rate",
    "mean_session_seconds",
    "returns",
    "return_rate",
    # then the business-time variants (null for agents without a rota)
    "first_response_business_seconds",
    "avg_response_business_seconds",
    # and the platform reply rules
    "pdd_effective_reply_rate",
    "douyin_three_minute_rate",
]


def _run(*args: str) -> str:
    out = StringIO()
    call_command("report", "agents", *args, stdout=out)
    return out.getvalue()


def test_json_has_every_key_and_amounts_as_strings(shop: Lake) -> None:  # noqa: F811
    data = json.loads(_run("--from", "2024-06-18", "--to", "2024-06-18", "--format", "json"))
    agents = {a["agent"]: a for a in data["agents"]}
    assert list(agents["kf2"])[1:] == [*KEYS, "diagnosis"]
    assert isinstance(agents["kf2"]["diagnosis"], list)
    assert agents["kf2"]["sales_amount"] == "100.00" and agents["kf2"]["aov"] == "100.00"
    assert agents["kf2"]["aov_ratio"] == 1.1111
    assert agents["kf1"]["aov"] is None  # no buyers: no data, not 0
    one = json.loads(
        _run("--from", "2024-06-18", "--to", "2024-06-18", "--agent", "kf1", "--format", "json")
    )
    assert [a["agent"] for a in one["agents"]] == ["kf1"]


def test_csv_and_xlsx(shop: Lake, tmp_path: Path) -> None:  # noqa: F811
    text = _run("--from", "2024-06-18", "--to", "2024-06-18", "--format", "csv")
    assert text.startswith("\ufeffagent,咨询人数 consulting_customers")
    assert "\nkf2," in text
    path = tmp_path / "agents.xlsx"
    _run("--from", "2024-06-18", "--to", "2024-06-18", "--format", "xlsx", "--output", str(path))
    sheet = load_workbook(path).active
    assert sheet is not None
    assert sheet.cell(2, 1).value == "客服 Agent"
    assert [sheet.cell(r, 1).value for r in (3, 4)] == ["kf1", "kf2"]


def test_empty_period_and_bad_input(lake: Lake) -> None:
    text = _run("--from", "2024-01-01", "--to", "2024-01-31")
    assert "No agent data" in text
    data = json.loads(_run("--from", "2024-01-01", "--to", "2024-01-31", "--format", "json"))
    assert data["has_data"] is False and data["agents"] == []
    with pytest.raises(CommandError) as caught:
        call_command("report", "agents", "--from", "2024-02-01", "--to", "2024-01-01")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="needs --output"):
        call_command(
            "report", "agents", "--from", "2024-01-01", "--to", "2024-01-02", "--format", "xlsx"
        )
