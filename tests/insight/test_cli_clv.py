"""``guanxi predict clv-fit``: the paper's values from the CDNOW transactions, the JSON
exactly on a small file, and bad files, columns and rows named with exit status 2."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from guanxi.stats import clv

DATA = Path(__file__).resolve().parents[1] / "data" / "cdnow"


def clv_fit(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("predict", "clv-fit", "--transactions", str(path), *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tx.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_cdnow_transactions_give_the_papers_values(tmp_path: Path) -> None:
    # The 2,357-customer sample's 6,919 transactions, 39-week calibration (to 1997-09-30).
    rows = ["customer,date,amount"]
    for line in (DATA / "CDNOW_sample.txt").read_text().splitlines():
        cust, _, day, _, amount = line.split()
        rows.append(f"{cust},{day},{amount}")
    got = json.loads(clv_fit(write(tmp_path, "\n".join(rows)), "--calibration-end", "1997-09-30"))
    assert set(got) == {"r", "alpha", "a", "b", "p", "q", "gamma", "customers"}
    assert got["customers"] == 2357
    three = {k: float(f"{v:.3g}") for k, v in got.items() if k != "customers"}
    assert three == {
        "r": 0.243,
        "alpha": 4.41,
        "a": 0.793,
        "b": 2.43,
        "p": 6.25,
        "q": 3.74,
        "gamma": 15.4,
    }


def test_json_exactly_on_a_small_file(tmp_path: Path) -> None:
    # 300 customers drawn from BG/NBD (days: α = 4.414·7), written as transactions whose
    # figures are known by construction: customer i first buys on end − T_i, then x_i more
    # times every g_i days → x_i, t_x = x_i·g_i, T_i. Plus a same-day duplicate (one
    # purchase), a blank line and a purchase after the end (left out).
    rng = np.random.default_rng(11)
    ages = rng.integers(180, 273, 300)
    x, t_x = clv.simulate_bgnbd(0.243, 4.414 * 7, 0.793, 2.426, ages, seed=11)
    xs = x.astype(int)
    gaps = np.minimum(np.maximum(1, np.rint(t_x / np.maximum(xs, 1))), ages // np.maximum(xs, 1))
    gaps = np.where(xs > 0, gaps, 0).astype(int)
    end = date(2024, 9, 30)
    rows = ["customer,date"]
    for i, (age, k, gap) in enumerate(zip(ages, xs, gaps, strict=True)):
        first = end - timedelta(days=int(age))
        rows += [f"c{i},{first + timedelta(days=j * int(gap))}" for j in range(k + 1)]
    rows += [rows[1], "", "c0,2024-10-05"]
    got = json.loads(
        clv_fit(
            write(tmp_path, "\n".join(rows)), "--calibration-end", "2024-09-30", "--unit", "day"
        )
    )
    want = clv.BetaGeoFitter().fit(xs, xs * gaps, ages).params_
    assert got == {**{k: float(f"{v:.6g}") for k, v in want.items()}, "customers": 300}
    table = clv_fit(
        write(tmp_path, "\n".join(rows)),
        "--calibration-end",
        "2024-09-30",
        "--unit",
        "day",
        "--format",
        "table",
    )
    assert "customers" in table and "alpha" in table


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("client,date\nc1,2024-01-01\n", "no column 'customer'"),
        (
            "customer,date,amount\nc1,2024-13-01,5\nc1,2024-01-02,x\n,2024-01-03,1\n",
            "row 2, column 'date': '2024-13-01' is not a date (YYYY-MM-DD or YYYYMMDD); "
            "row 3, column 'amount': 'x' is not "
            "a number >= 0; row 4, column 'customer': empty",
        ),
        (
            "customer,date,amount\nc1,2024-01-01,-3\n",
            "row 2, column 'amount': '-3' is not a number >= 0",
        ),
        ("customer,date\n", "no transactions"),
        ("customer,date\nc1,2025-01-01\n", "after --calibration-end"),
        ("customer,date\nc1,2024-01-01\nc2,2024-01-02\n", "fewer than two customers bought again"),
    ],
)
def test_bad_rows_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    out = StringIO()
    with pytest.raises(CommandError) as err:
        call_command(
            "predict",
            "clv-fit",
            "--transactions",
            str(path),
            "--calibration-end",
            "2024-06-30",
            stdout=out,
        )
    assert err.value.returncode == 2
    assert message in str(err.value) and "tx.csv" in str(err.value)
    assert out.getvalue() == ""


def test_missing_file_and_bad_end(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        clv_fit(tmp_path / "none.csv", "--calibration-end", "2024-01-01")
    with pytest.raises(CommandError, match="--calibration-end: '2024-02-30' is not a date"):
        clv_fit(
            write(tmp_path, "customer,date\nc1,2024-01-01\n"), "--calibration-end", "2024-02-30"
        )
