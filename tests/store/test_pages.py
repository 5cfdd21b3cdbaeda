"""The DSR and funnel pages, their XLSX exports, the agent XLSX export and their API."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from guanxi.lake import Lake
from guanxi.store.models import IndustryAverage
from tests.factories import login, small_shop
from tests.metrics.test_attribution import shop  # noqa: F401 — the hand-made shop fixture
from tests.metrics.test_dsr import _ratings

pytestmark = pytest.mark.django_db
FUNNEL_Q = "?start=2024-06-17&end=2024-06-18"


def _sheet(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return sheet


def test_funnel_page_by_hand(client: Client, make_user, lake: Lake) -> None:
    small_shop(lake)
    login(client, make_user, "manager")
    page = client.get(f"/store/funnel/{FUNNEL_Q}").content.decode()
    # 17th–18th: UV 1163; consulting c1, c2; ordering c1, c2, c3; paying c1, c2.
    # Step rates 2/1163 = 0.17 %, 3/2 = 150 %, 2/3 = 66.67 %.
    for step, count, rate in (
        ("uv", "1,163", "—"),
        ("consulting_customers", "2", "0.17%"),
        ("ordering_customers", "3", "150.00%"),
        ("paying_customers", "2", "66.67%"),
    ):
        assert (
            f'data-step="{step}"' in page
            and f'<td class="num" data-col="count">{count}</td>'
            f'<td class="num" data-col="step_rate">{rate}</td>'
            in page
        )
    # The previous two days (15th–16th): UV 400 (no traffic row on the 15th), c5 asked on
    # the 16th, c4 ordered and paid o5 at 23:59:59 on the 15th.
    assert '<td class="num" data-col="previous_count">400</td>' in page
    assert page.count('<td class="num" data-col="previous_count">1</td>') == 3
    assert 'id="funnel-chart"' in page


def test_funnel_empty_period_says_so_and_agents_are_refused(
    client: Client, make_user, lake: Lake
) -> None:
    small_shop(lake)
    login(client, make_user, "manager")
    page = client.get("/store/funnel/?start=2020-01-01&end=2020-01-31").content.decode()
    assert 'id="no-data"' in page and 'id="funnel-table"' not in page
    client.logout()
    login(client, make_user, "agent", agent_id="kf1")
    assert client.get("/store/funnel/").status_code == 403
    assert client.get("/store/dsr/").status_code == 403
    assert client.get("/api/store/funnel?start=2024-06-17&end=2024-06-18").status_code == 403


def test_funnel_xlsx_is_formatted_in_the_ui_language(client: Client, make_user, lake: Lake) -> None:
    small_shop(lake)
    login(client, make_user, "manager")
    response = client.get(f"/store/funnel/export.xlsx{FUNNEL_Q}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = _sheet(response.content)
    assert sheet.cell(1, 1).value == "店铺转化漏斗 2024-06-17 – 2024-06-18"
    assert sheet.cell(2, 1).value == "步骤"
    assert [sheet.cell(r, 1).value for r in range(3, 7)] == [
        "访客数",
        "咨询人数",
        "下单买家数",
        "支付买家数",
    ]
    assert [sheet.cell(r, 2).value for r in range(3, 7)] == [1163, 2, 3, 2]
    assert sheet.cell(3, 3).value is None  # no step before the first: blank, not 0
    assert sheet.cell(5, 3).value == 1.5 and sheet.cell(5, 3).number_format == "0.00%"
    assert sheet.cell(3, 2).number_format == "#,##0"
    assert sheet.cell(2, 1).font.bold and sheet.freeze_panes == "B3"
    assert sheet.column_dimensions["A"].width > 20
    english = _sheet(
        client.get(f"/store/funnel/export.xlsx{FUNNEL_Q}", HTTP_ACCEPT_LANGUAGE="en").content
    )
    assert english.cell(2, 1).value == "Step" and english.cell(3, 1).value == "Visitors (UV)"


def test_agents_xlsx_export_and_an_agent_gets_their_own_row(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
) -> None:
    login(client, make_user, "manager")
    q = "?start=2024-06-18&end=2024-06-18"
    page = client.get(f"/performance/agents/{q}").content.decode()
    assert 'id="agents-export"' in page
    sheet = _sheet(client.get(f"/performance/agents/export.xlsx{q}").content)
    assert sheet.cell(2, 1).value == "客服"
    assert [sheet.cell(r, 1).value for r in (3, 4)] == ["kf1", "kf2"]
    headers = [sheet.cell(2, c).value for c in range(1, sheet.max_column + 1)]
    sales = headers.index("销售额") + 1
    assert sheet.cell(4, sales).value == 100.0 and sheet.cell(4, sales).number_format == "¥#,##0.00"
    client.logout()
    login(client, make_user, "agent", agent_id="kf1")
    own = _sheet(client.get(f"/performance/agents/export.xlsx{q}").content)
    assert own.cell(3, 1).value == "kf1" and own.cell(4, 1).value is None


def test_dsr_page_industry_entry_flags_and_export(client: Client, make_user, lake: Lake) -> None:
    _ratings(lake)  # [004] table 1's December: 4.942 / 4.891 / 4.788
    login(client, make_user, "manager")
    page = client.get("/store/dsr/").content.decode()
    assert "还没有这些月份的行业均值" in page and 'id="industry-form"' in page
    response = client.post(
        "/store/dsr/",
        {"month": "2025-12", "description": "4.880", "service": "4.850", "logistics": "4.870"},
    )
    assert response.status_code == 302
    assert IndustryAverage.objects.count() == 3
    page = client.get("/store/dsr/").content.decode()
    december = page[page.index('data-month="2025-12"') :]
    december = december[: december.index("</tr>")]
    # description 4.942 vs 4.880 ↑ +0.062; service 4.891 vs 4.850 ↑ +0.041; logistics ↓ −0.082
    assert "4.942 <span" in december and "+0.062" in december
    assert "+0.041" in december
    assert 'class="num below" data-dimension="logistics">4.788 <span class="below">↓' in december
    assert "-0.082" in december
    flags = page[page.index('id="dsr-flags"') :]
    assert 'data-dimension="logistics"' in flags and "更换更好的快递公司" in flags
    assert 'data-dimension="service"' not in flags[: flags.index("</div>")]
    sheet = _sheet(client.get("/store/dsr/export.xlsx?months=6").content)
    assert sheet.cell(2, 1).value == "月份" and sheet.cell(8, 1).value == "2025-12"
    assert sheet.cell(2, 3).value == "宝贝与描述相符\n得分"
    assert [sheet.cell(8, c).value for c in (3, 4, 6)] == [4.942, 4.88, "↑"]
    assert sheet.cell(8, 5).value == pytest.approx(0.062)
    assert sheet.cell(8, 11).value == 4.788 and sheet.cell(8, 14).value == "↓"
    assert sheet.cell(8, 3).number_format == "0.000"
    notes = [sheet.cell(r, 1).value for r in range(10, 13)]
    assert any(n and n.startswith("物流服务低于行业") for n in notes)


def test_dsr_csv_upload_bad_file_and_who_may_edit(client: Client, make_user, lake: Lake) -> None:
    _ratings(lake)
    login(client, make_user, "manager")
    good = io.BytesIO(b"month,description,service,logistics\n2025-11,4.9,4.8,4.7\n")
    good.name = "industry.csv"
    response = client.post("/store/dsr/", {"file": good}, follow=True)
    assert "已保存 3 个行业均值" in response.content.decode()
    bad = io.BytesIO(b"month,description,service,logistics\n2025-12,4.9,6,4.8\n")
    bad.name = "bad.csv"
    response = client.post("/store/dsr/", {"file": bad}, follow=True)
    assert "bad.csv: row 2, column service: 6 is not between 1 and 5" in response.content.decode()
    assert IndustryAverage.objects.count() == 3  # nothing of the bad file was stored
    client.logout()
    login(client, make_user, "marketing")  # reads the shop's figures, edits nothing
    page = client.get("/store/dsr/").content.decode()
    assert 'id="dsr-table"' in page and 'id="industry-form"' not in page
    forbidden = client.post(
        "/store/dsr/",
        {"month": "2025-12", "description": "4", "service": "4", "logistics": "4"},
    )
    assert forbidden.status_code == 403 and IndustryAverage.objects.count() == 3


def test_dsr_page_on_an_empty_lake_says_so(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user, "manager")
    page = client.get("/store/dsr/").content.decode()
    assert 'id="no-data"' in page and 'id="dsr-table"' not in page


def test_funnel_and_dsr_api(client: Client, make_user, lake: Lake) -> None:
    small_shop(lake)
    _ratings(lake)
    login(client, make_user, "manager")
    data = client.get(f"/api/store/funnel{FUNNEL_Q}").json()
    assert (data["start"], data["end"], data["has_data"]) == ("2024-06-17", "2024-06-18", True)
    assert [(s["step"], s["count"], s["step_rate"]) for s in data["steps"]] == [
        ("uv", 1163, None),
        ("consulting_customers", 2, 0.0017),
        ("ordering_customers", 3, 1.5),
        ("paying_customers", 2, 0.6667),
    ]
    assert [s["count"] for s in data["previous"]["steps"]] == [400, 1, 1, 1]
    days = client.get("/api/store/dsr?months=1&window_days=61").json()
    months = client.get("/api/store/dsr?months=1&window=2").json()
    # 61 days ending 31 Dec start on 1 Nov: exactly November and December.
    assert days[0]["ratings"] == months[0]["ratings"]
    assert days[0]["logistics"]["score"] == months[0]["logistics"]["score"]
    schema = client.get("/api/openapi.json").json()
    assert "/api/store/funnel" in schema["paths"]
    assert "/api/reports/monthly" in schema["paths"]
