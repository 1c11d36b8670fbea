"""Speed of many series at once: detect_many on every core, and on Dask (issue 13).

10,000 SIMULATED daily count series of 1,000 days (Poisson at 1 to 8 a day,
a third with one change of x1.5 to x3), one long table of 10 million rows
(series, date, count), and :func:`analysis.batch.detect_many` on it with the
default change-point detection for each series:

* the local engine in this process (``n_jobs=1``), the reference;
* the local engine on every core (processes, ``n_jobs=None``);
* the Dask engine on a ``LocalCluster`` of one single-threaded worker process per core.

Printed: wall seconds, series per second and the speed-up over one core
(target >= 1.7x on two cores for the local engine), and whether every engine
gave the same tables (they must). Each figure is one run (a batch of this size
is long enough not to need repeats); the machine's load at the start is
printed, because on a shared machine the speed-up measures the cores that were
free. ``--quick``: 40 series of 200 days (checks that it runs, never a time).
``--json PATH`` writes every number.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def simulated_table(n_series: int, n_days: int, seed: int = 13) -> pd.DataFrame:
    """A long table of SIMULATED daily counts: ``series, date, count``."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(1.0, 8.0, n_series)
    rates = np.repeat(base[:, None], n_days, axis=1)
    change = rng.random(n_series) < 1 / 3
    at = rng.integers(n_days // 5, 4 * n_days // 5, n_series)
    factor = rng.uniform(1.5, 3.0, n_series)
    for i in np.flatnonzero(change):
        rates[i, at[i] :] *= factor[i]
    counts = rng.poisson(rates)
    days = pd.date_range("2020-01-01", periods=n_days, freq="D")
    return pd.DataFrame(
        {
            "series": np.repeat(np.arange(n_series, dtype=np.int64), n_days),
            "date": np.tile(days.to_numpy(), n_series),
            "count": counts.ravel().astype(np.int64),
        }
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _cpu() -> float:
    """CPU seconds of this process and of its finished child processes."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(call: Any) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of this process and its finished children).

    The local engine's worker processes have finished when it returns, so its
    CPU seconds include theirs: on a machine with free cores the speed-up is
    about ``workers x`` one core's CPU seconds over these (the work divides
    when they are close). Dask's workers are still running: not counted.
    """
    t, c = time.perf_counter(), _cpu()
    out = call()
    return out, time.perf_counter() - t, _cpu() - c


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print its table and optionally write it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: checks it runs")
    parser.add_argument("--series", type=int, default=None, help="number of series")
    parser.add_argument("--days", type=int, default=None, help="days per series")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask engine")
    parser.add_argument("--json", metavar="PATH", help="also write the results here")
    args = parser.parse_args(argv)
    from analysis.batch import detect_many
    from analysis.batch._run import default_jobs

    n_series = args.series or (40 if args.quick else 10_000)
    n_days = args.days or (200 if args.quick else 1_000)
    cores = default_jobs()
    load = os.getloadavg()
    print("# Many series: detect_many (SIMULATED data; the reference is one core, this run)")
    print(f"{n_series:,} series x {n_days:,} days; {cores} core(s) available")
    print(f"machine load (1, 5, 15 min) at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    data = simulated_table(n_series, n_days)
    # warm the compiled kernels in this process first (loaded from the numba cache)
    detect_many(
        data[data["series"] == 0], by="series", time_col="date", value_col="count", n_jobs=1
    )

    def run(**kw: Any) -> Any:
        return detect_many(data, by="series", time_col="date", value_col="count", **kw)

    runs: list[dict[str, Any]] = []
    ref, wall1, cpu1 = timed(lambda: run(n_jobs=1))
    runs.append(
        {"engine": "local", "workers": 1, "seconds": wall1, "cpu_s": cpu1, "tasks": ref.n_tasks}
    )
    out, wall, cpu = timed(lambda: run(n_jobs=None))
    same = out.results.equals(ref.results) and out.errors.equals(ref.errors)
    runs.append(
        {
            "engine": "local",
            "workers": out.workers,
            "seconds": wall,
            "cpu_s": cpu,
            "tasks": out.n_tasks,
            "same": same,
        }
    )
    if not args.no_dask:
        try:
            import distributed
        except ImportError:
            print('Dask not installed: pip install "incident-trends[dask]" (skipped)')
        else:
            with (
                distributed.LocalCluster(
                    n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None
                ) as cluster,
                distributed.Client(cluster) as client,
            ):
                # the workers load the compiled kernels once, before the clock starts
                detect_many(
                    data[data["series"] < 4 * cores],
                    by="series",
                    time_col="date",
                    value_col="count",
                    engine="dask",
                    client=client,
                    chunk_size=1,
                )
                out, wall, cpu = timed(lambda: run(engine="dask", client=client))
            same = out.results.equals(ref.results) and out.errors.equals(ref.errors)
            runs.append(
                {
                    "engine": "dask (LocalCluster)",
                    "workers": out.workers,
                    "seconds": wall,
                    "cpu_s": cpu,
                    "tasks": out.n_tasks,
                    "same": same,
                }
            )
    for r in runs:
        r["series_per_s"] = n_series / r["seconds"]
        r["speedup"] = wall1 / r["seconds"]
    print(
        table(
            [
                "engine",
                "workers",
                "tasks",
                "seconds",
                "CPU s (with workers)",
                "series/s",
                "speed-up vs 1 core",
                "same tables",
            ],
            [
                [
                    r["engine"],
                    r["workers"],
                    r["tasks"],
                    f"{r['seconds']:.2f}",
                    f"{r['cpu_s']:.1f}" if r["engine"] == "local" else "(not counted)",
                    f"{r['series_per_s']:.0f}",
                    f"{r['speedup']:.2f}x",
                    {True: "yes", False: "NO", None: "(reference)"}[r.get("same")],
                ]
                for r in runs
            ],
        )
    )
    print(f"change points found: {len(ref.results):,}; series with errors: {len(ref.errors)}")
    if len(runs) > 1:
        ideal = runs[1]["workers"] * cpu1 / max(runs[1]["cpu_s"], 1e-9)
        print(
            f"CPU seconds of the local engine on {runs[1]['workers']} processes over one core's: "
            f"{runs[1]['cpu_s'] / max(cpu1, 1e-9):.2f} (1 = no overhead); with free cores "
            f"the speed-up would be about {min(ideal, runs[1]['workers']):.2f}x "
            "(an estimate from CPU time, not a measurement)"
        )
    print("target: the local engine on 2 cores >= 1.7x one core (a shared machine measures less)")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "series": n_series,
            "days": n_days,
            "cores": cores,
            "load": list(load),
            "quick": args.quick,
            "runs": runs,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0 if all(r.get("same", True) for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
