"""The agent report (SPEC §2) in vectorised pandas: the baseline the product must beat 5×.

Same definitions as ``guanxi.metrics.chat`` / ``attribution`` (read their docstrings);
no Python loop over rows anywhere — sorting, ``shift``, ``groupby``, ``merge`` and
``merge_asof`` do the work. To stay within memory on the large demo it reads only the
columns it needs and only the messages of the sessions that can matter for the period (the
same restriction as the SQL: sessions touching the period with the 72-hour attribution
margin, and sessions of customers with a return requested in the period, back to their
orders' attribution windows). Strings are turned into integer codes once, after reading.

``counts`` returns the same per-agent counts as the Ibis functions, which
``guanxi.metrics.agents.assemble`` turns into reports exactly as the product does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from bench.agent_reports import COLUMNS
from guanxi.core.timeutil import Period
from guanxi.lake.schema import spec
from guanxi.metrics.attribution import AttributionRules
from guanxi.metrics.chat import ServiceRules

SERVICE_RULES = ServiceRules()
ATTRIBUTION_RULES = AttributionRules()

US = 1_000_000  # microseconds per second: times are int64 microseconds since the epoch


def _exact_us(value: dt.datetime) -> int:
    delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def _times(column: pa.ChunkedArray) -> np.ndarray:
    """A timestamp column as int64 microseconds (nulls as the int64 minimum)."""
    values = pc.cast(column, pa.timestamp("us", "UTC")).cast(pa.int64())
    return values.fill_null(np.iinfo(np.int64).min).to_numpy()


NULL_TIME = np.iinfo(np.int64).min
MISSING: Any = None  # a missing string in object arrays


def _dataset(files: dict[str, list[str]], name: str) -> ds.Dataset:
    if not files[name]:  # a table never written: empty, with its columns
        return ds.dataset(spec(name).schema.empty_table())
    return ds.dataset(files[name], format="parquet")


def _read(
    files: dict[str, list[str]], start: int, end: int, rules: AttributionRules
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    orders = _dataset(files, "orders").to_table(columns=list(COLUMNS["orders"]))
    o = pd.DataFrame(
        {
            "platform": orders["platform"].to_pandas(),
            "order_id": orders["order_id"].to_pandas(),
            "customer_key": orders["customer_key"].to_pandas(),
            **{
                c: _times(orders[c])
                for c in ("created_at", "paid_at", "shipped_at", "signed_at", "closed_at")
            },
            "closed": (orders["status"].to_pandas() == "closed").to_numpy(),
            # cents as int64: exact sums without Decimal objects
            "cents": pc.multiply(orders["amount"], 100).cast(pa.int64()).to_numpy(),
            "item_count": orders["item_count"].to_numpy(),
        }
    )
    rf = _dataset(files, "refunds").to_table(
        columns=list(COLUMNS["refunds"]),
        filter=(pc.field("requested_at") >= pa.scalar(start, pa.timestamp("us", "UTC")))
        & (pc.field("requested_at") < pa.scalar(end, pa.timestamp("us", "UTC"))),
    )
    refunds = rf.to_pandas()
    returned_orders = o.merge(refunds[["platform", "order_id"]], on=["platform", "order_id"])
    returned = returned_orders.groupby("customer_key", as_index=False)["created_at"].min()

    chats = _dataset(files, "chat_messages")
    margin = (rules.attribution_hours * 3600 + 86_400) * US
    until = end + 86_400 * US
    ts = pa.timestamp("us", "UTC")
    since = start - margin
    near = chats.to_table(
        columns=["session_id"],
        filter=(pc.field("sent_at") >= pa.scalar(since, ts))
        & (pc.field("sent_at") < pa.scalar(until, ts)),
    )
    touched = pc.unique(near["session_id"].combine_chunks())
    if len(returned):
        oldest = int(returned["created_at"].min()) - margin
        earlier = chats.to_table(
            columns=["session_id", "customer_key", "sent_at"],
            filter=(pc.field("sent_at") >= pa.scalar(oldest, ts))
            & (pc.field("sent_at") < pa.scalar(until, ts))
            & pc.field("customer_key").isin(pa.array(returned["customer_key"])),
        ).to_pandas()
        earlier["sent_at"] = earlier["sent_at"].astype("int64")
        earlier = earlier.merge(returned, on="customer_key")
        keep = earlier["sent_at"].to_numpy() >= earlier["created_at"].to_numpy() - margin
        more = pa.chunked_array([pa.array(earlier["session_id"][keep], pa.string())])
        touched = pc.unique(pa.concat_arrays([touched, more.combine_chunks()]))
    # The range of the session ids wanted lets Parquet statistics skip whole row groups;
    # the exact membership test runs on what is left.
    lo, hi = pc.min_max(touched).values()
    table = chats.to_table(
        columns=list(COLUMNS["chat_messages"]),
        filter=(pc.field("session_id") >= lo)
        & (pc.field("session_id") <= hi)
        & (pc.field("sender") != "system"),
    )
    table = table.filter(pc.is_in(table["session_id"], value_set=touched))
    m = pd.DataFrame(
        {
            "session": pc.dictionary_encode(table["session_id"]).combine_chunks().indices,
            "message_id": table["message_id"].to_pandas(),
            "customer_key": table["customer_key"].to_pandas(),
            "agent_id": table["agent_id"].to_pandas(),
            "sender": table["sender"].to_pandas(),
            "sent_at": _times(table["sent_at"]),
        }
    )
    return m, o, refunds


def counts(
    files: dict[str, list[str]],
    period: Period,
    time_zone: str,
    service_rules: ServiceRules = SERVICE_RULES,
    rules: AttributionRules = ATTRIBUTION_RULES,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """(chat counts per agent, sales counts per agent, store AOV parts) for ``period``."""
    start_dt, end_dt = period.utc_bounds(time_zone)
    start, end = _exact_us(start_dt), _exact_us(end_dt)
    m, o, refunds = _read(files, start, end, rules)
    m = m.sort_values(["session", "sent_at", "message_id"], ignore_index=True)
    session = m["session"].to_numpy()
    sender = m["sender"].to_numpy()
    is_customer = sender == "customer"
    is_agent = sender == "agent"
    same_prev = np.r_[False, session[1:] == session[:-1]]
    same_next = np.r_[session[:-1] == session[1:], False]
    prev_sender = np.where(same_prev, np.roll(sender, 1), MISSING)
    next_sender = np.where(same_next, np.roll(sender, -1), MISSING)
    agent = m["agent_id"].to_numpy()
    prev_agent = np.where(same_prev, np.roll(agent, 1), MISSING)
    next_agent = np.where(same_next, np.roll(agent, -1), MISSING)
    sent_at = m["sent_at"].to_numpy()
    next_at = np.where(same_next, np.roll(sent_at, -1), NULL_TIME)

    sessions = _sessions(m, is_customer, is_agent)
    spoke = m.loc[is_agent & m["agent_id"].notna(), ["session", "agent_id"]].drop_duplicates()

    chat = _chat_counts(
        m,
        is_customer,
        prev_sender,
        prev_agent,
        next_sender,
        next_agent,
        next_at,
        sessions,
        spoke,
        start,
        end,
        time_zone,
        service_rules,
    )
    stages = _stages(sessions, o, rules)
    sales = _sales_counts(m, is_agent, stages, spoke, o, refunds, start, end, time_zone, rules)
    created = (o["created_at"] >= start) & (o["created_at"] < end) & (o["paid_at"] != NULL_TIME)
    store = {
        "paid_amount": Decimal(int(o.loc[created, "cents"].sum())) / 100,
        "payers": int(o.loc[created, "customer_key"].nunique()),
    }
    return chat, sales, store


def _sessions(m: pd.DataFrame, is_customer: np.ndarray, is_agent: np.ndarray) -> pd.DataFrame:
    """One row per session: customer key, first/last message, first customer message and
    the first reply (the first agent message at or after it)."""
    g = m.groupby("session", sort=False)
    s = pd.DataFrame(
        {
            "customer_key": g["customer_key"].max(),
            "first_at": g["sent_at"].first(),
            "last_at": g["sent_at"].last(),
        }
    )
    s["first_customer_at"] = m[is_customer].groupby("session", sort=False)["sent_at"].first()
    agents = m.loc[is_agent, ["session", "agent_id", "sent_at"]]
    agents = agents[
        agents["sent_at"].to_numpy() >= s["first_customer_at"].reindex(agents["session"]).to_numpy()
    ]
    reply = agents.drop_duplicates("session").set_index("session")
    s["first_reply_by"] = reply["agent_id"]
    s["first_reply_at"] = reply["sent_at"]
    return s


def _seconds(later: Any, earlier: Any) -> Any:
    return (later - earlier) / US


def _chat_counts(
    m: pd.DataFrame,
    is_customer: np.ndarray,
    prev_sender: np.ndarray,
    prev_agent: np.ndarray,
    next_sender: np.ndarray,
    next_agent: np.ndarray,
    next_at: np.ndarray,
    sessions: pd.DataFrame,
    spoke: pd.DataFrame,
    start: int,
    end: int,
    time_zone: str,
    rules: ServiceRules,
) -> list[dict[str, Any]]:
    # Rounds: a run of customer messages starts where the message before is not a customer's
    # and ends where the next is not; in sorted order the i-th start pairs with the i-th end.
    starts = np.flatnonzero(is_customer & (prev_sender != "customer"))
    ends = np.flatnonzero(is_customer & (next_sender != "customer"))
    answered_by = np.where(next_sender[ends] == "agent", next_agent[ends], MISSING)
    r = pd.DataFrame(
        {
            "customer_key": m["customer_key"].to_numpy()[starts],
            "started_at": m["sent_at"].to_numpy()[starts],
            "customer_messages": ends - starts + 1,
            "answered_by": answered_by,
            "answered_at": np.where(answered_by != None, next_at[ends], NULL_TIME),  # noqa: E711
            "before_agent": np.where(prev_sender[starts] == "agent", prev_agent[starts], MISSING),
        }
    )
    r = r[(r["started_at"] >= start) & (r["started_at"] < end)]
    r["owner"] = r["answered_by"].fillna(r["before_agent"])
    r = r[r["owner"].notna()]
    answered = r["answered_by"].notna()
    r["response_seconds"] = np.where(answered, _seconds(r["answered_at"], r["started_at"]), np.nan)
    local = pd.to_datetime(r["started_at"], unit="us", utc=True).dt.tz_convert(time_zone)
    local_seconds = (local - local.dt.normalize()).dt.total_seconds()
    in_hours = (local_seconds >= rules.quick_from_hour * 3600) & (
        local_seconds < rules.quick_to_hour * 3600
    )
    r["quick"] = in_hours
    r["quick_ok"] = in_hours & answered & (r["response_seconds"] <= rules.quick_seconds)
    r["answered"] = answered
    owned = r.groupby("owner").agg(
        consulting_customers=("customer_key", "nunique"),
        rounds_owned=("started_at", "size"),
        rounds_answered=("answered", "sum"),
        quick_rounds=("quick", "sum"),
        quick_answered=("quick_ok", "sum"),
    )
    a = r[answered]
    by_answerer = a.groupby("answered_by").agg(
        response_seconds_sum=("response_seconds", "sum"),
        questions=("customer_messages", "sum"),
    )
    slow = a[a["response_seconds"] > rules.slow_seconds]
    by_answerer["slow_customers"] = slow.groupby("answered_by")["customer_key"].nunique()

    in_period = (m["sent_at"] >= start) & (m["sent_at"] < end)
    msgs = m[(m["sender"] == "agent") & m["agent_id"].notna() & in_period]
    sent = msgs.groupby("agent_id").agg(
        agent_messages=("sent_at", "size"), received_customers=("customer_key", "nunique")
    )
    s = sessions[(sessions["first_at"] >= start) & (sessions["first_at"] < end)]
    f = s[s["first_reply_by"].notna()]
    first = (
        f.assign(seconds=_seconds(f["first_reply_at"], f["first_customer_at"]))
        .groupby("first_reply_by")
        .agg(
            first_reply_sessions=("seconds", "size"), first_response_seconds_sum=("seconds", "sum")
        )
    )
    lengths = spoke.merge(
        s.assign(seconds=_seconds(s["last_at"], s["first_at"]))[["seconds"]],
        left_on="session",
        right_index=True,
    )
    lengths = lengths.groupby("agent_id").agg(
        sessions=("seconds", "size"), session_seconds_sum=("seconds", "sum")
    )
    agents = sent.index.union(owned.index).union(first.index).union(lengths.index)
    out = pd.concat([sent, owned, by_answerer, first, lengths], axis=1).reindex(agents).fillna(0)
    out.index.name = "agent_id"
    return _rows(out)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for agent_id, values in frame.sort_index().to_dict("index").items():
        row: dict[str, Any] = {"agent_id": agent_id}
        for key, value in values.items():
            row[str(key)] = value if key in _FLOATS else int(value)
        rows.append(row)
    return rows


_FLOATS = {"response_seconds_sum", "first_response_seconds_sum", "session_seconds_sum"}


def _stages(sessions: pd.DataFrame, o: pd.DataFrame, rules: AttributionRules) -> pd.DataFrame:
    """Sessions with a customer message and their stage (pre_sale | in_sale | after_sale)."""
    s = sessions[sessions["first_customer_at"].notna()]
    s = s[["customer_key", "first_customer_at"]].astype({"first_customer_at": "int64"})
    known = o[o["customer_key"].notna()]  # a missing customer key matches nothing
    j = (
        s[s["customer_key"].notna()]
        .reset_index()
        .merge(
            known[["customer_key", "paid_at", "shipped_at", "signed_at", "closed_at"]],
            on="customer_key",
        )
    )
    t = j["first_customer_at"].to_numpy()
    shipped, signed = j["shipped_at"].to_numpy(), j["signed_at"].to_numpy()
    closed, paid = j["closed_at"].to_numpy(), j["paid_at"].to_numpy()
    after = (
        (shipped != NULL_TIME)
        & (shipped <= t)
        & ((closed == NULL_TIME) | (closed > t))
        & ((signed == NULL_TIME) | (signed > t - rules.after_sale_days * 86_400 * US))
    )
    during = (paid != NULL_TIME) & (paid <= t) & ((shipped == NULL_TIME) | (shipped > t))
    flags = pd.DataFrame({"session": j["session"], "after": after, "during": during})
    flags = flags.groupby("session").any()
    s = s.join(flags)
    s["stage"] = np.where(
        s["after"].fillna(False).astype(bool),
        "after_sale",
        np.where(s["during"].fillna(False).astype(bool), "in_sale", "pre_sale"),
    )
    return s[["customer_key", "first_customer_at", "stage"]]


def _sales_counts(
    m: pd.DataFrame,
    is_agent: np.ndarray,
    stages: pd.DataFrame,
    spoke: pd.DataFrame,
    o: pd.DataFrame,
    refunds: pd.DataFrame,
    start: int,
    end: int,
    time_zone: str,
    rules: AttributionRules,
) -> list[dict[str, Any]]:
    pre = stages.index[stages["stage"] == "pre_sale"]
    msgs = m.loc[
        is_agent & m["agent_id"].notna(),
        ["session", "customer_key", "agent_id", "sent_at", "message_id"],
    ]
    msgs = msgs[msgs["session"].isin(pre) & msgs["customer_key"].notna()]
    # merge_asof takes the last message at or before each order in the right frame's order:
    # sorted by time then message id, that is the product's (msg_at, message_id) maximum.
    msgs = msgs.sort_values(["sent_at", "message_id"], kind="stable")
    requests = refunds[refunds["kind"] == "return_refund"].groupby(["platform", "order_id"]).size()
    returns = requests.rename("returns_requested").reset_index()
    wanted = o.merge(returns, on=["platform", "order_id"], how="left")
    created = (wanted["created_at"] >= start) & (wanted["created_at"] < end)
    wanted = wanted[created | wanted["returns_requested"].notna()]
    wanted = wanted[wanted["customer_key"].notna()].sort_values("created_at", kind="stable")
    a = pd.merge_asof(
        wanted,
        msgs[["customer_key", "agent_id", "sent_at"]],
        left_on="created_at",
        right_on="sent_at",
        by="customer_key",
        direction="backward",
        allow_exact_matches=True,
    )
    window = rules.attribution_hours * 3600 * US
    a = a[a["agent_id"].notna() & (a["sent_at"] >= a["created_at"] - window)]
    in_period = a[(a["created_at"] >= start) & (a["created_at"] < end)]
    paid = in_period["paid_at"] != NULL_TIME
    in_period = in_period.assign(
        paid=paid,
        lost=~paid & in_period["closed"],
        paid_cents=in_period["cents"].where(paid, 0),
        paid_units=in_period["item_count"].where(paid, 0),
        buyer=in_period["customer_key"].where(paid),
    )
    sales = in_period.groupby("agent_id").agg(
        attributed_orders=("paid", "size"),
        attributed_paid=("paid", "sum"),
        attributed_lost=("lost", "sum"),
        sales_cents=("paid_cents", "sum"),
        sales_units=("paid_units", "sum"),
        buyers=("buyer", "nunique"),
    )
    returned = a.groupby("agent_id")["returns_requested"].sum().rename("returns")
    returned = returned[a.groupby("agent_id")["returns_requested"].count() > 0]

    # Inquiries: pre-sale sessions of the period in which an agent spoke, per (customer, agent).
    q = stages[
        (stages["stage"] == "pre_sale")
        & (stages["first_customer_at"] >= start)
        & (stages["first_customer_at"] < end)
    ]
    spoken = spoke.merge(
        q[["customer_key", "first_customer_at"]], left_on="session", right_index=True
    )
    pairs = spoken.groupby(["customer_key", "agent_id"], as_index=False, dropna=False).agg(
        began_at=("first_customer_at", "min")
    )
    local = pd.to_datetime(pairs["began_at"], unit="us", utc=True).dt.tz_convert(time_zone)
    midnight = local.dt.normalize().dt.tz_localize(None)

    def local_end(days: int) -> np.ndarray:
        edge = (midnight + pd.Timedelta(days=days)).dt.tz_localize(time_zone)
        return edge.dt.tz_convert("UTC").dt.as_unit("us").astype("int64").to_numpy()

    pairs["next_end"] = local_end(rules.next_day_days + 1)
    pairs["final_end"] = local_end(rules.final_days + 1)
    paid_orders = o.loc[
        (o["paid_at"] != NULL_TIME) & o["customer_key"].notna(),
        ["customer_key", "created_at", "paid_at"],
    ]
    j = pairs.reset_index().merge(paid_orders, on="customer_key")
    j = j[j["created_at"] > j["began_at"]]
    j = (
        j.assign(next_day=j["paid_at"] < j["next_end"], final=j["paid_at"] < j["final_end"])
        .groupby("index")[["next_day", "final"]]
        .any()
    )
    pairs = pairs.join(j)
    pairs[["next_day", "final"]] = pairs[["next_day", "final"]].fillna(False).astype(bool)
    asked = pairs.groupby("agent_id").agg(inquirers=("customer_key", "nunique"))
    asked["converted_next_day"] = (
        pairs[pairs["next_day"]].groupby("agent_id")["customer_key"].nunique()
    )
    asked["converted_final"] = pairs[pairs["final"]].groupby("agent_id")["customer_key"].nunique()
    agents = sales.index.union(returned.index).union(asked.index)
    out = pd.concat([sales, returned, asked], axis=1).reindex(agents)
    out.index.name = "agent_id"
    out = out.fillna(0)
    rows = _rows(out.drop(columns="sales_cents"))
    for row, cents in zip(rows, out.sort_index()["sales_cents"], strict=True):
        row["sales_amount"] = Decimal(int(cents)) / 100
    return rows
