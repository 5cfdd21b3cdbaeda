"""Where ``Derived.rebuild``'s time goes: its steps replayed on one connection with a timing
for each (nothing is written; each table is computed to Arrow as the rebuild does).

    python -m bench.profile_rebuild var/bench/large/derived/lake
"""

from __future__ import annotations

import sys
import time

from bench import derived as bench_derived
from guanxi.lake.derived import DERIVED, _ordered, _with_month
from guanxi.metrics.facts import attribution_facts, month_of, session_facts


def main(root: str) -> None:
    shop = bench_derived._lake(root)
    derived = shop.derived
    rules = bench_derived._rules()
    zone = bench_derived.TIME_ZONE
    started = [time.perf_counter()]

    def lap(step: str) -> None:
        now = time.perf_counter()
        print(f"{now - started[0]:7.1f} s  {step}", flush=True)
        started[0] = now

    raw = derived._sources(derived.source_versions())
    messages, orders = raw["chat_messages"], raw["orders"]
    span = derived._span(messages)
    lap("span")
    with _ordered(messages).cache() as ordered:
        lap("ordered messages cached (the window pass)")
        parts = session_facts(messages, orders, zone, span, rules, ordered=ordered)
        with parts["sessions"].cache() as sessions:
            lap("sessions cached (session rows, platforms, stages, local days)")
            months = sessions.select("session_id", month=month_of(sessions.day))
            for fact in ("sessions", "rounds", "session_agents", "agent_sends", "douyin_waits"):
                expr = sessions if fact == "sessions" else parts[fact]
                columns = DERIVED[fact].schema.names
                rows = shop.arrow(_with_month(expr, months, fact).select(*columns)).num_rows
                lap(f"{fact}: {rows:,} rows to Arrow")
            a = attribution_facts(ordered, sessions, orders, zone, span, rules)
            rows = shop.arrow(a.mutate(month=month_of(a.day))).num_rows
            lap(f"attribution: {rows:,} rows to Arrow")


if __name__ == "__main__":
    main(sys.argv[1])
