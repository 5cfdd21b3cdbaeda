"""Running benchmark cases: best-of-N wall time and peak memory, each case in its own process.

Each case runs in a freshly spawned child process so that its peak resident memory
(``ru_maxrss``) is its own and caches warmed by one case do not flatter the next; the first
run warms the process (imports, file cache) and is not counted.
"""

from __future__ import annotations

import multiprocessing
import os
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
    before: Callable[[], Any] | None = None  # run in the parent before each sample, untimed
    samples: int | None = None  # at most this many samples in ``interleaved`` (slow cases)


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


def interleaved_runs(cases: list[Case], rounds: int) -> dict[str, list[Measurement]]:
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


@dataclass(frozen=True)
class Samples:
    """One case measured several times, each sample in its own process."""

    name: str
    seconds: tuple[float, ...]
    peak_mb: float  # the largest of the samples' peaks
    result: Any  # the last sample's

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def spread(self) -> str:
        """Every sample's seconds, in the order taken (round by round)."""
        return ", ".join(f"{s:.2f}" for s in self.seconds)


def interleaved(cases: list[Case], rounds: int = 3) -> list[Samples]:
    """Each case ``rounds`` times, round-robin (case 1, 2, 3, then 1, 2, 3 again …) so that
    a noisy spell of the machine spreads over every case instead of slowing one; each
    sample is one timed run in a freshly spawned process (after a warm-up run in that
    process when the case has ``warm_up``)."""
    times: dict[str, list[float]] = {c.name: [] for c in cases}
    peaks: dict[str, float] = dict.fromkeys(times, 0.0)
    results: dict[str, Any] = {}
    for n in range(rounds):
        for case in cases:
            if case.samples is not None and n >= case.samples:
                continue
            if case.before is not None:
                case.before()
            m = measure(case, 1)
            times[case.name].append(m.seconds)
            peaks[case.name] = max(peaks[case.name], m.peak_mb)
            results[case.name] = m.result
    return [Samples(c.name, tuple(times[c.name]), peaks[c.name], results[c.name]) for c in cases]


def samples_table(title: str, rows: list[Samples], against: tuple[str, ...], note: str = "") -> str:
    """A Markdown table of the samples: median, range, each median's ratio to the median of
    every case named in ``against`` (below 1 is faster), the median of the per-round
    ratios to the first of them (sample i over its sample i: taken minutes apart at most,
    so less swayed by the machine's load drifting over a long run), and peak memory."""
    medians = {m.name: m.median for m in rows}
    first = next(m for m in rows if m.name == against[0])
    head = " | ".join(f"× {name}" for name in against) + f" | × {against[0]}, per round"
    n = {len(m.seconds) for m in rows}
    load = os.getloadavg()[0]
    lines = [
        f"### {title}",
        "",
        *([note, ""] if note else []),
        f"Load average at the end: {load:.1f} (2 cores).",
        "",
        f"| case | median s (n={'/'.join(str(k) for k in sorted(n))}) "
        f"| samples s, in order | {head} | peak MB |",
        "|---|---:|---:|" + "---:|" * (len(against) + 1) + "---:|",
    ]
    for m in rows:
        ratios = " | ".join(
            f"{m.median / medians[name]:.3f}" if medians[name] else "–" for name in against
        )
        paired = [a / b for a, b in zip(m.seconds, first.seconds, strict=False) if b]
        ratios += f" | {statistics.median(paired):.3f}" if paired else " | –"
        lines.append(f"| {m.name} | {m.median:.2f} | {m.spread} | {ratios} | {m.peak_mb:,.0f} |")
    return "\n".join(lines)
