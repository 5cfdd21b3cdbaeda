"""No half-finished import is ever visible (issue 13 item 7): the web server, the worker,
every command and every page recover first; dead runs are marked failed; refused uploads
leave neither a waiting record nor their file."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from guanxi.imports import services
from guanxi.imports.models import ImportRun, RunStatus
from guanxi.lake import Lake
from tests.factories import login
from tests.imports.conftest import GUANXI
from tests.imports.exports import TAOBAO_HEADER, TWO_ORDERS, write_taobao_orders
from tests.imports.test_import import run_import


def _guanxi(env: dict[str, str], *args: str, fault: str = "") -> subprocess.CompletedProcess[str]:
    extra = {"GUANXI_FAULT": fault} if fault else {}
    return subprocess.run(
        [*GUANXI, *args], env={**env, **extra}, capture_output=True, text=True, check=False
    )


def _runs(tmp_path: Path) -> list[tuple[int, str]]:
    with closing(sqlite3.connect(tmp_path / "db.sqlite3")) as con:
        return list(con.execute("SELECT id, status FROM imports_importrun ORDER BY id"))


def _killed_after_the_lake_commit(tmp_path: Path, env: dict[str, str]) -> None:
    first = write_taobao_orders(tmp_path / "a.csv", TWO_ORDERS[:1])
    assert _guanxi(env, "import", "orders", str(first)).returncode == 0
    second = write_taobao_orders(tmp_path / "b.csv", TWO_ORDERS[1:])
    killed = _guanxi(env, "import", "orders", str(second), fault="after-lake-commit")
    assert killed.returncode == -signal.SIGKILL
    assert _runs(tmp_path) == [(1, "written"), (2, "writing")]


def test_a_report_after_a_kill_never_shows_the_killed_rows(
    tmp_path: Path, env: dict[str, str]
) -> None:
    period = ("--from", "2024-06-01", "--to", "2024-06-30", "--format", "json")
    _killed_after_the_lake_commit(tmp_path, env)
    report = _guanxi(env, "report", "store", *period)
    assert report.returncode == 0, report.stderr
    assert "guanxi: import #2 (b.csv) was interrupted; lake restored." in report.stderr
    assert _runs(tmp_path) == [(1, "written"), (2, "interrupted")]
    # The figures are those of the first file alone, as a report after a clean recovery.
    again = _guanxi(env, "report", "store", *period)
    assert again.stdout == report.stdout and again.stderr == ""


def test_the_web_server_recovers_before_it_serves(tmp_path: Path, env: dict[str, str]) -> None:
    _killed_after_the_lake_commit(tmp_path, env)
    started = subprocess.run(
        [sys.executable, "-c", "import guanxi.wsgi"], env=env, capture_output=True, text=True
    )
    assert started.returncode == 0, started.stderr
    assert _runs(tmp_path) == [(1, "written"), (2, "interrupted")]
    assert not any((tmp_path / "imports" / "writing").iterdir())


def test_a_run_killed_while_reading_its_file_is_marked_failed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = write_taobao_orders(tmp_path / "a.csv", TWO_ORDERS)
    killed = _guanxi(env, "import", "orders", str(path), fault="after-staging")
    assert killed.returncode == -signal.SIGKILL
    assert _runs(tmp_path) == [(1, "running")]
    assert (tmp_path / "imports" / "run-1" / "staged.parquet").exists()
    listed = _guanxi(env, "users", "list")  # any command: the worker's start is one too
    assert listed.returncode == 0, listed.stderr
    assert "import #1 (a.csv) was killed while reading its file; marked failed." in listed.stderr
    assert _runs(tmp_path) == [(1, "failed")]
    assert sorted(p.name for p in (tmp_path / "imports" / "run-1").iterdir()) == [
        "alive.lock",
        "problems.parquet.enc",
        "rejects.parquet.enc",
    ]  # the staged rows are gone, what is kept is encrypted


@pytest.mark.django_db
def test_a_page_recovers_before_it_reads(settings, client: Client, make_user, lake: Lake) -> None:
    login(client, make_user)
    orders = write_taobao_orders(Path(settings.GUANXI_IMPORT_DIR).parent / "o.csv", TWO_ORDERS)
    assert run_import("orders", str(orders))[0] == 0
    before = lake.version("orders")
    amounts = sorted(str(a) for a in lake.to_arrow("orders").column("amount").to_pylist())
    # A second import got as far as its lake commit, then died.
    rows = lake.to_arrow("orders")
    where = rows.schema.get_field_index("amount")
    changed = pa.array([Decimal("999.00")] * rows.num_rows, rows.schema.field("amount").type)
    lake.write("orders", rows.set_column(where, "amount", changed))
    dead = ImportRun.objects.create(
        kind="orders", platform="taobao", file_name="b.csv", status=RunStatus.WRITING,
        table="orders", version_before=before,
    )  # fmt: skip
    marker = Path(settings.GUANXI_IMPORT_DIR) / "writing" / str(dead.pk)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    assert client.get("/store/").status_code == 200
    dead.refresh_from_db()
    assert dead.status == RunStatus.INTERRUPTED
    assert sorted(str(a) for a in lake.to_arrow("orders").column("amount").to_pylist()) == amounts
    assert not marker.exists()


@pytest.mark.django_db
def test_a_refused_upload_leaves_no_waiting_record_and_no_file(
    settings, client: Client, make_user, lake: Lake
) -> None:
    login(client, make_user)
    header_only = (TAOBAO_HEADER + "\n").encode("gbk")
    client.post(
        "/imports/",
        {"kind": "orders", "platform": "taobao", "file": SimpleUploadedFile("空.csv", header_only)},
    )
    run = ImportRun.objects.get()
    stored = services.upload_path(run.stored_name)
    assert stored.exists()
    page = client.get(f"/imports/{run.pk}/preview/").content.decode()
    assert "空.csv：只有列名，没有数据行" in page
    run.refresh_from_db()
    assert run.status == RunStatus.REJECTED
    assert services.error_text(run) == "空.csv：只有列名，没有数据行"
    assert not stored.exists()
    assert client.get(f"/imports/{run.pk}/preview/")["Location"] == f"/imports/{run.pk}/"
