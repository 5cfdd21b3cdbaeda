"""``make bench``: every benchmark, each against its baselines in the same run.

    python -m bench [--only store|import|customers|agents|first-response]
                    [--scale small|medium|large] [--rows N] [--customers N] [--repeats N]
                    [--before FOLDER]

Prints Markdown tables of seconds, ratios to the baselines, throughput and peak memory; the
figures quoted in bench/README.md come from this output.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys

from bench import harness


def store(scale: str, repeats: int) -> int:
    from bench import shop

    shop.prepare(scale)
    from bench import store_figures

    cases = [
        harness.Case("ibis", store_figures.run_ibis),
        harness.Case("sql", store_figures.run_sql, baseline=True),
        harness.Case("scan", store_figures.run_scan, baseline=True),
    ]
    rows = [harness.measure(case, repeats) for case in cases]
    if rows[0].result != rows[1].result:
        print(f"MISMATCH ibis {rows[0].result} != sql {rows[1].result}", file=sys.stderr)
        return 1
    print(harness.table(f"Store figures for 2025, {scale} demo shop", rows, reference="sql"))
    return 0


def agents(scale: str, repeats: int) -> int:
    from bench import agent_reports, shop

    root = str(shop.lake_root(scale))
    status = 0
    for period in agent_reports.PERIODS:
        # One timed run per case (no warm-up): a year on the large demo takes minutes in
        # pandas. The Parquet files are in the page cache after the first case.
        cases = [
            harness.Case(
                name,
                functools.partial(getattr(agent_reports, f"run_{name}"), root, period),
                baseline=name != "ibis",
                warm_up=False,
                setup=agent_reports.setup,
            )
            for name in ("ibis", "pandas", "sql", "scan")
        ]
        rows = [harness.measure(case, repeats) for case in cases]
        reference = rows[0].result
        for row in rows[1:3]:
            if row.result != reference:
                print(f"MISMATCH ibis != {row.name} ({period})", file=sys.stderr)
                for mine, theirs in zip(reference, row.result, strict=False):
                    if mine != theirs:
                        print(f"  ibis   {mine}\n  {row.name:6} {theirs}", file=sys.stderr)
                status = 1
        print(
            harness.ratios_table(
                f"Agent report for {agent_reports.TITLES[period]}, {scale} demo shop",
                rows,
                against=("pandas", "sql", "scan"),
            )
        )
        print()
    return status


def first_response(repeats: int) -> int:
    from bench import first_response as fr

    cases = [
        harness.Case("pandas", fr.run_pandas, baseline=True, setup=fr.setup_pandas),
        harness.Case("duckdb, 1 thread", fr.run_duckdb, setup=fr.setup_duckdb_one_thread),
        harness.Case("duckdb, all cores", fr.run_duckdb, setup=fr.setup_duckdb_all_cores),
    ]
    rows = [harness.measure(case, repeats) for case in cases]
    if len({row.result for row in rows}) != 1:
        print(f"MISMATCH {[row.result for row in rows]}", file=sys.stderr)
        return 1
    title = (
        f"Mean first response over {fr.MESSAGES:,} synthetic messages "
        f"(all three: {rows[0].result} s)"
    )
    print(harness.table(title, rows, reference="pandas"))
    return 0


def imports(rows_wanted: int, rounds: int, before: str | None = None) -> int:
    from bench import import_orders

    path = import_orders.orders_csv(rows_wanted)
    cases = [
        harness.Case(
            "guanxi import", functools.partial(import_orders.run_guanxi, path), warm_up=False
        ),
        *(
            [
                harness.Case(
                    "guanxi import, before",
                    functools.partial(import_orders.run_guanxi, path, before),
                    warm_up=False,
                )
            ]
            if before
            else []
        ),
        harness.Case(
            "pandas read_csv + to_parquet",
            functools.partial(import_orders.run_pandas, path),
            baseline=True,
            warm_up=False,
        ),
    ]
    runs = harness.interleaved(cases, rounds)
    guanxi, pandas = runs["guanxi import"], runs["pandas read_csv + to_parquet"]
    every = [m for ms in runs.values() for m in ms]
    if any(m.result["rows"] != pandas[0].result["rows"] for m in every):
        print(f"MISMATCH {guanxi[0].result} vs {pandas[0].result}", file=sys.stderr)
        return 1
    created = guanxi[0].result["customers"]
    title = f"Import of a {rows_wanted:,}-row Taobao order report ({created:,} new customers)"
    print(
        harness.median_table(
            title,
            runs,
            reference="pandas read_csv + to_parquet",
            per_second=lambda m: rows_wanted,
        )
    )
    print()
    print(
        "customers/s over the whole import (median): "
        f"{created / statistics.median(m.seconds for m in guanxi):,.0f}"
    )
    return 0


def customer_creation(count: int, rounds: int, before: str | None = None) -> int:
    from bench import customers

    ways = ("bulk", "crypto in place", "indexes kept", *(["before"] if before else []))
    cases = [
        harness.Case(
            way,
            functools.partial(customers.run, count, way),
            warm_up=False,
            setup=functools.partial(customers.setup, before if way == "before" else None),
        )
        for way in ways
    ]
    runs = harness.interleaved(cases, rounds)
    if any(m.result["created"] != count for ms in runs.values() for m in ms):
        print("MISMATCH: not every customer was created", file=sys.stderr)
        return 1
    print(
        harness.median_table(
            f"Creating {count:,} new customers (customers.identities.resolve_chunks)",
            runs,
            reference="bulk",
            seconds=lambda m: m.result["seconds"],
            per_second=lambda m: m.result["created"],
            unit="customers/s",
        )
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only", choices=("store", "import", "customers", "agents", "first-response")
    )
    parser.add_argument("--scale", choices=("small", "medium", "large"), default="large")
    parser.add_argument("--rows", type=int, default=5_000_000, help="rows of the import file")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--customers", type=int, default=1_000_000, help="new customers to create")
    parser.add_argument(
        "--before",
        help="folder with the src of an earlier version, measured alongside "
        "(e.g. git archive <commit> src | tar -x -C var/before)",
    )
    args = parser.parse_args(argv)
    status = 0
    if args.only in (None, "store"):
        status |= store(args.scale, args.repeats)
        print()
    if args.only in (None, "agents"):
        status |= agents(args.scale, 1)
    if args.only in (None, "first-response"):
        status |= first_response(args.repeats)
        print()
    if args.only in (None, "customers"):
        status |= customer_creation(args.customers, args.repeats, args.before)
        print()
    if args.only in (None, "import"):
        status |= imports(args.rows, args.repeats, args.before)
    return status


if __name__ == "__main__":
    sys.exit(main())
