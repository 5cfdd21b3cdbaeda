"""One customer's timeline — orders, chat sessions, refunds, reviews and shop ratings, newest
first — read from a small per-customer index of the lake.

Why an index: the profile page asks "what happened to this customer" of five lake tables.
Filtered by ``customer_key`` each read scans its whole table (the keys are in no order in
the files): 40–550 ms a table on the large demo, 1.1–2.1 s a page. The index holds one
narrow row per event of every customer in 256 buckets of Parquet (by a hash of the key),
sorted by customer_key inside each, with small row groups; a look-up opens its bucket's
file and reads the row group whose min/max key brackets the customer (Parquet statistics):
~10 ms whatever the shop's size (docs/customers.md, profile).

The index is built for one state of the lake (``index_token``: the raw tables' versions,
and the derived sessions' files when they are fresh) and used only in that state: it cannot
be stale. After an import it is built again on the first look-up (seconds on a large
shop; the import task can build it ahead: ``ensure_index``). Entries hold what the lake
holds (keys, amounts, statuses, and the refund reasons and review texts the lake stores),
never a name from the master; the page masks the free text before showing it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from guanxi import lake

if TYPE_CHECKING:
    import ibis

log = logging.getLogger(__name__)

KINDS = ("order", "chat", "refund", "review", "rating")
ROW_GROUP = 8192  # events per Parquet row group: a look-up reads ~one of them
INDEX_VERSION = 2  # bump when the columns below change: older files are built again

SCHEMA = pa.schema(
    [
        pa.field("customer_key", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("happened_at", pa.timestamp("us", tz="UTC")),
        pa.field("platform", pa.string()),
        pa.field("ref", pa.string()),  # order id, or the chat's session id
        pa.field("status", pa.string()),  # order or refund status, chat stage
        pa.field("amount", pa.decimal128(14, 2)),  # order or refund amount
        pa.field("quantity", pa.int64()),  # items of an order, agent messages of a chat
        pa.field("agent", pa.string()),  # a chat's first replier
        pa.field("agents", pa.string()),  # a chat's agents (comma-joined: who may read it)
        pa.field("rating", pa.int64()),  # a review's stars; a shop rating's service score
        pa.field("rating_description", pa.int64()),
        pa.field("rating_logistics", pa.int64()),
        pa.field("text", pa.string()),  # refund reason, review text (free text: mask it)
        pa.field("detail", pa.string()),  # refund kind, review's product id
    ]
)

_build_lock = threading.Lock()


@dataclass(frozen=True)
class TimelinePage:
    rows: list[dict[str, Any]]  # SCHEMA's columns, newest first
    total: int  # the customer's events of the kinds asked
    number: int  # 1-based
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


# -- where the index lives -------------------------------------------------------------------
def folder() -> Path:
    """Beside the derived tables of a local lake (``_derived/_profile``); a different place
    through ``GUANXI_PROFILE_INDEX_DIR`` (a read-only lake, a benchmark's copy)."""
    override = os.environ.get("GUANXI_PROFILE_INDEX_DIR", "")
    if override:
        return Path(override)
    shop = lake.get()
    if "://" in shop.root:
        from django.conf import settings

        return Path(settings.GUANXI_HOME) / "var" / "cache" / "profile"
    return Path(shop.derived.root) / "_profile"


def _use_derived() -> bool:
    from guanxi.imports.derived import figures_from_derived

    store = lake.get()
    return figures_from_derived() and store.derived.exists("sessions")


def index_token() -> str:
    """The lake's state the index is built for: the raw tables (``figure_cache.lake_token``)
    and, when the chat rows come from the derived sessions, their files."""
    from guanxi.performance.figure_cache import lake_token

    derived = _use_derived()
    parts: list[Any] = [INDEX_VERSION, lake_token(), derived]
    if derived:
        store = lake.get()
        parts.append(tuple(store.derived.files("sessions")))
        parts.append(tuple(store.derived.files("session_agents")))
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


def index_path(token: str) -> Path:
    """The index's folder: one Parquet file set per bucket (``bucket=xx/``)."""
    return folder() / f"timeline-{token}"


def bucket_of(customer_key: str) -> str:
    """The customer's bucket: the last two hex digits of the key's MD5 (256 buckets), the
    same in DuckDB's ``md5`` and Python's ``hashlib`` — stable across versions, unlike an
    engine's own hash."""
    return hashlib.md5(customer_key.encode("utf-8"), usedforsecurity=False).hexdigest()[-2:]


# -- building --------------------------------------------------------------------------------
def _cast_select(table: ibis.Table, **columns: Any) -> ibis.Table:
    """``table`` as SCHEMA's columns: those given, the others null, all of SCHEMA's types."""
    import ibis

    out = {}
    for f in SCHEMA:
        value = columns.get(f.name)
        dtype = ibis.dtype(f.type)
        out[f.name] = ibis.null(dtype) if value is None else value.cast(dtype)
    return table.select(**out)


def _events(store: Any, *, derived: bool, customer_key: str | None = None) -> ibis.Table | None:
    """Every customer's events (or ``customer_key``'s only) as one Ibis table of SCHEMA's
    columns (None: no tables). The customer filter is applied to each table first, so the
    engine never groups or joins other customers' rows."""
    import ibis

    def mine(table: ibis.Table) -> ibis.Table:
        if customer_key is None:
            return table.filter(table.customer_key.notnull())
        return table.filter(table.customer_key == customer_key)

    parts: list[ibis.Table] = []
    if store.exists("orders"):
        o = mine(store.table("orders"))
        parts.append(
            _cast_select(
                o,
                customer_key=o.customer_key,
                kind=ibis.literal("order"),
                happened_at=o.created_at,
                platform=o.platform,
                ref=o.order_id,
                status=o.status,
                amount=o.amount,
                quantity=o.item_count,
            )
        )
    chats = _chat_events(store, derived=derived, customer_key=customer_key)
    if chats is not None:
        parts.append(chats)
    if store.exists("refunds"):
        r = mine(store.table("refunds"))
        parts.append(
            _cast_select(
                r,
                customer_key=r.customer_key,
                kind=ibis.literal("refund"),
                happened_at=r.requested_at,
                platform=r.platform,
                ref=r.order_id,
                status=r.status,
                amount=r.amount,
                text=r.reason,
                detail=r.kind,
            )
        )
    if store.exists("reviews"):
        v = mine(store.table("reviews"))
        parts.append(
            _cast_select(
                v,
                customer_key=v.customer_key,
                kind=ibis.literal("review"),
                happened_at=v.created_at,
                platform=v.platform,
                ref=v.order_id,
                rating=v.rating,
                text=v.text,
                detail=v.product_id,
            )
        )
    if store.exists("dsr_ratings"):
        d = mine(store.table("dsr_ratings"))
        parts.append(
            _cast_select(
                d,
                customer_key=d.customer_key,
                kind=ibis.literal("rating"),
                happened_at=d.rated_at,
                platform=d.platform,
                ref=d.order_id,
                rating=d.service,
                rating_description=d.description,
                rating_logistics=d.logistics,
            )
        )
    if not parts:
        return None
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def _chat_events(
    store: Any, *, derived: bool, customer_key: str | None = None
) -> ibis.Table | None:
    """A row per chat session: from the derived sessions (with the stage) when they are
    fresh, else counted from the raw messages (no stage)."""
    import ibis

    if derived:
        s = store.derived.table("sessions")
        s = s.filter(
            s.customer_key.notnull() if customer_key is None else s.customer_key == customer_key
        )
        a = store.derived.table("session_agents")
        a = a.filter(a.agent_id.notnull())
        if customer_key is not None:
            a = a.filter(a.session_id.isin(s.session_id))
        who = a.group_by("session_id").aggregate(agents=a.agent_id.group_concat(","))
        s = s.left_join(who, "session_id").drop("session_id_right")
        return _cast_select(
            s,
            customer_key=s.customer_key,
            kind=ibis.literal("chat"),
            happened_at=s.first_at,
            platform=s.platform,
            ref=s.session_id,
            status=s.stage,
            quantity=s.agent_messages,
            agent=s.first_reply_by,
            agents=s.agents,
        )
    if not store.exists("chat_messages"):
        return None
    m = store.table("chat_messages")
    m = m.filter(
        m.customer_key.notnull() if customer_key is None else m.customer_key == customer_key
    )
    by_agent = m.sender == "agent"
    # count(where=) and not sum(): DuckDB sums to HUGEINT, which a union widens to DOUBLE.
    s = m.group_by(["customer_key", "platform", "session_id"]).aggregate(
        first_at=m.sent_at.min(),
        agent_messages=m.count(where=by_agent),
        first_agent=m.agent_id.argmin(m.sent_at, where=by_agent),
    )
    mine = m.filter(by_agent & m.agent_id.notnull()).select("session_id", "agent_id").distinct()
    who = mine.group_by("session_id").aggregate(agents=mine.agent_id.group_concat(","))
    s = s.left_join(who, "session_id").drop("session_id_right")
    return _cast_select(
        s,
        customer_key=s.customer_key,
        kind=ibis.literal("chat"),
        happened_at=s.first_at,
        platform=s.platform,
        ref=s.session_id,
        quantity=s.agent_messages,
        agent=s.first_agent,
        agents=s.agents,
    )


def build_index(token: str) -> Path | None:
    """Write the index of the lake's current state under ``token`` (atomically: readers see
    no folder or a whole one) and remove the folders of earlier states. None: an empty lake.

    Events go to 256 buckets by ``bucket_of`` (~25,000 events each on the large demo, a few
    row groups), sorted by customer and time inside each: a look-up opens one small file and
    reads the row group holding the customer. One big file sorted the same way took 6× as
    long a look-up: DuckDB weighs every row group's statistics of the file it opens."""
    import pyarrow.parquet as pq

    store = lake.get()
    events = _events(store, derived=_use_derived())
    if events is None:
        return None
    target = index_path(token)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    part = Path(tempfile.mkdtemp(dir=target.parent, prefix=".part-"))
    order = "bucket, customer_key, happened_at DESC, kind, ref"
    try:
        con = getattr(store.engine, "con", None)
        if store.engine_name == "duckdb" and con is not None:
            # DuckDB writes the sorted buckets itself: no 6-million-row Arrow table in
            # Python; the sort runs with the derived build's memory budget.
            sql = str(con.compile(events))
            copy = (
                f"COPY (SELECT *, right(md5(customer_key), 2) AS bucket FROM ({sql}) "
                f"ORDER BY {order}) TO '{part / 'b'}' "
                f"(FORMAT parquet, PARTITION_BY (bucket), ROW_GROUP_SIZE {ROW_GROUP})"
            )
            with store.query_slot(), store.build_memory():
                con.raw_sql(copy)
        else:
            table = store.arrow(events).cast(SCHEMA)
            keys = table.column("customer_key").to_pylist()
            table = table.append_column("bucket", pa.array([bucket_of(k) for k in keys]))
            table = table.sort_by(
                [
                    ("bucket", "ascending"),
                    ("customer_key", "ascending"),
                    ("happened_at", "descending"),
                    ("kind", "ascending"),
                    ("ref", "ascending"),
                ]
            )
            pq.write_to_dataset(
                table, part / "b", partition_cols=["bucket"], row_group_size=ROW_GROUP
            )
        (part / "b").mkdir(exist_ok=True)  # an empty lake still gets its (empty) index
        try:
            os.replace(part / "b", target)
        except OSError:
            # Another process built the same state meanwhile: keep theirs (equal to ours).
            if not target.exists():
                raise
    finally:
        shutil.rmtree(part, ignore_errors=True)
    for old in target.parent.glob("timeline-*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
    return target


def clear() -> None:
    """Remove every built index (an erasure: the old states' files name the erased keys and
    hold their events; the next look-up builds the current state)."""
    shutil.rmtree(folder(), ignore_errors=True)


def ensure_index() -> Path | None:
    """The index of the lake's current state, built first when missing (one build at a
    time per process; a second caller waits and then finds the folder)."""
    token = index_token()
    path = index_path(token)
    if path.exists():
        return path
    with _build_lock:
        if path.exists():
            return path
        log.info("building the customer timeline index %s", token)
        return build_index(token)


# Above this much raw data a missing index is built in the background while the page reads
# the lake directly (150–300 ms on the large demo): the build takes ~30–60 s there, more
# than a web worker may hold a request.
INLINE_BUILD_BYTES = 64 * 1024 * 1024
_building: set[str] = set()


def _lake_bytes() -> int:
    from guanxi.lake.schema import TABLES

    store = lake.get()
    total = 0
    for name in TABLES:
        for uri in store.files(name):
            try:
                total += os.stat(uri.removeprefix("file://")).st_size
            except OSError:
                return INLINE_BUILD_BYTES  # a remote lake: treat as large
    return total


def _build_in_background(token: str) -> None:
    def run() -> None:
        from django.db import connections

        try:
            ensure_index()
        except Exception:  # the next page view tries again; the page is served meanwhile
            log.exception("customer timeline index %s not built", token)
        finally:
            with _build_lock:
                _building.discard(token)
            connections.close_all()

    with _build_lock:
        if token in _building:
            return
        _building.add(token)
    threading.Thread(target=run, name=f"timeline-index-{token[:8]}", daemon=True).start()


def index_or_none() -> Path | None:
    """The index of the current state; built now on a small lake, in the background on a
    large one (None meanwhile: read the lake directly)."""
    token = index_token()
    path = index_path(token)
    if path.exists():
        return path
    if _lake_bytes() < INLINE_BUILD_BYTES:
        return ensure_index()
    _build_in_background(token)
    return None


# -- reading ---------------------------------------------------------------------------------
_local = threading.local()


def _reader() -> Any:
    """This thread's DuckDB connection for the index (a local file, whatever the lake's
    engine), with the Parquet footers cached: parsing the footer of 771 row groups was
    most of a look-up's time."""
    con = getattr(_local, "con", None)
    if con is None:
        import duckdb

        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET parquet_metadata_cache = true")
        con.execute("SET threads = 1")  # one row group or two: threads only add overhead
        _local.con = con
    return con


def timeline_page(
    customer_key: str, number: int = 1, *, size: int = 20, kinds: tuple[str, ...] = KINDS
) -> TimelinePage:
    """One page of the customer's events of ``kinds``, newest first (ties: by kind, ref)."""
    number = max(1, number)
    wanted = [k for k in KINDS if k in kinds]
    path = index_or_none()
    if path is None:
        return _from_lake(customer_key, number, size, wanted)
    files = sorted(str(f) for f in (path / f"bucket={bucket_of(customer_key)}").glob("*.parquet"))
    if not files:
        return TimelinePage([], 0, 1, size)
    con = _reader()
    source = (
        "read_parquet(?, hive_partitioning = false) "
        "WHERE customer_key = ? AND list_contains(?, kind)"
    )
    args: list[Any] = [files, customer_key, wanted]
    # One read for the rows and their count (a window over the customer's few rows); a
    # page past the end counts first and shows the last page.
    query = (
        f"SELECT *, count(*) OVER () AS total FROM {source} "
        "ORDER BY happened_at DESC, kind, ref LIMIT ? OFFSET ?"
    )
    rows = _rows(con.execute(query, [*args, size, (number - 1) * size]))
    if not rows and number > 1:
        (total,) = con.execute(f"SELECT count(*) FROM {source}", args).fetchone()
        number = max(1, -(-int(total) // size))
        rows = _rows(con.execute(query, [*args, size, (number - 1) * size]))
    total = int(rows[0]["total"]) if rows else 0
    for row in rows:
        del row["total"]
    return TimelinePage(rows, total, number if rows else 1, size)


def _rows(cursor: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _from_lake(customer_key: str, number: int, size: int, kinds: list[str]) -> TimelinePage:
    """The same page read from the lake tables directly (while the index is being built):
    each table filtered by the customer, so slower, but the same rows."""
    import ibis

    store = lake.get()
    events = _events(store, derived=_use_derived(), customer_key=customer_key)
    if events is None:
        return TimelinePage([], 0, 1, size)
    mine = events.filter(events.kind.isin(kinds))
    total = int(store.arrow(mine.aggregate(n=mine.count())).column("n")[0].as_py() or 0)
    number = min(number, max(1, -(-total // size)))
    expr = mine.order_by([ibis.desc("happened_at"), "kind", "ref"]).limit(
        size, offset=(number - 1) * size
    )
    rows = store.arrow(expr).cast(SCHEMA).to_pylist() if total else []
    return TimelinePage(rows, total, number, size)
