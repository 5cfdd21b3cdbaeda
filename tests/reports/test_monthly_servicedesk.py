"""The monthly report's service-desk section (June 2025): open tickets, SLA attainment,
reopen rate, complaints per 1,000 orders, top categories and CSAT, over the tickets the
reader may see. The tickets and the four June orders: ``tests.servicedesk.test_reports_pages``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import login
from tests.servicedesk.test_reports_pages import desk  # noqa: F401 — tickets and orders

pytestmark = pytest.mark.django_db
JUNE = "?month=2025-06"


def _section(page: str) -> str:
    start = page.index('<section id="servicedesk">')
    return page[start : page.index("</section>", start)]


def _row(section: str, table: str, first: str) -> list[str]:
    body = section[section.index(f'id="desk-{table}"') :]
    body = body[: body.index("</table>")]
    for row in body.split("<tr>")[1:]:
        cells = [c.split(">", 1)[1].split("</td>")[0] for c in row.split("<td")[1:]]
        if cells and cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in {table}")


def test_manager_month_by_hand(client: Client, make_user, desk) -> None:  # noqa: F811
    login(client, make_user, "manager")
    section = _section(client.get(f"/reports/monthly/{JUNE}").content.decode())
    # created in June: t1, t2, t3; resolved: t1, t3
    assert "本月受理 3 张工单，解决 2 张" in section
    # complaints t1, t2 × 1000 ÷ 4 June orders = 500.00 ‰; reopened t1 of resolved t1, t3
    assert _row(section, "rates", "每千单投诉率")[1:4] == ["2", "4", "500.00‰"]
    assert _row(section, "rates", "重开率")[1:4] == ["1", "2", "50.00%"]
    # open at the month's end: t2 (ordinary, > 7 days, first response late)
    assert _row(section, "open", "全部级别")[5:] == ["1", "1", "1"]  # > 7 d, total, late
    # SLA attainment: first response t1, t3 within of t1, t2, t3 → 66.67 %; resolution 1/2
    assert _row(section, "first_response", "全部级别")[-1] == "66.67%"
    assert _row(section, "resolution", "全部级别")[-1] == "50.00%"
    assert _row(section, "categories", "商品")[1:3] == ["P1", "1"]
    # CSAT 5 and 2 → 3.50, one of two 4–5
    assert _row(section, "csat_tier", "全部级别")[1:] == ["2", "3.50", "50.00%"]


def test_an_agent_reads_their_queue_and_marketing_no_desk(
    client: Client,
    make_user,
    desk,  # noqa: F811
) -> None:
    login(client, make_user, "agent", agent_id="kf2")
    section = _section(client.get(f"/reports/monthly/{JUNE}").content.decode())
    # kf2 (team B) has t2 only: one complaint → 250.00 ‰, nothing resolved
    assert _row(section, "rates", "每千单投诉率")[1:4] == ["1", "4", "250.00‰"]
    assert _row(section, "rates", "重开率")[1:4] == ["0", "0", "—"]
    data = client.get("/api/reports/monthly?month=2025-06").json()
    assert data["servicedesk"]["created"] == 1
    client.logout()
    login(client, make_user, "marketing")
    page = client.get(f"/reports/monthly/{JUNE}").content.decode()
    assert 'id="servicedesk"' not in page  # (the API: the same ``desk_scope``)


def test_the_command_line_report_covers_every_ticket(desk, tmp_path: Path) -> None:  # noqa: F811
    output = tmp_path / "june.html"
    call_command(
        "report", "monthly", "--month", "2025-06", "--output", str(output), stdout=StringIO()
    )
    section = _section(output.read_text(encoding="utf-8"))
    assert _row(section, "rates", "每千单投诉率")[1:4] == ["2", "4", "500.00‰"]
