"""Issue 14's page targets: the running server, driven over HTTP with a logged-in session.

    python -m bench --only pages [--scale small|medium|large] [--rounds N] [--port P]

What it does, in order:
1. prepares the bench shop of the scale (``bench.shop``; built when missing), brings its
   lake's derived tables up to date (``guanxi lake refresh``, untimed; it waits for the lake
   lock while another process refreshes or rebuilds them), builds the customer profile's
   timeline index (``customers.timeline``, untimed) and gives a manager login,
   ``bench-pages``, a fresh random password — all in a spawned child, so Django and DuckDB
   do not stay in this process;
2. starts the server as ``make run`` does (gunicorn, 2 workers × 4 threads, 127.0.0.1, a free
   port unless ``--port``) on that shop, waits until it answers and logs in through
   ``/accounts/login/`` with the form's CSRF token;
3. requests every page of ``PAGES`` once (warm-up, not counted), then ``rounds`` times,
   round-robin, one request at a time; each answer must be a 200 without the stale banner
   (``id="derived-stale"``: the figures came from the raw tables, so the timing would not be
   the derived path's) and without form errors (a page falls back to its defaults on a bad
   parameter); a page that waited for a query slot shows ``id="query-queued"``;
4. sends the ``BURST`` requests at once (threads released together), twice;
5. samples the server's memory (the gunicorn master and its workers: the sum of their RSS,
   and of their PSS, which counts pages shared after the fork once) every 0.1 s throughout;
6. stops the server (its process group).

Prints Markdown tables: p50 / p95 / max per page (p95 interpolated between the two nearest
samples), the burst's answers and the memory peaks. Exit status 1 when any answer was not a
clean 200 (the timings are then not the ones asked for).
"""

from __future__ import annotations

import contextlib
import http.client
import math
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import shop

HOST = "127.0.0.1"
USERNAME = "bench-pages"
MONTH = "start=2025-11-01&end=2025-11-30"
YEAR = "start=2025-01-01&end=2025-12-31"
AGENT = "{agent}"  # filled in with the first agent on the agents page
CUSTOMER = "{customer}"  # filled in with the first customer on the customer list


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    target: float  # seconds, p95


PAGES = (
    Page("store overview (latest month)", "/store/", 0.3),
    Page("agents, month", f"/performance/agents/?{MONTH}", 0.3),
    Page("teams, month", f"/performance/agents/?{MONTH}&view=team", 0.3),
    Page("shop, month", f"/performance/agents/?{MONTH}&view=shop", 0.3),
    Page("trend by day, month", f"/performance/trend/?{MONTH}&by=day", 0.3),
    Page("trend by day, year", f"/performance/trend/?{YEAR}&by=day", 1.5),
    Page("agent detail, month", f"/performance/agents/{AGENT}/?{MONTH}", 0.3),
    Page("DSR", "/store/dsr/", 0.3),
    Page("funnel (latest month)", "/store/funnel/", 0.3),
    Page("scorecard, month", "/performance/scorecard/?month=2025-11", 0.3),
    Page("monthly report (HTML)", "/reports/monthly/?month=2025-11", 0.3),
    Page("customer profile (360°)", f"/customers/{CUSTOMER}/", 0.3),
    Page("customer profile, timeline page 2", f"/customers/{CUSTOMER}/?page=2", 0.3),
)

# Issue 14's concurrency target: 8 page requests at once, heavy ones among them.
BURST = (
    ("trend by day, year", f"/performance/trend/?{YEAR}&by=day"),
    ("trend by week, year, teams", f"/performance/trend/?{YEAR}&by=week&view=team"),
    ("agents, year", f"/performance/agents/?{YEAR}"),
    ("teams, year", f"/performance/agents/?{YEAR}&view=team"),
    ("shop, year", f"/performance/agents/?{YEAR}&view=shop"),
    ("agent detail, year", f"/performance/agents/{AGENT}/?{YEAR}"),
    ("monthly report 2025-11", "/reports/monthly/?month=2025-11"),
    ("monthly report 2025-06", "/reports/monthly/?month=2025-06"),
)

STALE = 'id="derived-stale"'
QUEUED = 'id="query-queued"'
FORM_ERROR = 'class="errorlist'
_QUEUED_SECONDS = re.compile(r'id="query-queued">[^<]*?(\d+(?:\.\d+)?)')
_AGENT_LINK = re.compile(r'class="agent-link" href="/performance/agents/([^/"]+)/')
_CUSTOMER_LINK = re.compile(r'href="/customers/(c[0-9a-f]{16})/"')
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# -- the shop and its login ------------------------------------------------------------------


def home_env(scale: str) -> dict[str, str]:
    """The GUANXI_* settings of the bench shop of ``scale`` (as ``shop.prepare`` sets them)."""
    base = shop.ROOT / scale
    return {
        "GUANXI_DATABASE_URL": f"sqlite:///{base}/guanxi.sqlite3",
        "GUANXI_LAKE": str(base / "lake"),
        "GUANXI_KEY_FILE": str(base / "keys" / "field.key"),
        "GUANXI_SECRET_KEY_FILE": str(base / "keys" / "secret.key"),
        "GUANXI_STATIC_ROOT": str(base / "static"),
        "DJANGO_SETTINGS_MODULE": "guanxi.settings",
    }


def _prepare_child(scale: str, queue: Any) -> None:
    try:
        shop.prepare(scale)
        from django.contrib.auth.models import User

        from guanxi.accounts import services
        from guanxi.imports import derived

        if not derived.figures_from_derived():
            print(f"refreshing the derived tables of the {scale} shop (untimed) …", flush=True)
            started = time.perf_counter()
            state = derived.refresh()
            print(f"  {state.mode} in {time.perf_counter() - started:.0f} s", flush=True)
        if not derived.figures_from_derived():
            raise RuntimeError("the derived tables are still not fresh after a refresh")
        from guanxi.performance import figure_cache

        figure_cache.clear()  # first views count their figures (the table's first column)
        from guanxi.customers import timeline

        # The profile's per-customer timeline index, as the import task builds it (untimed).
        started = time.perf_counter()
        timeline.ensure_index()
        print(f"  customer timeline index in {time.perf_counter() - started:.0f} s", flush=True)
        services.roles_ensure()  # the bench shop was migrated, never set up: no role groups
        user = User.objects.filter(username=USERNAME).first()
        if user is None:
            password = services.user_add(actor=None, username=USERNAME, role="manager").password
        else:
            password = services.user_password_reset(actor=None, user=user)
        queue.put(("ok", password))
    except BaseException as exc:  # reported to the parent, which fails loudly
        queue.put(("error", f"{type(exc).__name__}: {exc}"))


def prepare(scale: str) -> str:
    """Build (when missing) and refresh the bench shop of ``scale``; the login's password."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_prepare_child, args=(scale, queue))
    child.start()
    status, value = queue.get()
    child.join()
    if status != "ok":
        raise RuntimeError(f"preparing the {scale} shop failed: {value}")
    return str(value)


# -- HTTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    seconds: float
    body: str
    location: str = ""

    @property
    def stale(self) -> bool:
        return STALE in self.body

    @property
    def queued(self) -> float | None:
        """Seconds the page says it waited for a query slot; None when it did not say so."""
        if QUEUED not in self.body:
            return None
        found = _QUEUED_SECONDS.search(self.body)
        return float(found.group(1)) if found else math.nan

    def problems(self) -> list[str]:
        found = []
        if self.status != 200:
            found.append(f"HTTP {self.status}")
        if self.stale:
            found.append("stale banner")
        if FORM_ERROR in self.body:
            found.append("form error")
        return found


class Client:
    """One logged-in browser: its cookies, a new connection per request (timed from sending
    the request to the last byte of the answer)."""

    def __init__(self, port: int, timeout: float = 600.0) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        with self._lock:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent = {"Host": f"{HOST}:{self.port}", "Cookie": cookie} | (headers or {})
        try:
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
            seconds = time.perf_counter() - started
        finally:
            conn.close()
        with self._lock:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
        return Answer(
            response.status,
            seconds,
            data.decode("utf-8", "replace"),
            response.headers.get("Location", ""),
        )

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def login(self, username: str, password: str) -> None:
        form = self.get("/accounts/login/")
        token = _CSRF.search(form.body)
        if form.status != 200 or token is None:
            raise RuntimeError(f"no login form (HTTP {form.status})")
        answer = self.request(
            "POST",
            "/accounts/login/",
            urlencode(
                {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
            ),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{HOST}:{self.port}/accounts/login/",
            },
        )
        if answer.status != 302 or "/accounts/login" in answer.location:
            raise RuntimeError(f"login refused (HTTP {answer.status})")


# -- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """gunicorn as ``make run`` starts it, in its own process group; returns once it answers."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "guanxi.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
    ]
    with log.open("ab") as out:
        server = subprocess.Popen(
            command,
            env=os.environ | env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped at start (exit {server.returncode}); see {log}")
        with contextlib.suppress(OSError):
            if Client(port, timeout=5).get("/accounts/login/").status == 200:
                return server
        time.sleep(0.5)
    stop_server(server)
    raise RuntimeError(f"the server did not answer within 180 s; see {log}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            found.extend(int(child) for child in text.split())
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and every descendant (the gunicorn master, its workers)."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(_children(current))
    return tree


PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def rss_kb(pids: list[int]) -> int:
    """Resident memory summed over ``pids`` in kB (``/proc/PID/statm``, cheap to read);
    pages the workers still share with the master after the fork count once per process."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    return total


def pss_kb(pids: list[int]) -> int:
    """Proportional memory summed over ``pids`` in kB (shared pages split between their
    processes: the processes' real total). Reading it walks the page tables: not too often."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
    return total


@dataclass
class MemorySampler:
    """Samples the server's memory on a thread: RSS every ``interval`` seconds, PSS and the
    list of processes every ``slow_interval`` (both cost the server's CPU on this machine's
    two cores); ``mark()`` starts a new window whose peaks are kept apart (a burst's)."""

    pid: int
    interval: float = 0.25
    slow_interval: float = 2.0
    peak_rss: int = 0
    peak_pss: int = 0
    window_rss: int = 0
    window_pss: int = 0
    _pids: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemorySampler:
        self.sample(slow=True)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def mark(self) -> None:
        self.window_rss = self.window_pss = 0

    def sample(self, slow: bool = False) -> tuple[int, int]:
        """(RSS, PSS) now in kB; PSS only when ``slow`` (else 0)."""
        if slow or not self._pids:
            self._pids = process_tree(self.pid)
        rss = rss_kb(self._pids)
        pss = pss_kb(self._pids) if slow else 0
        self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
        self.window_rss, self.window_pss = max(self.window_rss, rss), max(self.window_pss, pss)
        return rss, pss

    def _run(self) -> None:
        every = max(1, round(self.slow_interval / self.interval))
        ticks = 0
        while not self._stop.wait(self.interval):
            ticks += 1
            self.sample(slow=ticks % every == 0)


# -- the measurements ------------------------------------------------------------------------


def p95(samples: list[float]) -> float:
    """The 95th percentile, interpolated between the two nearest of the sorted samples."""
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


@dataclass
class PageTimes:
    page: Page
    path: str
    seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    queued: int = 0
    first: float = 0.0  # the first view, counted with nothing in the figure cache

    def add(self, answer: Answer, counted: bool = True) -> None:
        self.problems.extend(answer.problems())
        if answer.queued is not None:
            self.queued += 1
        if counted:
            self.seconds.append(answer.seconds)
        else:
            self.first = answer.seconds


def time_pages(client: Client, pages: list[tuple[Page, str]], rounds: int) -> list[PageTimes]:
    """A first view per page (the figure cache empty: the page counts its figures, as the
    first view after an import would without the background warm-up), then ``rounds``
    rounds of one request per page."""
    times = [PageTimes(page, path) for page, path in pages]
    for entry in times:
        entry.add(client.get(entry.path), counted=False)
    for done in range(rounds):
        started = time.perf_counter()
        for entry in times:
            entry.add(client.get(entry.path))
        _progress(f"round {done + 1}/{rounds}: {time.perf_counter() - started:.1f} s")
    return times


def _progress(text: str) -> None:
    print(f"  {time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class BurstAnswer:
    name: str
    path: str
    answer: Answer | None
    error: str = ""


def burst(client: Client, requests: list[tuple[str, str]]) -> tuple[list[BurstAnswer], float]:
    """Every request at once (threads released together); the answers and the wall time."""
    gate = threading.Barrier(len(requests) + 1)
    answers: list[BurstAnswer | None] = [None] * len(requests)

    def send(i: int, name: str, path: str) -> None:
        gate.wait()
        try:
            answers[i] = BurstAnswer(name, path, client.get(path))
        except Exception as exc:  # a dropped connection is a result, not a crash
            answers[i] = BurstAnswer(name, path, None, f"{type(exc).__name__}: {exc}")

    threads = [
        threading.Thread(target=send, args=(i, name, path))
        for i, (name, path) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return [a for a in answers if a is not None], wall


# -- reporting -------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def pages_table(title: str, times: list[PageTimes]) -> str:
    lines = [
        f"### {title}",
        "",
        "| page | first view ms | n | p50 ms | p95 ms | max ms | target p95 | met | notes |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|---|",
    ]
    for t in times:
        s = t.seconds
        met = "yes" if s and p95(s) < t.page.target else "**no**"
        notes = sorted({*t.problems})
        if t.queued:
            notes.append(f"queued note {t.queued}×")
        lines.append(
            f"| {t.page.name} | {_ms(t.first)} | {len(s)} | {_ms(statistics.median(s))} | "
            f"{_ms(p95(s))} | "
            f"{_ms(max(s))} | {_ms(t.page.target)} | {met} | {', '.join(notes)} |"
        )
    return "\n".join(lines)


def _gb(kb: int) -> str:
    return f"{kb / 1024**2:.2f}"


def burst_table(title: str, answers: list[BurstAnswer], wall: float, peaks: tuple[int, int]) -> str:
    lines = [
        f"### {title}",
        "",
        f"All {len(answers)} sent at once: {wall:.1f} s until the last answer; server memory "
        f"peak during the burst {_gb(peaks[0])} GB RSS, {_gb(peaks[1])} GB PSS.",
        "",
        "| request | status | seconds | waited for a slot (page says) | notes |",
        "|---|---:|---:|---:|---|",
    ]
    for b in answers:
        if b.answer is None:
            lines.append(f"| {b.name} | — | — | — | {b.error} |")
            continue
        queued = b.answer.queued
        said = "—" if queued is None else f"{queued:.1f} s"
        notes = ", ".join(b.answer.problems())
        lines.append(
            f"| {b.name} | {b.answer.status} | {b.answer.seconds:.2f} | {said} | {notes} |"
        )
    return "\n".join(lines)


def _clean(times: list[PageTimes], bursts: list[list[BurstAnswer]]) -> bool:
    if any(t.problems for t in times):
        return False
    return all(b.answer is not None and not b.answer.problems() for bs in bursts for b in bs)


@contextlib.contextmanager
def serving(scale: str, port: int) -> Iterator[tuple[subprocess.Popen[bytes], Client]]:
    password = prepare(scale)
    port = port or free_port()
    log = shop.ROOT / f"pages-{scale}-gunicorn.log"
    server = start_server(home_env(scale), port, log)
    try:
        client = Client(port)
        client.login(USERNAME, password)
        yield server, client
    finally:
        stop_server(server)


def first_agent(client: Client) -> str:
    answer = client.get(f"/performance/agents/?{MONTH}")
    found = _AGENT_LINK.search(answer.body)
    if answer.status != 200 or found is None:
        raise RuntimeError(f"no agent on the agents page for {MONTH} (HTTP {answer.status})")
    return found.group(1)


def first_customer(client: Client) -> str:
    answer = client.get("/customers/")
    found = _CUSTOMER_LINK.search(answer.body)
    if answer.status != 200 or found is None:
        raise RuntimeError(f"no customer on the customer list (HTTP {answer.status})")
    return found.group(1)


def _filled(path: str, agent: str, customer: str) -> str:
    return path.replace(AGENT, agent).replace(CUSTOMER, customer)


def run(scale: str, rounds: int = 20, port: int = 0, bursts: int = 2) -> int:
    load_before = os.getloadavg()
    # A SIGTERM ends the run through the same exit as an error: the server is stopped.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        with serving(scale, port) as (server, client), MemorySampler(server.pid) as memory:
            agent = first_agent(client)
            customer = first_customer(client)
            pages = [(page, _filled(page.path, agent, customer)) for page in PAGES]
            at_rest = memory.sample(slow=True)
            times = time_pages(client, pages, rounds)
            after_pages = memory.sample(slow=True)
            burst_results = []
            for i in range(bursts):
                memory.mark()
                requests = [(name, path.replace(AGENT, agent)) for name, path in BURST]
                answers, wall = burst(client, requests)
                memory.sample(slow=True)
                burst_results.append((answers, wall, (memory.window_rss, memory.window_pss)))
                _progress(f"burst {i + 1}/{bursts}: {wall:.1f} s")
    finally:
        signal.signal(signal.SIGTERM, previous)
    load_after = os.getloadavg()
    print(
        pages_table(
            f"Pages, {scale} demo shop: the first view of each page with an empty figure "
            f"cache, then {rounds} requests per page, round-robin, one at a time (agent {agent}, "
            f"customer {customer})",
            times,
        )
    )
    print()
    for i, (answers, wall, peaks) in enumerate(burst_results, start=1):
        title = f"{len(answers)} requests at once, {scale} demo shop, burst {i}"
        print(burst_table(title, answers, wall, peaks))
        print()
    print(
        "Server memory (gunicorn master + 2 workers), GB RSS / PSS: after log-in "
        f"{_gb(at_rest[0])} / {_gb(at_rest[1])}; after the timed pages {_gb(after_pages[0])} / "
        f"{_gb(after_pages[1])}; peak over the run {_gb(memory.peak_rss)} (RSS every "
        f"{memory.interval} s) / {_gb(memory.peak_pss)} (PSS every {memory.slow_interval} s)."
    )
    before, after = (" ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after))
    print(f"Load average (1, 5, 15 min) before: {before}; after: {after}.")
    return 0 if _clean(times, [a for a, _w, _p in burst_results]) else 1
