"""``guanxi demo``: creates the shop, refuses to overwrite data without --force."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from guanxi.lake import Lake
from tests.factories import login


@pytest.mark.django_db
def test_demo_creates_refuses_then_replaces_with_force(lake: Lake) -> None:
    from guanxi.customers.models import Customer

    out = StringIO()
    call_command("demo", "--scale", "small", "--seed", "5", stdout=out)
    assert "chat_messages" in out.getvalue()
    assert "Demo shop ready in" in out.getvalue()
    assert Customer.objects.count() == 1500
    first_orders = lake.to_arrow("orders").column("customer_key").to_pylist()

    with pytest.raises(CommandError, match="--force"):
        call_command("demo", "--seed", "6", stdout=StringIO())
    assert lake.to_arrow("orders").column("customer_key").to_pylist() == first_orders

    out = StringIO()
    call_command("demo", "--seed", "6", "--force", stdout=out)
    assert "Deleting the existing shop data" in out.getvalue()
    assert Customer.objects.count() == 1500
    replaced = lake.to_arrow("orders").column("customer_key").to_pylist()
    assert replaced
    assert replaced != first_orders


@pytest.mark.django_db
def test_unknown_scale_is_refused_by_call_command() -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("demo", "--scale", "huge")


def test_unknown_scale_exits_with_code_2() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guanxi.settings"}
    done = subprocess.run(
        [sys.executable, "-m", "guanxi.cli", "demo", "--scale", "huge"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "invalid choice" in done.stderr
    assert "small" in done.stderr


@pytest.mark.django_db
def test_demo_ships_industry_averages_for_every_month_of_its_ratings(
    client: Client, make_user, lake: Lake
) -> None:
    from guanxi.store import selectors as store_selectors
    from guanxi.store.models import IndustryAverage

    out = StringIO()
    call_command("demo", "--scale", "small", "--seed", "5", stdout=out)
    first, last = store_selectors.earliest_dsr_month(), store_selectors.latest_dsr_month()
    assert (first, last) == ((2025, 1), (2025, 12))
    assert "industry_dsr" in out.getvalue()
    months = sorted({a.month for a in IndustryAverage.objects.all()})
    assert months == [dt.date(2025, m, 1) for m in range(1, 13)]
    assert IndustryAverage.objects.count() == 36

    login(client, make_user, "manager")
    shown = client.get("/api/store/dsr").json()  # the last six months
    assert [m["month"] for m in shown] == [f"2025-{m:02d}" for m in range(7, 13)]
    for month in shown:
        for key in ("description", "service", "logistics"):
            assert month[key]["industry"] is not None
            assert month[key]["trend"] in ("up", "down")
    latest = shown[-1]
    # ahead of the industry on one dimension, behind it on two (the demo's industry)
    assert sorted(latest[k]["below_industry"] for k in ("description", "service", "logistics")) == [
        False,
        True,
        True,
    ]
    page = client.get("/store/dsr/").content.decode()
    assert "还没有这些月份的行业均值" not in page
    stored = IndustryAverage.objects.get(month=dt.date(2025, 12, 1), dimension="service")
    assert f"{stored.value:.3f}" in page

    # the same seed, the same averages
    before = {(a.month, a.dimension): a.value for a in IndustryAverage.objects.all()}
    call_command("demo", "--scale", "small", "--seed", "5", "--force", stdout=StringIO())
    assert {(a.month, a.dimension): a.value for a in IndustryAverage.objects.all()} == before
