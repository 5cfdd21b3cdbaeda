"""A ticket's order is checked against the lake's imported orders: a known order fills an
empty platform and customer key; an unknown one (or one on another platform) is refused
naming ``order_id``, and nothing is saved."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Customer
from guanxi.lake import Lake
from guanxi.servicedesk import services
from guanxi.servicedesk.models import Ticket
from tests.factories import orders_table

pytestmark = pytest.mark.django_db


def test_the_order_is_looked_up_in_the_lake(lake: Lake) -> None:
    lake.write("orders", orders_table([("T1", "c-key-1", "2025-06-01 10:00:00", None, "59.00")]))
    Customer.objects.create(customer_key="c-key-1")
    ticket = services.create_ticket(
        kind="after_sales", channel="phone", subject="退货", order_id=" T1 "
    )
    assert (ticket.order_id, ticket.platform, ticket.customer_key) == ("T1", "taobao", "c-key-1")
    assert ticket.customer is not None and ticket.customer.customer_key == "c-key-1"
    for order_id, platform in (("T2", ""), ("T1", "jd")):
        with pytest.raises(services.TicketError) as caught:
            services.create_ticket(
                kind="complaint", channel="chat", subject="x", order_id=order_id, platform=platform
            )
        assert caught.value.field == "order_id" and order_id in str(caught.value)
    assert Ticket.objects.count() == 1
