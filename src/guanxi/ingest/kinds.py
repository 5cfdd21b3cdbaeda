"""What each kind of import carries: its fields, their types, and where they go.

A field either lands in a lake table column (same name) or, when ``personal`` is set, in the
encrypted customer master — never in the lake. ``buyer`` (the platform account) is how rows
are tied to a customer; the lake receives that customer's surrogate ``customer_key``.
"""

from __future__ import annotations

from dataclasses import dataclass

from guanxi.ingest.messages import gettext_noop as _
from guanxi.lake.schema import ORDER_STATUSES, REFUND_KINDS, REFUND_STATUSES, SENDERS

# Dates before this are not real shop data (mistyped years, Excel's 1900 epoch); a birth date
# may be older. Dates more than FUTURE_DAYS after the import are refused too.
EARLIEST = "2000-01-01"
EARLIEST_BIRTH = "1900-01-01"
FUTURE_DAYS = 1


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # id | text | amount | datetime | date | int | bool | choice
    label: str  # the Chinese name (a msgid) shown in reports and on the mapping page
    required: bool = False
    personal: bool = False  # goes to the customer master, never to the lake
    choices: tuple[str, ...] = ()
    low: int | None = None  # inclusive bounds for int and amount fields (ratings 1–5,
    high: int | None = None  # quantities ≥ 1, amounts ≥ 0)
    not_before: str | None = None  # a datetime field this one cannot precede
    not_above: str | None = None  # a field of the same type this one cannot exceed
    check: str | None = None  # "mobile" or "email": reject values that are not one
    earliest: str = EARLIEST  # date and datetime fields: the first plausible day
    future_days: int = FUTURE_DAYS  # ... and how many days after now they may be


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
BUYER = Field("buyer", "id", _("买家账号"), personal=True)
RECEIVER_NAME = Field("name", "text", _("姓名"), personal=True)
MOBILE = Field("mobile", "text", _("手机"), personal=True)
EMAIL = Field("email", "text", _("邮箱"), personal=True)
ADDRESS = Field("address", "text", _("地址"), personal=True)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "orders",
            _("订单"),
            "orders",
            (
                Field("order_id", "id", _("订单编号"), required=True),
                BUYER,
                Field("created_at", "datetime", _("创建时间"), required=True),
                Field("paid_at", "datetime", _("付款时间"), not_before="created_at"),
                Field("shipped_at", "datetime", _("发货时间"), not_before="created_at"),
                Field("signed_at", "datetime", _("确认收货时间"), not_before="created_at"),
                Field("closed_at", "datetime", _("关闭时间"), not_before="created_at"),
                Field("status", "choice", _("订单状态"), required=True, choices=ORDER_STATUSES),
                Field("amount", "amount", _("实付金额"), required=True, low=0),
                Field("item_count", "int", _("商品数量"), low=1),
                Field("refund_amount", "amount", _("退款金额"), low=0, not_above="amount"),
                RECEIVER_NAME,
                MOBILE,
                ADDRESS,
            ),
        ),
        Kind(
            "order-items",
            _("订单明细"),
            "order_items",
            (
                Field("order_id", "id", _("订单编号"), required=True),
                Field("line_no", "int", _("行号"), low=1),
                Field("product_id", "id", _("商品编号")),
                Field("quantity", "int", _("数量"), required=True, low=1),
                Field("unit_price", "amount", _("单价"), low=0),
                Field("amount", "amount", _("金额"), required=True, low=0),
            ),
        ),
        Kind(
            "refunds",
            _("退款"),
            "refunds",
            (
                Field("refund_id", "id", _("退款编号"), required=True),
                Field("order_id", "id", _("订单编号"), required=True),
                BUYER,
                Field("requested_at", "datetime", _("申请时间"), required=True),
                Field("completed_at", "datetime", _("完结时间"), not_before="requested_at"),
                Field("kind", "choice", _("退款类型"), required=True, choices=REFUND_KINDS),
                Field("reason", "text", _("退款原因")),
                Field("quality_issue", "bool", _("是否质量问题")),
                Field("amount", "amount", _("退款金额"), required=True, low=0),
                Field("status", "choice", _("退款状态"), required=True, choices=REFUND_STATUSES),
            ),
        ),
        Kind(
            "chats",
            _("聊天记录"),
            "chat_messages",
            (
                Field("session_id", "id", _("会话编号")),
                BUYER,
                Field("agent", "id", _("客服")),
                Field("sender", "choice", _("发送方"), required=True, choices=SENDERS),
                Field("sent_at", "datetime", _("时间"), required=True),
                Field("text", "text", _("内容")),
            ),
        ),
        Kind(
            "ratings",
            _("店铺评分"),
            "dsr_ratings",
            (
                Field("order_id", "id", _("订单编号"), required=True),
                BUYER,
                Field("rated_at", "datetime", _("评分时间"), required=True),
                Field("description", "int", _("描述相符"), required=True, low=1, high=5),
                Field("service", "int", _("服务态度"), required=True, low=1, high=5),
                Field("logistics", "int", _("物流服务"), required=True, low=1, high=5),
            ),
        ),
        Kind(
            "reviews",
            _("评价"),
            "reviews",
            (
                Field("review_id", "id", _("评价编号")),
                Field("order_id", "id", _("订单编号")),
                Field("product_id", "id", _("商品编号")),
                BUYER,
                Field("created_at", "datetime", _("评价时间"), required=True),
                Field("rating", "int", _("评分"), required=True, low=1, high=5),
                Field("text", "text", _("评价内容")),
            ),
        ),
        Kind(
            "traffic",
            _("流量"),
            "traffic_daily",
            (
                Field("date", "date", _("日期"), required=True),
                Field("pv", "int", _("浏览量"), required=True, low=0),
                Field("uv", "int", _("访客数"), required=True, low=0, not_above="pv"),
            ),
        ),
        Kind(
            "customers",
            _("客户"),
            None,
            (
                BUYER,
                RECEIVER_NAME,
                Field("gender", "choice", _("性别"), personal=True, choices=GENDERS),
                Field(
                    "birth_date",
                    "date",
                    _("出生日期"),
                    personal=True,
                    earliest=EARLIEST_BIRTH,
                    future_days=0,
                ),
                Field("mobile", "text", _("手机"), personal=True, check="mobile"),
                Field("email", "text", _("邮箱"), personal=True, check="email"),
                ADDRESS,
                Field("province", "text", _("省份"), personal=True),
                Field("city", "text", _("城市"), personal=True),
                Field("tags", "text", _("标签"), personal=True),
                Field("notes", "text", _("备注"), personal=True),
            ),
        ),
        Kind(
            "products",
            _("商品"),
            "products",
            (
                Field("product_id", "id", _("商品编号"), required=True),
                Field("title", "text", _("商品标题")),
                Field("category", "text", _("类目")),
                Field("price", "amount", _("价格"), low=0),
            ),
        ),
    )
}


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown import kind {name!r}; choose one of {', '.join(KINDS)}") from None
