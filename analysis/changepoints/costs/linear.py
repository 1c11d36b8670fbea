"""Piecewise-linear (slope-change) cost: each segment a straight line in time.

Each segment ``y[a:b]`` is fitted by least squares with a line ``alpha + beta
(t - a)`` (``t`` the 0-based position); the errors are Gaussian with a common
noise sd ``sigma``, so the segment cost is ``-2 log L`` up to a constant: the
residual sum of squares of the standardised data ``z = (y - centre) / sigma``.
The segments are *discontinuous* (each has its own intercept): a change in
slope, in level, or in both. Two parameters per segment.

The compiled kernel works on prefix sums of ``z``, ``t z`` and ``z^2`` (the
sums of ``t`` and ``t^2`` over a segment are closed forms), so a segment's
cost is O(1): ``SSE = Szz - Sz^2 / L - Sxz^2 / Sxx`` with ``Sxx = L (L^2 - 1)
/ 12`` and ``Sxz`` the centred cross-product. Segments of one or two values
fit exactly (cost 0); splitting a segment never raises the cost (a least-
squares fit on a subset is at least as good), which PELT's pruning needs.
The kernel and the searches of :mod:`analysis.changepoints.search` work
together for ``pelt``, ``op``, ``binseg`` and ``seeded_binseg``; ``fpop``
needs a one-parameter cost and is refused.

The noise sd. ``LinearCost(sd=None)`` fitted on its own uses the MAD of
second differences over sqrt 6 (a kink moves only two of them), which is the
i.i.d. noise sd and too small for autocorrelated noise.
``detect_changepoints(y, cost="linear")`` instead uses the square root of the
residuals' *long-run* variance about the fitted segment lines (Bartlett
kernel, Andrews' bandwidth, :mod:`analysis._dependence`), iterated from a
first fit as :mod:`analysis.changepoints._auto` does for the mean cost: it
starts from the long-run sd of the residuals about one straight line (the
conservative side: curvature inflates it) and never goes below the
second-difference sd (the floor that keeps over-segmentation from shrinking
the scale). The compiled kernels call only functions of this file (so
numba's cache follows every edit).

Measured limits (simulated straight lines of 400 points, 200 series each): no
false change under independent, AR(0.5) or AR(0.8) noise, but the 95% slope
interval covers only 0.905 under AR(0.5) and 0.875 under AR(0.8) noise: the
long-run sd is estimated too low at that length, so treat the slope intervals
of autocorrelated series as too narrow.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import special  # the quantile functions scipy.stats calls, without its import time

from analysis._numba import njit
from analysis.changepoints.costs._base import PrefixSumCost
from analysis.changepoints.costs.normal import median

__all__ = ["LinearCost", "line_fit", "second_difference_sd"]

PARAMS_PER_SEGMENT = 2


@njit(cache=True, error_model="numpy")
def segment_sse(sz: float, stz: float, szz: float, a: int, b: int) -> float:
    """Residual sum of squares of the least-squares line on ``(a, b]`` from its sums.

    ``sz``, ``stz``, ``szz``: sums of ``z``, ``t z`` (global position ``t``)
    and ``z^2`` over positions ``a .. b - 1``.
    """
    n = float(b - a)
    if n < 3.0:
        return 0.0
    su = n * (n - 1.0) / 2.0  # sum of the local time u = t - a
    sxx = n * (n * n - 1.0) / 12.0
    suz = stz - a * sz
    sxz = suz - su * sz / n
    sse = szz - sz * sz / n - sxz * sxz / sxx
    return sse if sse > 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def _segment_kernel(cs1: np.ndarray, cs2: np.ndarray, par: float, a: int, b: int) -> float:
    # cs1: prefix sums of z (n + 1); cs2: prefix sums of t z, then of z^2 (2 (n + 1))
    m = cs1.size
    return segment_sse(cs1[b] - cs1[a], cs2[b] - cs2[a], cs2[m + b] - cs2[m + a], int(a), int(b))


@njit(cache=True, error_model="numpy")
def _segment_costs(
    cs1: np.ndarray, cs2: np.ndarray, par: float, starts: np.ndarray, b: int
) -> np.ndarray:
    m = cs1.size
    out = np.empty(starts.size)
    for i in range(starts.size):
        a = starts[i]
        out[i] = segment_sse(
            cs1[b] - cs1[a], cs2[b] - cs2[a], cs2[m + b] - cs2[m + a], int(a), int(b)
        )
    return out


def second_difference_sd(y: np.ndarray) -> float:
    """Robust i.i.d. noise sd from second differences: ``MAD(diff(y, 2)) * 1.4826 / sqrt 6``.

    A straight line has zero second differences and a kink moves only two of
    them, so the estimate ignores trends and slope changes; for i.i.d. noise
    ``Var(e_{t+1} - 2 e_t + e_{t-1}) = 6 sigma^2``. Falls back to the root
    mean square of the second differences over sqrt 6 (many ties), then to 1.

    Examples
    --------
    >>> rng = np.random.default_rng(0)  # simulated: a line plus N(0, 2) noise
    >>> y = 0.5 * np.arange(5000) + rng.normal(0, 2, 5000)
    >>> round(second_difference_sd(y), 1)
    2.0
    """
    d = np.diff(np.asarray(y, dtype=float), 2)
    if d.size == 0:
        return 1.0
    mad = median(np.abs(d - median(d))) * 1.482602218505602 / math.sqrt(6.0)
    if mad > 0 and math.isfinite(mad):
        return float(mad)
    rms = float(np.sqrt(np.mean(d * d))) / math.sqrt(6.0)
    return rms if rms > 0 else 1.0


def line_fit(y: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Least-squares line of ``y`` on ``0, 1, ..., len - 1``: (intercept, slope, fitted)."""
    n = y.size
    t = np.arange(n, dtype=float)
    if n < 2:
        return float(y[0]), 0.0, y.astype(float).copy()
    slope, intercept = np.polyfit(t, y, 1)
    return float(intercept), float(slope), intercept + slope * t


class LinearCost(PrefixSumCost):
    """Change in a linear trend: each segment a least-squares line, common sd.

    Parameters
    ----------
    sd : float, optional
        The common noise sd; None: :func:`second_difference_sd` of the data
        (``detect_changepoints(cost="linear")`` uses the long-run sd instead,
        see the module notes).

    Notes
    -----
    ``segment_rows`` gives each segment's ``intercept`` (the fitted line at
    the segment's first period), ``slope`` (per period) with its ``level``
    confidence interval ``slope_ci_low, slope_ci_high`` (normal, standard
    error ``sd / sqrt(Sxx)``: with the long-run sd this is the asymptotic
    standard error of a trend slope under stationary dependent noise,
    Grenander 1954), the segment ``mean`` and ``sd``. The interval is
    conditional on the segmentation. Written by hand (statsmodels' OLS would
    give the same line per segment, but the search needs O(1) segment costs
    from prefix sums).

    Examples
    --------
    >>> t = np.arange(100.0)
    >>> y = np.where(t < 60, 0.1 * t, 6.0 - 0.2 * (t - 60)) + np.tile([0.3, -0.3], 50)
    >>> from analysis.changepoints import detect_changepoints
    >>> detect_changepoints(y, cost=LinearCost(sd=0.3), method="pelt").indices.tolist()
    [60]
    """

    name = "linear"
    params_per_segment = PARAMS_PER_SEGMENT
    squares = True
    _segment_kernel = _segment_kernel
    _segment_costs = _segment_costs

    def __init__(self, sd: float | None = None) -> None:
        super().__init__()
        if sd is not None and not (math.isfinite(sd) and sd > 0):
            raise ValueError(f"sd must be a finite number > 0 or None, got {sd!r}")
        self.sd = sd
        self.sd_ = 1.0
        self.center_ = 0.0

    def fit(self, signal: object) -> LinearCost:
        """Standardise ``signal`` and compute the prefix sums of ``z``, ``t z``, ``z^2``."""
        super(PrefixSumCost, self).fit(signal)
        y = self.signal_
        self.sd_ = float(self.sd) if self.sd is not None else second_difference_sd(y)
        self.center_ = float(np.median(y)) if y.size else 0.0
        z = (y - self.center_) / self.sd_
        t = np.arange(y.size, dtype=float)
        self.par_ = 1.0
        self.cs1_ = np.concatenate(([0.0], np.cumsum(z)))
        self.cs2_ = np.concatenate(([0.0], np.cumsum(t * z), [0.0], np.cumsum(z * z)))
        return self

    def fitted(self, bounds: np.ndarray) -> np.ndarray:
        """The fitted segment lines at every period, in the data's units."""
        y = self.signal_
        out = np.empty(y.size)
        for a, b in itertools.pairwise(bounds):
            out[a:b] = line_fit(y[a:b])[2]
        return out

    def neg2_loglik(self, bounds: np.ndarray) -> float:
        """Full Gaussian ``-2 log L`` at each segment's line with the common sd."""
        r = (self.signal_ - self.fitted(bounds)) / self.sd_
        return float(r @ r + r.size * np.log(2 * np.pi * self.sd_**2))

    def segment_rows(self, bounds: np.ndarray, level: float) -> pd.DataFrame:
        """Intercept at the segment start, slope per period and its confidence interval."""
        y = self.signal_
        zq = special.ndtri(0.5 + level / 2)
        rows = []
        for a, b in itertools.pairwise(bounds):
            seg = y[a:b]
            n = seg.size
            intercept, slope, _ = line_fit(seg)
            sxx = n * (n * n - 1.0) / 12.0
            half = zq * self.sd_ / math.sqrt(sxx) if n > 1 else math.inf
            rows.append((float(seg.mean()), intercept, slope, slope - half, slope + half, self.sd_))
        return pd.DataFrame(
            rows, columns=["mean", "intercept", "slope", "slope_ci_low", "slope_ci_high", "sd"]
        )

    def describe(self) -> str:
        """Name and the sd used."""
        return f"linear (slope change, sd = {self.sd_:.4g})"
