"""Importing a Taobao order report of N rows (default 5M) with full validation, against a
plain pandas ``read_csv`` + ``to_parquet`` of the same file (no validation at all).

Each case runs once in its own process (an import into a fresh database and lake is not
repeatable in place); throughput is rows per second, memory the process's peak RSS.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from bench.shop import ROOT

STATUSES = np.array(
    ["等待买家付款", "买家已付款，等待卖家发货", "卖家已发货，等待买家确认", "交易成功", "交易关闭"]
)


def orders_csv(rows: int, buyers: int | None = None) -> Path:
    """A Taobao-format order report (UTF-8) of ``rows`` rows, written once and reused."""
    path = ROOT / f"taobao-orders-{rows}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    buyers = buyers or max(rows // 5, 1)  # ~5 orders per buyer over the file's period
    rng = np.random.default_rng(5)
    with pacsv.CSVWriter(path, _schema()) as writer:
        for start in range(0, rows, 500_000):
            n = min(500_000, rows - start)
            writer.write_table(_chunk(rng, start, n, buyers))
    return path


def _schema() -> pa.Schema:
    names = [
        "订单编号",
        "买家会员名",
        "买家应付货款",
        "买家实际支付金额",
        "订单状态",
        "收货人姓名",
        "收货地址",
        "联系手机",
        "订单创建时间",
        "订单付款时间",
        "宝贝总数量",
        "退款金额",
    ]
    return pa.schema([(n, pa.string()) for n in names])


def _chunk(rng: np.random.Generator, start: int, n: int, buyers: int) -> pa.Table:
    ids = np.char.add(
        "2025", np.char.zfill((np.arange(start, start + n) * 7919 % 10**15).astype(str), 15)
    )
    buyer = rng.integers(0, buyers, n)
    created = np.datetime64("2025-01-01T00:00:00") + rng.integers(0, 365 * 86400, n).astype(
        "timedelta64[s]"
    )
    paid = created + rng.integers(20, 3600, n).astype("timedelta64[s]")
    status = STATUSES[rng.integers(0, 5, n)]
    amount = (rng.integers(990, 99_900, n) / 100).astype(str)

    def text(a: np.ndarray) -> np.ndarray:
        return np.char.replace(a.astype(str), "T", " ")

    columns = [
        ids,
        np.char.add("tb_buyer", buyer.astype(str)),
        amount,
        amount,
        status,
        np.char.add("顾客", (buyer % 9973).astype(str)),
        np.full(n, "浙江省杭州市西湖区文三路1号"),
        np.char.add("139", np.char.zfill(buyer.astype(str), 8)),
        text(created),
        np.where(status == "等待买家付款", "", text(paid)),
        rng.integers(1, 4, n).astype(str),
        np.full(n, "0"),
    ]
    return pa.Table.from_arrays([pa.array(c) for c in columns], schema=_schema())


def _fresh_django(base: Path) -> None:
    os.environ["GUANXI_DATABASE_URL"] = f"sqlite:///{base}/guanxi.sqlite3"
    os.environ["GUANXI_LAKE"] = str(base / "lake")
    os.environ["GUANXI_KEY_FILE"] = str(base / "keys" / "field.key")
    os.environ["GUANXI_SECRET_KEY_FILE"] = str(base / "keys" / "secret.key")
    os.environ["GUANXI_IMPORT_DIR"] = str(base / "imports")
    os.environ["GUANXI_STATIC_ROOT"] = str(base / "static")
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def use_source(source: str | None) -> None:
    """Run another version of Guanxi in this (benchmark child) process: ``source`` is the
    folder holding its ``src`` (e.g. ``git archive <commit> src | tar -x -C var/before``),
    to compare before and after under the same load."""
    if source:
        sys.path.insert(0, str(Path(source).resolve() / "src"))
        import guanxi

        assert guanxi.__file__ is not None
        assert guanxi.__file__.startswith(str(Path(source).resolve())), guanxi.__file__


def run_guanxi(path: Path, source: str | None = None) -> dict[str, int]:
    """The whole import as ``guanxi import`` does it: stage, validate, customers, lake."""
    use_source(source)
    base = Path(tempfile.mkdtemp(prefix="bench-import-", dir=ROOT))
    _fresh_django(base)
    from guanxi.imports import services

    try:
        run = services.import_file(
            services.ImportRequest(path=path, kind="orders", platform="taobao")
        )
        if run.status != "written":
            raise RuntimeError(f"import failed: {run.status} {run.error}")
        return {"rows": run.rows_read, "added": run.added, "customers": run.customers_created}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run_pandas(path: Path) -> dict[str, int]:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    folder = Path(tempfile.mkdtemp(prefix="bench-pandas-", dir=ROOT))
    try:
        frame.to_parquet(folder / "orders.parquet")
        return {"rows": len(frame)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
