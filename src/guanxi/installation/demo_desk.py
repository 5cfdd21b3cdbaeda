"""The demo shop's service desk: tickets made from its refunds and bad ratings, worked
through their life cycle by the 售后组, so that the queues, SLA lists and reports have
something to show. Deterministic for a seed.

Tickets of the demo year are finished (resolved, often with the customer's rating, then
closed; a few reopened); a dozen are logged in the last day and a half before setup, still
open, so the queue has live SLA clocks. Everything goes through ``servicedesk.services``,
as an agent's clicks would, so the history and the SLA fields are what the product makes.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.utils import timezone

from guanxi import lake as lake_module
from guanxi.accounts.models import Agent
from guanxi.customers.models import Customer
from guanxi.servicedesk import csat, services
from guanxi.servicedesk.models import State, Ticket, Tier

# How many tickets per demo size (the services write each change with its event and SLA
# reading: about 10 ms a change).
COUNTS = {"small": 80, "medium": 300, "large": 600}
OPEN_NOW = 12

_CATEGORY = {
    "质量问题": "product",
    "做工瑕疵": "product",
    "与描述不符": "product",
    "发错货": "logistics",
    "物流太慢": "logistics",
}
_WHAT = {"refund_only": "仅退款", "return_refund": "退货退款", "exchange": "换货"}
_NOTES = (
    "已联系买家，了解问题经过并致歉",
    "已核实订单与物流信息",
    "已提供退货退款与换货两个方案供买家选择",
    "买家选择退货退款，已发送退货地址",
    "补偿 10 元无门槛券，买家接受",
)


def demo_tickets_create(*, scale: str, seed: int) -> int:
    """Log the demo's tickets once (nothing when tickets exist). Returns how many."""
    if Ticket.objects.exists():
        return 0
    refunds = _refunds()
    if not refunds:
        return 0
    rng = np.random.default_rng(seed + 16)
    count = min(COUNTS.get(scale, 80), len(refunds))
    picks = np.sort(rng.choice(len(refunds), size=count, replace=False))
    agents = list(Agent.objects.filter(team="售后组")) or list(Agent.objects.all()[:2])
    known = set(
        Customer.objects.filter(
            customer_key__in=[refunds[i]["customer_key"] for i in picks]
        ).values_list("customer_key", flat=True)
    )
    now = timezone.now()
    made = 0
    for n, i in enumerate(picks):
        refund = refunds[i]
        live = n >= count - OPEN_NOW
        at = (
            now - dt.timedelta(hours=float(rng.uniform(0.3, 36)))
            if live
            else refund["requested_at"] + dt.timedelta(minutes=float(rng.uniform(2, 90)))
        )
        _one(refund, at, live, rng, agents, known)
        made += 1
    return made


def _refunds() -> list[dict]:
    shop = lake_module.get()
    try:
        refunds = shop.table("refunds")
    except Exception:  # no refunds table: a shop without after-sales data
        return []
    columns = ["platform", "refund_id", "order_id", "customer_key", "requested_at", "kind"]
    rows = (
        refunds.select(*columns, "reason", "quality_issue", "amount")
        .order_by("requested_at", "refund_id")
        .to_pyarrow()
        .to_pylist()
    )
    # The product complained about: the order's first line (the report ranks categories by
    # product).
    try:
        lines = shop.table("order_items")
    except Exception:  # no order lines imported
        return rows
    first = (
        lines.group_by("order_id")
        .aggregate(product_id=lines.product_id.argmin(lines.line_no))
        .to_pyarrow()
    )
    products = dict(
        zip(first["order_id"].to_pylist(), first["product_id"].to_pylist(), strict=True)
    )
    for row in rows:
        row["product_id"] = products.get(row["order_id"]) or ""
    return rows


def _one(
    refund: dict,
    at: dt.datetime,
    live: bool,
    rng: np.random.Generator,
    agents: list[Agent],
    known: set[str],
) -> None:
    reason = refund["reason"] or "其他"
    quality = bool(refund["quality_issue"])
    category = _CATEGORY.get(reason, "service" if rng.random() < 0.3 else "product")
    channel = str(rng.choice(["chat", "chat", "chat", "phone", "dispute"]))
    tier = Tier.DIFFICULT if channel == "dispute" or (quality and rng.random() < 0.25) else ""
    key = refund["customer_key"] if refund["customer_key"] in known else ""
    ticket = services.create_ticket(
        kind="complaint" if quality else "after_sales",
        channel=channel,
        subject=f"{reason}（订单 {refund['order_id']}）",
        description=f"买家申请{_WHAT.get(refund['kind'], '售后')}，原因：{reason}",
        customer_key=key,
        platform=refund["platform"],
        order_id=refund["order_id"],
        product_id=refund.get("product_id", ""),
        category=category,
        at=at,
    )
    clock = at
    pk = ticket.pk

    def later(low: float, high: float) -> dt.datetime:
        nonlocal clock
        clock = clock + dt.timedelta(hours=float(rng.uniform(low, high)))
        return clock

    if tier:
        services.escalate(pk, tier, "退款纠纷，买家情绪激动", by=None, at=later(0.05, 0.5))
    if ticket.assignee is None and agents:
        agent = agents[int(rng.integers(len(agents)))]
        services.claim(pk, agent, by=None, at=later(0.02, 0.8))
    if live and rng.random() < 0.4:
        return  # still waiting for its first response
    services.add_note(pk, str(rng.choice(_NOTES)), by=None, reply=True, at=later(0.05, 3))
    services.transition(pk, State.IN_PROGRESS, by=None, at=later(0.01, 0.2))
    if rng.random() < 0.35:
        services.transition(pk, State.WAITING, by=None, note="等待买家寄回", at=later(0.5, 4))
        if live:
            return
        services.transition(pk, State.IN_PROGRESS, by=None, at=later(2, 40))
    if live:
        return
    if rng.random() < 0.04:
        services.escalate(pk, Tier.ESCALATED, "买家申请平台介入", by=None, at=later(1, 6))
    services.transition(pk, State.RESOLVED, by=None, at=later(1, 30))
    if rng.random() < 0.05:
        services.transition(
            pk, State.REOPENED, by=None, note="买家反馈仍未收到退款", at=later(6, 48)
        )
        services.transition(pk, State.IN_PROGRESS, by=None, at=later(0.1, 2))
        services.transition(pk, State.RESOLVED, by=None, at=later(1, 24))
    link = csat.open_request(Ticket.objects.get(pk=pk), clock)  # made at resolution
    if link is not None and rng.random() < 0.6:
        rating = int(rng.choice([5, 5, 5, 4, 4, 3, 2, 1]))
        # The customer answers the link; the ticket moves to feedback given.
        csat.answer(csat.token_for(link), rating, "", at=later(2, 30))
    services.transition(pk, State.CLOSED, by=None, at=later(24, 72))
