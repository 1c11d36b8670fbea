"""First call of each change-point cost, each in its own fresh process (issue 10).

``bench_package.py`` runs all first calls in one child, so only the first of
them pays the imports and numba's start-up; here every call gets a new
process (``import analysis`` already done, as a user's notebook would have
it), timed from the call to its return, the imports it triggers included.
Runs with the cache the installation warmed (``python -m
analysis.changepoints._warm``); ``--cold`` adds an empty ``NUMBA_CACHE_DIR``
(a fresh install that did not warm). Median of ``--repeats`` processes.
Reference: the same call warm, in the same child. The CPU seconds of the
first call (``time.process_time``) are printed beside its wall time: on a
machine other jobs share, wall time mostly measures the load. SIMULATED
series; nothing is asserted (target: first call <= 1 s).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CALLS = {
    "default (counts)": "analysis.detect_changepoints(counts)",
    "poisson": "analysis.detect_changepoints(counts, cost='poisson')",
    "negbin": "analysis.detect_changepoints(counts, cost='negbin')",
    "normal": "analysis.detect_changepoints(values, cost='normal')",
    "normal_meanvar": "analysis.detect_changepoints(values, cost='normal_meanvar')",
    "linear": "analysis.detect_changepoints(values, cost='linear')",
    "default (values)": "analysis.detect_changepoints(values)",
    "online": "analysis.online_changepoints(counts)",
}

CHILD = r"""
import json, time
import numpy as np, pandas as pd
import analysis
rng = np.random.default_rng(0)  # SIMULATED
counts = pd.Series(rng.poisson(4, 500), index=pd.date_range("2024-01-01", periods=500))
values = counts.astype(float) + rng.normal(0, 1, 500)
t = time.perf_counter(); c = time.process_time(); {call}
first, cpu = time.perf_counter() - t, time.process_time() - c
t = time.perf_counter(); {call}; warm = time.perf_counter() - t
print(json.dumps({{"first": first, "first_cpu": cpu, "warm": warm}}))
"""


def one(call: str, cache_dir: str | None) -> dict[str, float]:
    """Run one call in a new process; ``cache_dir`` None keeps the installed cache."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(call=call)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    """Print a table of first-call seconds per cost."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="processes per call (median)")
    parser.add_argument("--cold", action="store_true", help="also with an empty numba cache")
    parser.add_argument("--json", metavar="PATH", help="also write the results here")
    args = parser.parse_args(argv)
    load = os.getloadavg()
    print(f"machine load (1, 5, 15 min) at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    rows = {}
    print(
        "| call | first call, warmed cache (median s) | range | its CPU s (median) "
        "| warm call | empty cache |"
    )
    print("|---|---|---|---|---|---|")
    for name, call in CALLS.items():
        runs = [one(call, None) for _ in range(args.repeats)]
        firsts = [r["first"] for r in runs]
        cpus = [r["first_cpu"] for r in runs]
        cold = float("nan")
        if args.cold:
            with tempfile.TemporaryDirectory() as empty:
                cold = one(call, empty)["first"]
        rows[name] = {
            "first": firsts,
            "first_cpu": cpus,
            "warm": min(r["warm"] for r in runs),
            "cold": cold,
        }
        print(
            f"| {name} | {statistics.median(firsts):.3f} | {min(firsts):.3f}-{max(firsts):.3f} "
            f"| {statistics.median(cpus):.3f} | {rows[name]['warm']:.3f} | {cold:.3f} |",
            flush=True,
        )
    load = os.getloadavg()
    print(f"machine load at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
