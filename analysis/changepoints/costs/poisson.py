"""Poisson cost for counts: ``-2 log L`` of a segment at its maximum-likelihood rate.

The compiled kernels sit beside the class and call only functions of this
file, so numba's on-disk cache (keyed by this file) always follows an edit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special  # the quantile functions scipy.stats calls, without its import time

from analysis._numba import njit
from analysis.changepoints.costs._base import PrefixSumCost

__all__ = ["PoissonCost", "is_counts", "value_counts"]


@njit(cache=True, error_model="numpy")
def segment_cost(s: float, n: float, par: float) -> float:
    """``2 (S - S log(S / n))``: ``-2 log L`` without the ``sum log y!`` constant."""
    if s <= 0.0:
        return 0.0
    return 2.0 * (s - s * math.log(s / n))


@njit(cache=True, error_model="numpy")
def _segment_kernel(cs1: np.ndarray, cs2: np.ndarray, par: float, a: int, b: int) -> float:
    return segment_cost(cs1[b] - cs1[a], float(b - a), par)


@njit(cache=True, error_model="numpy")
def _segment_costs(
    cs1: np.ndarray, cs2: np.ndarray, par: float, starts: np.ndarray, b: int
) -> np.ndarray:
    out = np.empty(starts.size)
    for i in range(starts.size):
        out[i] = segment_cost(cs1[b] - cs1[starts[i]], float(b - starts[i]), par)
    return out


# --- natural form for FPOP: v = log mean, G(v) = exp(v), W = n ---------------
@njit(cache=True, error_model="numpy")
def _g_value(v: float, par: float) -> float:
    return math.exp(v)


@njit(cache=True, error_model="numpy")
def _g_slope(v: float, g: float, par: float) -> float:
    return g


@njit(cache=True, error_model="numpy")
def _g_at_mean(mean: float, par: float) -> float:
    return mean


@njit(cache=True, error_model="numpy")
def _link(mean: float) -> float:
    if mean <= 0.0:
        return -np.inf
    return math.log(mean)


@njit(cache=True, error_model="numpy")
def _weight(s: float, n: float, par: float) -> float:
    return n


@njit(cache=True, error_model="numpy")
def _candidate(
    fb: float,
    st: float,
    nt: float,
    par: float,
    lm: float,
    im: float,
    l1: float,
    q0: float,
    best: float,
) -> tuple[float, float, float, float, float]:
    # log is concave: log(mu) <= lm + mu im - 1 (lm, im: log and inverse of the
    # mean at the last exact cost), so the cost is at least ``lower``; skip the
    # exact cost when that is above the best so far by more than any rounding
    if st <= 0.0:
        return fb, lm, im, l1, q0
    mu = st / nt
    lower = fb + 2.0 * (st - st * (lm + mu * im - 1.0))
    margin = 1e-12 * (abs(fb) + 2.0 * st * (1.0 + abs(lm) + mu * im))
    if lower > best + margin:
        return np.inf, lm, im, l1, q0
    lm = math.log(mu)
    im = 1.0 / mu
    return fb + 2.0 * (st - st * lm), lm, im, l1, q0


@njit(cache=True)
def is_counts(y: np.ndarray) -> bool:
    """Are all values whole numbers >= 0? One pass, no temporaries."""
    for x in y:
        if not (x >= 0.0 and x == np.floor(x)):
            return False
    return True


def value_counts(y: np.ndarray) -> np.ndarray | None:
    """``bincount`` of long series of small whole numbers >= 0, else None.

    Sums of a function of each count (log factorials, log-probabilities) are
    then taken over the distinct values, weighted by how often each occurs:
    the same sum in another order, several times faster at a million values.
    """
    if y.size < 4096 or not is_counts(y) or y.max() > 4 * y.size:
        return None
    return np.bincount(y.astype(np.int64))


def _sum_log_factorial(y: np.ndarray) -> float:
    from scipy.special import gammaln

    counts = value_counts(y)
    if counts is None:
        return float(gammaln(y + 1.0).sum())
    return float(counts @ gammaln(np.arange(counts.size) + 1.0))


def count_range(y: np.ndarray) -> tuple[float, float, float]:
    """``(vmin, vmax, vfloor)`` on the log scale: the data range and ``1 / (2 n)``."""
    lo = float(y.min())
    hi = max(float(y.max()), 1e-300)
    return (math.log(lo) if lo > 0 else -math.inf), math.log(hi), math.log(0.5 / y.size)


class PoissonCost(PrefixSumCost):
    """Poisson cost for non-negative integer counts (segment level: rate per step).

    Examples
    --------
    >>> cost = PoissonCost().fit([1.0, 0.0, 2.0, 5.0, 6.0, 4.0])
    >>> round(cost.error(0, 3) + cost.error(3, 6) - cost.error(0, 6), 3)
    -8.733
    """

    name = "poisson"
    _segment_kernel = _segment_kernel
    _segment_costs = _segment_costs
    _form = (segment_cost, _g_value, _g_slope, _g_at_mean, _link, _weight, _candidate)

    def _param_range(self) -> tuple[float, float, float]:
        return count_range(self.signal_)

    def neg2_loglik(self, bounds: np.ndarray) -> float:
        """Full ``-2 log L``: the segment costs plus ``2 sum log y!``."""
        s = np.diff(self.cs1_[bounds])
        n = np.diff(bounds).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            seg = np.where(s > 0, 2.0 * (s - s * np.log(s / n)), 0.0)
        return float(seg.sum() + 2.0 * _sum_log_factorial(self.signal_))

    def segment_rows(self, bounds: np.ndarray, level: float) -> pd.DataFrame:
        """Rate per step with the exact (Garwood) Poisson confidence interval.

        With a quasi-likelihood scale ``D = scale_ > 1`` (overdispersed or
        dependent counts) the limits are those of ``S / D`` events scaled
        back by ``D``, which is the exact interval when ``D = 1``.
        """
        s = np.diff(self.cs1_[bounds])
        n = np.diff(bounds).astype(float)
        a = 1.0 - level
        d = float(getattr(self, "scale_", 1.0))
        q = s / d
        low = np.where(s > 0, d * special.gammaincinv(np.where(s > 0, q, 1.0), a / 2), 0.0) / n
        high = d * special.gammaincinv(q + 1.0, 1 - a / 2) / n
        return pd.DataFrame({"rate": s / n, "ci_low": low, "ci_high": high})
