"""Issue 18, CLV: the BG/NBD fit on 1M synthetic customers against ``lifetimes``.

    python -m bench --only clv [--customers N] [--rounds N]

1. Draws ``N`` customers (default 1,000,000) from BG/NBD with the paper's CDNOW parameters
   (r 0.243, α 4.414, a 0.793, b 2.426; ages 27–39 weeks as the CDNOW cohort; fixed seed)
   into ``var/bench/clv-<N>.npz``.
2. Fits them with ``guanxi.stats.clv.BetaGeoFitter`` and with ``lifetimes.BetaGeoFitter``,
   each fit in its own fresh process, the two taking turns for ``rounds`` rounds (median
   and every sample quoted); the time is the fit alone (the data is loaded first), the
   memory the process's peak RSS (``ru_maxrss``: Python, the data and the fit).
3. Checks both fits agree to 3 significant figures and that ours is ≥ 10× faster and
   under 2 GB.

``lifetimes`` is archived and imports ``pkg_resources`` (setuptools < 82): it is never a
dependency of Guanxi. The bench makes a throw-away venv for it, ``var/bench-lifetimes``
(``python3.13 -m venv`` + ``pip install lifetimes 'setuptools<82'``), once, and runs the
baseline there in a subprocess. If that venv cannot be made (no network), the baseline is
scipy's L-BFGS-B with numerical gradients on the same log-likelihood instead, and the
table says so.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

PARAMS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
REPO = Path(__file__).resolve().parents[1]
VENV = REPO / "var" / "bench-lifetimes"
SEED = 18

# Each child prints one JSON line: the fitted parameters, the fit's seconds, the peak RSS.
_CHILD_OURS = """
import json, resource, sys, time
import numpy as np
from guanxi.stats.clv import BetaGeoFitter
d = np.load(sys.argv[1])
x, t_x, T = d["x"], d["t_x"], d["T"]
start = time.perf_counter()
f = BetaGeoFitter().fit(x, t_x, T)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"params": f.params_, "seconds": seconds, "peak_mb": peak,
                  "converged": f.converged_}))
"""

_CHILD_LIFETIMES = """
import json, resource, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd
from lifetimes import BetaGeoFitter
d = np.load(sys.argv[1])
x, t_x, T = (pd.Series(d[k]) for k in ("x", "t_x", "T"))
start = time.perf_counter()
f = BetaGeoFitter().fit(x, t_x, T)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
p = f.params_
print(json.dumps({"params": {"r": p["r"], "alpha": p["alpha"], "a": p["a"], "b": p["b"]},
                  "seconds": seconds, "peak_mb": peak, "converged": True}))
"""

_CHILD_SCIPY = """
import json, resource, sys, time
import numpy as np
from scipy.optimize import minimize
from guanxi.stats.clv import BetaGeoFitter
d = np.load(sys.argv[1])
x, t_x, T = d["x"], d["t_x"], d["T"]
start = time.perf_counter()
def nll(log_theta):
    return -BetaGeoFitter.individual_log_likelihood(np.exp(log_theta), x, t_x, T).mean()
res = minimize(nll, np.log([0.5, 5.0, 1.0, 3.0]), method="L-BFGS-B")
seconds = time.perf_counter() - start
r, alpha, a, b = np.exp(res.x)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"params": {"r": r, "alpha": alpha, "a": a, "b": b}, "seconds": seconds,
                  "peak_mb": peak, "converged": bool(res.success)}))
"""


def data_file(customers: int) -> Path:
    """The synthetic customers (made once per size and kept under var/bench)."""
    import numpy as np

    from guanxi.stats.clv import simulate_bgnbd

    path = REPO / "var" / "bench" / f"clv-{customers}.npz"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        ages = 39 - np.random.default_rng(SEED).uniform(0, 12, customers)
        x, t_x = simulate_bgnbd(
            PARAMS["r"], PARAMS["alpha"], PARAMS["a"], PARAMS["b"], ages, seed=SEED
        )
        np.savez(path, x=x, t_x=t_x, T=ages)
    return path


def lifetimes_python() -> tuple[str | None, str]:
    """The throw-away venv's interpreter with lifetimes importable, or None and why not."""
    python = VENV / "bin" / "python"
    if not python.exists():
        # The interpreter this venv was made from (a pyenv shim may not resolve here).
        base = Path(sys.base_prefix) / "bin" / "python3"
        made = subprocess.run([str(base), "-m", "venv", str(VENV)], capture_output=True, text=True)
        if made.returncode != 0:
            return None, f"python3.13 -m venv failed: {made.stderr.strip()[:200]}"
    check = subprocess.run([str(python), "-c", "import lifetimes"], capture_output=True, text=True)
    if check.returncode != 0:
        # a venv made without pip (some builds) gets it from ensurepip first
        subprocess.run([str(python), "-m", "ensurepip"], capture_output=True, text=True)
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "lifetimes", "setuptools<82"],
            capture_output=True,
            text=True,
        )
        if installed.returncode != 0:
            return None, f"pip install lifetimes failed: {installed.stderr.strip()[-300:]}"
    return str(python), ""


def _run_child(python: str, code: str, path: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([python, "-c", code, str(path)], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"CLV bench child failed: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _sig3(params: dict[str, float]) -> dict[str, float]:
    return {k: float(f"{v:.3g}") for k, v in params.items()}


def run(customers: int, rounds: int) -> int:
    path = data_file(customers)
    baseline_python, why = lifetimes_python()
    if baseline_python is not None:
        baseline_name, baseline_code = "lifetimes 0.11.3 BetaGeoFitter", _CHILD_LIFETIMES
    else:
        baseline_name, baseline_code = "scipy L-BFGS-B, numerical gradients", _CHILD_SCIPY
        baseline_python = sys.executable
    cases = [
        ("guanxi BetaGeoFitter", sys.executable, _CHILD_OURS),
        (baseline_name, baseline_python, baseline_code),
    ]
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in cases}
    for _ in range(rounds):  # interleaved: ours, baseline, ours, baseline …
        for name, python, code in cases:
            samples[name].append(_run_child(python, code, path))
    ours, base = (samples[name] for name, _, _ in cases)
    med = {name: statistics.median(s["seconds"] for s in runs) for name, runs in samples.items()}
    speedup = med[baseline_name] / med["guanxi BetaGeoFitter"]
    ours_params, base_params = _sig3(ours[-1]["params"]), _sig3(base[-1]["params"])
    peak = max(s["peak_mb"] for s in ours)
    print(f"### Issue 18 — CLV: BG/NBD fit on {customers:,} synthetic customers")
    print()
    if why:
        print(f"lifetimes could not be installed ({why}); the baseline is scipy instead.")
        print()
    print(f"True parameters: {PARAMS}. Load average at the end: {os.getloadavg()[0]:.1f}.")
    print()
    print("| case | median s | samples s, in order | × baseline | peak MB | r | α | a | b |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, runs in samples.items():
        p = _sig3(runs[-1]["params"])
        spread = ", ".join(f"{s['seconds']:.2f}" for s in runs)
        ratio = med[name] / med[baseline_name]
        peak_mb = max(s["peak_mb"] for s in runs)
        print(
            f"| {name} | {med[name]:.2f} | {spread} | {ratio:.3f} | {peak_mb:,.0f} | "
            f"{p['r']} | {p['alpha']} | {p['a']} | {p['b']} |"
        )
    print()
    same = ours_params == base_params
    print(
        f"Speed-up (median): {speedup:.1f}× (target ≥ 10×); same parameters to 3 significant "
        f"figures: {'yes' if same else 'NO'}; our peak {peak:,.0f} MB (target < 2,048 MB)."
    )
    result = {
        "customers": customers,
        "baseline": baseline_name,
        "samples": samples,
        "speedup": speedup,
        "same_3sf": same,
        "peak_mb": peak,
    }
    out = REPO / "var" / "bench" / "clv.json"
    out.write_text(json.dumps(result, indent=1))
    ok = speedup >= 10 and same and peak < 2048
    return 0 if ok else 1
