"""Many series at once: one pure per-series function over a long table, locally or on Dask.

``run_many`` maps any picklable per-series function over the groups of a long
table (processes on this machine, or a Dask cluster: ``pip install
"incident-trends[dask]"``), in chunks of series; ``detect_many`` and
``fit_many`` map :func:`analysis.detect_changepoints` and
:func:`analysis.fit_trend`; ``detect_common_changes`` finds change points
shared by several series of a panel, each affecting a subset of them.
"""

from analysis.batch._common import CommonChanges, detect_common_changes
from analysis.batch._many import ManyResult, detect_many, detect_one, fit_many, fit_one
from analysis.batch._result import BatchResult
from analysis.batch._run import run_many

__all__ = [
    "BatchResult",
    "CommonChanges",
    "ManyResult",
    "detect_common_changes",
    "detect_many",
    "detect_one",
    "fit_many",
    "fit_one",
    "run_many",
]
