"""Data-side benchmark (issue 10): counting, validating and loading, each against a reference.

Every figure is printed with a reference measured in the same run and their ratio:

* ``count_incidents`` on N SIMULATED incident rows (naive times, tz-aware times, by=,
  weight=) against the plain pandas group-by of the same rows, with the peak memory the
  call adds, as a multiple of the input columns' size;
* the DuckDB path (``count_incidents`` given a Parquet file) against the in-memory
  pandas path on the same rows, with its peak resident memory;
* ``validate_file`` on a SIMULATED incident CSV of M rows against a vectorised read of
  the same file (``pandas.read_csv``), with its peak memory;
* ``load_oref_alerts`` on the real alert history (when ``../shared/data`` has it) against
  ``pandas.read_csv`` plus the time-zone conversion, and ``alerts_to_incidents`` against a
  pandas group-by of the same alerts by a given incident id;
* inputs larger than memory (``--size``, default 1e8 rows): SIMULATED incident rows
  (``start``, ``actor``) written in chunks to Parquet files in a temporary folder, counted
  by day and actor with ``count_incidents(glob, by="actor")`` (DuckDB) and, where the
  rows fit in memory, with the pandas path (the files loaded into a DataFrame, ``actor``
  as a categorical, then ``count_incidents``). Each path runs in a fresh subprocess that
  reports its seconds and its peak resident memory (``VmHWM``), so that one path's
  memory never hides another's; the data's size is printed beside them.

Each path is called once before it is timed (warm-up: imports, caches). Times are the
best of ``--repeats`` calls; in the ``oref`` section the function and its reference run
alternately, ``--repeats`` times each, and their medians are compared (wall time, and
the CPU time of the process as ``cpu_ratio``), so that both meet the same machine load.
The machine load (``os.getloadavg``) is recorded before and after. ``--quick`` runs small
sizes only (a CI smoke test: it checks that the benchmark runs, never a time).
``--json FILE`` writes every number.

Usage::

    python benchmarks/bench_data.py [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import analysis as it
from analysis.validation import PROCESSES, simulate_counts

DAY_NS = 86_400 * 10**9


# ----------------------------------------------------------------------------- measuring


def _rss_hwm_reset() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _status(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def measure(fn: Callable[[], Any], repeats: int) -> dict[str, float | None]:
    """Warm once, time the best of ``repeats``, then the peak memory of one more call."""
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    gc.collect()
    rss_before = _status("VmRSS")
    reset = _rss_hwm_reset()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    hwm = _status("VmHWM")
    rss = (hwm - rss_before) if (reset and hwm is not None and rss_before is not None) else None
    return {
        "seconds": best,
        "py_peak_mb": peak / 2**20,
        "rss_peak_mb": None if rss is None else max(rss, 0) / 2**20,
    }


def measure_alternating(
    fn: Callable[[], Any], reference: Callable[[], Any], repeats: int
) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """``measure`` of ``fn`` and ``reference`` from runs that alternate, medians of each.

    On a shared machine the load changes from second to second; alternating the two
    calls exposes both to the same load, and their medians (wall time and CPU time of
    this process, ``time.process_time``) are compared. Each is warmed once first; the
    peak memory is measured as in :func:`measure`.
    """
    fn()
    reference()
    runs: dict[str, list[tuple[float, float]]] = {"fn": [], "ref": []}
    for _ in range(max(repeats, 1)):
        for name, call in (("ref", reference), ("fn", fn)):
            gc.collect()
            w0, c0 = time.perf_counter(), time.process_time()
            call()
            runs[name].append((time.perf_counter() - w0, time.process_time() - c0))
    out = []
    for name, call in (("fn", fn), ("ref", reference)):
        memory = measure(call, 0)
        wall, cpu = zip(*runs[name], strict=True)
        memory["seconds"] = float(np.median(wall))
        memory["cpu_seconds"] = float(np.median(cpu))
        out.append(memory)
    return out[0], out[1]


def _fmt(x: float | None, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}g}"


ROWS: list[dict[str, Any]] = []


def report(
    section: str, what: str, m: dict[str, Any], ref: dict[str, Any], ref_name: str, **extra: Any
) -> None:
    ratio = m["seconds"] / ref["seconds"] if ref["seconds"] else None
    row = {
        "section": section,
        "what": what,
        "reference": ref_name,
        **{k: m[k] for k in m},
        "ref_seconds": ref["seconds"],
        "ratio": ratio,
        **extra,
    }
    ROWS.append(row)
    mem = f"py peak {_fmt(m['py_peak_mb'])} MB, rss +{_fmt(m['rss_peak_mb'])} MB"
    more = "".join(f", {k} {_fmt(v) if isinstance(v, float) else v}" for k, v in extra.items())
    print(
        f"  {what:<38} {m['seconds']:8.3f} s  | ref {ref_name}: {ref['seconds']:.3f} s | "
        f"ratio {_fmt(ratio)} | {mem}{more}",
        flush=True,
    )


# ----------------------------------------------------------------------------- data (SIMULATED)


def simulated_incidents(n_rows: int, seed: int = 0, days: int = 1000) -> pd.DataFrame:
    """SIMULATED incident rows: daily totals from simulate_counts (nb5+weekly), spread in a day."""
    rng = np.random.default_rng(seed)
    sim = simulate_counts(PROCESSES["nb5+weekly"], days, n_rows / days, rng)
    per_day = sim.counts.to_numpy()
    day = np.repeat(np.arange(days, dtype=np.int64), per_day)
    n = len(day)
    ns = (sim.counts.index[0].value + day * DAY_NS + rng.integers(0, DAY_NS, n)).astype(np.int64)
    start = pd.Series(ns.view("datetime64[ns]"), name="start")
    weapons = np.array(["drone", "rocket", "missile", "infiltration"], dtype=object)
    return pd.DataFrame(
        {
            "start": start,
            "weapon": pd.Series(weapons[rng.integers(0, 4, n)], dtype="str"),
            "quantity": rng.integers(1, 6, n).astype(np.int64),
        }
    )


def incident_csv(path: Path, n_rows: int, seed: int = 1) -> None:
    """A SIMULATED canonical incident CSV with a few bad rows."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("sim-", np.arange(n_rows).astype(str))
    start = pd.Timestamp("2023-10-07") + pd.to_timedelta(
        rng.integers(0, 400 * 86400, n_rows), unit="s"
    )
    frame = pd.DataFrame(
        {
            "incident_id": ids,
            "start": start.strftime("%Y-%m-%dT%H:%M:%S"),
            "weapon": np.array(["drone", "UAV", "rocket", "missile"])[rng.integers(0, 4, n_rows)],
            "quantity": rng.integers(0, 20, n_rows).astype(str),
            "unit": "launch",
            "source_url": np.char.add("https://example.org/sim/", np.arange(n_rows).astype(str)),
        }
    )
    bad = rng.choice(n_rows, size=min(50, n_rows), replace=False)
    frame.loc[bad[:10], "quantity"] = "-1"
    frame.loc[bad[10:20], "weapon"] = "catapult"
    frame.loc[bad[20:30], "start"] = "2024-13-01"
    frame.loc[bad[30:40], "source_url"] = "not an address"
    frame.to_csv(path, index=False)


# ----------------------------------------------------------------------------- sections


def bench_counts(n_rows: int, repeats: int) -> None:
    print(f"\ncount_incidents on {n_rows:,} SIMULATED incident rows (reference: pandas group-by)")
    t = simulated_incidents(n_rows)
    tz = t.assign(start=t["start"].dt.tz_localize("UTC").dt.tz_convert("Asia/Jerusalem"))
    day = lambda s: s.dt.normalize()  # noqa: E731
    cases = [
        ("naive", t, {}, lambda: t.groupby(day(t["start"])).size(), ["start"]),
        ("tz Asia/Jerusalem", tz, {}, lambda: tz.groupby(day(tz["start"])).size(), ["start"]),
        (
            "by=weapon",
            t,
            {"by": "weapon"},
            lambda: t.groupby([day(t["start"]), "weapon"]).size(),
            ["start", "weapon"],
        ),
        (
            "weight=quantity",
            t,
            {"weight": "quantity"},
            lambda: t.groupby(day(t["start"]))["quantity"].sum(),
            ["start", "quantity"],
        ),
        (
            "tz, by=weapon, weight=quantity",
            tz,
            {"by": "weapon", "weight": "quantity"},
            lambda: tz.groupby([day(tz["start"]), "weapon"])["quantity"].sum(),
            ["start", "weapon", "quantity"],
        ),
    ]
    for name, table, kwargs, reference, columns in cases:
        ref = measure(reference, repeats)
        m = measure(lambda table=table, kwargs=kwargs: it.count_incidents(table, **kwargs), repeats)
        input_mb = table[columns].memory_usage(index=False, deep=False).sum() / 2**20
        peak = m["py_peak_mb"]
        report(
            "count_incidents",
            name,
            m,
            ref,
            "pandas groupby",
            input_mb=input_mb,
            mem_ratio=peak / input_mb,
        )
        got = it.count_incidents(table, **kwargs)
        want = reference()
        total = int(np.asarray(got).sum())
        if total != int(
            want.sum()
        ):  # pragma: no cover - a benchmark of a wrong answer is worthless
            raise SystemExit(f"count_incidents total {total} != pandas {int(want.sum())} ({name})")


def bench_duckdb(n_rows: int, repeats: int, workdir: Path) -> None:
    try:
        import duckdb
    except ImportError:
        print("\nDuckDB path: duckdb not installed (pip install 'incident-trends[large]'), skipped")
        return
    print(
        f"\nDuckDB path on {n_rows:,} SIMULATED rows in Parquet, by day and weapon "
        "(reference: the pandas path in memory)"
    )
    path = workdir / "incidents.parquet"
    con = duckdb.connect()
    con.execute(
        f"""
        COPY (
            SELECT TIMESTAMP '2023-10-07'
                       + to_microseconds((hash(i) % {1000 * 86_400_000_000})::BIGINT) AS start,
                   ['drone', 'rocket', 'missile', 'infiltration'][1 + (hash(i + 1) % 4)::INT]
                       AS weapon,
                   1 + (hash(i + 2) % 5)::BIGINT AS quantity
            FROM range({n_rows}) t(i)
        ) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
        """
    )
    con.close()
    size_mb = path.stat().st_size / 2**20
    m = measure(lambda: it.count_incidents(path, by="weapon", weight="quantity"), repeats)
    if n_rows <= 3 * 10**7:
        table = duckdb.connect().execute(f"SELECT * FROM '{path}'").df()
        ref = measure(lambda: it.count_incidents(table, by="weapon", weight="quantity"), repeats)
        in_memory_mb = table.memory_usage(deep=False).sum() / 2**20
        same = it.count_incidents(path, by="weapon", weight="quantity").equals(
            it.count_incidents(table, by="weapon", weight="quantity")
        )
        del table
    else:
        ref = {"seconds": float("nan")}
        in_memory_mb, same = float("nan"), "not compared"
    report(
        "duckdb",
        f"parquet {n_rows:.0e} rows",
        m,
        ref,
        "pandas path",
        parquet_mb=size_mb,
        in_memory_mb=in_memory_mb,
        identical=same,
    )


def bench_validate(n_rows: int, repeats: int, workdir: Path) -> None:
    print(
        f"\nvalidate_file on a SIMULATED incident CSV of {n_rows:,} rows "
        "(reference: pandas.read_csv)"
    )
    path = workdir / "incidents.csv"
    incident_csv(path, n_rows)
    from analysis.curation.validate import validate_file

    ref = measure(lambda: pd.read_csv(path, dtype=str, keep_default_na=False), repeats)
    m = measure(lambda: validate_file(path), max(1, repeats - 2))
    problems = len(validate_file(path).problems)
    report(
        "validate", f"validate_file {n_rows:.0e} rows", m, ref, "pandas.read_csv", problems=problems
    )


def bench_oref(repeats: int, limit: int | None, workdir: Path) -> None:
    from analysis.datasets import dataset_path
    from analysis.errors import DataNotFoundError

    try:
        path = dataset_path("oref_alerts")
    except DataNotFoundError:
        print("\nload_oref_alerts: the alert history is not available here, skipped")
        return
    if limit is not None:
        tmp = workdir / "alerts.csv"  # the first lines of the real file, deleted after the run
        with open(path, encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i > limit:
                    break
                dst.write(line)
        path = tmp
    print(f"\nload_oref_alerts on {path.name} (real data) and alerts_to_incidents")

    def reference_read() -> pd.Series:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        naive = pd.to_datetime(raw["alertDate"], format="%Y-%m-%dT%H:%M:%S")
        return naive.dt.tz_localize("Asia/Jerusalem", ambiguous="NaT", nonexistent="NaT")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m, ref = measure_alternating(lambda: it.load_oref_alerts(path), reference_read, repeats)
        alerts = it.load_oref_alerts(path)
    report(
        "oref",
        f"load_oref_alerts {len(alerts):,} rows",
        {k: v for k, v in m.items() if k != "cpu_seconds"},
        ref,
        "read_csv + tz",
        cpu_ratio=_ratio(m, ref),
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = it.alerts_to_incidents(alerts, gap="10min")
        ids = inc["alert_ids"]
        given = pd.Series(
            np.repeat(inc["incident_id"].to_numpy(), ids.map(len).to_numpy()),
            index=np.concatenate([np.asarray(a) for a in ids]),
        )
        keyed = alerts.assign(group=alerts["incident_id"].map(given))

        def reference_group() -> pd.DataFrame:
            g = keyed.groupby("group", sort=False)
            return pd.DataFrame(
                {
                    "first": g["start"].min(),
                    "last": g["start"].max(),
                    "rows": g.size(),
                    "localities": g["data"].nunique(),
                }
            )

        m2, ref2 = measure_alternating(
            lambda: it.alerts_to_incidents(alerts, gap="10min"), reference_group, repeats
        )
    report(
        "oref",
        f"alerts_to_incidents -> {len(inc):,}",
        {k: v for k, v in m2.items() if k != "cpu_seconds"},
        ref2,
        "pandas groupby by id",
        cpu_ratio=_ratio(m2, ref2),
    )


def _ratio(m: dict[str, Any], ref: dict[str, Any]) -> float | None:
    """The ratio of the CPU times of two alternating measurements."""
    return m["cpu_seconds"] / ref["cpu_seconds"] if ref.get("cpu_seconds") else None


ACTORS = ("hamas", "pij", "hezbollah", "houthis", "iran", "iraq-militias", "unknown", "other")


def _write_large(folder: Path, n_rows: int, *, chunk: int = 10**7) -> list[Path]:
    """SIMULATED incident rows in Parquet files of at most ``chunk`` rows, one per COPY.

    ``start`` is a naive timestamp spread over 1,000 days (a hash of the row number, so
    the rows are not sorted), ``actor`` one of :data:`ACTORS` (a hash again). Each file
    is written by its own DuckDB statement, so generation holds one chunk at a time.
    """
    import duckdb

    files = []
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    actors = "[" + ", ".join(f"'{a}'" for a in ACTORS) + "]"
    for part, lo in enumerate(range(0, n_rows, chunk)):
        hi = min(n_rows, lo + chunk)
        path = folder / f"incidents-{part:04d}.parquet"
        con.execute(
            f"""
            COPY (
                SELECT TIMESTAMP '2021-01-01'
                           + to_microseconds((hash(i) % {1000 * 86_400_000_000})::BIGINT)
                           AS start,
                       {actors}[1 + (hash(i + 7) % {len(ACTORS)})::INT] AS actor
                FROM range({lo}, {hi}) t(i)
            ) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
            """
        )
        files.append(path)
    con.close()
    return files


def _child(path: str, glob_pattern: str) -> None:
    """Run one path of the large section in this (fresh) process and print its numbers."""
    rss0 = _status("VmRSS") or 0
    t0 = time.perf_counter()
    load_s = 0.0
    if path == "duckdb":
        got = it.count_incidents(glob_pattern, by="actor")
    else:
        import duckdb

        categories = ", ".join(f"'{a}'" for a in ACTORS)
        table = (
            duckdb.connect()
            .execute(
                f"SELECT start, CAST(actor AS ENUM({categories})) AS actor "
                f"FROM read_parquet('{glob_pattern}')"
            )
            .df()
        )
        load_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        got = it.count_incidents(table, by="actor")
        count_s = time.perf_counter() - t1
    seconds = time.perf_counter() - t0
    out = {
        "seconds": seconds,
        "load_seconds": load_s,
        "count_seconds": seconds if path == "duckdb" else count_s,
        "rss_start_mb": rss0 / 2**20,
        "rss_peak_mb": (_status("VmHWM") or 0) / 2**20,
        "total": int(np.asarray(got).sum()),
        "days": len(got),
    }
    got.columns = got.columns.astype(str)  # a categorical's columns: compared by their text
    got.sort_index(axis=1).to_csv(Path(glob_pattern).parent / f"result-{path}.csv")
    print("RESULT " + json.dumps(out), flush=True)


def _run_child(path: str, glob_pattern: str) -> dict[str, Any]:
    import subprocess

    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, __file__, "--child", path, "--child-glob", glob_pattern],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    raise SystemExit(f"the {path} subprocess failed:\n{proc.stderr[-2000:]}")


def _available_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def bench_large(n_rows: int, workdir: Path) -> None:
    try:
        import duckdb  # noqa: F401
    except ImportError:
        print("\nlarger than memory: duckdb not installed (pip install 'incident-trends[large]')")
        return
    print(
        f"\nlarger than memory: {n_rows:,} SIMULATED incident rows in Parquet, counted by day "
        "and actor (each path in a fresh subprocess; peak RSS = VmHWM of that process)"
    )
    folder = workdir / "large"
    folder.mkdir()
    t0 = time.perf_counter()
    files = _write_large(folder, n_rows)
    write_s = time.perf_counter() - t0
    parquet_mb = sum(f.stat().st_size for f in files) / 2**20
    # in memory: start as datetime64 (8 bytes a row) and actor as a categorical (1 byte)
    in_memory_mb = n_rows * 9 / 2**20
    print(
        f"  wrote {len(files)} files, {parquet_mb:,.0f} MB of Parquet in {write_s:.1f} s; "
        f"in memory the two columns take {in_memory_mb:,.0f} MB (datetime64 + categorical; "
        f"as Python strings the actor column alone would take about {n_rows * 58 / 2**20:,.0f} MB)"
    )
    pattern = str(folder / "incidents-*.parquet")
    results: dict[str, dict[str, Any]] = {}
    results["duckdb"] = _run_child("duckdb", pattern)
    # the pandas path: the loaded columns, DuckDB's result buffers while they are turned into
    # a DataFrame and count_incidents' own temporaries come to about 4x the two columns
    need_mb = 4 * in_memory_mb
    avail = _available_mb()
    if avail is not None and need_mb > 0.5 * avail:
        print(
            f"  pandas path: skipped, it would need about {need_mb:,.0f} MB and only "
            f"{avail:,.0f} MB are available (shared machine)"
        )
    else:
        results["pandas"] = _run_child("pandas", pattern)
    for name, r in results.items():
        extra = f" (load {r['load_seconds']:.1f} s + count {r['count_seconds']:.1f} s)"
        print(
            f"  {name:<7} {r['seconds']:8.2f} s{extra if name == 'pandas' else ''} | "
            f"peak RSS {r['rss_peak_mb']:,.0f} MB (process at start {r['rss_start_mb']:,.0f} MB) | "
            f"{r['rss_peak_mb'] / in_memory_mb:.2f}x the columns in memory, "
            f"{r['rss_peak_mb'] / parquet_mb:.2f}x the Parquet files | "
            f"{r['total']:,} rows counted over {r['days']} days",
            flush=True,
        )
        ROWS.append(
            {
                "section": "large",
                "what": f"count_incidents by day and actor, {name} path",
                "rows": n_rows,
                "parquet_mb": parquet_mb,
                "in_memory_mb": in_memory_mb,
                "write_seconds": write_s,
                **r,
            }
        )
        if r["total"] != n_rows:  # pragma: no cover - a benchmark of a wrong answer is worthless
            raise SystemExit(f"{name} path counted {r['total']} rows, not {n_rows}")
    if "pandas" in results:
        same = (folder / "result-duckdb.csv").read_text() == (
            folder / "result-pandas.csv"
        ).read_text()
        if not same:  # pragma: no cover - a benchmark of a wrong answer is worthless
            raise SystemExit("the DuckDB and pandas paths disagree")
        ratio = results["duckdb"]["seconds"] / results["pandas"]["seconds"]
        print(f"  duckdb / pandas (load + count): {ratio:.2f}; both give the same counts")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--rows", type=float, default=1e7, help="incident rows for count_incidents")
    parser.add_argument(
        "--parquet-rows", type=float, default=2e7, help="rows in the Parquet file (issue: 1e8)"
    )
    parser.add_argument(
        "--validate-rows", type=float, default=2e6, help="rows of the CSV validated"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--only", default="counts,duckdb,validate,oref,large", help="comma-separated sections"
    )
    parser.add_argument(
        "--size", type=float, default=1e8, help="rows of the larger-than-memory section"
    )
    parser.add_argument("--json", type=Path, help="write every number to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-glob", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.child_glob)
        return 0
    if args.quick:
        args.rows, args.parquet_rows, args.validate_rows, args.repeats = 2e4, 2e4, 2e3, 1
        args.size = min(args.size, 2e5)
    sections = set(args.only.split(","))
    load_before = os.getloadavg()
    print(
        f"bench_data: python {platform.python_version()}, pandas {pd.__version__}, "
        f"numpy {np.__version__}, "
        f"{os.cpu_count()} cpus, load average before {load_before}"
    )
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        if "counts" in sections:
            bench_counts(int(args.rows), args.repeats)
        if "duckdb" in sections:
            bench_duckdb(int(args.parquet_rows), args.repeats, work)
        if "validate" in sections:
            bench_validate(int(args.validate_rows), args.repeats, work)
        if "oref" in sections:
            bench_oref(args.repeats, 2000 if args.quick else None, work)
        if "large" in sections:
            bench_large(int(args.size), work)
    load_after = os.getloadavg()
    print(f"\nload average after {load_after}")
    if args.json:
        meta = {
            "argv": sys.argv[1:],
            "quick": args.quick,
            "load_before": load_before,
            "load_after": load_after,
            "python": platform.python_version(),
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        args.json.write_text(json.dumps({"meta": meta, "rows": ROWS}, indent=1, default=str))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
