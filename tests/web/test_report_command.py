from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from guanxi.lake import Lake
from tests.factories import small_shop

KEYS = [
    "pv",
    "uv",
    "visit_depth",
    "consulting_customers",
    "consult_rate",
    "paying_customers",
    "paid_amount",
    "aov",
    "conversion_rate",
    "refund_rate",
]


def test_report_store_json(lake: Lake) -> None:
    small_shop(lake)
    out = StringIO()
    call_command(
        "report",
        "store",
        "--from",
        "2024-06-17",
        "--to",
        "2024-06-18",
        "--format",
        "json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert [k for k in data if k in KEYS] == KEYS
    assert data["pv"] == 2472 and data["uv"] == 1163
    assert data["visit_depth"] == 2.13
    assert data["paid_amount"] == "230.50" and data["aov"] == "115.25"
    assert data["refund_rate"] == 0.3333
    assert data["has_data"] is True


def test_report_store_table(lake: Lake) -> None:
    small_shop(lake)
    out = StringIO()
    call_command("report", "store", "--from", "2024-06-18", "--to", "2024-06-18", stdout=out)
    text = out.getvalue()
    assert "访问深度" in text and "2.34" in text and "¥80.00" in text


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated installation for the command-line runs (the CLI refuses an unmigrated
    database before it reads its arguments)."""
    home = tmp_path_factory.mktemp("cli-home")
    assert _cli("migrate", "-v", "0", tmp_path=home).returncode == 0
    return home


def _cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.update(
        {
            "GUANXI_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "GUANXI_LAKE": str(tmp_path / "lake"),
            "GUANXI_KEY_FILE": str(tmp_path / "keys/field.key"),
            "GUANXI_SECRET_KEY_FILE": str(tmp_path / "keys/secret.key"),
        }
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "guanxi.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_reversed_period_is_a_usage_error(cli_home: Path) -> None:
    result = _cli(
        "report", "store", "--from", "2024-06-18", "--to", "2024-06-01", tmp_path=cli_home
    )
    assert result.returncode == 2
    assert "--from 2024-06-18 is after --to 2024-06-01" in result.stderr


def test_malformed_date_is_a_usage_error(cli_home: Path) -> None:
    result = _cli("report", "store", "--from", "2024-6-1x", "--to", "2024-06-01", tmp_path=cli_home)
    assert result.returncode == 2
    assert "'2024-6-1x' is not a date in the form YYYY-MM-DD" in result.stderr


def test_malformed_setting_stops_start_up_naming_it(tmp_path: Path) -> None:
    env_override = {"GUANXI_ENGINE": "oracle"}
    os.environ.update(env_override)
    try:
        result = _cli(
            "report", "store", "--from", "2024-06-01", "--to", "2024-06-02", tmp_path=tmp_path
        )
    finally:
        del os.environ["GUANXI_ENGINE"]
    assert result.returncode == 2
    assert "GUANXI_ENGINE='oracle'" in result.stderr


@pytest.mark.parametrize("args", [("report",), ("report", "sales", "--from", "2024-01-01")])
def test_unknown_report_is_a_usage_error(args: tuple[str, ...], cli_home: Path) -> None:
    assert _cli(*args, tmp_path=cli_home).returncode == 2
