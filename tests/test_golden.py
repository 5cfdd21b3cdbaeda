"""Golden outputs: every report, API answer and export of the demo shop, byte for byte.

A layout change must not change a figure. This test captures the JSON of every API endpoint,
the CLI reports and the exports (XLSX read back cell by cell, CSV as text) on the small demo
shop, and compares each with its file under ``tests/golden/``. When a change is *meant* to
alter an output, regenerate the files with ``GUANXI_GOLDEN_UPDATE=1`` and say in the commit
which outputs changed and why.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client

from guanxi import demo
from guanxi.lake import Lake
from tests.factories import login

GOLDEN = Path(__file__).parent / "golden"
SEED = 11
MONTH = "start=2025-11-01&end=2025-11-30"
AGENT = "kf01"

API = {
    "api_agents": f"/api/performance/agents?{MONTH}",
    "api_agents_team": f"/api/performance/agents?{MONTH}&view=team",
    "api_agents_shop": f"/api/performance/agents?{MONTH}&view=shop",
    "api_trend_week": f"/api/performance/trend?{MONTH}&by=week&view=agent&unit={AGENT}",
    "api_trend_team_month": "/api/performance/trend?start=2025-09-01&end=2025-11-30&by=month"
    "&view=team",
    "api_scorecard": f"/api/performance/scorecard?{MONTH}",
    "api_settings": "/api/performance/settings",
    "api_dsr": "/api/store/dsr",
    "api_funnel": f"/api/store/funnel?{MONTH}",
    "api_daily": f"/api/performance/agents/{AGENT}/daily?{MONTH}",
    "api_distribution": f"/api/performance/agents/{AGENT}/distribution?{MONTH}",
    "api_stages": f"/api/performance/agents/{AGENT}/stages?{MONTH}",
    "api_slowest": f"/api/performance/agents/{AGENT}/slowest?{MONTH}",
    "api_monthly": "/api/reports/monthly?month=2025-11",
}
XLSX = {
    "xlsx_agents": f"/performance/agents/export.xlsx?{MONTH}",
    "xlsx_agents_team": f"/performance/agents/export.xlsx?{MONTH}&view=team",
    "xlsx_trend": f"/performance/trend/export.xlsx?{MONTH}&by=week&view=shop",
    "xlsx_dsr": "/store/dsr/export.xlsx",
    "xlsx_funnel": f"/store/funnel/export.xlsx?{MONTH}",
    "xlsx_agent_daily": f"/performance/agents/{AGENT}/daily.xlsx?{MONTH}",
}
CSV = {"csv_dashboard": f"/store/export.csv?{MONTH}"}
CLI = {
    "cli_store": ["report", "store", "--from", "2025-11-01", "--to", "2025-11-30"],
    "cli_agents": ["report", "agents", "--from", "2025-11-01", "--to", "2025-11-30"],
    "cli_agents_team_week": [
        *("report", "agents", "--from", "2025-11-01", "--to", "2025-11-30"),
        *("--view", "team", "--by", "week"),
    ],
    "cli_dsr": ["report", "dsr", "--months", "6"],
    "cli_scorecard": ["scorecard", "--from", "2025-11-01", "--to", "2025-11-30"],
}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time | Decimal):
        return str(value)
    return value


def _xlsx(content: bytes) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {
        sheet.title: [[_plain(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def _cli(args: list[str]) -> Any:
    out = io.StringIO()
    call_command(*args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def _capture(client: Client) -> dict[str, Any]:
    outputs: dict[str, Any] = {}
    for name, url in API.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.content[:300])
        outputs[name] = response.json()
    session = outputs["api_slowest"]["rounds"][0]["session_id"]
    outputs["api_session"] = client.get(f"/api/performance/sessions/{session}").json()
    for name, url in XLSX.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.content[:300])
        outputs[name] = _xlsx(response.content)
    for name, url in CSV.items():
        response = client.get(url)
        assert response.status_code == 200, name
        outputs[name] = response.content.decode("utf-8-sig").splitlines()
    for name, args in CLI.items():
        outputs[name] = _cli(args)
    return outputs


@pytest.mark.django_db
def test_every_output_matches_its_golden_file(client: Client, make_user, lake: Lake) -> None:
    demo.build("small", SEED, lake)
    login(client, make_user, "manager")
    outputs = _capture(client)
    if os.environ.get("GUANXI_GOLDEN_UPDATE"):
        GOLDEN.mkdir(exist_ok=True)
        for name, value in outputs.items():
            text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
            (GOLDEN / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    stored = sorted(path.stem for path in GOLDEN.glob("*.json"))
    assert stored == sorted(outputs), "a golden file is missing or left over"
    for name, value in outputs.items():
        expected = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
        assert json.loads(json.dumps(value, ensure_ascii=False)) == expected, name
