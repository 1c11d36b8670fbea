"""Location intervals of change points from the profile likelihood, for any cost.

For change ``j`` with neighbours ``c_{j-1}`` and ``c_{j+1}`` held fixed, the
cost of putting it at ``k`` is ``C(c_{j-1}, k) + C(k, c_{j+1})`` (segment
parameters at their maximum-likelihood values). The weights
``exp(-cost(k) / 2)``, normalised over the allowed ``k``, are the profile
likelihood of the location (the posterior under a flat prior if the segment
parameters were known); the interval is their equal-tailed ``level`` range.
A cost's quasi-likelihood scale (``Cost.scale_``, the design effect of
overdispersed or dependent counts) divides the costs first, which widens the
interval as the extra variance requires. It is a likelihood interval for the
location, not a confidence interval in the strict sense (the segment
parameters are profiled, and the changes were selected on the same data);
its frequentist coverage for a single change was checked by simulation (see
the tests). O(n) in total.
Positions whose weight underflows to exactly zero (cost more than 2000 above
the minimum) are left out of the exponential and the cumulative sum, which
does not change the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis._numba import njit
from analysis.changepoints.costs import (
    linear,
    negbin,
    normal,
    normal_meanvar,
    poisson,
    poisson_weighted,
)
from analysis.changepoints.costs._base import Cost
from analysis.changepoints.search._common import _NONE, compiled, python_segment

__all__ = ["change_strength", "location_intervals", "location_weights"]


@njit(cache=False)
def _profile(
    seg: Any, cs1: np.ndarray, cs2: np.ndarray, par: float, a: int, b: int, m: int
) -> np.ndarray:
    # cost of a single change at each k in [a + m, b - m] within (a, b]
    out = np.empty(b - a - 2 * m + 1)
    for i in range(out.size):
        k = a + m + i
        out[i] = seg(cs1, cs2, par, a, k) + seg(cs1, cs2, par, k, b)
    return out


def location_intervals(
    cost: Cost, changes: list[int], m: int, level: float, scale: float | None = None
) -> np.ndarray:
    """``(k, 2)`` array of first and last plausible positions of each change.

    ``cost`` is fitted; ``changes`` are the 0-based positions of the first
    point of each new segment, ``m`` the minimum segment length; ``scale``
    divides the costs (default the cost's ``scale_``; larger when it allows
    for the sampling error of an estimated design effect).

    Examples
    --------
    >>> from analysis.changepoints import PoissonCost
    >>> y = np.r_[np.zeros(20), np.full(20, 30.0)]
    >>> location_intervals(PoissonCost().fit(y), [20], 2, 0.95).tolist()
    [[20, 20]]
    """
    k = cost.kernel()
    n = cost.signal_.size
    if k is not None:
        f, cs1, cs2, par = compiled(_profile, k.cost), k.cs1, k.cs2, k.par

        def profile(a: int, b: int) -> np.ndarray:
            return np.asarray(f(cs1, cs2, par, a, b, m))
    else:
        seg = python_segment(cost)

        def profile(a: int, b: int) -> np.ndarray:
            return np.asarray(_profile.py_func(seg, _NONE, _NONE, 0.0, a, b, m), dtype=float)

    bounds = [0, *changes, n]
    out = np.empty((len(changes), 2), dtype=np.int64)
    tail = (1.0 - level) / 2.0
    divide = float(getattr(cost, "scale_", 1.0) if scale is None else scale)
    for j in range(len(changes)):
        a, b = bounds[j], bounds[j + 2]
        x, first, last = _log_weights(profile(a, b) / divide)
        # exp by numpy (as before), then the equal-tailed positions
        lo, hi = _quantiles(np.exp(x[first : last + 1]), tail)
        hi = min(first + hi, x.size - 1)
        out[j] = (a + m + first + lo, a + m + hi)
    return out


@njit(cache=True)
def _log_weights(x: np.ndarray) -> tuple[np.ndarray, int, int]:
    # -(cost - min cost) / 2 at each position (in place), and the first and last
    # position whose weight exp(.) is not exactly zero (below -1000 gives 0)
    cmin = x.min()
    first = x.size
    last = -1
    for i in range(x.size):
        x[i] = -(x[i] - cmin) / 2.0
        if x[i] >= -1000.0:
            last = i
            if first == x.size:
                first = i
    return x, first, last


@njit(cache=True)
def _quantiles(w: np.ndarray, tail: float) -> tuple[int, int]:
    # first positions where the normalised cumulative sum of ``w`` reaches
    # ``tail`` and ``1 - tail`` (as numpy's cumsum and searchsorted would)
    cw = np.empty(w.size)
    acc = 0.0
    for i in range(w.size):
        acc += w[i]
        cw[i] = acc
    total = cw[-1]
    lo = w.size
    hi = w.size
    for i in range(w.size):
        q = cw[i] / total
        if lo == w.size and q >= tail:
            lo = i
        if q >= 1.0 - tail:
            hi = i
            break
    return lo, hi


def change_strength(cost: Cost, changes: list[int], m: int) -> np.ndarray:
    """Likelihood-ratio statistic of each change given its neighbours (scaled units).

    ``(C(a, b) - min_k [C(a, k) + C(k, b)]) / scale``: how much the change
    lowers the cost of the segment from its left to its right neighbour,
    divided by the cost's quasi-likelihood scale. A change selected with a
    statistic near the penalty (over the same scale) was chosen because the
    noise happened to favour it: its segments' rates are pulled apart.

    Examples
    --------
    >>> from analysis.changepoints import PoissonCost
    >>> y = np.r_[np.full(20, 2.0), np.full(20, 8.0)]
    >>> bool(change_strength(PoissonCost().fit(y), [20], 2)[0] > 50)
    True
    """
    n = cost.signal_.size
    bounds = [0, *changes, n]
    scale = getattr(cost, "scale_", 1.0)
    out = np.empty(len(changes))
    for j in range(len(changes)):
        a, k, b = bounds[j], bounds[j + 1], bounds[j + 2]
        whole = cost.error(a, b)
        out[j] = (whole - cost.error(a, k) - cost.error(k, b)) / scale
    return out


def location_weights(
    cost: Cost, changes: list[int], j: int, m: int
) -> tuple[np.ndarray, np.ndarray]:
    """Positions and normalised profile-likelihood weights of change ``j`` given its neighbours.

    The weights behind :func:`location_intervals` (costs over the cost's
    quasi-likelihood scale), without the positions whose weight underflows.

    Examples
    --------
    >>> from analysis.changepoints import PoissonCost
    >>> y = np.r_[np.zeros(20), np.full(20, 30.0)]
    >>> k, w = location_weights(PoissonCost().fit(y), [20], 0, 2)
    >>> k[np.argmax(w)], round(float(w.sum()), 6)
    (np.int64(20), 1.0)
    """
    n = cost.signal_.size
    bounds = [0, *changes, n]
    a, b = bounds[j], bounds[j + 2]
    ks = np.arange(a + m, b - m + 1)
    prof = np.array([cost.error(a, int(k)) + cost.error(int(k), b) for k in ks])
    x = -(prof - prof.min()) / (2.0 * getattr(cost, "scale_", 1.0))
    keep = x >= -30.0
    w = np.exp(x[keep])
    return ks[keep], w / w.sum()


# --- cached entry points, one per built-in cost --------------------------------
# numba cannot cache a function that takes a compiled function as an argument
# (numba issue #6251), so ``_profile`` itself is compiled in each process; these
# call it with each built-in cost's kernel as a global, and numba caches them
# (``search._common.compiled`` hands them out; a kernel not listed, such as a
# user's own, runs ``_profile`` compiled in its process). Their machine code
# includes the body and the kernel of another file: the package's cache folder
# is keyed on all compiled sources (``analysis/_numba.py``).


@njit(cache=True)
def _profile_poisson(cs1, cs2, par, a, b, m):
    return _profile(poisson._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_negbin(cs1, cs2, par, a, b, m):
    return _profile(negbin._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_normal(cs1, cs2, par, a, b, m):
    return _profile(normal._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_normal_meanvar(cs1, cs2, par, a, b, m):
    return _profile(normal_meanvar._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_linear(cs1, cs2, par, a, b, m):
    return _profile(linear._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_poisson_weighted(cs1, cs2, par, a, b, m):
    return _profile(poisson_weighted._segment_kernel, cs1, cs2, par, a, b, m)


#: ``(body, kernel) -> cached entry point`` (see ``search._common.compiled``)
ENTRIES: dict[tuple[Any, Any], Any] = {
    (_profile, poisson._segment_kernel): _profile_poisson,
    (_profile, negbin._segment_kernel): _profile_negbin,
    (_profile, normal._segment_kernel): _profile_normal,
    (_profile, normal_meanvar._segment_kernel): _profile_normal_meanvar,
    (_profile, linear._segment_kernel): _profile_linear,
    (_profile, poisson_weighted._segment_kernel): _profile_poisson_weighted,
}
