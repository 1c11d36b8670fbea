"""The validation study's cells as three tables: false alarms, power, interval coverage.

:func:`validation_tables` splits the cells of a :class:`ValidationResults`
(from ``make validate``, or a quick run) by what they measure, each with its
Monte Carlo standard error and target. :func:`quick_validation` runs a small
subset of the study (the "small" size: few replicates, large Monte Carlo
errors) for a machine that has no ``reports/validation/``; its results say
so in ``meta["quick"]``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.validation._results import ValidationResults, load_results

__all__ = [
    "QUICK_CELLS",
    "quick_validation",
    "validation_note",
    "validation_results",
    "validation_tables",
]

#: Cells of the quick run (key prefixes): false alarms and power of the change points on
#: a year of days, coverage of the rate interval at four weeks, each under independent and
#: dependent SIMULATED series.
QUICK_CELLS: tuple[str, ...] = (
    "changepoints.cp_false_alarm[process=poisson, n=365, rate=5]",
    "changepoints.cp_false_alarm[process=nb5, n=365, rate=5]",
    "changepoints.cp_false_alarm[process=ar0.8, n=365, rate=5]",
    "changepoints.cp_power[n=365, rate=3, ratio=2, at=mid]",
    "changepoints.cp_power_interval[n=365, rate=3, ratio=2, at=mid]",
    "rates.rate_coverage[process=poisson, window=28, rate=5, placement=inside]",
    "rates.rate_coverage[process=nb5, window=28, rate=5, placement=inside]",
    "rates.rate_coverage[process=ar0.8, window=28, rate=5, placement=inside]",
)

_COLUMNS = ["function", "process", "settings", "estimate", "mc_se", "n_used", "target", "status"]


def validation_tables(results: ValidationResults) -> dict[str, pd.DataFrame]:
    """Split the study's cells into false-alarm, power and coverage tables.

    Parameters
    ----------
    results : ValidationResults
        From :func:`analysis.validation.load_results` or :func:`quick_validation`.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"false alarms"``, ``"power"`` and ``"coverage"``: one row per cell
        with ``function``, ``estimand``, ``process``, ``settings``,
        ``estimate`` (a share), ``mc_se`` (its Monte Carlo standard error),
        ``n_used`` (replicates), ``target`` and ``status``. Cells that
        measure something else (interval widths) are not in any table.

    Raises
    ------
    TypeError
        When ``results`` is not a ValidationResults.

    Examples
    --------
    >>> import pandas as pd
    >>> from pathlib import Path
    >>> cells = pd.DataFrame({"function": ["estimate_rate"], "process": ["poisson"],
    ...     "estimand": ["coverage of the process mean rate"], "settings": ["window=7"],
    ...     "estimate": [0.95], "mc_se": [0.011], "n_used": [400], "target": ["0.93-0.97"],
    ...     "status": ["pass"]})
    >>> t = validation_tables(ValidationResults({}, cells, Path("v.json")))
    >>> len(t["coverage"]), len(t["power"])
    (1, 0)
    """
    if not isinstance(results, ValidationResults):
        raise TypeError(
            f"results must be a ValidationResults (analysis.validation.load_results), "
            f"not {type(results).__name__}"
        )
    cells = results.cells
    estimand = cells["estimand"].astype(str).str.lower()
    kinds = {
        "false alarms": estimand.str.contains("false alarm|false rejection"),
        "power": estimand.str.contains("power") & ~estimand.str.contains("oracle"),
        "coverage": estimand.str.contains("coverage"),
    }
    out = {}
    for name, mask in kinds.items():
        table = cells.loc[mask, ["function", "estimand", *_COLUMNS[1:]]]
        out[name] = table.reset_index(drop=True)
    return out


def quick_validation(
    cells: Sequence[str] = QUICK_CELLS, *, size: str = "small", workers: int = 1
) -> ValidationResults:
    """Run a small subset of the validation study and return its results.

    Parameters
    ----------
    cells : sequence of str
        Keys (or key prefixes) of the cells to run (:data:`QUICK_CELLS`).
    size : {"small", "full"}, default "small"
        Replicates per cell (``analysis.validation.SIZES``); "small" is a
        quick look with large Monte Carlo errors.
    workers : int, default 1
        Worker processes.

    Returns
    -------
    ValidationResults
        ``meta["quick"]`` is True and ``meta["size"]`` the size used.

    Raises
    ------
    ValueError
        When no cell matches ``cells``.

    Examples
    --------
    >>> res = quick_validation(["rates.rate_coverage[process=poisson, window=28, rate=5, "
    ...                         "placement=inside]"])  # doctest: +SKIP
    >>> res.meta["quick"]  # doctest: +SKIP
    True
    """
    from analysis.validation._run import build_cells, run_cells

    if isinstance(cells, str):
        raise TypeError("cells must be a list of cell keys, not one string")
    specs = [s for s in build_cells(size) if any(s.key.startswith(c) for c in cells)]
    if not specs:
        raise ValueError(f"cells: no cell of the study starts with any of {list(cells)}")
    import time

    import analysis

    t0 = time.perf_counter()
    rows = run_cells(specs, workers=int(workers))
    meta: dict[str, Any] = {
        "size": size,
        "quick": True,
        "cells": len(rows),
        "seconds": round(time.perf_counter() - t0, 1),
        "version": analysis.__version__,
        "written": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "validation.json"
        from analysis._format import jsonable

        path.write_text(json.dumps(jsonable({"meta": meta, "cells": rows})), encoding="utf-8")
        loaded = load_results(path)
    return ValidationResults(meta=loaded.meta, cells=loaded.cells, path=Path("(quick run)"))


def validation_results(
    path: str | Path | None = None, *, quick: Sequence[str] = QUICK_CELLS
) -> ValidationResults:
    """The tables of ``make validate`` when present, else a quick run (said in ``meta``).

    Parameters
    ----------
    path : str or Path, optional
        A ``validation.json``; default ``reports/validation/validation.json``.
    quick : sequence of str
        Cells for the quick run when there is no file (:data:`QUICK_CELLS`).

    Returns
    -------
    ValidationResults
        ``meta.get("quick")`` is True for a quick run.

    Examples
    --------
    >>> res = validation_results()  # doctest: +SKIP
    """
    try:
        return load_results(path)
    except FileNotFoundError:
        if path is not None:
            raise
        return quick_validation(quick)


def validation_note(results: ValidationResults) -> str:
    """One sentence on where the validation numbers come from (a quick run says so).

    Examples
    --------
    >>> import pandas as pd
    >>> from pathlib import Path
    >>> empty = pd.DataFrame(columns=["function", "estimand", "status"])
    >>> validation_note(ValidationResults({"quick": True, "size": "small"}, empty, Path("x")))[:30]
    'These are quick-run numbers: 0'
    """
    meta = results.meta
    n = len(results.cells)
    if meta.get("quick"):
        column = results.cells["n_used"] if "n_used" in results.cells else pd.Series(dtype=float)
        used = pd.to_numeric(column, errors="coerce").dropna()
        lo, hi = (int(used.min()), int(used.max())) if len(used) else (0, 0)
        span = f"{lo}-{hi}" if lo != hi else str(hi)
        return (
            f"These are quick-run numbers: {n} cells of the study at its "
            f"'{meta.get('size')}' size ({span} SIMULATED series per cell), run here because "
            "this machine has no reports/validation/; their Monte Carlo errors are large. "
            "Run `make validate` for the full study."
        )
    return (
        f"These are the numbers of `make validate`: {n} cells at the '{meta.get('size', '?')}' "
        f"size, written {meta.get('written', 'at an unrecorded time')}, read from {results.path}."
    )
