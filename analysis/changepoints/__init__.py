"""Offline and online change-point detection for counts and any 1-D series.

``detect_changepoints`` (optimal or binary-segmentation search with Poisson,
negative-binomial or Gaussian costs, location intervals), ``changepoint_path``
(every optimal segmentation over a penalty range) and ``online_changepoints``
(Bayesian online detection). Implementations live in private modules: one per
cost (``_cost_*``: a :class:`Cost` has ``fit(signal)`` and ``error(start,
end)``, so every search works with every cost), one per search (``_fpop``,
``_pelt``, ``_brute``, ``_binseg``, ``_seeded_binseg``), plus penalties,
dispersion, location intervals, CROPS and the result objects. The compiled
kernels use numba with an on-disk cache (the first call in a fresh
environment compiles them, a few seconds; later processes load the cache).
"""

from analysis.changepoints._cost import Cost
from analysis.changepoints._cost_meanvar import MeanVarCost
from analysis.changepoints._cost_negbin import NegBinCost
from analysis.changepoints._cost_normal import NormalCost
from analysis.changepoints._cost_poisson import PoissonCost
from analysis.changepoints._detect import changepoint_path, detect_changepoints
from analysis.changepoints._result import ChangepointPath, ChangepointResult
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
