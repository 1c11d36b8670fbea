"""Poisson cost with a known multiplier per period (seasonal factors, exposure).

The count of period ``t`` is Poisson with mean ``lambda f_t``, ``f_t`` known
(for ``detect_changepoints(..., seasonal=7)`` the estimated weekday factors,
mean 1 over a cycle), ``lambda`` constant within a segment. The segment's
maximum-likelihood rate is ``S / F`` (``S`` the sum of counts, ``F`` the sum
of the multipliers), and ``-2 log L`` is ``2 (S - S log(S / F))`` plus
``2 sum (log y_t! - y_t log f_t)``, a constant: the Poisson segment cost with
the length replaced by the total multiplier. The counts are never divided,
so the cost stays a count likelihood. Splitting a segment never raises the
cost (each part gets its own maximum), so PELT applies; FPOP's natural form
has the length as its weight and is not available (``method="auto"`` uses
PELT, then seeded binary segmentation above 10 000 values). The compiled
kernels call only functions of this file (numba's cache follows every edit).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import special  # the quantile functions scipy.stats calls, without its import time

from analysis._numba import njit
from analysis.changepoints.costs._base import PrefixSumCost
from analysis.changepoints.costs.poisson import _sum_log_factorial

__all__ = ["WeightedPoissonCost"]


@njit(cache=True, error_model="numpy")
def segment_cost(s: float, f: float) -> float:
    """``2 (S - S log(S / F))``: ``-2 log L`` of a segment without the constant."""
    if s <= 0.0:
        return 0.0
    return 2.0 * (s - s * math.log(s / f))


@njit(cache=True, error_model="numpy")
def _segment_kernel(cs1: np.ndarray, cs2: np.ndarray, par: float, a: int, b: int) -> float:
    # cs1: prefix sums of the counts; cs2: prefix sums of the multipliers
    return segment_cost(cs1[b] - cs1[a], cs2[b] - cs2[a])


@njit(cache=True, error_model="numpy")
def _segment_costs(
    cs1: np.ndarray, cs2: np.ndarray, par: float, starts: np.ndarray, b: int
) -> np.ndarray:
    out = np.empty(starts.size)
    for i in range(starts.size):
        a = starts[i]
        out[i] = segment_cost(cs1[b] - cs1[a], cs2[b] - cs2[a])
    return out


class WeightedPoissonCost(PrefixSumCost):
    """Poisson counts with a known multiplier ``f_t`` per period (rate ``lambda f_t``).

    Parameters
    ----------
    multipliers : array-like
        One finite value > 0 per observation of the signal to be fitted.

    Examples
    --------
    >>> f = np.tile([1.4, 0.6], 20)  # a two-period cycle
    >>> y = np.r_[np.tile([7.0, 3.0], 10), np.tile([14.0, 6.0], 10)]
    >>> cost = WeightedPoissonCost(f).fit(y)
    >>> cost.segment_rows(np.array([0, 20, 40]), 0.95)["rate"].round(2).tolist()
    [5.0, 10.0]
    """

    name = "poisson_seasonal"
    _segment_kernel = _segment_kernel
    _segment_costs = _segment_costs

    def __init__(self, multipliers: Any) -> None:
        super().__init__()
        f = np.asarray(multipliers, dtype=float)
        if f.ndim != 1 or not np.all(np.isfinite(f)) or not np.all(f > 0):
            raise ValueError("multipliers must be a 1-D array of finite values > 0")
        self.multipliers = f

    def fit(self, signal: Any) -> WeightedPoissonCost:
        """Prefix sums of the counts and of the multipliers; return ``self``."""
        super(PrefixSumCost, self).fit(signal)
        if self.signal_.size != self.multipliers.size:
            raise ValueError(
                f"multipliers has {self.multipliers.size} values, the signal {self.signal_.size}"
            )
        self.cs1_ = np.concatenate(([0.0], np.cumsum(self.signal_)))
        self.cs2_ = np.concatenate(([0.0], np.cumsum(self.multipliers)))
        self.par_ = 1.0
        return self

    def fitted(self, bounds: np.ndarray) -> np.ndarray:
        """Expected count of every period: the segment rate times its multiplier."""
        out = np.empty(self.signal_.size)
        s = np.diff(self.cs1_[bounds])
        f = np.diff(self.cs2_[bounds])
        for i in range(bounds.size - 1):
            out[bounds[i] : bounds[i + 1]] = (
                s[i] / f[i] * self.multipliers[bounds[i] : bounds[i + 1]]
            )
        return out

    def neg2_loglik(self, bounds: np.ndarray) -> float:
        """Full ``-2 log L``: segment costs plus ``2 sum (log y! - y log f)``."""
        s = np.diff(self.cs1_[bounds])
        f = np.diff(self.cs2_[bounds])
        with np.errstate(divide="ignore", invalid="ignore"):
            seg = np.where(s > 0, 2.0 * (s - s * np.log(s / f)), 0.0)
        const = 2.0 * _sum_log_factorial(self.signal_) - 2.0 * float(
            self.signal_ @ np.log(self.multipliers)
        )
        return float(seg.sum() + const)

    def segment_rows(self, bounds: np.ndarray, level: float) -> pd.DataFrame:
        """Seasonally adjusted rate ``S / F`` per period with the exact (Garwood) interval.

        The limits are those of ``S / D`` events (``D = scale_``, the design
        effect) scaled back by ``D``, over ``F``.
        """
        s = np.diff(self.cs1_[bounds])
        f = np.diff(self.cs2_[bounds])
        a = 1.0 - level
        d = float(getattr(self, "scale_", 1.0))
        q = s / d
        low = np.where(s > 0, d * special.gammaincinv(np.where(s > 0, q, 1.0), a / 2), 0.0) / f
        high = d * special.gammaincinv(q + 1.0, 1 - a / 2) / f
        return pd.DataFrame({"rate": s / f, "ci_low": low, "ci_high": high})

    def describe(self) -> str:
        """Name and the range of the multipliers."""
        f = self.multipliers
        return f"poisson with seasonal factors ({f.min():.3g} to {f.max():.3g})"
