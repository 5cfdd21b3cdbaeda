"""Kill an import at any moment: lake and database end as they were (after recovery).

Runs the real command in subprocesses against a private database and lake. Two kills are
placed exactly (GUANXI_FAULT) on each side of the Delta commit, the riskiest instant; more
land at random moments of a larger import.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from deltalake import DeltaTable

from tests.imports.conftest import GUANXI
from tests.imports.exports import PAID, TWO_ORDERS, taobao_row, write_taobao_orders


def _state(tmp_path: Path) -> tuple[list[tuple[str, str]], set[str]]:
    """(order id, customer key) rows of the lake; customer keys of the database."""
    path = tmp_path / "lake" / "orders"
    rows = []
    if DeltaTable.is_deltatable(str(path)):
        table = DeltaTable(str(path)).to_pyarrow_table(columns=["order_id", "customer_key"])
        rows = sorted(zip(*table.to_pydict().values(), strict=True))
    with closing(sqlite3.connect(tmp_path / "db.sqlite3")) as con:
        keys = {k for (k,) in con.execute("SELECT customer_key FROM customers_customer")}
    return rows, keys


def _recover(env: dict[str, str]) -> str:
    done = subprocess.run(
        [*GUANXI, "setup", "--demo-scale", "none"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout + done.stderr  # `guanxi` itself recovers before any command runs


def _big_file(path: Path, rows: int) -> Path:
    lines = [
        taobao_row(
            f"9{i:018d}",
            f"buyer{i % 5000}",
            "10.00",
            PAID,
            "2024-06-18 10:00:00",
            "2024-06-18 10:01:00",
            mobile=f"139{i % 5000:08d}",
        )
        for i in range(rows)
    ]
    return write_taobao_orders(path, lines, encoding="utf-8")


@pytest.mark.parametrize("fault", ["before-lake-commit", "after-lake-commit"])
def test_kill_around_the_lake_commit(tmp_path: Path, env: dict[str, str], fault: str) -> None:
    first = write_taobao_orders(tmp_path / "a.csv", TWO_ORDERS[:1])
    subprocess.run(
        [*GUANXI, "import", "orders", str(first)], env=env, check=True, capture_output=True
    )
    before = _state(tmp_path)
    second = write_taobao_orders(tmp_path / "b.csv", TWO_ORDERS[1:])
    killed = subprocess.run(
        [*GUANXI, "import", "orders", str(second)],
        env={**env, "GUANXI_FAULT": fault},
        capture_output=True,
    )
    assert killed.returncode == -signal.SIGKILL
    out = _recover(env)
    assert "was interrupted; lake restored" in out
    assert _state(tmp_path) == before
    # And the file imports normally afterwards.
    subprocess.run(
        [*GUANXI, "import", "orders", str(second)], env=env, check=True, capture_output=True
    )
    rows, keys = _state(tmp_path)
    assert len(rows) == 2 and {k for _o, k in rows} <= keys


def test_kill_at_random_moments_leaves_all_or_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    big = _big_file(tmp_path / "big.csv", 30_000)
    rng = random.Random(7)
    for _attempt in range(4):
        before = _state(tmp_path)
        process = subprocess.Popen(
            [*GUANXI, "import", "orders", str(big)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.5, 6.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        _recover(env)
        rows, keys = _state(tmp_path)
        assert {k for _o, k in rows} <= keys  # no lake row points at a missing customer
        assert rows == before[0] or len(rows) == 30_000, len(rows)
        assert (len(keys) == len(before[1])) == (rows == before[0])


# The import command with the bulk path's large-load ways at a test's size: crypto in the
# helper process, SQLite's indexes dropped for the load, buyers in chunks of 100.
SMALL_BULK = [
    sys.executable,
    "-c",
    "import sys, django\n"
    "django.setup()\n"
    "from guanxi.customers import identities\n"
    "from guanxi.imports import services\n"
    "identities.HELPER_MIN = identities.LARGE_LOAD = identities.REBUILD_MIN = 1\n"
    "services.PEOPLE_CHUNK = 100\n"
    "from guanxi.cli import main\n"
    "main(sys.argv[1:])\n",
]


def _indexes(tmp_path: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(tmp_path / "db.sqlite3")) as con:
        return sorted(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))


def _helpers() -> list[int]:
    """Running crypto helper processes (the module exists only in this code base)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if entry.name.isdigit() and b"guanxi.customers.sealing" in cmdline:
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("fault", ["customers-chunk-written", "customers-written"])
def test_kill_while_customers_are_written_in_bulk(
    tmp_path: Path, env: dict[str, str], fault: str
) -> None:
    first = write_taobao_orders(tmp_path / "a.csv", TWO_ORDERS[:1])
    subprocess.run([*SMALL_BULK, "import", "orders", str(first)], env=env, check=True)
    before, indexes = _state(tmp_path), _indexes(tmp_path)
    big = _big_file(tmp_path / "big.csv", 600)  # 600 new buyers, six chunks
    killed = subprocess.run(
        [*SMALL_BULK, "import", "orders", str(big)],
        env={**env, "GUANXI_FAULT": fault},
        capture_output=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    for _wait in range(50):  # the helper ends once its input closes with the killed import
        if not _helpers():
            break
        time.sleep(0.1)
    assert _helpers() == []
    _recover(env)
    # Nothing half-written: the customers as before, every index there again.
    assert _state(tmp_path) == before
    assert _indexes(tmp_path) == indexes
    done = subprocess.run(
        [*SMALL_BULK, "import", "orders", str(big)], env=env, check=True, capture_output=True
    )
    rows, keys = _state(tmp_path)
    assert len(rows) == 601 and len(keys) == 601, done.stderr
    assert {k for _o, k in rows} <= keys
    assert _indexes(tmp_path) == indexes
