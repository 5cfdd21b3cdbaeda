"""The import pages through Django's test client: upload, preview, run, result, history."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from guanxi.imports.models import ImportRun, RunStatus, SavedMapping
from guanxi.lake import Lake
from tests.factories import login
from tests.imports.exports import PAID, TAOBAO_HEADER, TWO_ORDERS, taobao_row

pytestmark = pytest.mark.django_db


def _gbk(rows: list[str]) -> bytes:
    return ("\n".join([TAOBAO_HEADER, *rows]) + "\n").encode("gbk")


def _upload(client: Client, data: bytes, name: str = "订单报表.csv", **extra: str) -> ImportRun:
    response = client.post(
        "/imports/",
        {"kind": "orders", "platform": "taobao", "file": SimpleUploadedFile(name, data), **extra},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ImportRun.objects.latest("pk")
    assert response["Location"] == f"/imports/{run.pk}/preview/"
    return run


def test_upload_preview_run_and_result(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user)
    run = _upload(client, _gbk(TWO_ORDERS))
    assert run.status == RunStatus.UPLOADED
    assert ".." not in run.stored_name and len(run.stored_name) == 32  # a generated name

    page = client.get(f"/imports/{run.pk}/preview/").content.decode()
    assert "gb18030" in page and "淘宝/天猫 订单报表" in page
    assert "tb_小王" in page  # the first rows are shown…
    assert "138****5678" in page and "13812345678" not in page  # …personal columns masked
    assert "110101199001011234" not in page  # …and dropped columns not at all
    assert 'value="订单编号" selected' in page  # the preset's choice, editable

    fields = {"base": "淘宝/天猫 订单报表", "save_as": "我的淘宝订单"}
    choices = {
        "order_id": "订单编号", "buyer": "买家会员名", "amount": "买家实际支付金额",
        "status": "订单状态", "created_at": "订单创建时间", "paid_at": "订单付款时间",
        "mobile": "联系手机", "name": "收货人姓名",
    }  # fmt: skip
    fields |= {f"col_{k}": v for k, v in choices.items()}
    response = client.post(f"/imports/{run.pk}/preview/", fields)
    assert response["Location"] == f"/imports/{run.pk}/"
    run.refresh_from_db()
    assert (run.status, run.added, run.customers_created) == (RunStatus.WRITTEN, 2, 2)
    assert lake.to_arrow("orders").num_rows == 2
    assert SavedMapping.objects.get().kind == "orders"
    result = client.get(f"/imports/{run.pk}/").content.decode()
    assert 'data-count="added">2<' in result
    progress = client.get(f"/imports/{run.pk}/progress.json").json()
    assert progress["done"] and progress["progress"] == 1.0
    history = client.get("/imports/history/").content.decode()
    assert "订单报表.csv" in history and "rollback" in history


def test_a_bad_file_shows_problems_and_a_report(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user)
    run = _upload(client, _gbk([taobao_row("1.23457E+18", "tb_x", "1", PAID, "01/02/2024")]))
    preview = client.get(f"/imports/{run.pk}/preview/").content.decode()
    assert "mapping-form" in preview
    client.post(
        f"/imports/{run.pk}/preview/",
        {"base": "淘宝/天猫 订单报表", "col_order_id": "订单编号", "col_status": "订单状态",
         "col_created_at": "订单创建时间", "col_amount": "买家实际支付金额"},
    )  # fmt: skip
    run.refresh_from_db()
    assert run.status == RunStatus.REJECTED and not lake.exists("orders")
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "科学计数法" in page and "report.csv" in page
    report = client.get(f"/imports/{run.pk}/report.csv")
    assert report.status_code == 200
    body = b"".join(report.streaming_content)  # type: ignore[attr-defined]
    assert body.startswith(b"\xef\xbb\xbf") and "日期有歧义".encode() in body
    # The report is written for its reader: in English for an English session.
    english = client.get(f"/imports/{run.pk}/report.csv", HTTP_ACCEPT_LANGUAGE="en")
    body = b"".join(english.streaming_content)  # type: ignore[attr-defined]
    assert body.decode("utf-8-sig").splitlines()[0] == "File,Row,Column,Value,Reason"
    assert b"ambiguous date" in body and "日期有歧义".encode() not in body


def test_required_columns_must_be_mapped(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user)
    run = _upload(client, _gbk(TWO_ORDERS))
    response = client.post(
        f"/imports/{run.pk}/preview/", {"base": "淘宝/天猫 订单报表", "col_order_id": "订单编号"}
    )
    assert response.status_code == 200
    assert "缺少必需的列" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.UPLOADED


def test_oversized_uploads_are_refused_before_reading(
    client: Client, make_user, lake: Lake
) -> None:
    login(client, make_user)
    with override_settings(GUANXI_MAX_UPLOAD_BYTES=1024):
        big = SimpleUploadedFile("big.csv", b"x" * (3 * 1024 * 1024))
        response = client.post("/imports/", {"kind": "orders", "platform": "taobao", "file": big})
    assert response.status_code == 413
    assert "上限为 0 MB" in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_agents_and_marketing_cannot_import(client: Client, make_user, lake: Lake) -> None:
    for role in ("agent", "marketing"):
        client.logout()
        login(client, make_user, role)
        assert client.get("/imports/").status_code == 403
        assert client.get("/imports/history/").status_code == 403


def test_uploads_live_outside_the_web_root(settings, client: Client, make_user, lake: Lake) -> None:
    login(client, make_user)
    run = _upload(client, _gbk(TWO_ORDERS), name="../../etc/passwd.csv")
    assert run.file_name == "passwd.csv"
    stored = Path(settings.GUANXI_IMPORT_DIR) / "uploads" / run.stored_name
    assert stored.exists()
    assert not str(stored).startswith(str(settings.STATIC_ROOT))


def _start(client: Client, run: ImportRun) -> None:
    columns = {"order_id": "订单编号", "status": "订单状态", "created_at": "订单创建时间",
               "amount": "买家实际支付金额", "paid_at": "订单付款时间"}  # fmt: skip
    fields = {"base": "淘宝/天猫 订单报表"} | {f"col_{k}": v for k, v in columns.items()}
    response = client.post(f"/imports/{run.pk}/preview/", fields)
    assert response["Location"] == f"/imports/{run.pk}/"


def test_a_rejected_upload_offers_to_import_only_its_good_rows(
    client: Client, make_user, lake: Lake
) -> None:
    login(client, make_user)
    negative = taobao_row("2407181234567890125", "tb_负", "-58.00", PAID, "2024-06-18 12:00:00")
    run = _upload(client, _gbk([TWO_ORDERS[1], negative]))
    _start(client, run)
    run.refresh_from_db()
    assert (run.status, run.rejected) == (RunStatus.REJECTED, 1)
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "--skip-bad" not in page  # a web user is offered a button, not a CLI flag
    assert "只导入正确的行，错误的行另存" in page and f"/imports/{run.pk}/skip-bad/" in page
    assert "实付金额 不能是负数" in page

    response = client.post(f"/imports/{run.pk}/skip-bad/")
    again = ImportRun.objects.latest("pk")
    assert again.pk != run.pk and response["Location"] == f"/imports/{again.pk}/"
    assert (again.status, again.skip_bad, again.added, again.rejected) == (
        RunStatus.WRITTEN,
        True,
        1,
        1,
    )
    assert again.stored_name == run.stored_name  # the same uploaded file
    assert again.mapping_name == "淘宝/天猫 订单报表"
    assert [o["order_id"] for o in lake.to_arrow("orders").to_pylist()] == ["2407181234567890124"]
    rejects = client.get(f"/imports/{again.pk}/rejects.csv")
    body = b"".join(rejects.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "-58.00" in body and "实付金额 不能是负数" in body
    # Done once: the written run offers no second re-run, and the old one no more either.
    assert "skip-bad" not in client.get(f"/imports/{again.pk}/").content.decode()
    assert client.post(f"/imports/{again.pk}/skip-bad/")["Location"] == f"/imports/{again.pk}/"
    assert ImportRun.objects.count() == 2


def test_undo_is_offered_only_where_it_is_allowed_and_refused_in_the_users_language(
    client: Client, make_user, lake: Lake
) -> None:
    login(client, make_user)
    runs = []
    for order_id in ("2407181234567890201", "2407181234567890202"):
        row = taobao_row(order_id, "tb_a", "10", PAID, "2024-06-18 10:00:00", "2024-06-18 10:01:00")
        run = _upload(client, _gbk([row]), name=f"{order_id}.csv")
        _start(client, run)
        runs.append(run)
    older, newer = runs
    history = client.get("/imports/history/").content.decode()
    assert f'action="/imports/{newer.pk}/rollback/"' in history
    assert f'action="/imports/{older.pk}/rollback/"' not in history
    assert (
        f'action="/imports/{older.pk}/rollback/"'
        not in client.get(f"/imports/{older.pk}/").content.decode()
    )

    # Asked anyway (an old tab), the refusal is in the user's language.
    response = client.post(f"/imports/{older.pk}/rollback/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert (
        f"Import #{older.pk} cannot be undone alone: later imports (#{newer.pk}) changed the "
        "same table orders; undo those first, newest first"
    ) in response.content.decode()
    older.refresh_from_db()
    assert older.status == RunStatus.WRITTEN and lake.to_arrow("orders").num_rows == 2
