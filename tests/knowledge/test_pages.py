"""Knowledge pages and API: agents view and use but cannot edit; uses counted atomically;
XLSX import refuses bad rows naming row and column and writes nothing; export → import
round trip; the starter set is there."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from python_calamine import CalamineWorkbook

from guanxi.knowledge.models import Entry, Synonym
from tests.customers.helpers import login

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[object]]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return SimpleUploadedFile("kb.xlsx", buffer.getvalue())


def _message(response) -> str:
    return str(next(iter(response.context["messages"])))


def test_starter_content_is_loaded() -> None:
    assert Entry.objects.filter(kind="script", scene="催付").count() == 3
    assert Entry.objects.filter(kind="script", scene="议价").count() == 3
    assert Entry.objects.filter(question="七天无理由退货规则", kind="policy").exists()
    assert Synonym.objects.filter(words__contains="退换").exists()


def test_agent_views_and_uses_but_cannot_edit(client: Client, make_user) -> None:
    entry = Entry.objects.get(question="退货运费谁出？")
    login(client, make_user, "agent")
    page = client.get("/knowledge/", {"q": "退换 邮费"})
    assert page.status_code == 200
    assert page.context["hits"][0].id == entry.id  # 退换 ~ 退货, 邮费 ~ 运费
    assert b'href="/knowledge/new/"' not in page.content
    assert client.get("/knowledge/new/").status_code == 403
    assert client.post(f"/knowledge/{entry.id}/edit/", {"question": "x"}).status_code == 403
    assert client.post(f"/knowledge/{entry.id}/active/", {"active": "0"}).status_code == 403
    assert client.get("/knowledge/synonyms/").status_code == 403
    assert client.post("/knowledge/import/").status_code == 403
    body = {"kind": "qa", "question": "新问题", "answer": "新答案"}
    api = client.post("/api/knowledge/entries", json.dumps(body), content_type="application/json")
    assert api.status_code == 403
    # Two uses: F() increments, the JSON gives the new count.
    for expected in (1, 2):
        used = client.post(f"/knowledge/{entry.id}/use/", HTTP_ACCEPT="application/json")
        assert used.json() == {"id": entry.id, "uses": expected}
    assert client.post(f"/api/knowledge/entries/{entry.id}/use").json()["uses"] == 3
    entry.refresh_from_db()
    assert (entry.uses, entry.question) == (3, "退货运费谁出？")
    found = client.get("/api/knowledge/search", {"q": "退货运费"}).json()
    assert found["results"][0]["id"] == entry.id and found["results"][0]["uses"] == 3


def test_marketing_has_no_knowledge_base(client: Client, make_user) -> None:
    login(client, make_user, "marketing")
    assert client.get("/knowledge/").status_code == 403
    assert client.get("/api/knowledge/search", {"q": "退货"}).status_code == 403


def test_manager_creates_edits_and_deactivates(client: Client, make_user) -> None:
    login(client, make_user, "manager")
    new = {"kind": "script", "question": "催付：库存紧张", "answer": "亲，只剩几件了。"}
    assert client.post("/knowledge/new/", new).status_code == 302
    entry = Entry.objects.get(question="催付：库存紧张")
    duplicate = client.post("/knowledge/new/", new)
    assert duplicate.status_code == 422
    assert "同一类型下已有这个问题" in duplicate.context["form"].errors["question"][0]
    client.post(f"/knowledge/{entry.id}/edit/", {**new, "answer": "亲，仅剩 3 件。"})
    entry.refresh_from_db()
    assert entry.answer == "亲，仅剩 3 件。"
    client.post(f"/knowledge/{entry.id}/active/", {"active": "0"})
    entry.refresh_from_db()
    assert entry.active is False
    assert client.post(f"/knowledge/{entry.id}/use/").status_code == 404
    # The API: 422 naming the field, 201 with the entry, listed by scene.
    post = lambda body: client.post(  # noqa: E731
        "/api/knowledge/entries", json.dumps(body), content_type="application/json"
    )
    refused = post({"kind": "faq", "question": "", "answer": "x"}).json()
    assert sorted(e["field"] for e in refused["errors"]) == ["kind", "question"]
    made = post({"kind": "script", "question": "催付：最后一天", "answer": "今晚", "scene": "催付"})
    assert made.status_code == 201 and made.json()["uses"] == 0
    listed = client.get("/api/knowledge/entries", {"scene": "催付"}).json()
    assert listed["count"] == 4  # the starter set's three 催付 scripts and this one
    bad = client.post("/knowledge/synonyms/", {"groups": "快递、物流\n孤单"})
    assert bad.status_code == 422 and "第 2 行" in bad.context["error"]


def test_import_refuses_bad_rows_naming_row_and_column(client: Client, make_user) -> None:
    login(client, make_user, "manager")
    before = Entry.objects.count()
    upload = _xlsx(
        [
            ["类型", "问题", "答案", "场景", "关键词", "商品"],
            ["问答", "包邮吗？", "满 99 包邮。", "", "", ""],
            ["问答题", "能开发票吗？", "可以。", "", "", ""],
            ["快捷短语", "", "您好", "", "", ""],
            ["问答", "包邮吗？", "重复了", "", "", ""],
        ]
    )
    response = client.post("/knowledge/import/", {"file": upload}, follow=True)
    text = _message(response)
    assert "没有导入任何条目" in text
    assert "第 3 行，“类型”列：“问答题”不是类型" in text
    assert "第 4 行，“问题”列：不能为空" in text
    assert "第 5 行，“问题”列：与第 2 行重复" in text
    assert Entry.objects.count() == before  # the good row 2 was not written either
    broken = SimpleUploadedFile("kb.xlsx", b"not a workbook")
    response = client.post("/knowledge/import/", {"file": broken}, follow=True)
    assert "没有导入任何条目" in _message(response)
    assert Entry.objects.count() == before


def test_export_then_import_round_trips(client: Client, make_user) -> None:
    Entry.objects.all().delete()
    Entry.objects.create(kind="qa", question="包邮吗？", answer="满99包邮", keywords="包邮 邮费")
    Entry.objects.create(
        kind="product", question="=尺码", answer="-偏大一码", scene="", product_id="10086"
    )
    login(client, make_user, "manager")
    exported = client.get("/knowledge/export.xlsx")
    assert exported.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(exported.content)).get_sheet_by_index(0)
    cells = rows.to_python()
    assert cells[1][:6] == ["类型", "问题", "答案", "场景", "关键词", "商品"]
    # By kind code (product < qa); formula-looking text is a plain string cell, never a formula.
    assert cells[2][:3] == ["商品说明", "=尺码", "-偏大一码"]
    assert cells[3][:2] == ["问答", "包邮吗？"]
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(exported.content)).read(
        "xl/worksheets/sheet1.xml"
    )
    Entry.objects.filter(question="包邮吗？").update(answer="改过了")
    upload = SimpleUploadedFile("back.xlsx", exported.content)
    response = client.post("/knowledge/import/", {"file": upload}, follow=True)
    assert "新建 0 条，更新 2 条" in _message(response)
    fields = ("kind", "question", "answer", "keywords", "product_id")
    assert sorted(Entry.objects.values_list(*fields)) == [
        ("product", "=尺码", "-偏大一码", "", "10086"),
        ("qa", "包邮吗？", "满99包邮", "包邮 邮费", ""),
    ]
