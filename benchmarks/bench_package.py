"""Speed of the package around the change-point engine: first calls and the rate functions.

Every figure is printed with a reference measured in the same run and their
ratio (issue 10); nothing here is asserted in the unit tests. All series are
SIMULATED.

* **First call in a fresh process**: a child Python process imports the
  package and times its first ``detect_changepoints`` call for each cost and
  the first ``online_changepoints`` call, once with the numba cache the
  installation built (``make venv`` warms it) and once with an empty cache
  (``NUMBA_CACHE_DIR`` pointing to a new folder: a fresh install that did
  not warm). Reference: the same call warm, in the same child.
* **Change points** (issue 10): the default on a Gaussian series of 1e6
  against ``cost="normal"`` on the same series, and the exact Poisson
  search (``method="fpop"``) at 1e6 and 1e7 against one numpy pass
  (``np.cumsum`` and ``np.mean``), each pair interleaved, wall and CPU seconds.
* **Rates on 1e6 days**: ``estimate_rate`` against a numpy mean-and-variance
  pass over the same array; ``rolling_rate(window="7D")`` against the pandas
  rolling sum. Each path is called once before it is timed (best of
  ``--repeats``).

``--quick`` uses 1e4 days and one repeat and skips the empty-cache child: a
smoke test for CI that checks the benchmark runs, never a time. ``--json PATH`` writes every number.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

#: the child process of the first-call measurement (prints one JSON line)
CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np, pandas as pd
import analysis
t_import = time.perf_counter() - t0
rng = np.random.default_rng(0)  # SIMULATED
counts = pd.Series(rng.poisson(4, 500), index=pd.date_range("2024-01-01", periods=500))
values = counts.astype(float) + rng.normal(0, 1, 500)
calls = {
    "default (counts)": lambda: analysis.detect_changepoints(counts),
    "poisson": lambda: analysis.detect_changepoints(counts, cost="poisson"),
    "negbin": lambda: analysis.detect_changepoints(counts, cost="negbin"),
    "normal": lambda: analysis.detect_changepoints(values, cost="normal"),
    "normal_meanvar": lambda: analysis.detect_changepoints(values, cost="normal_meanvar"),
    "linear": lambda: analysis.detect_changepoints(values, cost="linear"),
    "default (values)": lambda: analysis.detect_changepoints(values),
    "online": lambda: analysis.online_changepoints(counts),
}
out = {"import_s": t_import, "first": {}, "first_cpu": {}, "warm": {}, "errors": {}}
for name, call in calls.items():
    try:
        t, c = time.perf_counter(), time.process_time(); call()
        out["first"][name] = time.perf_counter() - t
        out["first_cpu"][name] = time.process_time() - c
        t = time.perf_counter(); call(); out["warm"][name] = time.perf_counter() - t
    except Exception as exc:  # reported, not hidden
        out["errors"][name] = f"{type(exc).__name__}: {exc}"
out["process_s"] = time.perf_counter() - t0
print(json.dumps(out))
"""


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    """Best wall time of ``repeats`` calls after one warm-up call."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def first_calls(cache_dir: str | None) -> dict[str, Any]:
    """Run :data:`CHILD` in a new process; ``cache_dir`` None keeps the installed cache."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def rates(n: int, repeats: int) -> list[dict[str, Any]]:
    """estimate_rate and rolling_rate on ``n`` SIMULATED days, with their references."""
    import analysis

    rng = np.random.default_rng(1)
    counts = pd.Series(
        rng.poisson(5, n), index=pd.date_range("1900-01-01", periods=n, freq="D"), name="events"
    )
    arr = counts.to_numpy()
    rows = []
    ours = best_of(lambda: analysis.estimate_rate(counts), repeats)
    ref = best_of(lambda: (arr.mean(), arr.var()), repeats)
    rows.append(
        {
            "what": f"estimate_rate, {n:,} days",
            "seconds": ours,
            "reference": "numpy mean+var",
            "reference_s": ref,
            "target_ratio": 20.0,
        }
    )
    ours = best_of(lambda: analysis.rolling_rate(counts, window="7D"), repeats)
    ref = best_of(lambda: counts.rolling("7D").sum(), repeats)
    rows.append(
        {
            "what": f"rolling_rate 7D, {n:,} days",
            "seconds": ours,
            "reference": "pandas rolling('7D').sum()",
            "reference_s": ref,
            "target_ratio": 5.0,
        }
    )
    for row in rows:
        row["ratio"] = row["seconds"] / row["reference_s"]
    return rows


def paired(calls: dict[str, Callable[[], Any]], repeats: int) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds of each call, the calls interleaved (one warm-up each).

    Interleaving puts the same machine load on every call, so ratios of the
    medians compare like with like on a shared machine.
    """
    for fn in calls.values():
        fn()
    wall: dict[str, list[float]] = {k: [] for k in calls}
    cpu: dict[str, list[float]] = {k: [] for k in calls}
    for _ in range(repeats):
        for k, fn in calls.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[k].append(time.perf_counter() - t0)
            cpu[k].append(time.process_time() - c0)
    return {
        k: {"wall_s": float(np.median(wall[k])), "cpu_s": float(np.median(cpu[k]))} for k in calls
    }


def changepoint_speed(
    sizes: Sequence[int], big: Sequence[int], repeats: int
) -> list[dict[str, Any]]:
    """Issue 10's change-point rows: the default on measurements, the exact Poisson search.

    * default ``detect_changepoints(x)`` on a SIMULATED Gaussian series
      (four mean shifts of 0.5-1.5 sd) against ``detect_changepoints(x,
      cost="normal")`` on the same series (target: ratio <= 1);
    * ``detect_changepoints(y, cost="poisson", method="fpop")`` on the
      SIMULATED Poisson series of ``bench_changepoints.py`` (five segments)
      against one numpy pass over it, ``np.cumsum(y)`` and ``np.mean(y)``
      (the floor of that benchmark is ``np.cumsum`` alone; target: ratio <=
      50), with the search alone
      (``search._dispatch.solve``) beside it.
    """
    from bench_changepoints import poisson_series

    import analysis
    from analysis.changepoints.costs import PoissonCost
    from analysis.changepoints.search._dispatch import solve

    rows = []
    for n in sizes:
        rng = np.random.default_rng(0)  # SIMULATED
        x = rng.normal(0.0, 1.0, n) + np.repeat([0.0, 1.0, -0.5, 0.5, 0.0], -(-n // 5))[:n]
        t = paired(
            {
                "default": lambda x=x: analysis.detect_changepoints(x),
                "normal": lambda x=x: analysis.detect_changepoints(x, cost="normal"),
            },
            repeats,
        )
        rows.append(
            {
                "what": f"default change points, Gaussian, {n:,}",
                "seconds": t["default"]["wall_s"],
                "cpu_s": t["default"]["cpu_s"],
                "reference": "cost='normal', same series",
                "reference_s": t["normal"]["wall_s"],
                "reference_cpu_s": t["normal"]["cpu_s"],
                "target_ratio": 1.0,
            }
        )
    for n in big:
        y, _ = poisson_series(n)
        res = analysis.detect_changepoints(y, cost="poisson", method="fpop")
        beta, cost = res.penalty, PoissonCost().fit(y)
        t = paired(
            {
                "detect": lambda y=y: analysis.detect_changepoints(
                    y, cost="poisson", method="fpop"
                ),
                "search": lambda c=cost, b=beta: solve(c, b, "fpop", 2),
                "cumsum": lambda y=y: (np.cumsum(y), np.mean(y)),
            },
            repeats if n <= 1_000_000 else max(1, min(repeats, 3)),
        )
        for part, label in (("detect", "detect_changepoints"), ("search", "the FPOP search alone")):
            rows.append(
                {
                    "what": f"exact Poisson (fpop), {label}, {n:,}",
                    "seconds": t[part]["wall_s"],
                    "cpu_s": t[part]["cpu_s"],
                    "reference": "np.cumsum(y) + np.mean(y): one numpy pass",
                    "reference_s": t["cumsum"]["wall_s"],
                    "reference_cpu_s": t["cumsum"]["cpu_s"],
                    "target_ratio": 50.0,
                }
            )
    for row in rows:
        row["ratio"] = row["seconds"] / row["reference_s"]
        row["cpu_ratio"] = row["cpu_s"] / row["reference_cpu_s"]
    return rows


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print its tables and optionally write them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: checks it runs")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls (best kept)")
    parser.add_argument("--json", metavar="PATH", help="also write the results here")
    args = parser.parse_args(argv)
    n = 10_000 if args.quick else 1_000_000
    repeats = args.repeats or (1 if args.quick else 3)
    load = os.getloadavg()
    print("# Package benchmark (SIMULATED data; every reference measured in this run)")
    print(f"machine load (1, 5, 15 min) at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    cold: dict[str, Any] = {"error": "not measured with --quick"}
    if not args.quick:  # compiling everything from scratch takes half a minute
        with tempfile.TemporaryDirectory() as empty:
            cold = first_calls(empty)
    installed = first_calls(None)
    print("\n## First call in a fresh process (seconds; target <= 1 s; reference: warm call)")
    body = []
    for name in installed.get("first") or cold.get("first") or {}:
        body.append(
            [
                name,
                f"{installed.get('first', {}).get(name, float('nan')):.3f}",
                f"{installed.get('first_cpu', {}).get(name, float('nan')):.3f}",
                f"{cold.get('first', {}).get(name, float('nan')):.3f}",
                f"{installed.get('warm', {}).get(name, float('nan')):.3f}",
            ]
        )
    print(table(["call", "installed cache", "its CPU s", "empty cache", "warm"], body))
    for label, res in (("installed", installed), ("empty", cold)):
        if "error" in res or res.get("errors"):
            print(f"errors ({label} cache): {res.get('error') or res.get('errors')}")
        else:
            print(
                f"{label} cache: import {res['import_s']:.2f} s, "
                f"whole process {res['process_s']:.1f} s"
            )

    print(f"\n## Rate functions on {n:,} days (best of {repeats}, after a warm-up call)")
    rate_rows = rates(n, repeats)
    print(
        table(
            ["what", "seconds", "reference", "reference s", "ratio", "target ratio"],
            [
                [
                    r["what"],
                    f"{r['seconds']:.4f}",
                    r["reference"],
                    f"{r['reference_s']:.4f}",
                    f"{r['ratio']:.1f}",
                    f"<= {r['target_ratio']:g}",
                ]
                for r in rate_rows
            ],
        )
    )
    cp_sizes, cp_big = (
        ([10_000], [10_000]) if args.quick else ([1_000_000], [1_000_000, 10_000_000])
    )
    cp_repeats = args.repeats or (1 if args.quick else 5)
    load_cp = os.getloadavg()
    print(
        f"\n## Change points (median of {cp_repeats} interleaved calls after a warm-up; "
        f"load {load_cp[0]:.2f} at start)"
    )
    cp_rows = changepoint_speed(cp_sizes, cp_big, cp_repeats)
    print(
        table(
            [
                "what",
                "seconds",
                "cpu s",
                "reference",
                "reference s",
                "ratio",
                "cpu ratio",
                "target",
            ],
            [
                [
                    r["what"],
                    f"{r['seconds']:.4f}",
                    f"{r['cpu_s']:.4f}",
                    r["reference"],
                    f"{r['reference_s']:.4f}",
                    f"{r['ratio']:.2f}",
                    f"{r['cpu_ratio']:.2f}",
                    f"<= {r['target_ratio']:g}",
                ]
                for r in cp_rows
            ],
        )
    )
    load_end = os.getloadavg()
    print(f"\nmachine load at end: {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}")
    if args.json:
        payload = {
            "load_start": load,
            "load_end": load_end,
            "first_call": {"installed_cache": installed, "empty_cache": cold},
            "rates": rate_rows,
            "changepoints": cp_rows,
            "quick": args.quick,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
