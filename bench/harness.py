"""Running benchmark cases: best-of-N wall time and peak memory, each case in its own process.

Each case runs in a freshly spawned child process so that its peak resident memory
(``ru_maxrss``) is its own and caches warmed by one case do not flatter the next; the first
run warms the process (imports, file cache) and is not counted.
"""

from __future__ import annotations

import multiprocessing
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[[], Any]  # a module-level function (it is pickled into the child)
    baseline: bool = False
    warm_up: bool = True  # False for cases that change state (an import): run once
    setup: Callable[[], Any] | None = None  # run in the child before timing (imports)


@dataclass(frozen=True)
class Measurement:
    name: str
    seconds: float
    peak_mb: float
    result: Any


def _child(
    run: Callable[[], Any],
    repeats: int,
    warm_up: bool,
    queue: Any,
    setup: Callable[[], Any] | None = None,
) -> None:
    try:
        if setup is not None:
            setup()
        if warm_up:
            run()
        times = []
        result = None
        for _ in range(repeats):
            start = time.perf_counter()
            result = run()
            times.append(time.perf_counter() - start)
        assert times, "no run was timed"
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        queue.put(("ok", min(times), peak_kb / 1024, result))
    except BaseException as exc:  # reported to the parent, which fails loudly
        queue.put(("error", 0.0, 0.0, f"{type(exc).__name__}: {exc}"))


def measure(case: Case, repeats: int = 3) -> Measurement:
    # spawn, not fork: deltalake's Rust runtime cannot survive a fork of a process using it.
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(
        target=_child,
        args=(case.run, repeats if case.warm_up else 1, case.warm_up, queue, case.setup),
    )
    process.start()
    status, seconds, peak_mb, result = queue.get()
    process.join()
    if status != "ok":
        raise RuntimeError(f"benchmark case {case.name} failed: {result}")
    return Measurement(case.name, seconds, peak_mb, result)


def table(
    title: str, rows: list[Measurement], reference: str, per_second: int | None = None
) -> str:
    """A Markdown table of the measurements with each time's ratio to ``reference``;
    with ``per_second`` (rows processed) also the throughput."""
    ref = next(m for m in rows if m.name == reference).seconds
    rate = " rows/s |" if per_second else ""
    lines = [
        f"### {title}",
        "",
        f"| case | seconds | × {reference} |{rate} peak MB |",
        "|---|---:|---:|" + ("---:|" if per_second else "") + "---:|",
    ]
    for m in rows:
        ratio = m.seconds / ref if ref else float("nan")
        speed = f" {per_second / m.seconds:,.0f} |" if per_second else ""
        lines.append(f"| {m.name} | {m.seconds:.3f} | {ratio:.2f} |{speed} {m.peak_mb:.0f} |")
    return "\n".join(lines)


def ratios_table(title: str, rows: list[Measurement], against: tuple[str, ...]) -> str:
    """A Markdown table of the measurements with each time's ratio to every case named in
    ``against`` (a ratio below 1 is faster than that case)."""
    seconds = {m.name: m.seconds for m in rows}
    head = " | ".join(f"× {name}" for name in against)
    lines = [
        f"### {title}",
        "",
        f"| case | seconds | {head} | peak MB |",
        "|---|---:|" + "---:|" * len(against) + "---:|",
    ]
    for m in rows:
        ratios = " | ".join(
            f"{m.seconds / seconds[name]:.2f}" if seconds[name] else "–" for name in against
        )
        lines.append(f"| {m.name} | {m.seconds:.2f} | {ratios} | {m.peak_mb:.0f} |")
    return "\n".join(lines)


def interleaved(cases: list[Case], rounds: int) -> dict[str, list[Measurement]]:
    """Each case once per round, the cases taking turns (one process per run), so that a
    busy spell of the machine falls on all of them alike."""
    runs: dict[str, list[Measurement]] = {case.name: [] for case in cases}
    for _round in range(rounds):
        for case in cases:
            runs[case.name].append(measure(case, 1))
    return runs


def median_table(
    title: str,
    runs: dict[str, list[Measurement]],
    reference: str,
    *,
    seconds: Callable[[Measurement], float] = lambda m: m.seconds,
    per_second: Callable[[Measurement], float] | None = None,
    unit: str = "rows/s",
) -> str:
    """A Markdown table of each case's median time over its runs, the spread (fastest –
    slowest), the median's ratio to ``reference``'s median, the throughput of the median
    run (``per_second``: the work of a run) and the highest peak memory."""
    medians = {name: statistics.median(seconds(m) for m in ms) for name, ms in runs.items()}
    ref = medians[reference]
    rate = f" {unit} |" if per_second else ""
    lines = [
        f"### {title}",
        "",
        f"| case | median s | spread s | × {reference} |{rate} peak MB | runs |",
        "|---|---:|---:|---:|" + ("---:|" if per_second else "") + "---:|---:|",
    ]
    for name, ms in runs.items():
        times = sorted(seconds(m) for m in ms)
        median = medians[name]
        speed = ""
        if per_second:
            work = statistics.median(per_second(m) for m in ms)
            speed = f" {work / median:,.0f} |"
        peak = max(m.peak_mb for m in ms)
        lines.append(
            f"| {name} | {median:.1f} | {times[0]:.1f}–{times[-1]:.1f} | "
            f"{median / ref:.2f} |{speed} {peak:,.0f} | {len(ms)} |"
        )
    return "\n".join(lines)
