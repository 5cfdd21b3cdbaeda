"""Stages, order attribution, inquiries and the sales metrics of agents — SPEC §2.

- Stage of a session, from the customer's orders at the time t of its first customer
  message: 售后 after-sale if an order was shipped at or before t, was not closed at t and
  was either not yet signed at t or signed less than ``after_sale_days`` (15) days before t;
  else 售中 in-sale if an order was paid at or before t and not yet shipped at t; else 售前
  pre-sale (unpaid orders are pre-sale work: 催付).
- Attribution: an order created at T is the agent's if that agent was the last to send the
  customer a message in a pre-sale session during the ``attribution_hours`` (72) before T.
- Inquiry (询单): a (customer, agent) pair with a pre-sale session in the period in which the
  agent spoke; it begins at the first customer message of the pair's first such session in
  the period. It converts next-day (次日) if the customer pays, by the end of the next local
  day, an order created after the inquiry began, and finally (最终) if they pay one by the
  end of the third local day after the inquiry's day.

Sales metrics per agent (orders created in the period and attributed to the agent):
销售额 sales = paid amount; 销售量 units = items in those paid orders; 销售人数 buyers = their
distinct payers; 支付率 payment rate = attributed orders paid ÷ created; 订单流失率 order loss
= attributed orders closed unpaid ÷ created; 月退货量 returns = return-refunds requested in
the period on the agent's attributed orders; 退货率 = returns ÷ attributed paid orders.
店铺客单价 store AOV = paid amount of all orders created in the period ÷ their distinct payers.
"""

from __future__ import annotations

import ibis

from guanxi.metrics.chat import sessions
from guanxi.metrics.rules import AttributionRules


def session_stages(
    chat_messages: ibis.Table, orders: ibis.Table, rules: AttributionRules = AttributionRules()
) -> ibis.Table:
    """``session_id, customer_key, first_customer_at, stage`` (pre_sale | in_sale | after_sale)
    for every session with a customer message."""
    return stages_from(sessions(chat_messages), orders, rules)


def stages_from(
    session_table: ibis.Table, orders: ibis.Table, rules: AttributionRules = AttributionRules()
) -> ibis.Table:
    """``session_stages`` from ``service.session_rows``."""
    s = session_table.filter(session_table.first_customer_at.notnull())
    # The 15-day edge once per session: timestamp-with-zone arithmetic is costly (DuckDB
    # does it through ICU's calendar), so not once per (session, order) pair.
    s = s.select(
        "session_id",
        "customer_key",
        t="first_customer_at",
        recent=s.first_customer_at - ibis.interval(days=rules.after_sale_days),
    )
    o = orders.select("customer_key", "paid_at", "shipped_at", "signed_at", "closed_at")
    # Orders that cannot make any of these sessions in- or after-sale are left out before
    # the join (most of a shop's history): with t between the earliest session start t0 and
    # the latest t1, an order shipped by t0 is never in-sale, and never after-sale once it
    # was closed by t0 or signed 15 days or more before t0; an order neither paid nor
    # shipped by t1 is neither.
    t0, t1 = s.t.min(), s.t.max()
    gone = (o.closed_at.notnull() & (o.closed_at <= t0)) | (
        o.signed_at.notnull() & (o.signed_at <= t0 - ibis.interval(days=rules.after_sale_days))
    )
    o = o.filter(
        ((o.paid_at <= t1) | (o.shipped_at <= t1)).fill_null(False)
        & ~(o.shipped_at.notnull() & (o.shipped_at <= t0) & gone)
    )
    # Only the (session, order) pairs that make a session in- or after-sale are kept by the
    # join itself: most pairs of a customer's sessions and orders make neither, and
    # aggregating every pair cost more than the rest of the stages together.
    after = (
        o.shipped_at.notnull()
        & (o.shipped_at <= s.t)
        & (o.closed_at.isnull() | (o.closed_at > s.t))
        & (o.signed_at.isnull() | (o.signed_at > s.t) | (o.signed_at > s.recent))
    )
    during = (
        o.paid_at.notnull() & (o.paid_at <= s.t) & (o.shipped_at.isnull() | (o.shipped_at > s.t))
    )
    j = s.join(o, [s.customer_key == o.customer_key, after | during]).select(
        "session_id", after=after, during=during
    )
    flags = j.group_by("session_id").aggregate(after=j.after.any(), during=j.during.any())
    flags = s.left_join(flags, "session_id")
    stage = ibis.cases((flags.after, "after_sale"), (flags.during, "in_sale"), else_="pre_sale")
    return flags.select("session_id", "customer_key", first_customer_at=flags.t, stage=stage)


ORDER_COLUMNS = (
    "platform",
    "order_id",
    "customer_key",
    "created_at",
    "paid_at",
    "closed_at",
    "status",
    "amount",
    "item_count",
)


def attributed_orders(
    chat_messages: ibis.Table, orders: ibis.Table, rules: AttributionRules = AttributionRules()
) -> ibis.Table:
    """Orders with the agent they are attributed to: ``order_id, customer_key, agent_id,
    created_at, paid_at, closed_at, status, amount, item_count`` (platform kept)."""
    stages = session_stages(chat_messages, orders, rules)
    a = attributed_from(chat_messages, stages, orders, rules)
    return a.filter(a.agent_id.notnull())


def attributed_from(
    messages: ibis.Table,
    stages: ibis.Table,
    orders: ibis.Table,
    rules: AttributionRules = AttributionRules(),
) -> ibis.Table:
    """``attributed_orders`` of ``orders`` (any subset) from the messages and their
    sessions' stages."""
    pre = stages.filter(stages.stage == "pre_sale").select("session_id")
    # Unnamed agents' messages too: they attribute an order to the shop (its own figures),
    # never to an agent (``agent_id`` is the last *named* agent's, empty if none wrote).
    m = messages.filter(messages.sender == "agent")
    m = m.join(pre, "session_id").select("customer_key", "agent_id", "message_id", msg_at=m.sent_at)
    o = orders.select(
        *ORDER_COLUMNS,
        # once per order, not per (order, message) pair: see stages_from
        since=orders.created_at - ibis.interval(hours=rules.attribution_hours),
    )
    j = o.join(
        m,
        [o.customer_key == m.customer_key, m.msg_at <= o.created_at, m.msg_at >= o.since],
    )
    # The last named agent's message before the order (by time, then message id) without a
    # window: an aggregate of the agent ordered by that key.
    last = ibis.struct({"at": j.msg_at, "id": j.message_id})
    return j.group_by(list(ORDER_COLUMNS)).aggregate(
        agent_id=ibis.struct({"agent": j.agent_id}).argmax(last, where=j.agent_id.notnull()).agent
    )
