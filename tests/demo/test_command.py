"""``guanxi demo``: creates the shop, refuses to overwrite data without --force."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from guanxi.lake import Lake


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
