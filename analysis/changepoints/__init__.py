"""Offline and online change-point detection for counts and any 1-D series.

``detect_changepoints``, ``changepoint_path`` (every optimal segmentation over
a penalty range) and ``online_changepoints``. The code is split by role:
``costs/`` (one module per cost, each with its compiled kernels beside it; a
:class:`Cost` has ``fit(signal)`` and ``error(start, end)``, so every search
works with every cost, a user's own included), ``search/`` (one module per
algorithm), ``penalties`` and the penalty path (``_crops``), ``intervals``
(location intervals), ``_auto`` (the automatic choice of cost and method),
``_detect`` (the two public functions), ``_result`` and ``online/`` (Bayesian
online detection).
"""

from analysis.changepoints._detect import changepoint_path, detect_changepoints
from analysis.changepoints._result import ChangepointPath, ChangepointResult
from analysis.changepoints.costs import Cost, MeanVarCost, NegBinCost, NormalCost, PoissonCost
from analysis.changepoints.online import online_changepoints

__all__ = [
    "ChangepointPath",
    "ChangepointResult",
    "Cost",
    "MeanVarCost",
    "NegBinCost",
    "NormalCost",
    "PoissonCost",
    "changepoint_path",
    "detect_changepoints",
    "online_changepoints",
]
