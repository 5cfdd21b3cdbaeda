"""The RFM explorer on the hand-made shop of ``rfm_shop`` (its docstring has the arithmetic):
groups, shares, change since last month, the grid, the click-through, the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from guanxi.core.models import AuditEntry
from guanxi.customers import rfm, standing
from guanxi.customers.models import Customer
from guanxi.lake import Lake
from tests.customers import rfm_shop
from tests.customers.helpers import login
from tests.customers.rfm_shop import AS_OF, PREVIOUS, key

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(lake: Lake) -> Lake:
    rfm_shop.build(lake)
    standing.recompute(AS_OF)
    return lake


def test_rows_from_the_standing_and_from_the_lake_agree_with_the_hand_count(shop: Lake) -> None:
    expected = [
        rfm.RfmRow(k, r, f, Decimal(m), rs, fs, ms, g)
        for k, (r, f, m, rs, fs, ms, g) in rfm_shop.EXPECTED.items()
    ]
    assert rfm.standing_as_of() == AS_OF
    assert rfm.rows_at(AS_OF) == expected  # the standing's rows
    assert rfm.lake_rows(AS_OF) == expected  # counted again from the lake


def test_groups_shares_means_and_change_since_last_month(shop: Lake) -> None:
    ex = rfm.explorer()
    assert (ex.as_of, ex.previous_as_of, ex.from_standing) == (AS_OF, PREVIOUS, True)
    # M total: 800+600+1200+100+300+500+50+700+200+40 = 4,490
    assert (ex.customers, ex.revenue) == (10, Decimal("4490.00"))
    by = {g.key: g for g in ex.groups}
    assert [g.key for g in ex.groups][:1] == ["important_value"] and len(by) == 8
    counts = {k: g.customers for k, g in by.items()}
    assert counts == {
        "important_value": 4,  # c01 c02 c05 c06
        "important_develop": 1,  # c03
        "important_keep": 0,
        "important_win_back": 1,  # c08
        "general_value": 1,  # c04
        "general_develop": 0,
        "general_keep": 1,  # c09
        "general_win_back": 2,  # c07 c10
    }
    value = by["important_value"]
    # 4 of 10; revenue 800+600+300+500 = 2,200 of 4,490 = 0.48998 → 0.4900
    assert (value.share, value.revenue, value.revenue_share) == (
        Decimal("0.4000"),
        Decimal("2200.00"),
        Decimal("0.4900"),
    )
    # mean R (0+2+30+60)/4 = 23.0 days, F (4+3+2+3)/4 = 3.00, M 2200/4 = 550.00
    assert (value.mean_recency, value.mean_frequency, value.mean_monetary) == (
        Decimal("23.0"),
        Decimal("3.00"),
        Decimal("550.00"),
    )
    win_back = by["general_win_back"]
    # c07 and c10: R (90+211)/2 = 150.5, M (50+40)/2 = 45.00, 90/4490 = 0.020045 → 0.0200
    assert (win_back.mean_recency, win_back.mean_monetary, win_back.revenue_share) == (
        Decimal("150.5"),
        Decimal("45.00"),
        Decimal("0.0200"),
    )
    assert by["important_keep"].mean_monetary is None and by["important_keep"].share == 0
    # a month earlier (2025-05-30, nine customers; rfm_shop's docstring):
    previous = {k: g.previous_customers for k, g in by.items()}
    assert previous == {
        "important_value": 2,  # c01 c06
        "important_develop": 1,  # c02
        "important_keep": 1,  # c09
        "important_win_back": 1,  # c08
        "general_value": 0,
        "general_develop": 2,  # c04 c07
        "general_keep": 0,
        "general_win_back": 2,  # c05 c10
    }
    assert {k: g.change for k, g in by.items()} == {
        "important_value": 2,
        "important_develop": 0,
        "important_keep": -1,
        "important_win_back": 0,
        "general_value": 1,
        "general_develop": -2,
        "general_keep": 1,
        "general_win_back": 0,
    }


def test_the_grid_counts_and_averages_m_per_cell(shop: Lake) -> None:
    grid = rfm.explorer().grid
    assert [row[0].r_score for row in grid] == [5, 4, 3, 2, 1]
    cells = {(c.r_score, c.f_score): (c.customers, c.mean_monetary) for row in grid for c in row}
    assert len(cells) == 25
    filled = {cell: v for cell, v in cells.items() if v[0]}
    assert filled == {
        (5, 5): (1, Decimal("800.00")),  # c01
        (5, 4): (1, Decimal("600.00")),  # c02
        (4, 1): (1, Decimal("1200.00")),  # c03
        (3, 3): (2, Decimal("200.00")),  # c04 100 + c05 300 → 400 / 2
        (3, 4): (1, Decimal("500.00")),  # c06
        (2, 1): (2, Decimal("375.00")),  # c07 50 + c08 700 → 750 / 2
        (1, 3): (1, Decimal("200.00")),  # c09
        (1, 1): (1, Decimal("40.00")),  # c10
    }
    assert cells[(1, 5)] == (0, None)


def test_another_date_is_counted_from_the_lake(shop: Lake) -> None:
    ex = rfm.explorer(PREVIOUS)
    assert (ex.customers, ex.from_standing) == (9, False)
    # 400+200+50+150+500+50+700+200+40 = 2,290
    assert ex.revenue == Decimal("2290.00")
    # February has no 31st: a month before 31 March is 28 February
    assert rfm.month_before(dt.date(2025, 3, 31)) == dt.date(2025, 2, 28)


def test_the_page_shows_groups_rules_and_grid(client: Client, make_user, shop: Lake) -> None:
    login(client, make_user, "manager")
    page = client.get("/customers/rfm/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-group="important_value"' in html
    assert "R ≥ 3, F ≥ 3, M ≥ 3" in html and "R &lt; 3, F &lt; 3, M &lt; 3" in html
    groups = page.context["groups"]
    value = next(g for g in groups if g.key == "important_value")
    assert (value.customers, value.share, value.revenue_share, value.change) == (
        "4",
        "40.00%",
        "49.00%",
        "+2",
    )
    assert next(g for g in groups if g.key == "general_develop").change == "−2"
    assert "?rfm_group=important_value" in html and "?r_score=3&amp;f_score=3" in html
    bad = client.get("/customers/rfm/?as_of=2025-13-40")
    assert bad.status_code == 200 and "统计截至" in bad.content.decode()
    assert bad.context["explorer"].as_of == AS_OF  # the default, the error shown


def test_agents_are_refused_the_explorer(client: Client, make_user, shop: Lake) -> None:
    login(client, make_user, "agent", agent_id="kf1")
    assert client.get("/customers/rfm/").status_code == 403
    assert client.get("/customers/rfm/export.csv").status_code == 403


def test_clicking_a_group_or_a_cell_filters_the_customer_list(
    client: Client, make_user, shop: Lake
) -> None:
    login(client, make_user, "marketing")
    group = client.get("/customers/?rfm_group=important_value")
    keys = [r.customer_key for r in group.context["rows"]]
    assert keys == [key(1), key(2), key(5), key(6)]
    cell = client.get("/customers/?r_score=2&f_score=1")
    assert [r.customer_key for r in cell.context["rows"]] == [key(7), key(8)]
    html = cell.content.decode()
    assert "王七明" not in html and "王*" in html  # masked as the list always is
    entry = AuditEntry.objects.filter(action="search").latest("pk")
    assert entry.subject == "r_score=2; f_score=1" and entry.row_count == 2
    # the filter survives a search from the list's form
    kept = client.post("/customers/", {"q": "", "rfm_group": "general_win_back"})
    assert kept["Location"] == "/customers/?rfm_group=general_win_back"


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_exports_are_masked_for_marketing_and_audited(
    client: Client, make_user, shop: Lake
) -> None:
    login(client, make_user, "marketing")
    response = client.get(f"/customers/rfm/export.csv?as_of={AS_OF}&group=general_win_back")
    assert response.status_code == 200
    rows = _csv(response)
    assert rows[0][:4] == ["客户编号", "姓名", "手机", "R 距最近购买天数"]
    assert rows[1:] == [
        [key(7), "王**", "138****0007", "90", "1", "50.00", "2", "1", "1", "一般挽留"],
        [key(10), "王**", "138****0010", "211", "1", "40.00", "1", "1", "1", "一般挽留"],
    ]
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor_username == "marketing1" and entry.row_count == 2
    assert entry.subject == "rfm as_of=2025-06-30; group=general_win_back; masked"
    assert entry.fields.startswith("customer_key,name,mobile,recency_days")
    # marketing may not ask for plain text
    assert client.get("/customers/rfm/export.csv?unmasked=1").status_code == 403
    xlsx = client.get(f"/customers/rfm/export.xlsx?as_of={AS_OF}")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = [tuple(row) for row in sheet.iter_rows(min_row=3, max_row=12, values_only=True)]
    assert len(values) == 10 and values[0][:3] == (key(1), "王**", "138****0001")
    assert values[0][3:9] == (0, 4, 800, 5, 5, 5)
    plain = {c.mobile for c in Customer.objects.all()} | {c.name for c in Customer.objects.all()}
    text = repr(values)
    assert not any(p in text for p in plain)
    assert AuditEntry.objects.filter(action="export").count() == 2


def test_a_manager_may_export_plain_text_audited(client: Client, make_user, shop: Lake) -> None:
    login(client, make_user, "manager")
    rows = _csv(client.get("/customers/rfm/export.csv?group=important_develop&unmasked=1"))
    assert rows[1][:3] == [key(3), "王三明", "13800000003"]
    assert AuditEntry.objects.get(action="export").subject.endswith("unmasked")


def test_rules_saved_after_the_recompute_count_from_the_lake(shop: Lake) -> None:
    from guanxi.customers import rules as customer_rules

    customer_rules.rules_save("rfm_rules", {"high_score": 4}, user="boss")
    ex = rfm.explorer()
    assert (ex.as_of, ex.from_standing, ex.high_score) == (AS_OF, False, 4)
    counts = {g.key: g.customers for g in ex.groups}
    # high = score ≥ 4 (scores in rfm_shop's table): c01 555, c02 544 → important_value;
    # c03 415 → important_develop (R4 high, F1 low, M5 high); c08 214 → important_win_back;
    # c06 343 → general_keep (R3 low, F4 high, M3 low); the other five all low → win back
    assert counts["important_value"] == 2 and counts["general_keep"] == 1
    assert counts["important_develop"] == 1 and counts["important_win_back"] == 1
    assert counts["general_win_back"] == 5  # c04 c05 c07 c09 c10
