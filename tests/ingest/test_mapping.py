"""Mappings: presets load, resolve against real export headers, and bad mappings are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanxi.ingest import mapping
from guanxi.ingest.mapping import MappingError
from tests.messages import english

TAOBAO_HEADERS = [
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家实际支付金额", "订单状态",
    "收货人姓名", "收货地址", "联系手机", "订单创建时间", "订单付款时间", "宝贝标题",
    "宝贝总数量", "退款金额", "确认收货时间", "身份证号",
]  # fmt: skip


def test_every_preset_loads_and_names_its_kind() -> None:
    presets = mapping.presets()
    kinds = {m.kind.name for m in presets}
    assert kinds == {
        "orders", "order-items", "refunds", "chats", "ratings", "reviews", "traffic",
        "customers", "products",
    }  # fmt: skip
    for platform in ("taobao", "tmall", "jd", "pdd", "douyin", "generic"):
        assert mapping.preset_for("orders", platform), platform


def test_taobao_order_report_resolves_and_drops_personal_extras() -> None:
    resolved = mapping.best_preset("orders", "taobao", TAOBAO_HEADERS, "订单报表.csv")
    assert resolved.mapping.name == "淘宝/天猫 订单报表"
    assert resolved.header_of["amount"] == "买家实际支付金额"  # preferred over 应付货款
    assert resolved.header_of["mobile"] == "联系手机"
    assert set(resolved.dropped) == {"买家支付宝账号", "身份证号"}
    assert "宝贝标题" in resolved.ignored
    assert resolved.mapping.values["status"]["买家已付款，等待卖家发货"] == "paid"


def test_missing_required_columns_are_named_with_the_files_columns() -> None:
    with pytest.raises(MappingError) as caught:
        mapping.best_preset("orders", "taobao", ["订单编号", "买家会员名"], "x.csv")
    assert str(caught.value) == (
        "文件 x.csv 不像淘宝的订单文件：缺少列 订单创建时间、订单状态、买家实际支付金额。"
        "请检查所选的平台和数据类型（命令行的 --platform 和类型参数）；"
        "文件中的列是：订单编号、买家会员名"
    )
    assert english(caught.value) == (
        "The file x.csv does not look like Orders from Taobao: the columns 订单创建时间, 订单状态, "
        "买家实际支付金额 are missing. Check the platform and the kind of data you chose "
        "(--platform and the kind on the command line); "
        "the file's columns are: 订单编号, 买家会员名"
    )


def test_bad_mapping_files_are_rejected_with_the_reason(tmp_path: Path) -> None:
    cases = {
        'kind = "nonsense"': "unknown kind of data kind = nonsense",
        'kind = "orders"\n[columns]\nprice = "价格"': "price in [columns] is not a field of orders",
        'kind = "orders"\n[values.status]\n"成功" = "done"': "expected one of created",
        'kind = "orders"\n[values.amount]\n"x" = "y"': "only to fields with fixed values",
        "kind = ": "not valid TOML",
    }
    for text, reason in cases.items():
        path = tmp_path / "m.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(MappingError) as caught:
            mapping.load(path)
        assert english(caught.value).startswith("m.toml: ") and reason in english(caught.value)


def test_a_mapping_survives_toml_round_trip() -> None:
    preset = mapping.preset_for("orders", "taobao")[0]
    edited = mapping.with_columns(preset, {"order_id": "单号", "amount": '金额"元"'}, name="我的")
    again = mapping.loads(mapping.to_toml(edited), "saved")
    assert again == edited


def test_the_generic_format_uses_field_names_or_labels() -> None:
    headers = ["order_id", "买家账号", "rated_at", "描述相符", "service", "物流服务"]
    resolved = mapping.best_preset("ratings", "generic", headers, "dsr.csv")
    assert resolved.header_of == {
        "order_id": "order_id",
        "buyer": "买家账号",
        "rated_at": "rated_at",
        "description": "描述相符",
        "service": "service",
        "logistics": "物流服务",
    }


def test_a_file_of_another_platform_is_said_not_to_fit_and_what_it_looks_like() -> None:
    headers = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间"]
    with pytest.raises(MappingError) as caught:
        mapping.best_preset("orders", "jd", headers, "订单报表.csv")
    assert str(caught.value) == (
        "文件 订单报表.csv 不像京东的订单文件：缺少列 下单时间、应付金额。"
        "它看起来是「淘宝/天猫 订单报表」（数据类型 orders，平台 taobao、tmall）。"
        "请检查所选的平台和数据类型（命令行的 --platform 和类型参数）；"
        "文件中的列是：订单编号、买家会员名、买家实际支付金额、订单状态、订单创建时间"
    )
    assert english(caught.value).startswith(
        "The file 订单报表.csv does not look like Orders from JD: the columns 下单时间, 应付金额 "
        "are missing. It looks like “淘宝/天猫 订单报表” (kind orders, platform taobao, tmall). "
    )
