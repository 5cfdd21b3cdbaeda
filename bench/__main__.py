"""``make bench``: build (once) the demo shop of a scale and time each benchmark on it.

    python -m bench [--scale small|medium|large] [--repeats N]

Prints Markdown tables of seconds, ratios against the baselines and peak memory; the
figures quoted in bench/README.md come from this output.
"""

from __future__ import annotations

import argparse
import sys

from bench import harness, shop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=("small", "medium", "large"), default="large")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    shop.prepare(args.scale)
    from bench import store_figures

    cases = [
        harness.Case("ibis", store_figures.run_ibis),
        harness.Case("sql", store_figures.run_sql, baseline=True),
        harness.Case("scan", store_figures.run_scan, baseline=True),
    ]
    rows = [harness.measure(case, args.repeats) for case in cases]
    if rows[0].result != rows[1].result:
        print(f"MISMATCH ibis {rows[0].result} != sql {rows[1].result}", file=sys.stderr)
        return 1
    title = f"Store figures for 2025, {args.scale} demo shop"
    print(harness.table(title, rows, reference="sql"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
