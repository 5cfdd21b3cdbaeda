"""`guanxi import` end to end on real files: idempotent, updating, rejecting, splitting PII."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.customers.models import Customer, PlatformIdentity
from guanxi.customers.services import mobile_index as services_mobile_index
from guanxi.customers.services import name_index as services_name_index
from guanxi.imports import services
from guanxi.imports.models import ImportRun, RunStatus
from guanxi.lake import Lake
from tests.imports.exports import PAID, TWO_ORDERS, taobao_row, write_taobao_orders

pytestmark = pytest.mark.django_db


def run_import(*args: str) -> tuple[int, dict[str, Any]]:
    out = StringIO()
    try:
        call_command("import", *args, "--format", "json", stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


def test_taobao_gbk_orders_import_once_then_change_nothing(tmp_path: Path, lake: Lake) -> None:
    path = write_taobao_orders(tmp_path / "订单报表.csv", TWO_ORDERS)
    code, summary = run_import("orders", str(path), "--platform", "taobao")
    assert code == 0
    assert (summary["added"], summary["updated"], summary["unchanged"], summary["rejected"]) == (
        2,
        0,
        0,
        0,
    )
    assert summary["files"][0]["encoding"] == "gb18030"
    assert summary["files"][0]["dropped_columns"] == ["买家支付宝账号", "身份证号"]
    orders = lake.to_arrow("orders").sort_by("order_id").to_pylist()
    assert [o["order_id"] for o in orders] == ["2407181234567890123", "2407181234567890124"]
    assert [o["status"] for o in orders] == ["paid", "signed"]
    assert str(orders[1]["amount"]) == "30.00"
    # Personal data went to the encrypted master, not the lake.
    assert Customer.objects.count() == 2
    wang = Customer.objects.get(customer_key=orders[0]["customer_key"])
    assert (wang.name, wang.mobile) == ("王小明", "13812345678")
    assert "13812345678" not in str(orders) and "王小明" not in str(orders)
    version = lake.version("orders")

    code, summary = run_import("orders", str(path), "--platform", "taobao")
    assert code == 0
    assert (summary["added"], summary["updated"], summary["unchanged"]) == (0, 0, 2)
    assert lake.version("orders") == version  # nothing written at all
    assert Customer.objects.count() == 2


def test_a_newer_export_updates_order_state(tmp_path: Path, lake: Lake) -> None:
    run_import("orders", str(write_taobao_orders(tmp_path / "a.csv", TWO_ORDERS)))
    refunded = taobao_row(
        "2407181234567890123",
        "tb_小王",
        "12.50",
        "交易关闭",
        "2024-06-18 10:00:00",
        "2024-06-18 10:01:00",
        refund="12.50",
    )
    code, summary = run_import(
        "orders", str(write_taobao_orders(tmp_path / "b.csv", [refunded, TWO_ORDERS[1]]))
    )
    assert code == 0
    assert (summary["added"], summary["updated"], summary["unchanged"]) == (0, 1, 1)
    statuses = {o["order_id"]: o["status"] for o in lake.to_arrow("orders").to_pylist()}
    assert statuses == {"2407181234567890123": "refunded", "2407181234567890124": "signed"}


def test_a_bad_row_rejects_the_whole_file_unless_skip_bad(tmp_path: Path, lake: Lake) -> None:
    bad = taobao_row("1.23457E+18", "tb_x", "1", PAID, "01/02/2024")
    path = write_taobao_orders(tmp_path / "bad.csv", [TWO_ORDERS[1], bad])
    code, summary = run_import("orders", str(path))
    assert code == 1
    assert summary["rejected"] == 1 and summary["added"] == 0
    assert {(e["row"], e["column"]) for e in summary["errors"]} == {
        (3, "订单编号"),
        (3, "订单创建时间"),
    }
    assert not lake.exists("orders") and Customer.objects.count() == 0
    run = ImportRun.objects.get()
    assert run.status == RunStatus.REJECTED
    assert summary["files"][0]["report"] == f"{path}-report.csv"  # beside the file, not in var/
    report = Path(f"{path}-report.csv").read_text(encoding="utf-8-sig")
    assert "科学计数法" in report and "日期有歧义" in report  # the CLI's language: zh-Hans

    code, summary = run_import("orders", str(path), "--skip-bad")
    assert code == 0
    assert (summary["added"], summary["rejected"]) == (1, 1)
    rejects = Path(summary["files"][0]["rejects"]).read_text(encoding="utf-8-sig")
    assert "1.23457E+18" in rejects and "订单编号: Excel" in rejects


def test_the_same_phone_on_another_platform_is_the_same_customer(
    tmp_path: Path, lake: Lake
) -> None:
    run_import("orders", str(write_taobao_orders(tmp_path / "tb.csv", TWO_ORDERS[:1])))
    jd = tmp_path / "jd.csv"
    jd.write_text(
        "订单号,下单帐号,应付金额,订单状态,下单时间,付款确认时间,客户姓名,联系电话,客户地址\n"
        "JD001,jd_wang,99.00,完成,2024-07-01 10:00:00,2024-07-01 10:05:00,王小明,"
        "１３８ １２３４ ５６７８,浙江省杭州市\n",
        encoding="utf-8-sig",
    )
    code, _summary = run_import("orders", str(jd), "--platform", "jd")
    assert code == 0
    assert Customer.objects.count() == 1
    keys = {o["customer_key"] for o in lake.to_arrow("orders").to_pylist()}
    assert len(keys) == 1
    assert PlatformIdentity.objects.filter(customer__customer_key=keys.pop()).count() == 2


def test_chat_text_is_masked_and_rollback_restores_the_lake(tmp_path: Path, lake: Lake) -> None:
    chats = tmp_path / "chats.csv"
    chats.write_text(
        "会话,客户,客服,发送方,时间,内容\n"
        "s1,tb_小王,,客户,2024-06-18 10:00:00,电话13812345678\n"
        "s1,tb_小王,小美,客服,2024-06-18 10:00:20,收到亲\n",
        encoding="utf-8",
    )
    code, _ = run_import("chats", str(chats), "--platform", "taobao")
    assert code == 0
    texts = [m["text"] for m in lake.to_arrow("chat_messages").to_pylist()]
    assert sorted(texts) == ["收到亲", "电话138****5678"]

    more = tmp_path / "more.csv"
    more.write_text(
        "会话,客户,客服,发送方,时间,内容\ns2,tb_小李,,客户,2024-06-19 10:00:00,在吗\n",
        encoding="utf-8",
    )
    run_import("chats", str(more))
    first, second = ImportRun.objects.order_by("pk")
    with pytest.raises(services.RollbackError, match=r"之后的导入（#\d+）改动了同一张表"):
        services.rollback(first)
    assert services.undoable([first, second]) == {second.pk}
    services.rollback(second)
    assert lake.to_arrow("chat_messages").num_rows == 2
    services.rollback(first)
    assert lake.to_arrow("chat_messages").num_rows == 0
    assert ImportRun.objects.filter(status=RunStatus.ROLLED_BACK).count() == 2


def test_millisecond_chat_times_survive_import_and_export(tmp_path: Path, lake: Lake) -> None:
    """A chat log with milliseconds keeps them: the 20.25 s reply stays 20.25 s, and the
    Taobao export writes the fraction back, so re-importing the export changes nothing."""
    chats = tmp_path / "chats.csv"
    chats.write_text(
        "会话,客户,客服,发送方,时间,内容\n"
        "s1,tb_小王,,客户,2024-06-18 10:00:00.500,在吗\n"
        "s1,tb_小王,小美,客服,2024-06-18 10:00:20.750,在的亲\n"
        "s1,tb_小王,小美,客服,2024-06-18 10:00:30,请问要哪款\n",
        encoding="utf-8",
    )
    assert run_import("chats", str(chats), "--platform", "taobao")[0] == 0
    sent = sorted(m["sent_at"] for m in lake.to_arrow("chat_messages").to_pylist())
    assert (sent[1] - sent[0]).total_seconds() == 20.25  # 10:00:20.750 − 10:00:00.500
    assert sent[2].microsecond == 0

    call_command("export", "taobao", "--to", str(tmp_path / "export"), stdout=StringIO())
    written = (tmp_path / "export" / "聊天记录.csv").read_text(encoding="gb18030")
    assert "2024-06-18 10:00:00.500000" in written and "2024-06-18 10:00:30," in written
    code, summary = run_import("chats", str(tmp_path / "export" / "聊天记录.csv"))
    assert code == 0 and (summary["added"], summary["unchanged"]) == (0, 3)


def test_usage_errors_exit_2(tmp_path: Path, lake: Lake) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('kind = "refunds"\n', encoding="utf-8")
    path = write_taobao_orders(tmp_path / "a.csv", TWO_ORDERS)
    for args in (
        ("orders", str(tmp_path / "missing.csv")),
        ("orders", str(path), "--mapping", str(mapping)),
        ("orders", str(path), "--mapping", str(tmp_path / "none.toml")),
    ):
        with pytest.raises(CommandError) as caught:
            call_command("import", *args)
        assert caught.value.returncode == 2, args


def test_customer_files_fill_the_master_and_reject_bad_contacts(tmp_path: Path, lake: Lake) -> None:
    run_import("orders", str(write_taobao_orders(tmp_path / "o.csv", TWO_ORDERS[:1])))
    path = tmp_path / "会员.csv"
    path.write_text(
        "买家会员名,姓名,性别,生日,手机,邮箱,地址,标签\n"
        "tb_小王,王小明,男,1990/5/1,13812345678,WANG@Example.com,,老客户、大促敏感\n"
        "tb_新人,赵六,女,1995-12-31,＋86 139-0000-1111,,广东省广州市天河区体育西路3号,\n",
        encoding="utf-8-sig",
    )
    code, summary = run_import("customers", str(path))
    assert code == 0
    assert (summary["added"], summary["updated"]) == (1, 1)
    wang = Customer.objects.get(mobile_index=services_mobile_index("13812345678"))
    assert (wang.gender, wang.birth_date, wang.email) == ("male", "1990-05-01", "wang@example.com")
    assert wang.address == "浙江省杭州市西湖区文三路1号"  # kept: imports never overwrite
    assert sorted(wang.tags.values_list("name", flat=True)) == ["大促敏感", "老客户"]
    zhao = Customer.objects.get(name_index=services_name_index("赵六"))
    assert (zhao.mobile, zhao.province, zhao.city) == ("13900001111", "广东省", "广州市")

    bad = tmp_path / "bad.csv"
    bad.write_text("买家会员名,手机,邮箱\ntb_x,0571-8888888,not-an-email\n", encoding="utf-8")
    code, summary = run_import("customers", str(bad))
    assert code == 1
    reasons = {e["column"]: e["reason"] for e in summary["errors"]}
    assert set(reasons) == {"手机", "邮箱"}
    assert reasons["手机"] == "不是中国大陆手机号：应为 13–19 开头的 11 位数字，如 13812345678"
    assert "name@example.com" in reasons["邮箱"]


def test_a_customer_file_revealing_duplicates_merges_them(tmp_path: Path, lake: Lake) -> None:
    rows = [
        taobao_row(
            "1001", "tb_a", "10", PAID, "2024-06-18 10:00:00", "2024-06-18 10:01:00", mobile=""
        ),
        taobao_row(
            "1002",
            "tb_b",
            "20",
            PAID,
            "2024-06-18 11:00:00",
            "2024-06-18 11:01:00",
            mobile="13700000001",
            name="李四",
        ),
    ]
    run_import("orders", str(write_taobao_orders(tmp_path / "o.csv", rows)))
    assert len({o["customer_key"] for o in lake.to_arrow("orders").to_pylist()}) == 2
    people = tmp_path / "people.csv"
    people.write_text("买家会员名,手机\ntb_a,13700000001\n", encoding="utf-8")
    code, summary = run_import("customers", str(people))
    assert code == 0 and summary["updated"] == 1
    # tb_a's record now has tb_b's phone: one person, merged, facts re-keyed to one customer.
    assert len({o["customer_key"] for o in lake.to_arrow("orders").to_pylist()}) == 1
    assert Customer.objects.filter(merged_into__isnull=True).count() == 1
    orders_run = ImportRun.objects.filter(kind="orders").get()
    assert services.undoable([orders_run]) == set()
    with pytest.raises(services.RollbackError, match="之后表 orders 又有改动"):
        services.rollback(orders_run)


def test_an_order_twice_in_one_file_keeps_its_last_row(tmp_path: Path, lake: Lake) -> None:
    rows = [
        taobao_row("1001", "tb_a", "10", PAID, "2024-06-18 10:00:00", "2024-06-18 10:01:00"),
        taobao_row(
            "1001",
            "tb_a",
            "10",
            "交易成功",
            "2024-06-18 10:00:00",
            "2024-06-18 10:01:00",
            signed="2024-06-20 10:00:00",
        ),
    ]
    code, summary = run_import("orders", str(write_taobao_orders(tmp_path / "o.csv", rows)))
    assert code == 0 and summary["added"] == 1
    assert [o["status"] for o in lake.to_arrow("orders").to_pylist()] == ["signed"]


def run_table(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("import", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue()


def test_skip_bad_never_writes_a_negative_payment(tmp_path: Path, lake: Lake) -> None:
    """Issue 12 item 9: −58.00 was imported by --skip-bad as a valid order."""
    negative = taobao_row("2407181234567890125", "tb_负", "-58.00", PAID, "2024-06-18 12:00:00")
    path = write_taobao_orders(tmp_path / "订单报表.csv", [TWO_ORDERS[1], negative])
    code, summary = run_import("orders", str(path), "--skip-bad")
    assert code == 0
    assert (summary["added"], summary["rejected"]) == (1, 1)
    assert [o["order_id"] for o in lake.to_arrow("orders").to_pylist()] == ["2407181234567890124"]
    assert [(e["row"], e["column"], e["value"], e["reason"]) for e in summary["errors"]] == [
        (3, "买家实际支付金额", "-58.00", "实付金额 不能是负数"),
    ]


def test_a_chat_file_that_is_not_one_gets_a_file_level_error_in_words(
    tmp_path: Path, lake: Lake
) -> None:
    broken = tmp_path / "聊天记录.csv"
    broken.write_text("hello world\nthis is broken\n", encoding="utf-8")
    code, out = run_table("chats", str(broken))
    assert code == 1
    assert "row None" not in out and "None = None" not in out and "第 None 行" not in out
    assert (
        "文件 聊天记录.csv 不像淘宝的聊天记录文件：缺少列 发送方、时间。"
        "请检查所选的平台和数据类型（命令行的 --platform 和类型参数）；文件中的列是：hello world"
    ) in out
    code, summary = run_import("chats", str(broken), "--language", "en")
    assert summary["errors"] == [
        {
            "file": "聊天记录.csv",
            "row": None,
            "column": None,
            "value": None,
            "reason": "The file 聊天记录.csv does not look like Chats from Taobao: the "
            "columns 发送方, 时间 are missing. Check the platform and the kind of data you chose "
            "(--platform and the kind on the command line); the file's columns are: hello world",
        }
    ]


def test_the_cli_speaks_the_language_asked_for(tmp_path: Path, lake: Lake) -> None:
    bad = taobao_row("2407181234567890125", "tb_负", "-58.00", PAID, "2024-06-18 12:00:00")
    path = write_taobao_orders(tmp_path / "a.csv", [TWO_ORDERS[1], bad])
    code, out = run_table("orders", str(path))
    assert code == 1
    assert "a.csv：1 行有问题（共 2 行，1 处问题），什么都没有写入。" in out
    assert "  a.csv 第 3 行，买家实际支付金额 = '-58.00'：实付金额 不能是负数" in out
    assert "只写入正确的行、错误的行另存：加 --skip-bad 再运行一次。" in out
    code, out = run_table("orders", str(path), "--language", "en")
    assert code == 1
    assert "a.csv: 1 rows have problems (of 2 rows; 1 problems in all); nothing was written." in out
    assert "  a.csv row 3, 买家实际支付金额 = '-58.00': amount paid cannot be negative" in out
    assert "To write the good rows and keep the bad ones aside, run again with --skip-bad." in out
    report = Path(f"{path}-report.csv").read_text(encoding="utf-8-sig")
    assert report.splitlines() == [
        "File,Row,Column,Value,Reason",
        "a.csv,3,买家实际支付金额,-58.00,amount paid cannot be negative",
    ]


def test_chat_text_is_masked_against_what_the_master_knows(tmp_path: Path, lake: Lake) -> None:
    """Issue 13: the customer's own name, account and street are masked before storage, as
    well as phones in spellings the old pattern missed (+86 without a space, dots)."""
    people = tmp_path / "会员.csv"
    people.write_text(
        "买家会员名,姓名,手机,地址\n"
        "tb_ouyang88,欧阳娜娜,13987654321,浙江省杭州市西湖区文三路 88 号 3 单元\n",
        encoding="utf-8",
    )
    assert run_import("customers", str(people), "--platform", "taobao")[0] == 0
    chats = tmp_path / "chats.csv"
    chats.write_text(
        "会话,客户,客服,发送方,时间,内容\n"
        "s1,tb_ouyang88,,客户,2024-06-18 10:00:00,我是欧 阳 娜 娜，+8613987654321\n"
        "s1,tb_ouyang88,,客户,2024-06-18 10:00:05,寄到杭州市西湖区文三路88号3单元\n"
        "s1,tb_ouyang88,小美,客服,2024-06-18 10:00:20,"
        "好的，TB_OUYANG88 的订单 3312345678901234567\n"
        "s1,tb_ouyang88,,客户,2024-06-18 10:00:40,备用 139.8765.4321，¥139.00\n",
        encoding="utf-8",
    )
    assert run_import("chats", str(chats), "--platform", "taobao")[0] == 0
    rows = sorted(lake.to_arrow("chat_messages").to_pylist(), key=lambda r: r["sent_at"])
    assert [r["text"] for r in rows] == [
        "我是欧阳**，+86139****4321",
        "寄到杭州市****",
        "好的，t***8 的订单 3312345678901234567",
        "备用 139****4321，¥139.00",
    ]
    # The same file again adds nothing: ids are computed from the text as written.
    code, summary = run_import("chats", str(chats), "--platform", "taobao")
    assert (code, summary["added"]) == (0, 0)
