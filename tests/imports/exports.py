"""Real-looking platform export files, written by the tests."""

from __future__ import annotations

from pathlib import Path

TAOBAO_HEADER = (
    "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家实际支付金额,订单状态,收货人姓名,"
    "收货地址,联系手机,订单创建时间,订单付款时间,宝贝标题,宝贝总数量,退款金额,确认收货时间,身份证号"
)
PAID = "买家已付款，等待卖家发货"


def taobao_row(
    order_id: str,
    buyer: str,
    amount: str,
    status: str,
    created: str,
    paid: str = "",
    *,
    name: str = "王小明",
    mobile: str = "13812345678",
    refund: str = "0",
    signed: str = "",
    address: str = "浙江省杭州市西湖区文三路1号",
) -> str:
    cells = [order_id, buyer, "someone@alipay", amount, amount, status, name, address, mobile,
             created, paid, "连衣裙", "1", refund, signed, "110101199001011234"]  # fmt: skip
    return ",".join(cells)


def write_taobao_orders(path: Path, rows: list[str], encoding: str = "gbk") -> Path:
    path.write_bytes(("\n".join([TAOBAO_HEADER, *rows]) + "\n").encode(encoding))
    return path


TWO_ORDERS = [
    taobao_row('="2407181234567890123"', "tb_小王", "12.50", PAID, "2024-06-18 10:00:00",
               "2024-06-18 10:01:00"),
    taobao_row("2407181234567890124", "tb_小李", "30", "交易成功", "2024/6/18 11:00",
               "2024/6/18 11:02", name="李四", mobile="'13912345678",
               signed="2024-06-22 09:00:00", address="上海市浦东新区世纪大道2号"),
]  # fmt: skip
