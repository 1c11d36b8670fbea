"""Negative-binomial (NB2) cost with a fixed, robustly estimated dispersion.

Variance ``mu + mu^2 / r``. The segment cost at the maximum-likelihood mean
``mu = S / n`` is ``2 [-S log mu + (S + n r) log1p(mu / r)]``, which is
``-2 log L`` up to terms that add up to a constant over any segmentation and
tends to the Poisson cost as ``r`` grows. How ``r`` is estimated is described
in :mod:`analysis.changepoints._dispersion`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numba import njit
from scipy import stats

from analysis.changepoints._cost import Cost
from analysis.changepoints._cost_poisson import value_counts

COST_ID = 2
PARAMS_PER_SEGMENT = 1


@njit(cache=True, error_model="numpy")
def segment_cost(s: float, n: float, r: float) -> float:
    """Segment cost; ``r`` is the NB2 size (dispersion) parameter."""
    if s <= 0.0:
        return 0.0
    mu = s / n
    return 2.0 * (-s * math.log(mu) + (s + n * r) * math.log1p(mu / r))


class NegBinCost(Cost):
    """Negative-binomial (NB2) cost with a fixed size ``r`` (``None``: estimate it)."""

    name = "negbin"
    cid = COST_ID
    functional = True
    counts = True

    def __init__(self, size: float | None = None) -> None:
        super().__init__()
        self.size = size

    def _transform(self, y: np.ndarray) -> tuple[np.ndarray, float]:
        if self.size is None:
            from analysis.changepoints._dispersion import within_segment_dispersion

            return y, within_segment_dispersion(y).size
        return y, float(self.size)

    def param_range(self) -> tuple[float, float, float]:
        """``(vmin, vmax, vfloor)``: log of the data range, and of ``1 / (2 n)``."""
        y = self.signal_
        lo = float(y.min())
        hi = max(float(y.max()), 1e-300)
        return (math.log(lo) if lo > 0 else -math.inf), math.log(hi), math.log(0.5 / y.size)

    def _segment_neg2ll(self, seg: np.ndarray) -> float:
        mu = seg.mean()
        if mu <= 0:
            return 0.0
        r = self.par_
        counts = value_counts(seg)
        if counts is None:
            return float(-2.0 * stats.nbinom.logpmf(seg, r, r / (r + mu)).sum())
        k = np.flatnonzero(counts)
        return float(-2.0 * (counts[k] @ stats.nbinom.logpmf(k, r, r / (r + mu))))

    def segment_rows(self, bounds: np.ndarray, level: float) -> pd.DataFrame:
        """Rate per step with a Wald interval on the log scale.

        ``se(log rate) = sqrt((1 / rate + 1 / r) / n)``; a segment with no
        event gets ``[0, Poisson exact upper bound]``.
        """
        s = np.diff(self.cs1_[bounds])
        n = np.diff(bounds).astype(float)
        rate = s / n
        zq = stats.norm.ppf(0.5 + level / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.sqrt((1.0 / rate + 1.0 / self.par_) / n)
            low = np.where(s > 0, rate * np.exp(-zq * se), 0.0)
            high = np.where(
                s > 0, rate * np.exp(zq * se), stats.chi2.ppf(0.5 + level / 2, 2) / 2 / n
            )
        return pd.DataFrame({"rate": rate, "ci_low": low, "ci_high": high})

    def describe(self) -> str:
        """Name and fitted size."""
        return f"negbin (size r = {self.par_:.4g})"
