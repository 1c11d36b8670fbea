"""Validation study: how the package's defaults behave on SIMULATED series with known truth.

``python -m analysis.validation --out reports/validation`` (or ``make validate``)
runs every cell with fixed seeds and writes ``validation.json`` and
``validation.md``: false alarms, power and interval coverage of
:func:`analysis.detect_changepoints`; coverage of :func:`analysis.estimate_rate`,
:func:`analysis.rolling_rate` and :func:`analysis.compare_rates` intervals;
false rejections of :func:`analysis.check_claim`; slope, event-effect and
forecast coverage of :func:`analysis.fit_trend`; each with its Monte Carlo
standard error and the target of the issues that set it.
:func:`load_results` reads those tables back for the report.

The study measures the package as it is, through its public API only; it sits
above rates, trend and change points (which never import it) and below the report.
"""

from __future__ import annotations

from analysis.validation._results import ValidationResults, load_results
from analysis.validation._run import SIZES, build_cells, run, run_cells
from analysis.validation._simulate import (
    PROCESSES,
    WEEKLY_FACTORS,
    Process,
    Simulated,
    simulate_counts,
    simulate_piecewise,
)

__all__ = [
    "PROCESSES",
    "SIZES",
    "WEEKLY_FACTORS",
    "Process",
    "Simulated",
    "ValidationResults",
    "build_cells",
    "load_results",
    "run",
    "run_cells",
    "simulate_counts",
    "simulate_piecewise",
]
