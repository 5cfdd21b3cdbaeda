"""The ``guanxi`` command run from another folder: it uses GUANXI_HOME, never ``./var``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

GUANXI = Path(sys.executable).with_name("guanxi")


def _run(*args: str, cwd: Path, home: Path | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUANXI_", "DJANGO_"))}
    if home is not None:
        env["GUANXI_HOME"] = str(home)
    return subprocess.run(
        [str(GUANXI), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _orders(folder: Path) -> Path:
    path = folder / "订单.csv"
    path.write_text(
        "order_id,created_at,status,amount\nA1,2024-06-18 10:00:00,paid,12.50\n", encoding="utf-8"
    )
    return path


def test_a_command_run_elsewhere_uses_the_home_and_says_when_it_is_not_migrated(
    tmp_path: Path,
) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    orders = _orders(elsewhere)

    refused = _run("import", "orders", str(orders), "--platform", "generic", cwd=elsewhere,
                   home=home)  # fmt: skip
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr == (
        f"guanxi: 数据库尚未建立（{home}/var/guanxi.sqlite3）：请先运行 guanxi migrate"
        f"（或 make install）；若数据在别处，请设置 GUANXI_HOME（当前为 {home}）。\n"
    )
    english = _run("import", "orders", str(orders), "--language", "en", cwd=elsewhere, home=home)
    assert english.returncode == 2
    assert english.stderr.startswith(
        f"guanxi: The database has not been created yet ({home}/var/guanxi.sqlite3): "
        "run guanxi migrate (or make install) first"
    )

    assert _run("migrate", "-v", "0", cwd=elsewhere, home=home).returncode == 0
    done = _run("import", "orders", str(orders), "--platform", "generic", "--format", "json",
                cwd=elsewhere, home=home)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"added": 1' in done.stdout
    assert sorted(p.name for p in (home / "var").iterdir()) == [
        "guanxi.sqlite3",
        "imports",
        "keys",
        "lake",
        "spill",  # the query engine's, made when the import refreshed the derived tables
        "static",
    ]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["订单.csv"]  # no ./var here
