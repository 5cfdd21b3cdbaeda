"""The demo's service desk: tickets from the refunds, worked through the services."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from guanxi.accounts.models import Agent
from guanxi.installation.demo_desk import OPEN_NOW, demo_tickets_create
from guanxi.servicedesk import states
from guanxi.servicedesk.models import Ticket, TicketEvent
from tests.factories import orders_table, refunds_table

pytestmark = pytest.mark.django_db


def test_demo_tickets_come_from_refunds_and_leave_a_history(lake):
    rows = [(f"o{i}", f"2025-03-{1 + i % 28:02d} 10:00:00") for i in range(40)]
    lake.write("refunds", refunds_table(rows))
    # The tickets name their orders, which must be in the lake.
    lake.write(
        "orders",
        orders_table([(o, "c1", f"{day[:10]} 08:00:00", None, "10.00") for o, day in rows]),
    )
    items = pa.table(
        {
            "platform": ["taobao"] * 40,
            "order_id": [o for o, _day in rows],
            "line_no": pa.array([1] * 40, pa.int32()),
            "product_id": [f"P{i % 3}" for i in range(40)],
            "quantity": pa.array([1] * 40, pa.int32()),
            "unit_price": [Decimal("10.00")] * 40,
            "amount": [Decimal("10.00")] * 40,
        }
    )
    lake.write("order_items", items)
    Agent.objects.create(agent_id="kf05", name="大伟", team="售后组")
    assert demo_tickets_create(scale="small", seed=7) == 40
    assert demo_tickets_create(scale="small", seed=7) == 0  # once only
    tickets = Ticket.objects.all()
    assert {t.order_id for t in tickets} == {r[0] for r in rows}
    # Each ticket names the product of its order's line (o7 → P1, 7 % 3 = 1).
    assert tickets.get(order_id="o7").product_id == "P1"
    finished = [t for t in tickets if t.state in states.FINISHED]
    # Everything but the last OPEN_NOW (logged "now") went through to the end.
    assert len(finished) >= 40 - OPEN_NOW
    for ticket in tickets:
        moves = ticket.events.filter(action=TicketEvent.Action.STATE)
        state = ticket.events.get(action=TicketEvent.Action.CREATED).to_value
        for move in moves:  # every recorded move is one the life cycle allows
            assert move.from_value == state and states.allowed(state, move.to_value)
            state = move.to_value
        assert state == ticket.state
