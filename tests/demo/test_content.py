"""The small demo shop is consistent, realistic and keeps personal data out of the lake."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from guanxi import demo
from guanxi.core.errors import UserInputError
from guanxi.demo import people, texts
from guanxi.demo.aftersales import QUALITY, REASONS
from guanxi.lake import Lake
from guanxi.lake.schema import ORDER_STATUSES, REFUND_KINDS, SENDERS
from tests.demo.conftest import Shop

TZ = "Asia/Shanghai"
# The module's shop fixture writes to the test database, which exists only for django_db tests.
pytestmark = pytest.mark.django_db


def frame(shop: Shop, name: str) -> pd.DataFrame:
    df = shop.tables[name].to_pandas()
    for column in df.columns:
        if isinstance(df[column].dtype, pd.DatetimeTZDtype):
            df[column] = df[column].dt.tz_convert(TZ)
    return df


def test_unknown_scale_names_the_valid_ones(tmp_path) -> None:
    with pytest.raises(UserInputError, match="small, medium, large"):
        demo.build("huge", 1, Lake(tmp_path))


def test_summary_counts_every_table(shop: Shop) -> None:
    counts = shop.summary.counts
    assert counts["customers"] == len(shop.customers) == 1500
    for name, table in shop.tables.items():
        assert counts[name] == table.num_rows, name
    assert 3500 < counts["orders"] < 6000
    assert 30_000 < counts["chat_messages"] < 60_000
    assert counts["products"] == 40
    assert counts["traffic_daily"] == 365


def test_natural_keys_are_unique(shop: Shop) -> None:
    from guanxi.lake.schema import TABLES

    for name, table in shop.tables.items():
        keys = table.select(list(TABLES[name].key)).to_pandas()
        assert not keys.duplicated().any(), name


def test_orders_are_consistent(shop: Shop) -> None:
    orders = frame(shop, "orders")
    items = frame(shop, "order_items")
    assert set(orders.status) <= set(ORDER_STATUSES)
    assert {"signed", "closed", "refunded", "shipped"} <= set(orders.status)
    paid = orders.paid_at.notna()
    assert (orders.paid_at[paid] >= orders.created_at[paid]).all()
    shipped = orders.shipped_at.notna()
    assert (orders.shipped_at[shipped] >= orders.paid_at[shipped]).all()
    signed = orders.signed_at.notna()
    assert (orders.signed_at[signed] >= orders.shipped_at[signed]).all()
    assert orders.paid_at[orders.status == "closed"].isna().all()
    assert orders.signed_at[orders.status == "signed"].notna().all()
    sums = items.groupby("order_id").agg(amount=("amount", "sum"), units=("quantity", "sum"))
    joined = orders.set_index("order_id").join(sums.rename(columns={"amount": "items_amount"}))
    assert (joined.amount == joined.items_amount).all()
    assert (joined.item_count == joined.units).all()
    assert (items.amount == items.unit_price * items.quantity).all()
    assert (items.line_no >= 1).all()
    assert set(items.product_id) <= set(frame(shop, "products").product_id)
    assert orders.amount.map(lambda d: d.as_tuple().exponent == -2).all()


def test_refunds_are_consistent(shop: Shop) -> None:
    refunds = frame(shop, "refunds")
    orders = frame(shop, "orders").set_index("order_id")
    assert set(refunds.kind) == set(REFUND_KINDS)
    assert set(refunds.status) <= {"success", "closed", "processing"}
    quality = dict(zip(REASONS, QUALITY.tolist(), strict=True))
    assert (refunds.quality_issue == refunds.reason.map(quality)).all()
    order = orders.loc[refunds.order_id]
    assert (refunds.amount.to_numpy() <= order.amount.to_numpy()).all()
    assert (refunds.amount >= Decimal(0)).all()
    assert (refunds.requested_at.to_numpy() >= order.paid_at.to_numpy()).all()
    done = refunds.completed_at.notna()
    assert (refunds.completed_at[done] >= refunds.requested_at[done]).all()
    assert refunds.completed_at[refunds.status == "processing"].isna().all()
    full = refunds[(refunds.status == "success") & (refunds.kind != "exchange")]
    full = full[full.amount.to_numpy() == orders.loc[full.order_id].amount.to_numpy()]
    assert (orders.loc[full.order_id].status == "refunded").all()
    refunded = orders[orders.status == "refunded"].index
    assert set(refunded) <= set(full.order_id)


def test_refunds_come_within_and_beyond_seven_days_of_signing(shop: Shop) -> None:
    refunds = frame(shop, "refunds")
    signed = frame(shop, "orders").set_index("order_id").signed_at
    after = refunds.requested_at - pd.Series(signed.loc[refunds.order_id].to_numpy())
    after = after.dropna()
    assert (after <= pd.Timedelta(days=7)).sum() > 0
    assert (after > pd.Timedelta(days=7)).sum() > 0
    late = refunds[(after > pd.Timedelta(days=7)).reindex(refunds.index, fill_value=False)]
    assert late.quality_issue.mean() > 0.8  # after the no-reason window: quality problems


def test_ratings_and_reviews(shop: Shop) -> None:
    dsr = frame(shop, "dsr_ratings")
    for column in ("description", "service", "logistics"):
        assert dsr[column].between(1, 5).all()
        assert (dsr[column] >= 4).mean() > 0.75
    reviews = frame(shop, "reviews")
    assert reviews.rating.between(1, 5).all()
    orders = frame(shop, "orders").set_index("order_id")
    assert (dsr.rated_at.to_numpy() >= orders.loc[dsr.order_id].signed_at.to_numpy()).all()
    assert reviews.text.notna().all()
    worst = reviews[reviews.rating <= 2].text
    assert worst.str.contains("差|慢|失望|不推荐|色差|偏小|异味").all()


def test_orders_follow_the_calendar(shop: Shop) -> None:
    orders = frame(shop, "orders")
    assert orders.created_at.dt.year.eq(2025).all()
    months = orders.created_at.dt.month.value_counts()
    assert months[6] > months.median()
    assert months[11] > months.median()
    assert months.idxmax() == 11
    days = orders.created_at.dt.date.value_counts()
    assert days.idxmax() == dt.date(2025, 11, 11)
    weekend = orders.created_at.dt.day_of_week >= 5
    assert weekend.sum() / 2 > (~weekend).sum() / 5
    hours = orders.created_at.dt.hour.value_counts()
    assert hours.loc[20:22].sum() > hours.loc[2:5].sum() * 10


def test_customers_repeat_and_churn(shop: Shop) -> None:
    orders = frame(shop, "orders")
    per_customer = orders.customer_key.value_counts()
    assert (per_customer >= 3).sum() > 100
    last = orders.groupby("customer_key").created_at.max()
    assert (last.dt.month <= 6).sum() > 50  # stopped buying in the first half


def test_every_lake_customer_is_in_the_master(shop: Shop) -> None:
    for name, table in shop.tables.items():
        if "customer_key" in table.column_names:
            keys = set(table.column("customer_key").drop_null().to_pylist())
            assert keys <= set(shop.customers), name
    assert all(re.fullmatch(r"c[0-9a-f]{16}", key) for key in shop.customers)


def test_chat_messages_have_valid_senders(shop: Shop) -> None:
    messages = frame(shop, "chat_messages")
    assert set(messages.sender) == set(SENDERS)
    agents = {a.agent_id for a in demo.AGENTS}
    assert set(messages.agent_id[messages.sender == "agent"]) <= agents
    assert messages.agent_id[messages.sender != "agent"].isna().all()
    assert messages.customer_key.notna().all()
    ordered = messages.sort_values(["session_id", "message_id"])
    assert ordered.groupby("session_id").sent_at.apply(lambda s: s.is_monotonic_increasing).all()


def test_chats_are_realistic(shop: Shop) -> None:
    messages = frame(shop, "chat_messages").sort_values(["session_id", "sent_at", "message_id"])
    sessions = messages.groupby("session_id")
    first, last = sessions.sent_at.min(), sessions.sent_at.max()
    assert (first.dt.date != last.dt.date).sum() > 0  # spanning local midnight
    assert (first.dt.hour < 8).sum() > 50  # at night
    transferred = sessions.agent_id.nunique() > 1
    assert transferred.sum() > 20
    system = messages[messages.sender == "system"]
    assert system.text.str.startswith("会话已转接给 ").all()
    assert set(transferred[transferred].index) <= set(system.session_id)
    spoken = messages[messages.sender != "system"]
    ends_with_customer = spoken.groupby("session_id").sender.last() == "customer"
    assert ends_with_customer.sum() > 50  # unanswered customer messages
    no_agent = ~spoken.groupby("session_id").sender.apply(lambda s: (s == "agent").any())
    assert no_agent.sum() > 10
    longest_gap = spoken.groupby("session_id").sent_at.apply(lambda s: s.diff().max())
    assert pd.Timedelta(longest_gap.median()) < pd.Timedelta(minutes=10)
    greet = spoken[spoken.sender == "agent"].groupby("session_id").text.first()
    assert greet.isin(texts.POOLS[texts.GREET, 0]).mean() > 0.9


def test_presale_chats_lead_to_orders_by_agent_skill(shop: Shop) -> None:
    messages = frame(shop, "chat_messages")
    orders = frame(shop, "orders")
    opened = messages.groupby("session_id").agg(
        customer=("customer_key", "first"), start=("sent_at", "min"), agent=("agent_id", "first")
    )
    presale = messages[messages.text.isin(texts.POOLS[texts.OPEN, texts.PRESALE_WON])]
    opened = opened.loc[presale.session_id.unique()]
    merged = opened.reset_index().merge(orders, left_on="customer", right_on="customer_key")
    delay = merged.created_at - merged.start
    merged["won"] = (delay > pd.Timedelta(0)) & (delay < pd.Timedelta(days=1))
    won = merged.groupby("session_id").agg(won=("won", "any"), agent=("agent", "first"))
    rates = won.groupby("agent").won.mean()
    assert 0.25 < won.won.mean() < 0.75
    assert rates["kf01"] > rates["kf05"]


def test_traffic_fits_the_orders(shop: Shop) -> None:
    traffic = frame(shop, "traffic_daily")
    orders = frame(shop, "orders")
    messages = frame(shop, "chat_messages")
    payers = orders[orders.paid_at.notna()].groupby(orders.paid_at.dt.date).customer_key.nunique()
    chatting = messages[messages.sender == "customer"]
    consulting = chatting.groupby(chatting.sent_at.dt.date).customer_key.nunique()
    traffic = traffic.set_index("date")
    assert len(traffic) == 365
    depth = traffic.pv / traffic.uv
    assert depth.between(1.5, 3.5).all()
    conversion = (payers.reindex(traffic.index, fill_value=0) / traffic.uv).mean()
    assert 0.015 < conversion < 0.06
    assert (traffic.uv >= consulting.reindex(traffic.index, fill_value=0)).all()


def test_templates_cannot_contain_a_customer_name() -> None:
    fixed = texts.all_texts() + [p.title for p in demo.PRODUCTS] + list(REASONS)
    joined = "\n".join(fixed)
    assert [name for name in people.all_names() if name in joined] == []


def test_no_personal_data_in_the_lake(shop: Shop) -> None:
    strings: set[str] = set()
    for table in shop.tables.values():
        for field, column in zip(table.schema, table.columns, strict=True):
            if pa.types.is_string(field.type):
                strings.update(v for v in column.unique().to_pylist() if v)
    wide = "\n".join(s for s in strings if not s.isascii())
    ascii_ = "\n".join(s for s in strings if s.isascii())
    digit_runs = {m[i : i + 11] for m in re.findall(r"\d{11,}", ascii_ + wide)
                  for i in range(len(m) - 10)}  # fmt: skip
    for key, person in shop.customers.items():
        assert person["mobile"] not in digit_runs, key
        assert person["name"] not in wide, key
        assert person["address"] not in wide, key
        assert person["buyer"] not in strings, key
        if person["email"]:
            assert person["email"] not in ascii_, key
