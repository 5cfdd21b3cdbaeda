"""Start-up time of commands that do not read the lake, against Django's own start-up.

    python -m bench --only startup [--repeats N]

Each case is a fresh process (the whole start-up is the thing measured), run the way a user
runs it, with the same settings (``DJANGO_SETTINGS_MODULE=guanxi.settings``) in a migrated
temporary ``GUANXI_HOME``. The cases are interleaved — every round runs each case once, in
an order rotated from round to round — so that the machine's load drifts over all of them
alike; one untimed round first writes the home's key files, warms the file cache and
compiles the bytecode (kept in the temporary folder, ``PYTHONPYCACHEPREFIX``: the runs are
timed as an installation runs, with its bytecode cached, even where the calling shell sets
``PYTHONDONTWRITEBYTECODE``).
Reported: the median and the spread (fastest–slowest) of wall time and of CPU time (user +
system of the child: steadier than wall time on a busy machine), and each median's ratio to
``django.setup()``'s.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BASELINE = "django.setup()"


@dataclass(frozen=True)
class Timing:
    name: str
    wall: list[float]
    cpu: list[float]


def commands() -> dict[str, list[str]]:
    """Case name → the command line; ``guanxi`` is the console script beside this Python."""
    guanxi = str(Path(sys.executable).with_name("guanxi"))
    return {
        BASELINE: [sys.executable, "-c", "import django; django.setup()"],
        "guanxi --help": [guanxi, "--help"],
        "guanxi users list": [guanxi, "users", "list"],
        "guanxi privacy --help": [guanxi, "privacy", "--help"],
        "guanxi check": [guanxi, "check"],
        "guanxi migrate (nothing to do)": [guanxi, "migrate", "--no-input"],
    }


def environment(home: Path) -> dict[str, str]:
    skipped = ("GUANXI_", "DJANGO_", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skipped)}
    return env | {
        "DJANGO_SETTINGS_MODULE": "guanxi.settings",
        "GUANXI_HOME": str(home / "home"),
        "PYTHONPYCACHEPREFIX": str(home / "pycache"),
    }


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv``, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(repeats: int) -> list[Timing]:
    cases = commands()
    with tempfile.TemporaryDirectory(prefix="guanxi-startup-") as folder:
        env = environment(Path(folder))
        run_once(cases["guanxi migrate (nothing to do)"], env)  # creates the database
        names = list(cases)
        for name in names:  # the untimed round
            run_once(cases[name], env)
        wall: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        for round_number in range(repeats):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                seconds, busy = run_once(cases[name], env)
                wall[name].append(seconds)
                cpu[name].append(busy)
    return [Timing(name, wall[name], cpu[name]) for name in names]


def table(timings: list[Timing]) -> str:
    base = next(t for t in timings if t.name == BASELINE)
    base_wall, base_cpu = statistics.median(base.wall), statistics.median(base.cpu)
    runs = len(base.wall)
    lines = [
        f"### Start-up of commands that do not read the lake ({runs} interleaved runs each)",
        "",
        f"| case | wall median s | wall spread s | × {BASELINE} | CPU median s "
        f"| CPU spread s | CPU × {BASELINE} |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        wall, cpu = statistics.median(t.wall), statistics.median(t.cpu)
        lines.append(
            f"| {t.name} | {wall:.3f} | {min(t.wall):.3f}–{max(t.wall):.3f} "
            f"| {wall / base_wall:.2f} | {cpu:.3f} | {min(t.cpu):.3f}–{max(t.cpu):.3f} "
            f"| {cpu / base_cpu:.2f} |"
        )
    return "\n".join(lines)


def main(repeats: int) -> int:
    print(table(measure(max(repeats, 5))))
    return 0
