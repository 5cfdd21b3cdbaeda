"""The monthly report: page, PDF, CLI and API on the hand-made shop (June 2024)."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from guanxi.lake import Lake
from tests.factories import login, small_shop
from tests.metrics.test_units_and_series import shop  # noqa: F401 — the team shop
from tests.web.test_report_views import teams  # noqa: F401 — kf1, kf2 in 售前; kf3 in none

pytestmark = pytest.mark.django_db
JUNE = "?month=2024-06"


def _row(page: str, marker: str) -> str:
    start = page.index(marker)
    return page[start : page.index("</tr>", start)]


def test_manager_report_of_june_by_hand(client: Client, make_user, lake: Lake) -> None:
    small_shop(lake)
    login(client, make_user, "manager")
    page = client.get(f"/reports/monthly/{JUNE}").content.decode()
    assert "月度报告 2024-06" in page and "对比上月 2024-05" in page
    # PV 648 + 1045 + 1427 = 3120 against nothing in May
    pv = _row(page, 'data-metric="pv"')
    assert '<td class="num">3,120</td><td class="num">0</td>' in pv
    # paid in June: o5 999.00 (15th), o1 100.00, o2 50.50, o3 80.00 → 1229.50
    assert '<td class="num">¥1,229.50</td>' in _row(page, 'data-metric="paid_amount"')
    # Funnel: UV 400 + 553 + 610 = 1563; consulting c1, c2, c5, c6 (19th 00:00) = 4;
    # ordering c1–c4 = 4; paying c1, c2, c4 = 3 → 4/1563 = 0.26 %, 100 %, 75 %.
    assert '<td class="num">1,563</td>' in _row(page, 'data-step="uv"')
    consulting = _row(page, 'data-step="consulting_customers"')
    assert '<td class="num">4</td><td class="num">0.26%</td>' in consulting
    assert '<td class="num">3</td><td class="num">75.00%</td>' in _row(
        page, 'data-step="paying_customers"'
    )
    assert 'data-agent="kf1"' in page
    # Charts are inline SVG: two daily charts, the scores and the funnel (no DSR ratings).
    assert page.count("<svg") == 4 and "<script" not in page[page.index('id="monthly-report"') :]
    assert "本月没有店铺评分数据" in page


def test_agent_gets_only_their_own_figures(client: Client, make_user, lake: Lake) -> None:
    small_shop(lake)
    login(client, make_user, "agent", agent_id="kf1")
    page = client.get(f"/reports/monthly/{JUNE}").content.decode()
    assert "客服 kf1 的个人报告" in page and 'data-agent="kf1"' in page
    assert 'id="store"' not in page and 'id="funnel"' not in page and 'id="dsr"' not in page
    data = client.get("/api/reports/monthly?month=2024-06").json()
    assert data["agent"] == "kf1" and data["store"] is None and data["funnel"] is None
    assert [a["agent"] for a in data["agents"]] == ["kf1"]
    client.logout()
    login(client, make_user, "agent", username="other", agent_id="kf9")
    page = client.get(f"/reports/monthly/{JUNE}").content.decode()
    assert 'data-agent="kf1"' not in page and 'id="no-data"' in page
    client.logout()
    login(client, make_user, "marketing")  # shop figures, no agents
    page = client.get(f"/reports/monthly/{JUNE}").content.decode()
    assert 'id="store"' in page and 'data-agent="kf1"' not in page


def test_empty_month_and_bad_month(client: Client, make_user, lake: Lake) -> None:
    small_shop(lake)
    login(client, make_user, "manager")
    page = client.get("/reports/monthly/?month=2020-01").content.decode()
    assert 'id="no-data"' in page and 'id="store"' not in page and "<svg" not in page
    data = client.get("/api/reports/monthly?month=2020-01").json()
    assert data["has_data"] is False and data["store"]["has_data"] is False
    assert data["store"]["conversion_rate"] is None  # no visitors: no rate, not 0
    bad = client.get("/reports/monthly/?month=June").content.decode()
    assert "&#x27;June&#x27; is not a month like 2025-11" in bad
    assert 'data-month="2024-06"' in bad  # the latest month instead
    assert client.get("/api/reports/monthly?month=2024-13").status_code == 400


def test_monthly_api_agrees_with_the_page(client: Client, make_user, lake: Lake) -> None:
    small_shop(lake)
    login(client, make_user, "manager")
    data = client.get("/api/reports/monthly?month=2024-06").json()
    assert (data["month"], data["previous_month"], data["has_data"]) == (
        "2024-06",
        "2024-05",
        True,
    )
    assert data["store"]["pv"] == 3120 and data["store"]["paid_amount"] == "1229.50"
    assert data["store_previous"]["pv"] == 0
    assert [s["count"] for s in data["funnel"]["steps"]] == [1563, 4, 4, 3]
    assert [a["agent"] for a in data["agents"]] == ["kf1"]
    assert [s["agent"] for s in data["scores"]] == ["kf1"]
    assert len(data["dsr"]) == 6 and all(m["ratings"] == 0 for m in data["dsr"])


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_pdf_from_the_command_line_embeds_noto_cjk(lake: Lake, tmp_path: Path) -> None:
    small_shop(lake)
    html = tmp_path / "june.html"
    call_command(
        "report", "monthly", "--month", "2024-06", "--output", str(html), stdout=StringIO()
    )
    text = html.read_text(encoding="utf-8")
    assert "月度报告 2024-06" in text and "Noto Sans CJK SC" in text and "<script" not in text
    pdf = tmp_path / "june.pdf"
    out = StringIO()
    call_command(
        "report",
        "monthly",
        "--month",
        "2024-06",
        "--format",
        "pdf",
        "--output",
        str(pdf),
        stdout=out,
    )
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    assert 1 <= _pages(content) <= 4
    assert b"NotoSansCJKsc" in content  # the CJK font, embedded (subset) by Chromium
    if shutil.which("pdftotext"):
        extracted = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True
        ).stdout
        assert "月度报告 2024-06" in extracted and "店铺概况" in extracted
    with pytest.raises(CommandError, match="--month: 'May' is not a month"):
        call_command("report", "monthly", "--month", "May", "--output", str(pdf))


def test_pdf_download_and_a_clear_error_without_chromium(
    client: Client, make_user, lake: Lake, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    small_shop(lake)
    login(client, make_user, "manager")
    response = client.get(f"/reports/monthly/report.pdf{JUNE}")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and b"NotoSansCJKsc" in response.content
    assert 'filename="guanxi-monthly-2024-06.pdf"' in response["Content-Disposition"]
    monkeypatch.setenv("GUANXI_CHROMIUM", "/nonexistent/chromium")
    missing = client.get(f"/reports/monthly/report.pdf{JUNE}")
    assert missing.status_code == 503 and "Chromium is not installed" in missing.content.decode()
    with pytest.raises(CommandError, match="Chromium is not installed"):
        call_command(
            "report",
            "monthly",
            "--month",
            "2024-06",
            "--format",
            "pdf",
            "--output",
            str(tmp_path / "x.pdf"),
        )
    assert not (tmp_path / "x.pdf").exists()


def test_the_report_gives_each_teams_own_figures(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
    teams: None,  # noqa: F811
) -> None:
    """June 2024 on the team shop of tests/metrics/test_units_and_series.py: team 售前
    (kf1, kf2) served c1 on the 18th and c3 on the 24th → 2 received customers; its
    answered rounds took 30, 60, 20 and 10 s → (30 + 60 + 20 + 10) ÷ 4 = 30.0 s; it owned
    5 rounds and answered 4 → reply rate 80.00 %. 未分组 (kf3): c2, 120 s. (Consulting and
    received customers are the same here: every customer got an answer.)"""
    login(client, make_user, "manager")
    page = client.get(f"/reports/monthly/{JUNE}").content.decode()
    team = _row(page, 'data-unit="售前"')
    cells = re.findall(r'<td class="num">([^<]*)</td>', team)
    headers = re.findall(r'<th class="num">([^<]*)</th>', page[page.index("<h3>客服组</h3>") :])
    by_name = dict(zip(headers, cells, strict=False))
    assert (by_name["接待人数"], by_name["平均响应时间"], by_name["回复率"]) == (
        "2",
        "30.0",
        "80.00%",
    )
    alone = re.findall(r'<td class="num">([^<]*)</td>', _row(page, 'data-unit="*none"'))
    assert dict(zip(headers, alone, strict=False))["平均响应时间"] == "120.0"
    assert "<strong>未分组</strong>" in page

    data = client.get("/api/reports/monthly?month=2024-06").json()
    assert [(t["unit"], t["consulting_customers"], t["reply_rate"]) for t in data["teams"]] == [
        ("售前", 2, 0.8),
        ("*none", 1, 1.0),  # 未分组 last, as on the pages
    ]


def test_no_team_table_without_teams(client: Client, make_user, lake: Lake) -> None:
    small_shop(lake)
    login(client, make_user, "manager")
    page = client.get(f"/reports/monthly/{JUNE}").content.decode()
    assert "<h3>客服组</h3>" not in page
    assert client.get("/api/reports/monthly?month=2024-06").json()["teams"] == []
