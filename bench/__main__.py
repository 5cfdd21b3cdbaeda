"""``make bench``: every benchmark, each against its baselines in the same run.

    python -m bench [--only store|import|customers|crm|agents|first-response|startup|pages|
                            derived|derived-report|derived-build|derived-refresh|
                            derived-upkeep|derived-spark|derived-spark-reports|members|
                            triage|knowledge|sentiment|clv]
                    [--scale small|medium|large] [--rows N] [--customers N] [--repeats N]
                    [--rounds N] [--port P] [--before FOLDER]

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
    runs = harness.interleaved_runs(cases, rounds)
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
    runs = harness.interleaved_runs(cases, rounds)
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


def crm(scale: str, rounds: int, as_of: str | None, recompute: bool) -> int:
    """Issue 15: every customer's standing (facts, classes, RFM, and loyalty when the tree
    has it) — the product against vectorised pandas and hand-written DuckDB SQL, interleaved
    rounds, each sample a fresh process; the three must give the same rows. With
    ``recompute``: ``customers.standing.recompute`` end to end on a copy of the shop's app
    database, split into its lake part and its database part."""
    import datetime as dt

    from bench import crm as bench_crm
    from bench import shop

    day = dt.date.fromisoformat(as_of) if as_of else bench_crm.AS_OF
    root = str(shop.lake_root(scale))
    cases = [
        harness.Case(
            name,
            functools.partial(getattr(bench_crm, f"run_{name}"), root, day),
            baseline=name != "ibis",
            warm_up=False,
            setup=bench_crm.setup,
        )
        for name in ("ibis", "pandas", "sql")
    ]
    rows = harness.interleaved(cases, rounds)
    by = {r.name: bench_crm.canonical(r.result) for r in rows}
    status = 0
    for name in ("pandas", "sql"):
        wrong = bench_crm.differences(by["ibis"], by[name])
        if wrong:
            print(f"MISMATCH ibis != {name}:", *wrong, sep="\n  ", file=sys.stderr)
            status = 1
    seen = bench_crm.summary(by["ibis"])
    stages = [s for s in bench_crm.STAGES if s != "loyalty" or seen["loyalty"] is not None]
    note = (
        f"{rounds} samples per case, interleaved, each in a fresh process (imports untimed); "
        f"as of {day}; stages: {', '.join(stages)}; {seen['customers']:,} customers "
        f"({seen['rfm_customers']:,} with RFM); classes {seen['classes']}; loyalty "
        f"{seen['loyalty']}; rows equal: {'no' if status else 'yes'}."
    )
    print(
        harness.samples_table(
            f"Customers' standing, {scale} demo shop", rows, against=("pandas", "sql"), note=note
        )
    )
    print()
    if recompute:
        database = bench_crm.recompute_copy(scale)
        case = harness.Case(
            "standing.recompute",
            functools.partial(bench_crm.run_recompute, day),
            setup=functools.partial(bench_crm.setup_recompute, scale, database),
        )
        runs = [harness.measure(case, 1) for _ in range(rounds)]
        print(f"### customers.standing.recompute, {scale} demo shop (as of {day})\n")
        print(
            f"{rounds} samples, each in a fresh process after an untimed warm-up recompute "
            f"(so each timed one replaces a full table) on a copy of the app database.\n"
        )
        print("| sample | lake s | database s | total s | customers | peak MB |")
        print("|---|---:|---:|---:|---:|---:|")
        for n, m in enumerate(runs, 1):
            r = m.result
            print(
                f"| {n} | {r['lake']:.1f} | {r['database']:.1f} | {r['total']:.1f} | "
                f"{r['customers']:,} | {m.peak_mb:,.0f} |"
            )
        print()
    return status


def startup(repeats: int) -> int:
    from bench import startup as start_up

    return start_up.main(repeats)


def derived_report(
    scale: str,
    rounds: int,
    periods: tuple[str, ...],
    slow_rounds: int | None = None,
    only: tuple[str, ...] = (),
) -> int:
    """Issue 14's target 1: the agents' report from the derived tables against the hand SQL
    over the same tables, and against the raw-row paths (pandas, the product's raw path,
    the raw hand SQL). Each case ``rounds`` times, interleaved, each sample cold (a fresh
    process, imports done); "derived ibis, warm" is the same after a warm-up run in its
    process, as in a serving process."""
    from bench import agent_reports, derived
    from guanxi.metrics.agents import PLATFORM_KEYS

    raw = str(agent_reports_root(scale))
    root = str(derived.derived_lake(scale))
    _ensure_derived(root)
    status = 0
    for period in periods:
        slow = period == "year"
        cases = [
            harness.Case(
                "derived ibis",
                functools.partial(derived.run_report, root, period),
                warm_up=False,
                setup=derived.setup,
            ),
            harness.Case(
                "derived ibis, warm",
                functools.partial(derived.run_report, root, period),
                setup=derived.setup,
            ),
            harness.Case(
                "derived sql",
                functools.partial(derived.run_report_sql, root, period),
                baseline=True,
                warm_up=False,
                setup=derived.setup,
            ),
        ] + [
            harness.Case(
                name,
                functools.partial(getattr(agent_reports, f"run_{kind}"), raw, period),
                baseline=True,
                warm_up=False,
                setup=agent_reports.setup,
                # a year from raw rows takes minutes: ``slow_rounds`` samples of it
                samples=slow_rounds if slow else None,
            )
            for name, kind in (("pandas", "pandas"), ("raw ibis", "ibis"), ("raw sql", "sql"))
        ]
        cases = [c for c in cases if not only or c.name in only or c.name == "derived ibis"]
        rows = harness.interleaved(cases, rounds)
        by = {r.name: r.result for r in rows}
        reference = by["derived ibis"]
        for name in ("derived ibis, warm", "derived sql"):
            if name in by and by[name] != reference:
                print(f"MISMATCH derived ibis != {name} ({period})", file=sys.stderr)
                status = 1
        without = [r | dict.fromkeys(PLATFORM_KEYS) for r in reference]
        for name in ("pandas", "raw ibis", "raw sql"):
            if name in by and by[name] != without:
                print(f"MISMATCH derived ibis != {name} ({period})", file=sys.stderr)
                for mine, theirs in zip(without, by[name], strict=False):
                    if mine != theirs:
                        print(f"  derived {mine}\n  {name:7} {theirs}", file=sys.stderr)
                status = 1
        note = (
            f"{rounds} samples per case, interleaved; each in a fresh process"
            + (
                f" ({slow_rounds} of the raw-row cases: they take minutes)"
                if slow and slow_rounds
                else ""
            )
            + f"; reports equal: {'no' if status else 'yes'} ({len(reference)} agents)."
        )
        print(
            harness.samples_table(
                f"Agent report for {agent_reports.TITLES[period]}, {scale} demo shop",
                rows,
                against=tuple(n for n in ("pandas", "derived sql", "raw ibis") if n in by),
                note=note,
            )
        )
        print()
    return status


def agent_reports_root(scale: str) -> object:
    from bench import shop

    return shop.lake_root(scale)


def _ensure_derived(root: str) -> None:
    """The report cases need fresh derived tables: built once (untimed) when missing."""
    from bench import derived

    lake = derived._lake(root)
    if not lake.derived.is_fresh(derived.TIME_ZONE, derived._rules()):
        print(f"building the derived tables of {root} (untimed) …", file=sys.stderr)
        derived.run_rebuild(root)


def derived_build(scale: str, rounds: int, kept: list[harness.Samples] | None = None) -> int:
    """Issue 14's target 2: ``Derived.rebuild`` against the hand-written SQL build; the
    tables must hold the same rows (counts and a hash of every row, per table)."""
    from bench import derived

    root = str(derived.derived_lake(scale))
    out = str(derived.sql_out(scale))
    cases = [
        harness.Case(
            "Derived.rebuild",
            functools.partial(derived.run_rebuild, root),
            warm_up=False,
            setup=derived.setup,
        ),
        harness.Case(
            "sql build",
            functools.partial(derived.run_build_sql, root, out),
            baseline=True,
            warm_up=False,
            setup=derived.setup,
        ),
    ]
    rows = harness.interleaved(cases, rounds)
    if kept is not None:
        kept.extend(rows)
    mine = derived.derived_fingerprints(root)
    theirs = derived.sql_fingerprints(out)
    status = 0 if mine == theirs else 1
    if status:
        print(f"MISMATCH rebuild {mine} != sql build {theirs}", file=sys.stderr)
    counts = ", ".join(f"{fact} {n:,}" for fact, (n, _) in mine.items())
    note = (
        f"{rounds} samples per case, interleaved, each in a fresh process; same rows in "
        f"every table (count and hash of all rows): {'no' if status else 'yes'} — {counts}."
    )
    print(
        harness.samples_table(
            f"Full build of the derived tables, {scale} demo shop",
            rows,
            against=("sql build",),
            note=note,
        )
    )
    print()
    return status


def derived_refresh(scale: str, rounds: int, rebuilt: harness.Samples | None = None) -> int:
    """Issue 14's target 3: after importing one more day of chats and orders (untimed),
    ``Derived.refresh`` against a full rebuild of the same rows; the refreshed tables must
    equal the rebuilt ones. ``rebuilt``: the full build's samples of this run (the same
    rows: the whole shop), else one rebuild sample of the refreshed lake is taken (it takes
    minutes)."""
    from bench import derived

    held = derived.prepare_refresh(scale)
    _, _, run = derived.refresh_paths(scale)
    full = str(derived.derived_lake(scale))
    _ensure_derived(full)
    cases = [
        harness.Case(
            "Derived.refresh",
            functools.partial(derived.run_refresh, str(run)),
            warm_up=False,
            setup=derived.setup,
            before=functools.partial(derived.import_day, scale),
        ),
    ]
    if rebuilt is None:
        cases.append(
            harness.Case(
                "Derived.rebuild",
                functools.partial(derived.run_rebuild, str(run)),
                baseline=True,
                warm_up=False,
                setup=derived.setup,
                before=functools.partial(derived.import_day, scale),
                samples=1,
            )
        )
    rows = harness.interleaved(cases, rounds)
    if rebuilt is not None:
        rows.append(rebuilt)
    status = 0
    refreshed = rows[0].result
    if refreshed["mode"] != "refresh":
        print(f"the refresh was a {refreshed['mode']}", file=sys.stderr)
        status = 1
    # The last sample left the rebuilt tables; the refresh's are checked on a fresh copy.
    derived.import_day(scale)
    derived.run_refresh(str(run))
    if derived.derived_fingerprints(run) != derived.derived_fingerprints(full):
        print("MISMATCH refreshed derived tables != rebuilt ones", file=sys.stderr)
        status = 1
    note = (
        f"{rounds} samples per case, interleaved, each in a fresh process on a fresh copy of "
        f"the lake without its last day ({held['day']}) into which that day was imported "
        f"first, untimed: {held['chat_messages']:,} chat messages and {held['orders']:,} "
        f"order rows (new orders and state changes). The refresh touched "
        f"{refreshed['touched_sessions']:,} sessions and {refreshed['touched_orders']:,} "
        f"orders; refreshed tables equal to a full rebuild: {'no' if status else 'yes'}. "
        + (
            "Derived.rebuild: the full build's samples above (the same rows)."
            if rebuilt is not None
            else "Derived.rebuild: one sample (it takes minutes) on the same copy."
        )
    )
    print(
        harness.samples_table(
            f"Incremental refresh after one more day, {scale} demo shop",
            rows,
            against=("Derived.rebuild",),
            note=note,
        )
    )
    print()
    return status


def derived_spark(scale: str, rounds: int, build: bool = True) -> int:
    """The same derived build and reports on Spark (``GUANXI_ENGINE=pyspark``): the same
    tables and figures as on DuckDB, and their timings."""
    from bench import derived

    duck = str(derived.derived_lake(scale))
    spark = str(derived.spark_lake(scale))
    cases = [
        harness.Case(
            "rebuild, duckdb",
            functools.partial(derived.run_rebuild, duck),
            warm_up=False,
            setup=derived.setup,
        ),
        harness.Case(
            "rebuild, spark",
            functools.partial(derived.run_rebuild, spark, "pyspark"),
            warm_up=False,
            setup=derived.setup_spark,
        ),
    ]
    status = 0
    built = harness.interleaved(cases, rounds) if build else []
    same = derived.derived_fingerprints(duck) == derived.derived_fingerprints(spark)
    if not same:
        print("MISMATCH derived tables built on Spark != on DuckDB", file=sys.stderr)
        status = 1
    if built:
        print(
            harness.samples_table(
                f"Full build of the derived tables on Spark, {scale} demo shop",
                built,
                against=("rebuild, duckdb",),
                note=f"{rounds} samples per case, interleaved, each in a fresh process "
                f"(Spark's start-up included); same rows on both: {'yes' if same else 'no'}.",
            )
        )
        print()
    from bench import agent_reports

    for period in agent_reports.PERIODS:
        cases = [
            harness.Case(
                f"report, {engine}",
                functools.partial(derived.run_report, root, period, engine),
                setup=derived.setup if engine == "duckdb" else derived.setup_spark,
            )
            for engine, root in (("duckdb", duck), ("pyspark", spark))
        ]
        rows = harness.interleaved(cases, rounds)
        equal = rows[0].result == rows[1].result
        if not equal:
            print(f"MISMATCH report on Spark != on DuckDB ({period})", file=sys.stderr)
            status = 1
        print(
            harness.samples_table(
                f"Agent report for {agent_reports.TITLES[period]} from the derived tables "
                f"on Spark, {scale} demo shop",
                rows,
                against=("report, duckdb",),
                note=f"{rounds} samples per case, interleaved, each in a fresh process after "
                f"a warm-up run in it (Spark's start-up not counted); same figures: "
                f"{'yes' if equal else 'no'}.",
            )
        )
        print()
    return status


def pages(scale: str, rounds: int, port: int) -> int:
    from bench import pages as page_bench

    return page_bench.run(scale, rounds=rounds, port=port)


def members(scale: str, rounds: int) -> int:
    from bench import members as member_bench

    return member_bench.run(scale, rounds)


def triage(repeats: int) -> int:
    from bench import triage as triage_bench

    return triage_bench.run(repeats)


def knowledge(rounds: int) -> int:
    from bench import knowledge as knowledge_bench

    return knowledge_bench.run(rounds)


def sentiment(rounds: int) -> int:
    from bench import sentiment as sentiment_bench

    return sentiment_bench.run(rounds)


def basket(scale: str) -> int:
    from bench import basket as basket_bench

    return basket_bench.run(scale)


def clv(customers: int, rounds: int) -> int:
    from bench import clv as clv_bench

    return clv_bench.run(customers, rounds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only",
        choices=(
            "store",
            "import",
            "customers",
            "crm",
            "agents",
            "first-response",
            "startup",
            "pages",
            "derived",
            "derived-report",
            "derived-build",
            "derived-refresh",
            "derived-upkeep",
            "derived-spark",
            "derived-spark-reports",
            "members",
            "basket",
            "triage",
            "knowledge",
            "sentiment",
            "clv",
        ),
    )
    parser.add_argument("--scale", choices=("small", "medium", "large"), default="large")
    parser.add_argument("--rows", type=int, default=5_000_000, help="rows of the import file")
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed runs per case (startup: at least 5)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="interleaved samples per case (derived cases, default 3); requests per page "
        "(pages, default 20)",
    )
    parser.add_argument("--port", type=int, default=0, help="server port (pages; 0: a free one)")
    parser.add_argument(
        "--periods", default="month,year", help="derived-report: month, year or both"
    )
    parser.add_argument(
        "--cases",
        default="",
        help="derived-report: only these cases, comma-separated (derived ibis always)",
    )
    parser.add_argument(
        "--build-rounds",
        type=int,
        default=None,
        help="derived-build: samples of each full build (default: --rounds)",
    )
    parser.add_argument(
        "--slow-rounds",
        type=int,
        default=None,
        help="derived-report: samples of the year's raw-row cases (default: --rounds)",
    )
    parser.add_argument("--as-of", default=None, help="crm: the as-of date (default 2025-12-20)")
    parser.add_argument(
        "--recompute",
        action="store_true",
        help="crm: also time customers.standing.recompute on a copy of the app database",
    )
    parser.add_argument("--customers", type=int, default=1_000_000, help="new customers to create")
    parser.add_argument(
        "--before",
        help="folder with the src of an earlier version, measured alongside "
        "(e.g. git archive <commit> src | tar -x -C var/before)",
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or 3
    status = 0
    periods = tuple(p for p in args.periods.split(",") if p)
    if args.only in (None, "derived", "derived-report"):
        status |= derived_report(
            args.scale,
            rounds,
            periods,
            args.slow_rounds,
            tuple(c.strip() for c in args.cases.split(",") if c.strip()),
        )
    built: list[harness.Samples] = []
    if args.only in (None, "derived", "derived-upkeep", "derived-build"):
        status |= derived_build(args.scale, args.build_rounds or rounds, built)
    if args.only in (None, "derived", "derived-upkeep", "derived-refresh"):
        status |= derived_refresh(args.scale, rounds, built[0] if built else None)
    if args.only in ("derived-spark", "derived-spark-reports"):
        status |= derived_spark(args.scale, rounds, build=args.only == "derived-spark")
    if args.only and args.only.startswith("derived"):
        return status
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
        print()
    if args.only in (None, "crm"):
        status |= crm(args.scale, rounds, args.as_of, args.recompute)
    if args.only in (None, "startup"):
        status |= startup(args.repeats)
    if args.only in (None, "pages"):
        status |= pages(args.scale, args.rounds or 20, args.port)
    if args.only in (None, "members"):
        status |= members(args.scale, rounds)
    if args.only in (None, "triage"):
        status |= triage(args.repeats)
    if args.only in (None, "knowledge"):
        status |= knowledge(rounds)
    if args.only in (None, "sentiment"):
        status |= sentiment(args.rounds or 3)
    if args.only in (None, "basket"):
        status |= basket(args.scale)
    if args.only in (None, "clv"):
        # --customers is shared with the customers case (1M there too)
        status |= clv(args.customers, rounds)
    return status


if __name__ == "__main__":
    sys.exit(main())
