"""Gaussian change-in-mean cost with a robustly estimated, common variance.

The data are standardised by a robust scale (the median absolute deviation of
first differences divided by sqrt 2, which changes in mean barely affect), so
the segment cost is ``-2 log L`` up to a constant: ``sum (z - mean)^2``. The
compiled kernels call only functions of this file (so numba's cache follows
every edit).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import special  # the quantile functions scipy.stats calls, without its import time

from analysis._numba import njit
from analysis.changepoints.costs._base import PrefixSumCost

__all__ = ["NormalCost", "median", "robust_sd"]


@njit(cache=True, error_model="numpy")
def segment_cost(s: float, n: float, par: float) -> float:
    """``-2 log L`` of one segment minus ``sum z^2``: ``-S^2 / n``."""
    return -s * s / n


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


# --- natural form for FPOP: v = mean, G(v) = v^2 / 2, W = n --------------------
# Not cached: the normal cost runs the quadratic FPOP, which has these in closed
# form, so only a convex search given this form (a test) compiles them.
@njit(cache=False, error_model="numpy")
def _g_value(v: float, par: float) -> float:
    return 0.5 * v * v


@njit(cache=False, error_model="numpy")
def _g_slope(v: float, g: float, par: float) -> float:
    return v


@njit(cache=False, error_model="numpy")
def _g_at_mean(mean: float, par: float) -> float:
    return 0.5 * mean * mean


@njit(cache=False, error_model="numpy")
def _link(mean: float) -> float:
    return mean


@njit(cache=False, error_model="numpy")
def _weight(s: float, n: float, par: float) -> float:
    return n


@njit(cache=False, error_model="numpy")
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
    return fb - st * st / nt, lm, im, l1, q0


#: below this size :func:`median` leaves the work to numpy
_COUNT_MIN = 4096


def median(a: np.ndarray) -> float:
    """``np.median(a)`` of finite values; by counting when they are whole numbers.

    Series of counts have few distinct values, so a histogram (``bincount``)
    finds the middle order statistics in one pass, about five times faster
    than numpy's partition at a million values. The value returned is the
    same: the middle element, or the mean of the two middle elements.

    Examples
    --------
    >>> median(np.array([3.0, 1.0, 2.0, 10.0]))
    2.5
    """
    if a.size >= _COUNT_MIN:
        m = _whole_median(a)
        if not math.isnan(m):
            return m
    return float(np.median(a))


@njit(cache=True)
def _whole_median(a: np.ndarray) -> float:
    # the median by counting if every value is a whole number and their
    # range is at most 4 n, else NaN
    n = a.size
    lo = a[0]
    hi = a[0]
    for x in a:
        if x != math.floor(x):
            return np.nan
        lo = min(lo, x)
        hi = max(hi, x)
    if hi - lo > 4.0 * n:
        return np.nan
    counts = np.zeros(int(hi - lo) + 1, dtype=np.int64)
    for x in a:
        counts[int(x - lo)] += 1
    # the order statistics (n - 1) // 2 and n // 2 (0-based)
    k1 = (n - 1) // 2
    k2 = n // 2
    x1 = np.nan
    seen = 0
    for v in range(counts.size):
        seen += counts[v]
        if np.isnan(x1) and seen > k1:
            x1 = v + lo
        if seen > k2:
            x2 = v + lo
            if n % 2:
                return x1
            return (x1 + x2) / 2.0
    return np.nan


def robust_sd(y: np.ndarray) -> float:
    """Robust noise standard deviation from first differences.

    ``MAD(diff(y)) * 1.4826 / sqrt(2)``; a change in mean moves only one
    difference, so the estimate is not inflated by the changes. Falls back to
    the standard deviation of the differences (integer data with many ties can
    give a zero MAD), then to 1 for a constant series.

    Examples
    --------
    >>> robust_sd(np.full(10, 1e20))
    1.0
    """
    d = np.diff(y)
    if d.size == 0:
        return 1.0
    md = median(d)
    e = np.subtract(d, md, out=d)  # in place: d is taken again below if needed
    np.abs(e, out=e)
    if md != np.round(md):  # a half-integer median of whole numbers: count 2 |d - md|
        e *= 2.0
        mad = median(e) / 2.0
    else:
        mad = median(e)
    mad = mad * 1.482602218505602 / np.sqrt(2.0)
    if mad > 0 and np.isfinite(mad):
        return mad
    sd = float(np.std(np.diff(y))) / np.sqrt(2.0)
    return sd if sd > 0 else 1.0


class NormalCost(PrefixSumCost):
    """Change in mean of Gaussian data with a common sd (``None``: :func:`robust_sd`).

    Examples
    --------
    >>> cost = NormalCost(sd=1.0).fit([0.0, 0.1, -0.1, 3.0, 3.1, 2.9])
    >>> cost.describe()
    'normal (mean change, sd = 1)'
    """

    name = "normal"
    _segment_kernel = _segment_kernel
    _segment_costs = _segment_costs
    _form = (segment_cost, _g_value, _g_slope, _g_at_mean, _link, _weight, _candidate)
    _quadratic = True

    def __init__(self, sd: float | None = None) -> None:
        super().__init__()
        if sd is not None and not (math.isfinite(sd) and sd > 0):
            raise ValueError(f"sd must be a finite number > 0 or None, got {sd!r}")
        self.sd = sd
        self.sd_ = 1.0
        self.center_ = 0.0
        self._known_center: tuple[np.ndarray, float] | None = None

    def _transform(self, y: np.ndarray) -> tuple[np.ndarray, float]:
        self.sd_ = float(self.sd) if self.sd is not None else robust_sd(y)
        known = self._known_center
        self._known_center = None
        self.center_ = known[1] if known is not None and known[0] is y else median(y)
        z = y - self.center_
        z /= self.sd_
        return z, 1.0

    def with_sd(self, sd: float) -> NormalCost:
        """A new cost with noise sd ``sd`` fitted to the same signal, reusing its centre.

        Equal to ``NormalCost(sd=sd).fit(self.signal_)`` (the centre is the
        signal's median either way), without computing the median again: the
        automatic choice for measurements fits the cost twice on the same
        series (issue 10).

        Examples
        --------
        >>> a = NormalCost(sd=2.0).fit([0.0, 0.1, -0.1, 3.0, 3.1, 2.9])
        >>> b = a.with_sd(1.0)
        >>> bool((b.cs1_ == NormalCost(sd=1.0).fit(a.signal_).cs1_).all())
        True
        """
        new = NormalCost(sd=sd)
        new._known_center = (self.signal_, self.center_)
        new.fit(self.signal_)
        return new

    def _param_range(self) -> tuple[float, float, float]:
        # z.min() and z.max() of ``(y - centre) / sd``: the same numbers from the
        # extremes of y (each step is rounded monotonically), without a pass over z
        y = self.signal_
        lo = float((y.min() - self.center_) / self.sd_)
        hi = float((y.max() - self.center_) / self.sd_)
        return lo, hi, lo

    def neg2_loglik(self, bounds: np.ndarray) -> float:
        """Full ``-2 log L`` at each segment's mean with the common sd."""
        y = self.signal_
        total = 0.0
        for a, b in itertools.pairwise(bounds):
            seg = y[a:b]
            r = seg - seg.mean()  # one temporary, updated in place
            r /= self.sd_
            r *= r
            total += float(np.sum(r) + seg.size * np.log(2 * np.pi * self.sd_**2))
        return total

    def segment_rows(self, bounds: np.ndarray, level: float) -> pd.DataFrame:
        """Mean with a z confidence interval using the common robust sd."""
        n = np.diff(bounds).astype(float)
        mean = np.diff(self.cs1_[bounds]) / n * self.sd_ + self.center_
        half = special.ndtri(0.5 + level / 2) * self.sd_ / np.sqrt(n)
        return pd.DataFrame(
            {"mean": mean, "sd": self.sd_, "ci_low": mean - half, "ci_high": mean + half}
        )

    def describe(self) -> str:
        """Name and the sd used."""
        return f"normal (mean change, sd = {self.sd_:.4g})"
