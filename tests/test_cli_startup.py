"""Commands that do not read the lake start without its libraries (issue 14): Django's app
loading, ``guanxi --help``, ``guanxi users list``, ``guanxi privacy`` and ``guanxi migrate``
import none of Ibis, Arrow, DuckDB, deltalake, pandas, plotly or the holiday calendar. Not
timed (the timings are ``python -m bench --only startup``): which modules a start imports is what
decides its time, and that does not vary with the machine's load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from guanxi.imports import recovery
from guanxi.imports.models import ImportRun, RunStatus

HEAVY = (
    "ibis",
    "pyarrow",
    "duckdb",
    "deltalake",
    "chinese_calendar",
    "pandas",
    "numpy",
    "plotly",
)

LOADED = f"sorted(name for name in {HEAVY!r} if name in sys.modules)"
# Runs the ``guanxi`` entry point in this process, then names the heavy modules loaded.
PROBE = f"""
import sys
from guanxi.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    if exc.code not in (0, None):
        raise
print("heavy:", {LOADED})
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated installation of the module's own (sqlite, empty lake)."""
    folder = tmp_path_factory.mktemp("home")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GUANXI_")}
    environment |= {"DJANGO_SETTINGS_MODULE": "guanxi.settings", "GUANXI_HOME": str(folder)}
    subprocess.run(
        [sys.executable, "-m", "guanxi.cli", "migrate", "-v", "0"], env=environment, check=True
    )
    return environment


def _heavy_after(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["users", "list"],
        ["privacy", "--help"],
        ["privacy", "requests"],
        ["points", "--help"],
        ["points", "expire"],  # the ledger is in the app database, not the lake
        ["customers", "--help"],
        ["customers", "rfm", "--help"],
        ["migrate", "-v", "0"],  # every check but the URL ones (guanxi/core's migrate)
    ],
    ids=" ".join,
)
def test_a_command_that_does_not_read_the_lake_imports_none_of_its_libraries(
    home: dict[str, str], args: list[str]
) -> None:
    assert _heavy_after(home, *args) == "heavy: []"


def test_django_setup_imports_none_of_the_lake_libraries(home: dict[str, str]) -> None:
    script = f"import sys, django; django.setup(); print('heavy:', {LOADED})"
    done = subprocess.run(
        [sys.executable, "-c", script], env=home, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "heavy: []"


def test_check_still_runs_the_url_checks(home: dict[str, str]) -> None:
    """``guanxi check`` imports the pages and the API (its URL checks): the lake's libraries
    with them — the one start-up that keeps them, by design."""
    assert "'ibis'" in _heavy_after(home, "check")


def test_a_report_command_still_reads_the_lake(home: dict[str, str]) -> None:
    """The probe sees the libraries when a command does use them (it is not blind)."""
    heavy = _heavy_after(home, "report", "store", "--from", "2025-11-01", "--to", "2025-11-30")
    assert "'ibis'" in heavy and "'pyarrow'" in heavy


@pytest.mark.django_db
def test_recovery_is_needed_only_while_the_journal_has_an_unfinished_run(
    settings: Any, tmp_path: Path
) -> None:
    settings.GUANXI_IMPORT_DIR = str(tmp_path)
    assert not recovery.recovery_needed()
    assert recovery.recover_at_start() == []
    run = ImportRun.objects.create(
        kind="orders", platform="taobao", file_name="a.csv", status=RunStatus.WRITTEN
    )
    assert not recovery.recovery_needed()
    run.status = RunStatus.RUNNING
    run.save()
    assert recovery.recovery_needed()
    ImportRun.objects.all().delete()
    (tmp_path / "writing").mkdir()
    (tmp_path / "writing" / "7").touch()  # a marker left by a run that ended otherwise
    assert recovery.recovery_needed()
