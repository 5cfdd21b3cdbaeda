"""Derived tables: the chat's facts (``metrics.facts``) kept in the lake beside the raw
tables, so a report counts sessions and rounds instead of rebuilding them from messages.

- Each derived table is a Delta table under ``<lake>/_derived/``, partitioned by ``month``
  (the local month of its session's first message, or of the order's creation): a refresh
  rewrites only the months it touched, in one commit per table.
- ``fill_state.json`` says which versions of the raw tables the derived ones reflect, in
  which time zone and with which attribution rules. A reader compares it with the raw
  tables' current versions: equal means fresh; anything else means a refresh is due and
  the figures must come from the raw path meanwhile (``is_fresh``).
- ``refresh`` brings them up to date: from the changes between the recorded versions and
  the current ones (rows in the files added, against the rows in the files removed) it
  finds the sessions and orders whose facts can have changed, recomputes only those with
  the metric code, and writes them; ``rebuild`` recomputes everything. Both run under one
  lock and write the fill state last, so an interrupted refresh is simply redone (the
  recomputation is a function of the raw tables: redoing it rewrites the same rows).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

from guanxi.core.timeutil import Period
from guanxi.lake.schema import MONEY, STR, TS, TableSpec
from guanxi.lake.store import snapshot, table_exists
from guanxi.metrics.attribution import AttributionRules
from guanxi.metrics.customer_facts import customer_months
from guanxi.metrics.facts import (
    FACT_NAMES,
    ChatFacts,
    attribution_facts,
    month_of,
    session_facts,
)

DATE = pa.date32()
I64 = pa.int64()
F64 = pa.float64()
MONTH = ("month", STR, False)


def _schema(*fields: tuple[str, pa.DataType, bool]) -> pa.Schema:
    return pa.schema([pa.field(n, t, nullable=nullable) for n, t, nullable in fields])


# fact name (ChatFacts field) → its derived table
DERIVED: dict[str, TableSpec] = {
    "sessions": TableSpec(
        "chat_sessions",
        _schema(
            ("session_id", STR, False),
            ("platform", STR, True),
            ("customer_key", STR, True),
            ("first_at", TS, True),
            ("last_at", TS, True),
            ("first_customer_at", TS, True),
            ("starts_with_customer", pa.bool_(), True),
            ("first_reply_at", TS, True),
            ("first_reply_by", STR, True),
            ("agent_messages", I64, True),
            ("first_response_seconds", F64, True),
            ("length_seconds", F64, True),
            ("stage", STR, True),
            ("day", DATE, True),
            ("customer_day", DATE, True),
            MONTH,
        ),
        key=("session_id",),
        partition_by=("month",),
    ),
    "rounds": TableSpec(
        "chat_rounds",
        _schema(
            ("session_id", STR, False),
            ("round_key", I64, False),
            ("round_no", I64, True),
            ("platform", STR, True),
            ("customer_key", STR, True),
            ("started_at", TS, True),
            ("customer_messages", I64, True),
            ("answered_at", TS, True),
            ("answered_by", STR, True),
            ("owner", STR, True),
            ("response_seconds", F64, True),
            ("day", DATE, True),
            ("local_seconds", F64, True),
            MONTH,
        ),
        key=("session_id", "round_key"),
        partition_by=("month",),
    ),
    "session_agents": TableSpec(
        "chat_session_agents",
        _schema(("session_id", STR, False), ("agent_id", STR, True), MONTH),
        key=("session_id", "agent_id"),
        partition_by=("month",),
    ),
    "agent_sends": TableSpec(
        "chat_agent_sends",
        _schema(
            ("session_id", STR, False),
            ("agent_id", STR, True),
            ("customer_key", STR, True),
            ("day", DATE, True),
            ("messages", I64, True),
            MONTH,
        ),
        key=("session_id", "agent_id", "customer_key", "day"),
        partition_by=("month",),
    ),
    "douyin_waits": TableSpec(
        "chat_douyin_waits",
        _schema(
            ("session_id", STR, False),
            ("round_key", I64, True),
            ("sent_at", TS, True),
            ("day", DATE, True),
            ("local_seconds", F64, True),
            MONTH,
        ),
        key=("session_id", "sent_at"),
        partition_by=("month",),
    ),
    "attribution": TableSpec(
        "order_attribution",
        _schema(
            ("platform", STR, False),
            ("order_id", STR, False),
            ("customer_key", STR, True),
            ("created_at", TS, True),
            ("paid_at", TS, True),
            ("closed_at", TS, True),
            ("status", STR, True),
            ("amount", MONEY, True),
            ("item_count", pa.int32(), True),
            ("agent_id", STR, True),
            ("day", DATE, True),
            MONTH,
        ),
        key=("platform", "order_id"),
        partition_by=("month",),
    ),
}
DERIVED["customer_months"] = TableSpec(
    "customer_months",
    _schema(
        ("customer_key", STR, False),
        ("orders", I64, False),
        ("paid_orders", I64, False),
        ("paid_amount", MONEY, False),
        ("paid_items", I64, False),
        ("refunds", I64, False),
        ("refund_amount", MONEY, False),
        ("returns", I64, False),
        ("sessions", I64, False),
        ("reviews", I64, False),
        ("rating_sum", I64, False),
        ("last_order_at", TS, True),
        ("last_paid_at", TS, True),
        ("last_chat_at", TS, True),
        MONTH,
    ),
    key=("customer_key", "month"),
    partition_by=("month",),
)
SESSION_FACTS = ("sessions", "rounds", "session_agents", "agent_sends", "douyin_waits")
SOURCES = ("chat_messages", "orders", "refunds", "reviews")
"""The raw tables the derived ones are computed from."""
STATE_FILE = "fill_state.json"

ORDER_TIMES = ("created_at", "paid_at", "shipped_at", "signed_at", "closed_at")


def _changed_time(column: str) -> str:
    # An order with one row here is new or deleted (all of its times count); with two, its
    # old and new rows: a time counts where they differ (NULL a value of its own), all of
    # them when the order changed customer.
    return (
        f"CASE WHEN count(*) = 1 OR count(DISTINCT coalesce(customer_key, '')) > 1 OR "
        f"count(DISTINCT {column}) + CAST(count({column}) < count(*) AS INTEGER) > 1 "
        f"THEN min({column}) END"
    )


FIRST_ORDER_CHANGE = f"""
SELECT min(changed) FROM (
    SELECT least({", ".join(_changed_time(c) for c in ORDER_TIMES)}) AS changed
    FROM o GROUP BY platform, order_id
)
"""
"""The earliest moment an order change can matter: a session's stage at t compares order
times with t (paid ≤ t, shipped ≤ t, closed > t, signed > t − the after-sale window), each
as if an unset time were after every t, so a time moved from a to b changes only the stages
at t ≥ min(a, b). Only the times that changed count: an old order shipped today redoes its
customer's sessions from today, not from the day it was placed. An order that moved to
another customer (a merge) counts from its earliest time for both."""


@dataclass
class FillState:
    time_zone: str
    rules: dict[str, int]
    sources: dict[str, int | None]  # raw table → the Delta version reflected
    tables: dict[str, int | None] = field(default_factory=dict)  # derived table → version
    refreshed_at: str = ""
    mode: str = ""  # rebuild | refresh
    touched_sessions: int = 0
    touched_orders: int = 0


@dataclass(frozen=True)
class Freshness:
    """How the derived tables stand against the raw ones."""

    fresh: bool
    reason: str  # "" | missing | settings | behind
    state: FillState | None


class Derived:
    """The derived tables of one lake (``Lake``), their fill state and their upkeep."""

    def __init__(self, lake: Any) -> None:
        self.lake = lake
        self.root = f"{lake.root.rstrip('/')}/_derived"

    # -- paths, state -----------------------------------------------------------------------
    def path(self, fact: str) -> str:
        return f"{self.root}/{DERIVED[fact].name}"

    def exists(self, fact: str) -> bool:
        return table_exists(self.path(fact))

    def files(self, fact: str) -> list[str]:
        found = snapshot(self.path(fact))
        return list(found[1]) if found is not None else []

    def _state_path(self) -> Path:
        return Path(self.root) / STATE_FILE

    def state(self) -> FillState | None:
        try:
            data = json.loads(self._state_path().read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return FillState(**data)

    def _save_state(self, state: FillState) -> None:
        path = self._state_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(state), indent=1), encoding="utf-8")
        os.replace(tmp, path)  # atomic: readers see the old state or the new one

    def source_versions(self) -> dict[str, int | None]:
        return {name: self.lake.version(name) for name in SOURCES}

    def freshness(self, time_zone: str, rules: AttributionRules | None) -> Freshness:
        """How the derived tables stand; ``rules`` None: versions and time zone only (the
        pages' cheap check; the reports compare the rules as well)."""
        state = self.state()
        current = self.source_versions()
        if all(v is None for v in current.values()):
            return Freshness(True, "", state)  # no raw tables yet: nothing to derive
        if state is None or not all(self.exists(f) for f in DERIVED):
            return Freshness(False, "missing", state)
        if state.time_zone != time_zone or (
            rules is not None and state.rules != _rule_state(rules)
        ):
            return Freshness(False, "settings", state)
        if state.sources != current:
            return Freshness(False, "behind", state)
        return Freshness(True, "", state)

    def is_fresh(self, time_zone: str, rules: AttributionRules) -> bool:
        return self.freshness(time_zone, rules).fresh

    def facts(self) -> ChatFacts:
        """The derived tables as Ibis tables on the lake's engine (``month`` dropped)."""
        return ChatFacts(**{fact: self.table(fact).drop("month") for fact in FACT_NAMES})

    def table(self, fact: str) -> ibis.Table:
        """One derived table (by its fact name, e.g. ``customer_months``) on the engine."""
        spec = DERIVED[fact]
        return self.lake.engine.table(spec.name, self.files(fact), spec.schema)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One refresh at a time per lake (other processes wait)."""
        Path(self.root).mkdir(parents=True, exist_ok=True)
        with open(Path(self.root) / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- progress ---------------------------------------------------------------------------
    def _progress_path(self) -> Path:
        return Path(self.root) / "refreshing.json"

    def progress(self) -> float | None:
        """How far the running refresh or rebuild is (0–1), None when none is running."""
        try:
            data = json.loads(self._progress_path().read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        share = data.get("share")
        return float(share) if isinstance(share, int | float) else None

    @contextmanager
    def _reporting(
        self, progress: Callable[[float], None] | None
    ) -> Iterator[Callable[[float], None]]:
        """A progress callback that also leaves the share where pages can read it."""
        path = self._progress_path()

        def report(share: float) -> None:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"share": round(share, 3)}), encoding="utf-8")
            os.replace(tmp, path)
            if progress is not None:
                progress(share)

        report(0.0)
        try:
            yield report
        finally:
            path.unlink(missing_ok=True)

    # -- upkeep -----------------------------------------------------------------------------
    def refresh(
        self,
        time_zone: str,
        rules: AttributionRules,
        progress: Callable[[float], None] | None = None,
    ) -> FillState:
        """Bring the derived tables up to the raw tables' current versions: only what
        changed, or everything when there is no usable state."""
        with self.locked(), self._reporting(progress) as progress:
            freshness = self.freshness(time_zone, rules)
            if freshness.fresh and freshness.state is not None:
                return freshness.state
            state = freshness.state
            with self.lake.build_memory():
                if state is None or freshness.reason != "behind":
                    return self._rebuild(time_zone, rules, progress)
                try:
                    return self._refresh(state, time_zone, rules, progress)
                except _HistoryGoneError:
                    return self._rebuild(time_zone, rules, progress)

    def rebuild(
        self,
        time_zone: str,
        rules: AttributionRules,
        progress: Callable[[float], None] | None = None,
        only: str = "",
    ) -> FillState:
        """Recompute every derived table from scratch; ``only``: just that table (by its
        name, e.g. ``chat_rounds``), at the raw versions the others reflect."""
        if only and only not in {spec.name for spec in DERIVED.values()}:
            known = ", ".join(spec.name for spec in DERIVED.values())
            raise ValueError(f"no derived table {only!r}; known: {known}")
        with self.locked(), self._reporting(progress) as report, self.lake.build_memory():
            return self._rebuild(time_zone, rules, report, only)

    def _sources(self, versions: dict[str, int | None]) -> dict[str, ibis.Table]:
        """The raw tables at ``versions`` (a refresh reads one consistent snapshot even if an
        import commits meanwhile; the state then records these versions)."""
        from guanxi.lake.schema import spec

        out = {}
        for name, version in versions.items():
            files = (
                DeltaTable(self.lake.path(name), version=version).file_uris()
                if version is not None
                else []
            )
            out[name] = self.lake.engine.table(name, files, spec(name).schema)
        return out

    def _rebuild(
        self,
        time_zone: str,
        rules: AttributionRules,
        progress: Callable[[float], None] | None,
        only: str = "",
    ) -> FillState:
        state = self.state()
        usable = state is not None and state.time_zone == time_zone
        if only and usable and state is not None and state.rules == _rule_state(rules):
            versions, tables = dict(state.sources), dict(state.tables)
        else:
            only, versions, tables = "", self.source_versions(), {}
        raw = self._sources(versions)
        messages, orders = raw["chat_messages"], raw["orders"]
        span = self._span(messages)
        step = _Steps(progress, len(DERIVED) + 1)
        with contextlib_cache(self.lake, _ordered(messages)) as ordered:
            parts = session_facts(messages, orders, time_zone, span, rules, ordered=ordered)
            with contextlib_cache(self.lake, parts["sessions"]) as sessions:
                step()
                months = sessions.select("session_id", month=month_of(sessions.day))
                for fact in SESSION_FACTS:
                    if not only or DERIVED[fact].name == only:
                        expr = sessions if fact == "sessions" else parts[fact]
                        tables[DERIVED[fact].name] = self._overwrite(
                            fact, _with_month(expr, months, fact)
                        )
                    step()
                if not only or DERIVED["attribution"].name == only:
                    a = attribution_facts(ordered, sessions, orders, time_zone, span, rules)
                    tables[DERIVED["attribution"].name] = self._overwrite(
                        "attribution", a.mutate(month=month_of(a.day))
                    )
                step()
                if not only or only == "customer_months":
                    tables["customer_months"] = self._overwrite(
                        "customer_months",
                        customer_months(
                            orders=orders,
                            refunds=raw["refunds"],
                            reviews=raw["reviews"],
                            sessions=sessions,
                            time_zone=time_zone,
                            span=span,
                        ),
                    )
                step()
        state = FillState(
            time_zone=time_zone,
            rules=_rule_state(rules),
            sources=versions,
            tables=tables,
            refreshed_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            mode=f"rebuild {only}" if only else "rebuild",
        )
        self._save_state(state)
        return state

    def _refresh(
        self,
        state: FillState,
        time_zone: str,
        rules: AttributionRules,
        progress: Callable[[float], None] | None,
    ) -> FillState:
        versions = self.source_versions()
        step = _Steps(progress, len(DERIVED) + 3)
        messages_changed = self._changed_rows(
            "chat_messages",
            state.sources.get("chat_messages"),
            versions["chat_messages"],
            ["session_id", "customer_key", "sent_at"],
        )
        orders_changed = self._changed_rows(
            "orders",
            state.sources.get("orders"),
            versions["orders"],
            ["platform", "order_id", "customer_key", "created_at", "paid_at", "shipped_at",
             "signed_at", "closed_at"],
        )  # fmt: skip
        step()
        raw = self._sources(versions)
        messages, orders = raw["chat_messages"], raw["orders"]
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        con.register("m", messages_changed)
        con.register("o", orders_changed)
        sessions_files = self.files("sessions")
        first_change = con.execute(FIRST_ORDER_CHANGE).fetchone()
        since_orders = first_change[0] if first_change else None
        # The changed orders' own attribution looks back from their creation (72 h of
        # chats), however late the change: an old order shipped today keeps its agent.
        created = con.execute("SELECT min(created_at) FROM o").fetchone()
        first_created = created[0] if created else None
        touched_customers = {
            r[0]
            for r in con.execute(
                "SELECT customer_key FROM m WHERE customer_key IS NOT NULL UNION "
                "SELECT customer_key FROM o WHERE customer_key IS NOT NULL"
            ).fetchall()
        }
        session_ids = {r[0] for r in con.execute("SELECT DISTINCT session_id FROM m").fetchall()}
        if since_orders is not None and sessions_files:
            order_customers = pa.table(
                {"customer_key": pa.array(sorted(
                    r[0] for r in con.execute(
                        "SELECT DISTINCT customer_key FROM o WHERE customer_key IS NOT NULL"
                    ).fetchall()
                ), STR)}
            )  # fmt: skip
            con.register("oc", order_customers)
            staged = con.execute(
                "SELECT session_id FROM read_parquet($f) s JOIN oc USING (customer_key) "
                "WHERE s.first_customer_at >= $since",
                {"f": sessions_files, "since": since_orders},
            ).fetchall()
            session_ids |= {r[0] for r in staged}
        ids = pa.table({"session_id": pa.array(sorted(session_ids), STR)})
        con.register("ids", ids)
        # The sessions' customers, and the earliest first message of any of them, old or new.
        old = (
            con.execute(
                "SELECT customer_key, first_at, month FROM read_parquet($f) "
                "JOIN ids USING (session_id)",
                {"f": sessions_files},
            ).fetchall()
            if sessions_files
            else []
        )
        touched_ids = self.lake.engine.register("touched_sessions", ids)
        touched_messages = messages.filter(messages.session_id.isin(touched_ids.session_id))
        span = self._span(messages)
        step()
        tables = dict(state.tables)
        with contextlib_cache(self.lake, _ordered(touched_messages)) as ordered:
            parts = session_facts(touched_messages, orders, time_zone, span, rules, ordered=ordered)
            with contextlib_cache(self.lake, parts["sessions"]) as sessions:
                fresh = self.lake.arrow(
                    sessions.select("customer_key", "first_at", month=month_of(sessions.day))
                ).to_pylist()
                months = sessions.select("session_id", month=month_of(sessions.day))
                for fact in SESSION_FACTS:
                    expr = sessions if fact == "sessions" else parts[fact]
                    tables[DERIVED[fact].name] = self._replace(
                        fact, _with_month(expr, months, fact), ids, ["session_id"]
                    )
                    step()
        firsts = [r[1] for r in old if r[1] is not None] + [
            r["first_at"] for r in fresh if r["first_at"] is not None
        ]
        touched_customers |= {r[0] for r in old if r[0]} | {
            r["customer_key"] for r in fresh if r["customer_key"]
        }
        since = min([t for t in [since_orders, *firsts] if t is not None], default=None)
        order_keys = _fetch(con, "SELECT DISTINCT platform, order_id FROM o")
        chat_since = min([t for t in [since, first_created] if t is not None], default=None)
        customers = self.lake.engine.register(
            "touched_customers",
            pa.table({"customer_key": pa.array(sorted(touched_customers), STR)}),
        )
        if since is not None and touched_customers:
            since_lit = ibis.literal(since)
            redo = orders.filter(
                orders.customer_key.isin(customers.customer_key) & (orders.created_at >= since_lit)
            ).select("platform", "order_id")
            redo_keys = self.lake.arrow(redo)
            order_keys = (
                pa.concat_tables([order_keys.cast(redo_keys.schema), redo_keys])
                .group_by(["platform", "order_id"])
                .aggregate([])
            )
        if chat_since is not None and touched_customers:
            window = chat_since - dt.timedelta(hours=rules.attribution_hours + 24)
            chat = messages.filter(
                messages.customer_key.isin(customers.customer_key)
                & (messages.sent_at >= ibis.literal(window))
            )
        else:
            chat = messages.filter(ibis.literal(False))
        keys = self.lake.engine.register("touched_orders", order_keys)
        # (a join and a projection: Ibis cannot join further from a semi-join here)
        target = orders.join(keys, ["platform", "order_id"]).select(*orders.columns)
        derived_sessions = self.facts().sessions
        a = attribution_facts(chat, derived_sessions, target, time_zone, span, rules)
        tables[DERIVED["attribution"].name] = self._replace(
            "attribution", a.mutate(month=month_of(a.day)), order_keys, ["platform", "order_id"]
        )
        step()
        # Customer months: the (customer, month) pairs any changed row falls in, redone.
        pairs = {(r[0], r[2]) for r in old if r[0]} | {
            (r["customer_key"], r["month"]) for r in fresh if r["customer_key"]
        }
        for name, column in (("orders", "created_at"), ("refunds", "requested_at"),
                             ("reviews", "created_at")):  # fmt: skip
            changed = (
                orders_changed
                if name == "orders"
                else self._changed_rows(
                    name, state.sources.get(name), versions[name], ["customer_key", column]
                )
            )
            pairs |= _months_of(changed, column, time_zone)
        step()
        pair_table = pa.table(
            {
                "customer_key": pa.array([p[0] for p in sorted(pairs)], STR),
                "month": pa.array([p[1] for p in sorted(pairs)], STR),
            }
        )
        who = self.lake.engine.register(
            "touched_customer_months",
            pa.table({"customer_key": pa.array(sorted({p[0] for p in pairs}), STR)}),
        )

        def mine(table: ibis.Table) -> ibis.Table:
            return table.filter(table.customer_key.isin(who.customer_key))

        monthly = customer_months(
            orders=mine(orders),
            refunds=mine(raw["refunds"]),
            reviews=mine(raw["reviews"]),
            sessions=mine(self.facts().sessions),
            time_zone=time_zone,
            span=span,
        )
        pairs_table = self.lake.engine.register("touched_pairs", pair_table)
        monthly = monthly.semi_join(pairs_table, ["customer_key", "month"])
        tables["customer_months"] = self._replace(
            "customer_months", monthly, pair_table, ["customer_key", "month"]
        )
        new_state = FillState(
            time_zone=time_zone,
            rules=_rule_state(rules),
            sources=versions,
            tables=tables,
            refreshed_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            mode="refresh",
            touched_sessions=ids.num_rows,
            touched_orders=order_keys.num_rows,
        )
        self._save_state(new_state)
        return new_state

    def purge_history(self) -> int:
        """Forget the derived tables' old versions (after an erasure: they held the erased
        customer's key). Returns the data files deleted."""
        from guanxi.lake.store import purge_table_history

        return sum(purge_table_history(self.path(f)) for f in DERIVED if self.exists(f))

    def vacuum(self, keep_hours: int) -> int:
        """Delete the files of derived versions older than ``keep_hours`` (the raw tables'
        retention): each refresh rewrites whole months, so old files pile up otherwise."""
        deleted = 0
        for fact in DERIVED:
            if self.exists(fact):
                table = DeltaTable(self.path(fact))
                deleted += len(
                    table.vacuum(
                        retention_hours=keep_hours, dry_run=False, enforce_retention_duration=False
                    )
                )
        return deleted

    # -- helpers ----------------------------------------------------------------------------
    def _span(self, messages: ibis.Table) -> Period:
        """The local days every chat and order event can fall on (a day's margin each side)."""
        row = self.lake.arrow(
            messages.aggregate(first=messages.sent_at.min(), last=messages.sent_at.max())
        ).to_pylist()[0]
        today = dt.date.today()
        first = row["first"].date() if row["first"] else today
        last = max(row["last"].date() if row["last"] else today, today)
        return Period(first - dt.timedelta(days=400), last + dt.timedelta(days=2))

    def _changed_rows(
        self, name: str, before: int | None, after: int | None, columns: list[str]
    ) -> pa.Table:
        """``columns`` of the rows that differ between two versions of raw table ``name``:
        rows only in the new version's added files, and rows only in the removed files (the
        old state of updated rows, and deleted rows)."""
        from guanxi.lake.schema import spec

        empty = spec(name).schema.empty_table().select(columns)
        if after is None or before == after:
            return empty
        path = self.lake.path(name)
        now = set(DeltaTable(path, version=after).file_uris())
        try:
            then = (
                set(DeltaTable(path, version=before).file_uris()) if before is not None else set()
            )
        except Exception as exc:  # the old version's log or files were cleaned up
            raise _HistoryGoneError(name) from exc
        added, removed = sorted(now - then), sorted(then - now)
        if any(not _file_exists(f) for f in removed):
            raise _HistoryGoneError(name)
        cols = ", ".join(f'"{c}"' for c in spec(name).schema.names)
        pick = ", ".join(f'"{c}"' for c in columns)
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        src_new = f"SELECT {cols} FROM read_parquet($a)" if added else None
        src_old = f"SELECT {cols} FROM read_parquet($r)" if removed else None
        parts = []
        params: dict[str, Any] = {}
        if added:
            params["a"] = added
        if removed:
            params["r"] = removed
        if src_new and src_old:
            parts.append(f"({src_new} EXCEPT {src_old})")
            parts.append(f"({src_old} EXCEPT {src_new})")
        elif src_new:
            parts.append(f"({src_new})")
        elif src_old:
            parts.append(f"({src_old})")
        if not parts:
            return empty
        sql = f"SELECT {pick} FROM ({' UNION ALL '.join(parts)})"
        return _fetch(con, sql, params).cast(empty.schema)

    def _batches(self, fact: str, expr: ibis.Table) -> pa.RecordBatchReader:
        spec = DERIVED[fact]
        table = self.lake.arrow(expr.select(*spec.schema.names))
        return table.cast(spec.schema).to_reader()

    def _overwrite(self, fact: str, expr: ibis.Table) -> int:
        path = self.path(fact)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_deltalake(
            path,
            self._batches(fact, expr),
            mode="overwrite",
            schema_mode="overwrite",
            partition_by=list(DERIVED[fact].partition_by),
        )
        return DeltaTable(path).version()

    def _replace(self, fact: str, expr: ibis.Table, keys: pa.Table, on: list[str]) -> int | None:
        """Replace the rows of ``keys`` (by ``on``) with ``expr``'s rows: the months either
        touches are rewritten in one commit (untouched rows of those months copied over)."""
        spec = DERIVED[fact]
        new = self.lake.arrow(expr.select(*spec.schema.names)).cast(spec.schema)
        files = self.files(fact)
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        con.register("k", keys)
        con.register("n", new)
        join = " AND ".join(f'd."{c}" = k."{c}"' for c in on)
        old_months = (
            [
                r[0]
                for r in con.execute(
                    f"SELECT DISTINCT d.month FROM read_parquet($f) d JOIN k ON {join}",
                    {"f": files},
                ).fetchall()
            ]
            if files and keys.num_rows
            else []
        )
        months = sorted(set(old_months) | set(new.column("month").to_pylist()))
        if not months:
            return DeltaTable(self.path(fact)).version() if self.exists(fact) else None
        cols = ", ".join(f'd."{c}"' for c in spec.schema.names)
        kept = (
            _fetch(
                con,
                f"SELECT {cols} FROM read_parquet($f) d WHERE d.month IN "
                f"(SELECT unnest($months)) AND NOT EXISTS (SELECT 1 FROM k WHERE {join})",
                {"f": files, "months": months},
            ).cast(spec.schema)
            if files
            else spec.schema.empty_table()
        )
        content = pa.concat_tables([kept, new])
        quoted = ", ".join("'" + m.replace("'", "''") + "'" for m in months)
        path = self.path(fact)
        write_deltalake(
            path,
            content,
            mode="overwrite",
            predicate=f"month IN ({quoted})",
            partition_by=list(spec.partition_by),
        )
        return DeltaTable(path).version()


def _months_of(rows: pa.Table, column: str, time_zone: str) -> set[tuple[str, str]]:
    """(customer_key, local 'YYYY-MM' of ``column``) of a few changed rows."""
    tz = zoneinfo.ZoneInfo(time_zone)
    out = set()
    for row in rows.select(["customer_key", column]).to_pylist():
        if row["customer_key"] and row[column] is not None:
            out.add((row["customer_key"], row[column].astimezone(tz).strftime("%Y-%m")))
    return out


def _rule_state(rules: AttributionRules) -> dict[str, int]:
    """The rules the derived tables depend on (stages and attribution); the inquiry
    windows are applied when counting."""
    return {"after_sale_days": rules.after_sale_days, "attribution_hours": rules.attribution_hours}


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> pa.Table:
    """A DuckDB query's result as an Arrow table."""
    return con.sql(sql, params=params).to_arrow_table()


class _HistoryGoneError(Exception):
    """The recorded version of a raw table can no longer be read: rebuild instead."""


def _file_exists(uri: str) -> bool:
    if uri.startswith("file://"):
        uri = uri[len("file://") :]
    return "://" in uri or os.path.exists(uri)


def _ordered(messages: ibis.Table) -> ibis.Table:
    from guanxi.metrics.chat import ordered_messages

    return ordered_messages(messages)


def _with_month(expr: ibis.Table, months: ibis.Table, fact: str) -> ibis.Table:
    """A session fact with its session's month (the partition it is replaced by)."""
    if fact == "sessions":
        return expr.mutate(month=month_of(expr.day))
    return expr.join(months, "session_id")


@contextmanager
def contextlib_cache(lake: Any, expr: ibis.Table) -> Iterator[ibis.Table]:
    """``expr`` materialised for the block (a temporary table on DuckDB, a persisted frame
    on Spark)."""
    with expr.cache() as cached:
        yield cached


class _Steps:
    """Progress through a fixed number of steps (0–1), reported after each."""

    def __init__(self, progress: Callable[[float], None] | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(min(1.0, self.done / self.total))
