"""``guanxi customers rfm|recompute|pin|unpin`` on the hand-made lake of ``rfm_shop``: the
output equals the hand computation (in its docstring), in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.customers.models import ClassPin, Customer
from guanxi.lake import Lake
from tests.customers import rfm_shop
from tests.customers.rfm_shop import AS_OF, key

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("customers", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def shop(lake: Lake) -> Lake:
    rfm_shop.build(lake, master=False)  # rfm reads the lake only: no master needed
    return lake


def test_json_is_the_hand_computation(shop: Lake) -> None:
    rows = json.loads(run("rfm", "--as-of", str(AS_OF), "--format", "json"))
    assert rows == rfm_shop.expected_json()
    assert rows[0] == {
        "customer_key": key(1),
        "recency_days": 0,  # paid 2025-06-30 23:30 Shanghai: the as-of day itself
        "frequency": 4,
        "monetary": "800.00",  # the 150 refund not deducted
        "r_score": 5,
        "f_score": 5,
        "m_score": 5,
        "group": "important_value",
    }


def test_csv_and_xlsx_carry_the_same_rows(shop: Lake, tmp_path: Path) -> None:
    text = run("rfm", "--as-of", "2025-06-30", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["customer_key"] for r in rows] == list(rfm_shop.EXPECTED)
    assert rows[3] == {
        "customer_key": key(4),
        "recency_days": "30",
        "frequency": "2",
        "monetary": "100.00",
        "r_score": "3",
        "f_score": "3",
        "m_score": "2",
        "group": "general_value",
    }
    target = tmp_path / "rfm.xlsx"
    said = run("rfm", "--as-of", "2025-06-30", "--format", "xlsx", "--output", str(target))
    assert "10 customers" in said
    sheet = openpyxl.load_workbook(target).active
    values = [tuple(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert values[9] == (key(10), 211, 1, 40, 1, 1, 1, "general_win_back")
    table = run("rfm", "--as-of", "2025-06-30")
    assert table.splitlines()[0] == "RFM at 2025-06-30: 10 customers"


def test_a_month_earlier_the_lake_gives_nine_customers(shop: Lake) -> None:
    text = run("rfm", "--as-of", "2025-05-30", "--format", "json")
    rows = {r["customer_key"]: r for r in json.loads(text)}
    assert len(rows) == 9 and key(3) not in rows
    # c05: paid 2025-03-15 → 16 + 30 + 30 = 76 days to 2025-05-30; scores 2 1 2
    c05 = rows[key(5)]
    assert (c05["recency_days"], c05["r_score"], c05["f_score"], c05["m_score"]) == (76, 2, 1, 2)
    assert rows[key(9)]["group"] == "important_keep"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("rfm", "--as-of", "2025-02-30"), "--as-of"),
        (("rfm", "--as-of", "yesterday"), "--as-of"),
        (("rfm", "--format", "pdf"), "--format: 'pdf' is not a format; give one of table"),
        (("rfm", "--format", "xlsx"), "--format xlsx needs --output"),
        (("recompute", "--as-of", "2025/06/30"), "--as-of"),
        (("pin", "c0000000000000099", "vip", "--reason", "x"), "KEY: no customer"),
    ],
)
def test_bad_options_are_named(shop: Lake, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert message in str(caught.value)


def test_recompute_then_pin_and_unpin(lake: Lake) -> None:
    rfm_shop.build(lake)
    out = run("recompute", "--as-of", "2025-06-30")
    assert "10 customers counted at 2025-06-30" in out and "… counting" in out
    assert "vip" in out
    customer = Customer.objects.get(customer_key=key(10))
    rule_class = customer.customer_class
    with pytest.raises(CommandError, match="CLASS: 'gold' is not a class"):
        run("pin", key(10), "gold", "--reason", "x")
    with pytest.raises(CommandError, match="--reason: say why"):
        run("pin", key(10), "vip", "--reason", "  ")
    assert run("pin", key(10), "vip", "--reason", "老板指定").strip() == f"{key(10)}: class vip"
    pin = ClassPin.objects.get(removed_at__isnull=True)
    assert pin.pinned_by.startswith("cli") and pin.reason == "老板指定"
    assert run("unpin", key(10)).strip() == f"{key(10)}: class {rule_class}"
