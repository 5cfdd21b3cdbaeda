"""What each kind of import carries: its fields, their types, and where they go.

A field either lands in a lake table column (same name) or, when ``personal`` is set, in the
encrypted customer master — never in the lake. ``buyer`` (the platform account) is how rows
are tied to a customer; the lake receives that customer's surrogate ``customer_key``.
"""

from __future__ import annotations

from dataclasses import dataclass

from guanxi.lake.schema import ORDER_STATUSES, REFUND_KINDS, REFUND_STATUSES, SENDERS


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # id | text | amount | datetime | date | int | bool | choice
    label: str  # the Chinese name shown in reports and on the mapping page
    required: bool = False
    personal: bool = False  # goes to the customer master, never to the lake
    choices: tuple[str, ...] = ()
    low: int | None = None  # inclusive bounds for int fields (ratings 1–5, counts ≥ 0)
    high: int | None = None
    not_before: str | None = None  # a datetime field this one cannot precede
    check: str | None = None  # "mobile" or "email": reject values that are not one


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    table: str | None  # lake table; None for customers (app database only)
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


GENDERS = ("female", "male", "unknown")
BUYER = Field("buyer", "id", "买家账号", personal=True)
RECEIVER_NAME = Field("name", "text", "姓名", personal=True)
MOBILE = Field("mobile", "text", "手机", personal=True)
EMAIL = Field("email", "text", "邮箱", personal=True)
ADDRESS = Field("address", "text", "地址", personal=True)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "orders",
            "订单",
            "orders",
            (
                Field("order_id", "id", "订单编号", required=True),
                BUYER,
                Field("created_at", "datetime", "创建时间", required=True),
                Field("paid_at", "datetime", "付款时间", not_before="created_at"),
                Field("shipped_at", "datetime", "发货时间", not_before="created_at"),
                Field("signed_at", "datetime", "确认收货时间", not_before="created_at"),
                Field("closed_at", "datetime", "关闭时间"),
                Field("status", "choice", "订单状态", required=True, choices=ORDER_STATUSES),
                Field("amount", "amount", "实付金额", required=True),
                Field("item_count", "int", "商品数量", low=0),
                Field("refund_amount", "amount", "退款金额"),
                RECEIVER_NAME,
                MOBILE,
                ADDRESS,
            ),
        ),
        Kind(
            "order-items",
            "订单明细",
            "order_items",
            (
                Field("order_id", "id", "订单编号", required=True),
                Field("line_no", "int", "行号", low=1),
                Field("product_id", "id", "商品编号"),
                Field("quantity", "int", "数量", required=True, low=1),
                Field("unit_price", "amount", "单价"),
                Field("amount", "amount", "金额", required=True),
            ),
        ),
        Kind(
            "refunds",
            "退款",
            "refunds",
            (
                Field("refund_id", "id", "退款编号", required=True),
                Field("order_id", "id", "订单编号", required=True),
                BUYER,
                Field("requested_at", "datetime", "申请时间", required=True),
                Field("completed_at", "datetime", "完结时间", not_before="requested_at"),
                Field("kind", "choice", "退款类型", required=True, choices=REFUND_KINDS),
                Field("reason", "text", "退款原因"),
                Field("quality_issue", "bool", "是否质量问题"),
                Field("amount", "amount", "退款金额", required=True),
                Field("status", "choice", "退款状态", required=True, choices=REFUND_STATUSES),
            ),
        ),
        Kind(
            "chats",
            "聊天记录",
            "chat_messages",
            (
                Field("session_id", "id", "会话编号"),
                BUYER,
                Field("agent", "id", "客服"),
                Field("sender", "choice", "发送方", required=True, choices=SENDERS),
                Field("sent_at", "datetime", "时间", required=True),
                Field("text", "text", "内容"),
            ),
        ),
        Kind(
            "ratings",
            "店铺评分",
            "dsr_ratings",
            (
                Field("order_id", "id", "订单编号", required=True),
                BUYER,
                Field("rated_at", "datetime", "评分时间", required=True),
                Field("description", "int", "描述相符", required=True, low=1, high=5),
                Field("service", "int", "服务态度", required=True, low=1, high=5),
                Field("logistics", "int", "物流服务", required=True, low=1, high=5),
            ),
        ),
        Kind(
            "reviews",
            "评价",
            "reviews",
            (
                Field("review_id", "id", "评价编号"),
                Field("order_id", "id", "订单编号"),
                Field("product_id", "id", "商品编号"),
                BUYER,
                Field("created_at", "datetime", "评价时间", required=True),
                Field("rating", "int", "评分", required=True, low=1, high=5),
                Field("text", "text", "评价内容"),
            ),
        ),
        Kind(
            "traffic",
            "流量",
            "traffic_daily",
            (
                Field("date", "date", "日期", required=True),
                Field("pv", "int", "浏览量", required=True, low=0),
                Field("uv", "int", "访客数", required=True, low=0),
            ),
        ),
        Kind(
            "customers",
            "客户",
            None,
            (
                BUYER,
                RECEIVER_NAME,
                Field("gender", "choice", "性别", personal=True, choices=GENDERS),
                Field("birth_date", "date", "出生日期", personal=True),
                Field("mobile", "text", "手机", personal=True, check="mobile"),
                Field("email", "text", "邮箱", personal=True, check="email"),
                ADDRESS,
                Field("province", "text", "省份", personal=True),
                Field("city", "text", "城市", personal=True),
                Field("tags", "text", "标签", personal=True),
                Field("notes", "text", "备注", personal=True),
            ),
        ),
        Kind(
            "products",
            "商品",
            "products",
            (
                Field("product_id", "id", "商品编号", required=True),
                Field("title", "text", "商品标题"),
                Field("category", "text", "类目"),
                Field("price", "amount", "价格"),
            ),
        ),
    )
}


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown import kind {name!r}; choose one of {', '.join(KINDS)}") from None
