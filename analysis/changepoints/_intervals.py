"""Location intervals for change points from the profile likelihood.

For change ``j`` with neighbours ``c_{j-1}`` and ``c_{j+1}`` held fixed, the
cost of putting it at ``k`` is ``C(c_{j-1}, k) + C(k, c_{j+1})`` (segment
parameters at their maximum-likelihood values). The weights
``exp(-cost(k) / 2)``, normalised over the allowed ``k``, are the profile
likelihood of the location (the posterior under a flat prior if the segment
parameters were known); the interval is their equal-tailed ``level`` range.
O(n) in total. Its coverage was checked by simulation (see the tests).
Positions whose weight underflows to exactly zero (cost more than 2000 above
the minimum) are left out of the exponential and the cumulative sum, which
does not change the result.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from analysis.changepoints._segcost import seg_cost


@njit(cache=True)
def profile(
    cid: int, cs1: np.ndarray, cs2: np.ndarray, par: float, a: int, b: int, m: int
) -> np.ndarray:
    """Cost of a single change at each ``k`` in ``[a + m, b - m]`` within ``(a, b]``."""
    out = np.empty(b - a - 2 * m + 1)
    for i in range(out.size):
        k = a + m + i
        out[i] = seg_cost(cid, cs1, cs2, par, a, k) + seg_cost(cid, cs1, cs2, par, k, b)
    return out


def location_intervals(
    cid: int,
    cs1: np.ndarray,
    cs2: np.ndarray,
    par: float,
    changes: list[int],
    m: int,
    level: float,
) -> np.ndarray:
    """``(k, 2)`` array of first and last plausible positions of each change."""
    n = cs1.size - 1
    bounds = [0, *changes, n]
    out = np.empty((len(changes), 2), dtype=np.int64)
    tail = (1.0 - level) / 2.0
    for j in range(len(changes)):
        a, b = bounds[j], bounds[j + 2]
        x, first, last = _log_weights(cid, cs1, cs2, par, a, b, m)
        # exp by numpy (as before), then the equal-tailed positions
        lo, hi = _quantiles(np.exp(x[first : last + 1]), tail)
        hi = min(first + hi, x.size - 1)
        out[j] = (a + m + first + lo, a + m + hi)
    return out


@njit(cache=True)
def _log_weights(
    cid: int, cs1: np.ndarray, cs2: np.ndarray, par: float, a: int, b: int, m: int
) -> tuple[np.ndarray, int, int]:
    # -(cost - min cost) / 2 at each position, and the first and last position
    # whose weight exp(.) is not exactly zero (an argument below -1000 gives 0)
    x = profile(cid, cs1, cs2, par, a, b, m)
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
