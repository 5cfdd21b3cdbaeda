"""The monthly member-score job (issue 15: under 60 s on the large demo).

    python -m bench --only members [--scale large] [--rounds N]

What it does:
1. copies the bench shop's app database to a temporary folder (the job writes a month of
   scores and every customer's standing: the shop's own database is left as it is) and
   migrates the copy; the lake and its derived tables are read where they are, read-only;
2. times ``loyalty.member_scores.compute`` for the month after the lake's latest payment —
   the master's profile completeness, the metric over the lake (DuckDB), replacing the
   month's ``MemberScore`` rows and copying the scores to the standing — ``rounds`` times,
   each run in a freshly spawned process, re-running the same month (the re-run replaces
   it, as the job does when run twice);
3. prints the median, the spread (every sample), the phases of the median run, the peak
   memory and the tier counts; deletes the copy.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import harness
from bench.pages import home_env
from bench.shop import ROOT

TARGET_SECONDS = 60.0
_month: Any = None


def _setup() -> None:
    """In the child: Django on the copy (migrated), and the month to score."""
    import datetime as dt

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.conf import settings

    from guanxi import lake

    store = lake.get()
    orders = store.table("orders")
    latest = store.execute(orders.paid_at.max())
    local = latest.tz_convert(settings.TIME_ZONE)
    global _month
    _month = (local.replace(day=1) + dt.timedelta(days=32)).date().replace(day=1)


def _run() -> dict[str, Any]:
    from guanxi.loyalty import member_scores

    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    done = member_scores.compute(
        _month, progress=lambda phase: marks.append((phase, time.perf_counter() - started))
    )
    total = time.perf_counter() - started
    phases = {}
    ends = [t for _, t in marks[1:]] + [total]
    for (phase, begun), end in zip(marks, ends, strict=True):
        phases[phase] = round(end - begun, 2)
    return {
        "month": f"{done.month:%Y-%m}",
        "as_of": done.as_of.isoformat(),
        "customers": done.customers,
        "tiers": done.tiers,
        "phases": phases,
    }


def run(scale: str, rounds: int) -> int:
    env = home_env(scale)
    source = Path(env["GUANXI_DATABASE_URL"].removeprefix("sqlite:///"))
    if not source.exists():
        print(f"no {scale} bench shop at {source.parent}: build it first (python -m bench)")
        return 1
    ROOT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-members-", dir=ROOT))
    try:
        copy = work / "guanxi.sqlite3"
        shutil.copyfile(source, copy)
        wal = source.with_name(source.name + "-wal")
        if wal.exists():  # committed pages not yet checkpointed into the file
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        env |= {
            "GUANXI_DATABASE_URL": f"sqlite:///{copy}",
            "GUANXI_STATIC_ROOT": str(work / "static"),
            "GUANXI_WARM_FIGURES": "0",
        }
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)  # the spawned children inherit it
        try:
            case = harness.Case("monthly job", _run, warm_up=False, setup=_setup)
            samples = harness.interleaved([case], rounds)[0]
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = samples.result
    median = statistics.median(samples.seconds)
    verdict = "meets" if median < TARGET_SECONDS else "MISSES"
    print(f"### Monthly member-score job, {scale} demo shop")
    print()
    print("| case | median s | spread s (every sample) | peak MB | customers | target |")
    print("|---|---:|---:|---:|---:|---|")
    print(
        f"| {samples.name} | {median:.1f} | {samples.spread} | {samples.peak_mb:,.0f} | "
        f"{result['customers']:,} | < {TARGET_SECONDS:.0f} s: {verdict} |"
    )
    print()
    print(
        f"Month {result['month']} (as of {result['as_of']}); last sample's phases "
        f"{result['phases']}; tiers {result['tiers']}"
    )
    return 0 if median < TARGET_SECONDS else 1
