"""``guanxi privacy``: open a request, list it, export a customer, erase only with --yes."""

from __future__ import annotations

import getpass
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from guanxi.core.models import AuditEntry
from guanxi.customers.models import Customer
from guanxi.lake import Lake
from guanxi.privacy.models import PrivacyRequest
from tests.customers.helpers import KEY, MOBILE, NAME, customer
from tests.factories import orders_table

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()


def test_command_opens_exports_and_erases(lake: Lake, tmp_path: Path) -> None:
    customer()
    lake.write("orders", orders_table([("o1", KEY, "2024-06-17 10:00:00", None, "88.00")]))
    assert _run("open", MOBILE, "--kind", "erasure", "--received", "2025-06-03").startswith(
        "request #"
    )
    request = PrivacyRequest.objects.get()
    assert (
        _run("requests") == f"#{request.pk}\terasure\t{KEY}\treceived 2025-06-03\tdue 2025-06-24\n"
    )

    out = tmp_path / "copy.json"
    assert _run("export", NAME, "--out", str(out)) == f"{out}: 3 record(s)\n"
    assert json.loads(out.read_text("utf-8"))["master"]["mobile"] == MOBILE
    with pytest.raises(CommandError, match=r"end the name in \.json or \.xlsx"):
        _run("export", NAME, "--out", str(tmp_path / "copy.csv"))

    with pytest.raises(CommandError, match="cannot be undone; add --yes to confirm"):
        _run("erase", MOBILE)
    assert Customer.objects.count() == 1
    assert "unlinked 1 lake row(s)" in _run("erase", MOBILE, "--request", str(request.pk), "--yes")
    assert Customer.objects.count() == 0
    request.refresh_from_db()
    assert request.status == "done"
    entry = AuditEntry.objects.get(action="pipl_erase")
    assert entry.actor_username == f"cli:{getpass.getuser()}"
    with pytest.raises(CommandError, match=f"no customer matches '{MOBILE}'"):
        _run("export", MOBILE, "--out", str(out))
