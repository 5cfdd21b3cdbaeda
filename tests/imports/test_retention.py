"""Plaintext personal information is kept only while an import needs it (issue 13 item 3)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from guanxi.imports import retention, services
from guanxi.imports.models import ImportRun, RunStatus
from guanxi.lake import Lake
from tests.factories import login
from tests.imports.exports import PAID, TAOBAO_HEADER, TWO_ORDERS, taobao_row, write_taobao_orders
from tests.imports.test_import import run_import

pytestmark = pytest.mark.django_db

PLANTED = ("植入姓名甲", "13987654321", "植入省植入市植入路88号", "tb_植入买家")


def _planted_rows() -> list[str]:
    name, mobile, address, buyer = PLANTED
    good = taobao_row(
        "2407189999999990001", buyer, "30.00", PAID, "2024-06-18 10:00:00",
        "2024-06-18 10:01:00", name=name, mobile=mobile, address=address,
    )  # fmt: skip
    bad = taobao_row(
        "2407189999999990002", buyer + "乙", "-1.00", PAID, "2024-06-18 11:00:00",
        name=name + "乙", mobile="13987654322", address=address + "乙",
    )  # fmt: skip
    return [good, bad]


def _found(root: Path) -> dict[str, list[str]]:
    """Planted values in any file under ``root``: its bytes (UTF-8 or GBK), and for Parquet
    files (compressed) their values too."""
    hits: dict[str, list[str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        texts = [data]
        if data[:4] == b"PAR1":
            texts.append(json.dumps(pq.read_table(path).to_pylist(), default=str).encode())
        for value in PLANTED:
            needles = (value.encode(), value.encode("gbk"))
            if any(n in t for n in needles for t in texts):
                hits.setdefault(str(path.relative_to(root)), []).append(value)
    return hits


def test_no_planted_personal_value_is_left_under_var(
    settings, tmp_path: Path, client: Client, make_user
) -> None:
    var = tmp_path / "var"
    settings.GUANXI_IMPORT_DIR = str(var / "imports")
    shop = Lake(var / "lake")
    from guanxi import lake as lake_module

    lake_module._default = shop
    (tmp_path / "in").mkdir()
    source = write_taobao_orders(tmp_path / "in" / "订单.csv", _planted_rows())
    assert run_import("orders", str(source))[0] == 1  # rejected: one bad row
    assert run_import("orders", str(source), "--skip-bad")[0] == 0  # the good row written
    login(client, make_user)
    upload = ("\n".join([TAOBAO_HEADER, *_planted_rows()]) + "\n").encode("gbk")
    client.post(
        "/imports/",
        {"kind": "orders", "platform": "taobao", "file": SimpleUploadedFile("o.csv", upload)},
    )
    rejected_upload = ImportRun.objects.latest("pk")
    columns = {
        "order_id": "订单编号", "buyer": "买家会员名", "amount": "买家实际支付金额",
        "status": "订单状态", "created_at": "订单创建时间", "paid_at": "订单付款时间",
        "mobile": "联系手机", "name": "收货人姓名", "address": "收货地址",
    }  # fmt: skip
    fields = {"base": "淘宝/天猫 订单报表"} | {f"col_{k}": v for k, v in columns.items()}
    client.post(f"/imports/{rejected_upload.pk}/preview/", fields)
    rejected_upload.refresh_from_db()
    assert rejected_upload.status == RunStatus.REJECTED
    # The web still shows the report and the rejected rows (decrypted as they are read)…
    rejects = client.get(f"/imports/{rejected_upload.pk}/rejects.csv")
    body = b"".join(rejects.streaming_content)  # type: ignore[attr-defined]
    assert "植入姓名甲乙" in body.decode("utf-8-sig")
    assert shop.to_arrow("orders").num_rows == 1
    # …while var/ holds no plaintext but the rejected upload, kept for "import only the good
    # rows" until the retention period ends.
    upload_file = f"imports/uploads/{rejected_upload.stored_name}"
    assert _found(var) == {upload_file: list(PLANTED)}
    retention.purge_expired(now=timezone.now() + dt.timedelta(days=8))
    assert _found(var) == {}
    # The CLI's own reports went beside the imported file.
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == [
        "订单.csv", "订单.csv-rejects.csv", "订单.csv-report.csv",
    ]  # fmt: skip


def test_expired_runs_lose_their_files_and_their_undo(settings, tmp_path: Path, lake: Lake) -> None:
    settings.GUANXI_IMPORT_RETENTION_DAYS = 3
    path = write_taobao_orders(tmp_path / "a.csv", TWO_ORDERS)
    assert run_import("orders", str(path))[0] == 0
    written = ImportRun.objects.get()
    assert services.undoable([written]) == {written.pk}
    folder = services.workdir(written)
    assert sorted(p.name for p in folder.iterdir()) == [
        "alive.lock", "problems.parquet.enc", "rejects.parquet.enc",
    ]  # fmt: skip

    unconfirmed = ImportRun.objects.create(
        kind="orders", platform="taobao", file_name="x.csv", stored_name="f" * 32,
        status=RunStatus.UPLOADED,
    )  # fmt: skip
    stored = Path(settings.GUANXI_IMPORT_DIR) / "uploads" / unconfirmed.stored_name
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"an upload nobody confirmed")

    two_days = retention.purge_expired(now=timezone.now() + dt.timedelta(days=2))
    assert (two_days.run_folders, two_days.uploads, two_days.refused_uploads) == (0, 0, 0)
    assert folder.exists() and stored.exists()

    later = timezone.now() + dt.timedelta(days=3, minutes=1)
    three_days_ago = timezone.now() - dt.timedelta(days=3, minutes=1)
    ImportRun.objects.filter(pk=written.pk).update(finished_at=three_days_ago)
    ImportRun.objects.filter(pk=unconfirmed.pk).update(started_at=later - dt.timedelta(days=4))
    purged = retention.purge_expired(now=later)
    assert (purged.run_folders, purged.refused_uploads) == (1, 1)
    assert not folder.exists() and not stored.exists()
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == RunStatus.REJECTED
    assert services.error_text(unconfirmed) == "上传后 3 天内没有确认导入；上传的文件已删除"
    assert services.undoable([written]) == set()
    with pytest.raises(services.RollbackError, match="已超过 3 天的撤销期"):
        services.rollback(written)
    assert lake.to_arrow("orders").num_rows == 2  # nothing undone


def test_free_text_has_no_statistics_and_vacuum_forgets_old_versions(tmp_path: Path) -> None:
    shop = Lake(tmp_path / "lake")
    message = {
        "platform": "taobao", "message_id": "m1", "session_id": "s1", "customer_key": "c1",
        "agent_id": "kf01", "sender": "customer",
        "sent_at": dt.datetime(2024, 6, 18, tzinfo=dt.UTC), "text": "我住植入路88号",
    }  # fmt: skip
    shop.write("chat_messages", pa.Table.from_pylist([message]))
    shop.write("chat_messages", pa.Table.from_pylist([{**message, "text": "改了"}]))
    log = "\n".join(
        p.read_text() for p in sorted((tmp_path / "lake/chat_messages/_delta_log").glob("*.json"))
    )
    stats = [json.loads(json.loads(line)["add"]["stats"]) for line in log.splitlines()
             if '"add"' in line]  # fmt: skip
    assert len(stats) == 2
    assert all("text" not in s["minValues"] and "text" not in s["maxValues"] for s in stats)
    assert all(s["minValues"]["session_id"] == "s1" for s in stats)

    deleted = shop.vacuum("chat_messages", keep_hours=0)
    assert len(deleted) == 1  # the first version's file
    assert shop.to_arrow("chat_messages").column("text").to_pylist() == ["改了"]
    with pytest.raises(Exception):  # noqa: B017, PT011 — delta-rs raises its own error types
        DeltaTable(str(tmp_path / "lake/chat_messages"), version=0).to_pyarrow_table()
