"""Writing the shop back out in the platforms' export formats (Taobao/Tmall for now).

Used to move a shop between installations and to prove the importer: the demo shop,
exported here and imported into an empty Guanxi, gives the same store figures. Files are
GB18030 CSV like the platform's own downloads; times are the shop's local times.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings

from guanxi import lake
from guanxi.core.audit import audit_record, command_line_actor
from guanxi.core.models import AuditAction
from guanxi.customers.models import Customer
from guanxi.web.exports.safe import ExcelText, csv_writer

ORDER_STATUS = {
    "created": "等待买家付款",
    "paid": "买家已付款，等待卖家发货",
    "shipped": "卖家已发货，等待买家确认",
    "signed": "交易成功",
    "closed": "交易关闭",
    "refunded": "交易关闭",  # with 退款金额: the importer reads it back as refunded
}
REFUND_KIND = {"refund_only": "仅退款", "return_refund": "退货退款", "exchange": "换货"}
REFUND_STATUS = {"success": "退款成功", "closed": "退款关闭", "processing": "退款中"}
SENDER = {"customer": "客户", "agent": "客服", "system": "系统"}
EXPORTED_FIELDS = "buyer_id,name,mobile,address,chat_text,review_text,refund_reason"


@dataclass(frozen=True)
class Person:
    buyer: str
    name: str
    mobile: str
    address: str


def _people(platform: str) -> dict[str, Person]:
    """customer_key → the buyer account and receiver details (decrypted for the export)."""
    people: dict[str, Person] = {}
    customers = Customer.objects.prefetch_related("identities").only(
        "customer_key", "name", "mobile", "address"
    )
    for customer in customers.iterator(chunk_size=2000):
        buyer = next(
            (i.buyer_id for i in customer.identities.all() if i.platform == platform),
            customer.customer_key,
        )
        people[customer.customer_key] = Person(
            buyer, customer.name, customer.mobile, customer.address
        )
    return people


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv_writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
    return count


def _query(sql: str, **tables: str) -> list[tuple[Any, ...]]:
    shop = lake.get()
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{settings.TIME_ZONE}'")
    for name, table in tables.items():
        files = shop.files(table)
        if files:
            con.register(name, con.read_parquet(files))
        else:
            con.register(name, shop.to_arrow(table))
    return con.sql(sql).fetchall()


def _local(column: str) -> str:
    """The shop-local time as the platforms write it, with the fraction of a second only
    when there is one (times imported from millisecond chat logs), so nothing is lost."""
    whole = f"microsecond({column}) % 1000000 = 0"
    return (
        f"CASE WHEN {whole} THEN strftime({column}, '%Y-%m-%d %H:%M:%S') "
        f"ELSE strftime({column}, '%Y-%m-%d %H:%M:%S.%f') END"
    )


def export_taobao(folder: Path, platform: str = "taobao") -> dict[str, int]:
    """Write the Taobao-format files into ``folder``; returns rows written per file.

    The files carry personal data in the clear (buyers, receivers' names, phones and
    addresses, chat text, reviews): the export is audited before anything is written, so an
    interrupted one is on record too, with the number of customers it carries."""
    folder.mkdir(parents=True, exist_ok=True)
    people = _people(platform)
    audit_record(
        actor=None,
        actor_name=command_line_actor(),
        action=AuditAction.EXPORT,
        fields=EXPORTED_FIELDS,
        subject=f"export {platform} → {folder}"[:200],
        row_count=len(people),
    )
    nobody = Person("", "", "", "")

    def who(key: str | None) -> Person:
        return people.get(key or "", nobody)

    counts: dict[str, int] = {}
    orders = _query(
        f"""SELECT order_id, customer_key, amount, status, {_local("created_at")},
                   {_local("paid_at")}, {_local("shipped_at")}, {_local("signed_at")},
                   {_local("closed_at")}, item_count
            FROM o WHERE platform = '{platform}' ORDER BY created_at, order_id""",
        o="orders",
    )
    counts["订单报表.csv"] = _write(
        folder / "订单报表.csv",
        [
            "订单编号",
            "买家会员名",
            "买家应付货款",
            "买家实际支付金额",
            "订单状态",
            "收货人姓名",
            "收货地址",
            "联系手机",
            "订单创建时间",
            "订单付款时间",
            "发货时间",
            "确认收货时间",
            "交易关闭时间",
            "宝贝总数量",
            "退款金额",
        ],
        (
            [
                ExcelText(oid),
                who(key).buyer,
                f"{amount:.2f}",
                f"{amount:.2f}",
                ORDER_STATUS[status],
                who(key).name,
                who(key).address,
                who(key).mobile,
                created,
                paid,
                shipped,
                signed,
                closed,
                items,
                f"{amount:.2f}" if status == "refunded" else "0.00",
            ]
            for oid, key, amount, status, created, paid, shipped, signed, closed, items in orders
        ),
    )
    items = _query(
        """SELECT order_id, line_no, product_id, quantity, unit_price, amount
           FROM i ORDER BY order_id, line_no""",
        i="order_items",
    )
    counts["订单明细.csv"] = _write(
        folder / "订单明细.csv",
        ["订单编号", "行号", "商品编号", "数量", "单价", "金额"],
        (
            [ExcelText(o), n, p, q, f"{u:.2f}" if u is not None else "", f"{a:.2f}"]
            for o, n, p, q, u, a in items
        ),
    )
    refunds = _query(
        f"""SELECT refund_id, order_id, customer_key, {_local("requested_at")},
                   {_local("completed_at")}, kind, reason, quality_issue, amount, status
            FROM r WHERE platform = '{platform}' ORDER BY requested_at, refund_id""",
        r="refunds",
    )
    counts["退款报表.csv"] = _write(
        folder / "退款报表.csv",
        [
            "退款编号",
            "订单编号",
            "买家会员名",
            "退款的申请时间",
            "退款完结时间",
            "售后类型",
            "退款原因",
            "是否质量问题",
            "买家退款金额",
            "退款状态",
        ],
        (
            [
                rid,
                ExcelText(oid),
                who(key).buyer,
                asked,
                done,
                REFUND_KIND[kind],
                reason,
                "是" if quality else "否",
                f"{amount:.2f}",
                REFUND_STATUS.get(status, status),
            ]
            for rid, oid, key, asked, done, kind, reason, quality, amount, status in refunds
        ),
    )
    chats = _query(
        f"""SELECT session_id, customer_key, agent_id, sender, {_local("sent_at")}, text
            FROM c WHERE platform = '{platform}' ORDER BY session_id, sent_at, message_id""",
        c="chat_messages",
    )
    counts["聊天记录.csv"] = _write(
        folder / "聊天记录.csv",
        ["会话", "客户", "客服", "发送方", "时间", "内容"],
        ([s, who(k).buyer, a, SENDER[snd], t, text] for s, k, a, snd, t, text in chats),
    )
    ratings = _query(
        f"""SELECT order_id, customer_key, {_local("rated_at")}, description, service, logistics
            FROM d WHERE platform = '{platform}' ORDER BY rated_at, order_id""",
        d="dsr_ratings",
    )
    counts["店铺评分.csv"] = _write(
        folder / "店铺评分.csv",
        [
            "订单编号",
            "买家会员名",
            "评价时间",
            "宝贝与描述相符",
            "卖家的服务态度",
            "物流服务的质量",
        ],
        ([ExcelText(o), who(k).buyer, t, d, s, lg] for o, k, t, d, s, lg in ratings),
    )
    reviews = _query(
        f"""SELECT review_id, order_id, product_id, customer_key, {_local("created_at")},
                   rating, text
            FROM v WHERE platform = '{platform}' ORDER BY created_at, review_id""",
        v="reviews",
    )
    counts["评价.csv"] = _write(
        folder / "评价.csv",
        ["评价编号", "订单编号", "宝贝ID", "买家会员名", "评价时间", "评分", "评价内容"],
        (
            [r, ExcelText(o) if o else "", p, who(k).buyer, t, g, x]
            for r, o, p, k, t, g, x in reviews
        ),
    )
    traffic = _query(
        f"""SELECT strftime("date", '%Y-%m-%d'), pv, uv FROM t
            WHERE platform = '{platform}' ORDER BY "date" """,
        t="traffic_daily",
    )
    counts["店铺流量.csv"] = _write(folder / "店铺流量.csv", ["日期", "浏览量", "访客数"], traffic)
    products = _query(
        f"SELECT product_id, title, category, price FROM p WHERE platform = '{platform}'",
        p="products",
    )
    counts["宝贝.csv"] = _write(
        folder / "宝贝.csv",
        ["宝贝ID", "宝贝标题", "类目", "价格"],
        ([p, t, c, f"{price:.2f}" if price is not None else ""] for p, t, c, price in products),
    )
    return counts


# The files above, in the order they must be imported, with their kinds.
IMPORT_ORDER = (
    ("products", "宝贝.csv"),
    ("orders", "订单报表.csv"),
    ("order-items", "订单明细.csv"),
    ("refunds", "退款报表.csv"),
    ("chats", "聊天记录.csv"),
    ("ratings", "店铺评分.csv"),
    ("reviews", "评价.csv"),
    ("traffic", "店铺流量.csv"),
)
