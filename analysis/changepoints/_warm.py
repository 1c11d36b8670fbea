"""Compile the change-point package ahead: ``python -m analysis.changepoints._warm``.

numba compiles a function the first time it is called, which costs seconds
per search and cost (the online detector alone about ten). Run this once
after installing (``make venv`` does it): it calls every built-in cost with
every search method it accepts, the automatic defaults for counts and for
values, the seasonal cost and the online detector for both families, on
small SIMULATED series, so that numba compiles every cached function for the
argument types the package passes and stores it in the package's cache
(:func:`analysis._numba.cache_dir`). A later process then loads the machine
code instead of compiling it. Cache folders of older sources inside the
package (``__pycache__/numba/<hash>``) are removed.

What it cannot compile ahead: a user's own :class:`~analysis.changepoints.Cost`
runs as Python (no compilation at all), and a user's cost that returns its own
compiled kernel from ``kernel()`` has the search bodies compiled in each
process (they take the kernel as an argument, which numba cannot cache).

Examples
--------
>>> from analysis.changepoints._warm import uncompiled
>>> isinstance(uncompiled(), list)
True
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["cached_dispatchers", "calls", "compile_entries", "main", "uncompiled", "warm"]


def _series() -> tuple[pd.Series, pd.Series, pd.Series]:
    # SIMULATED counts and values with three segments, long enough (4800)
    # for the counting paths of long series (medians, value counts)
    rng = np.random.default_rng(0)
    n = 1600
    idx = pd.date_range("2024-01-01", periods=3 * n, freq="D")
    counts = pd.Series(
        np.r_[rng.poisson(3, n), rng.poisson(9, n), rng.poisson(5, n)], index=idx, name="events"
    )
    values = pd.Series(
        np.r_[rng.normal(0, 1, n), rng.normal(3, 1, n), rng.normal(1, 1, n)], index=idx
    )
    t = np.arange(3 * n, dtype=float)
    slopes = np.r_[0.002 * t[:n], 3.2 - 0.002 * t[:n], 0.004 * t[:n]]
    lines = pd.Series(slopes + rng.normal(0, 0.2, 3 * n), index=idx)
    return counts, values, lines


def calls() -> list[tuple[str, Callable[[], Any]]]:
    """``(label, call)`` for every public path :func:`warm` compiles (SIMULATED series)."""
    from analysis.changepoints import detect_changepoints, online_changepoints

    counts, values, lines = _series()
    out: list[tuple[str, Callable[[], Any]]] = [
        ("default (counts)", lambda: detect_changepoints(counts)),
        ("default (values)", lambda: detect_changepoints(values)),
        ("seasonal (counts)", lambda: detect_changepoints(counts, seasonal=7)),
        ("online (counts)", lambda: online_changepoints(counts)),
        ("online (values)", lambda: online_changepoints(values, family="normal")),
    ]
    every = ("fpop", "pelt", "op", "binseg", "seeded_binseg")
    methods = {
        "poisson": (counts, every),
        "negbin": (counts, every),
        "normal": (values, every),
        "normal_meanvar": (values, every[1:]),
        "linear": (lines, every[1:]),
    }
    for cost, (y, ms) in methods.items():
        out.append((f"{cost} (auto)", functools.partial(detect_changepoints, y, cost=cost)))
        for m in ms:
            out.append(
                (f"{cost} {m}", functools.partial(detect_changepoints, y, cost=cost, method=m))
            )
        out.append(
            (
                f"{cost} max_changes",
                functools.partial(detect_changepoints, y, cost=cost, max_changes=1),
            )
        )
    out.append(
        ("poisson mbic", lambda: detect_changepoints(counts, cost="poisson", penalty="mbic"))
    )
    return out


def _costs() -> dict[str, Any]:
    # one fitted instance per built-in cost, named as its module
    from analysis.changepoints.costs import (
        LinearCost,
        MeanVarCost,
        NegBinCost,
        NormalCost,
        PoissonCost,
    )
    from analysis.changepoints.costs.poisson_weighted import WeightedPoissonCost

    counts, values, lines = _series()
    y, v = counts.to_numpy(dtype=float), values.to_numpy()
    return {
        "poisson": PoissonCost().fit(y),
        "negbin": NegBinCost(size=4.0).fit(y),
        "normal": NormalCost().fit(v),
        "normal_meanvar": MeanVarCost().fit(v),
        "linear": LinearCost().fit(lines.to_numpy()),
        "poisson_weighted": WeightedPoissonCost(np.tile([1.2, 0.8], y.size // 2)).fit(y),
    }


def compile_entries() -> list[str]:
    """Compile every search entry point no public call of :func:`calls` reached.

    Through the same wrappers the package calls them with (so with the same
    argument types); returns their names.
    """
    from analysis.changepoints import intervals
    from analysis.changepoints.search import _binseg, _brute, _pelt

    costs = _costs()
    iv = np.array([[0, 40], [40, 100]], dtype=np.int64)
    run: dict[Any, Callable[[Any], Any]] = {
        _pelt: lambda c: _pelt.pelt(c, 10.0, 2),
        _brute: lambda c: _brute.optimal_partitioning(c, 10.0, 2),
        _binseg: lambda c: _binseg.all_splits(c, iv, 2),
        intervals: lambda c: intervals.location_intervals(c, [50], 2, 0.95),
    }
    done = []
    for module, call in run.items():
        for (_, kernel), entry in module.ENTRIES.items():
            if not entry.signatures:
                call(costs[kernel.py_func.__module__.rsplit(".", 1)[-1]])
                done.append(entry.py_func.__name__)
    for c in costs.values():
        c.errors(np.arange(3), 10)  # the vectorised segment costs
    return done


def cached_dispatchers() -> list[tuple[str, Any]]:
    """``(module.name, dispatcher)`` of every loaded cached compiled function of the package."""
    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    out = []
    for name, module in sorted(sys.modules.items()):
        if module is None or not (name == "analysis" or name.startswith("analysis.")):
            continue
        for attr, value in sorted(vars(module).items()):
            if (
                isinstance(value, Dispatcher)
                and value.py_func.__module__ == name
                and not isinstance(getattr(value, "_cache", None), NullCache)
            ):
                out.append((f"{name}.{attr}", value))
    return out


def uncompiled() -> list[str]:
    """The loaded cached functions of the package that have nothing in the disk cache.

    A function is in the cache once it was compiled in some process (on its
    own, or as the callee of another compiled function). Functions inlined
    into their callers (``inline="always"``) are never compiled on their own
    and are not listed.
    """
    from pathlib import Path

    out = []
    for name, d in cached_dispatchers():
        disp: Any = d  # (numba's cache object is private: no stubs)
        index = Path(disp._cache._cache_file._index_path)
        if disp.targetoptions.get("inline") != "always" and not index.exists():
            out.append(name)
    return out


def prune() -> list[str]:
    """Remove the package's cache folders of older sources; return their names."""
    from analysis import _numba

    here = _numba.cache_dir()
    root = _numba.PACKAGE / "__pycache__" / "numba"
    if here is None or here.parent != root:
        return []  # a cache outside the package may be shared: never pruned
    gone = []
    for path in sorted(root.iterdir()):
        if path.is_dir() and path != here:
            shutil.rmtree(path, ignore_errors=True)
            gone.append(path.name)
    return gone


def warm(verbose: bool = False) -> dict[str, float]:
    """Compile (or load) every cached function for the package's argument types.

    Parameters
    ----------
    verbose : bool
        Print each call and its time.

    Returns
    -------
    dict
        Seconds per call of :func:`calls`.
    """
    import warnings

    import analysis.changepoints.intervals
    import analysis.changepoints.search._fpop  # noqa: F401  (every entry point loaded)

    times = {}
    for label, call in calls():
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
        times[label] = time.perf_counter() - t0
        if verbose:
            print(f"{times[label]:7.2f} s  {label}", flush=True)
    t0 = time.perf_counter()
    direct = compile_entries()
    times["entry points not reached above"] = time.perf_counter() - t0
    if verbose:
        print(f"{times['entry points not reached above']:7.2f} s  {', '.join(direct)}")
    return times


def main(argv: Sequence[str] | None = None) -> int:
    """Warm the cache; exit 1 if a cached function of the package is still not in it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    args = parser.parse_args(argv)
    from analysis import _numba

    t0 = time.perf_counter()
    times = warm(verbose=not args.quiet)
    gone = prune()
    missing = uncompiled()
    if not args.quiet:
        print(
            f"numba cache {_numba.cache_dir()}: {len(times)} calls in "
            f"{time.perf_counter() - t0:.1f} s; removed {len(gone)} older cache folder(s)"
        )
    if missing:
        print(f"not in the cache after the warm-up: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
