"""Negative-binomial (NB2) cost with a fixed, robustly estimated dispersion.

Variance ``mu + mu^2 / r``. The segment cost at the maximum-likelihood mean
``mu = S / n`` is ``2 [-S log mu + (S + n r) log1p(mu / r)]``, which is
``-2 log L`` up to terms that add up to a constant over any segmentation and
tends to the Poisson cost as ``r`` grows. How ``r`` is estimated is described
in :mod:`analysis.changepoints._dispersion`. The compiled kernels call only
functions of this file (so numba's cache follows every edit).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import special  # the quantile functions scipy.stats calls, without its import time

from analysis._numba import njit
from analysis.changepoints.costs._base import PrefixSumCost
from analysis.changepoints.costs.poisson import _link, count_range, value_counts

__all__ = ["NegBinCost", "nbinom_logpmf"]


@njit(cache=True, error_model="numpy")
def segment_cost(s: float, n: float, r: float) -> float:
    """Segment cost; ``r`` is the NB2 size (dispersion) parameter."""
    if s <= 0.0:
        return 0.0
    mu = s / n
    return 2.0 * (-s * math.log(mu) + (s + n * r) * math.log1p(mu / r))


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


# --- natural form for FPOP: v = log mean, G(v) = log1p(exp(v) / r), W = S + n r
@njit(cache=True, error_model="numpy")
def _g_value(v: float, par: float) -> float:
    return math.log1p(math.exp(v) / par)


@njit(cache=True, error_model="numpy")
def _g_slope(v: float, g: float, par: float) -> float:
    # G'(v) = e^v / (r + e^v) = 1 - exp(-G(v)), without another exp of v
    return -math.expm1(-g)


@njit(cache=True, error_model="numpy")
def _g_at_mean(mean: float, par: float) -> float:
    return math.log1p(mean / par)


@njit(cache=True, error_model="numpy")
def _weight(s: float, n: float, par: float) -> float:
    return s + n * par


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
    # a lower bound of the cost from the cached log and inverse of the mean mu0
    # at the last exact cost, log1p(mu0 / r) and r + mu0: log(mu) <= lm + mu im - 1
    # and log(r + mu) >= log(r + mu0) + 1 - (r + mu0) / (r + mu); the exact
    # cost (two logarithms) only when the bound is not above ``best``
    if st <= 0.0:
        return fb, lm, im, l1, q0
    mu = st / nt
    wt = st + nt * par
    u = lm + mu * im - 1.0
    u1 = l1 + 1.0 - q0 / (par + mu)
    lower = fb + 2.0 * (-st * u + wt * u1)
    size = abs(fb) + 2.0 * (st * (abs(lm) + 1.0 + mu * im) + wt * (abs(u1) + 2.0))
    if lower > best + 1e-12 * size:
        return np.inf, lm, im, l1, q0
    lm = math.log(mu)
    im = 1.0 / mu
    l1 = math.log1p(mu / par)
    q0 = par + mu
    return fb + 2.0 * (-st * lm + wt * l1), lm, im, l1, q0


def nbinom_logpmf(k: np.ndarray, r: float, p: float) -> np.ndarray:
    """``scipy.stats.nbinom.logpmf(k, r, p)`` for counts ``k >= 0``, without importing scipy.stats.

    The same expression as scipy's own ``nbinom._logpmf`` (1.17), so the same
    floating-point numbers (``tests/changepoints/costs/test_negbin.py``
    compares them); written out because importing :mod:`scipy.stats` costs
    about half a second, the largest part of the first ``cost="negbin"`` call
    of a fresh process (issue 10).

    Examples
    --------
    >>> float(np.exp(nbinom_logpmf(np.array([0.0]), 2.0, 0.5))[0])
    0.25
    """
    coeff = special.gammaln(r + k) - special.gammaln(k + 1) - special.gammaln(r)
    return coeff + r * np.log(p) + special.xlog1py(k, -p)  # type: ignore[no-any-return]


class NegBinCost(PrefixSumCost):
    """Negative-binomial (NB2) cost with a fixed size ``r`` (``None``: estimate it).

    Examples
    --------
    >>> cost = NegBinCost(size=3.0).fit([1.0, 0.0, 2.0, 5.0, 6.0, 4.0])
    >>> cost.describe()
    'negbin (size r = 3)'
    """

    name = "negbin"
    _segment_kernel = _segment_kernel
    _segment_costs = _segment_costs
    _form = (segment_cost, _g_value, _g_slope, _g_at_mean, _link, _weight, _candidate)
    _slots = 4  # the candidate cost keeps log and inverse mean, log1p(mean / r), r + mean

    def __init__(self, size: float | None = None) -> None:
        super().__init__()
        if size is not None and not (math.isfinite(size) and size > 0):
            raise ValueError(f"size must be a finite number > 0 or None, got {size!r}")
        self.size = size

    def _transform(self, y: np.ndarray) -> tuple[np.ndarray, float]:
        if self.size is None:
            from analysis.changepoints._dispersion import within_segment_dispersion

            return y, within_segment_dispersion(y).size
        return y, float(self.size)

    def _param_range(self) -> tuple[float, float, float]:
        return count_range(self.signal_)

    def _segment_neg2ll(self, seg: np.ndarray) -> float:
        mu = seg.mean()
        if mu <= 0:
            return 0.0
        r = self.par_
        counts = value_counts(seg)
        if counts is None:
            return float(-2.0 * nbinom_logpmf(seg, r, r / (r + mu)).sum())
        k = np.flatnonzero(counts)
        return float(-2.0 * (counts[k] @ nbinom_logpmf(k, r, r / (r + mu))))

    def neg2_loglik(self, bounds: np.ndarray) -> float:
        """Full ``-2 log L`` of the segmentation with segment ends ``bounds``."""
        y = self.signal_
        return float(sum(self._segment_neg2ll(y[a:b]) for a, b in itertools.pairwise(bounds)))

    def segment_rows(self, bounds: np.ndarray, level: float) -> pd.DataFrame:
        """Rate per step with a Wald confidence interval on the log scale.

        ``se(log rate) = sqrt((1 / rate + 1 / r) / n)``; a segment with no
        event gets ``[0, Poisson exact upper bound]``.
        """
        s = np.diff(self.cs1_[bounds])
        n = np.diff(bounds).astype(float)
        rate = s / n
        zq = special.ndtri(0.5 + level / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.sqrt((1.0 / rate + 1.0 / self.par_) / n)
            low = np.where(s > 0, rate * np.exp(-zq * se), 0.0)
            high = np.where(
                s > 0, rate * np.exp(zq * se), special.gammaincinv(1.0, 0.5 + level / 2) / n
            )
        return pd.DataFrame({"rate": rate, "ci_low": low, "ci_high": high})

    def describe(self) -> str:
        """Name and fitted size."""
        return f"negbin (size r = {self.par_:.4g})"
