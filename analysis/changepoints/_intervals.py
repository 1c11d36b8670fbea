"""Location intervals for change points from the profile likelihood.

For change ``j`` with neighbours ``c_{j-1}`` and ``c_{j+1}`` held fixed, the
cost of putting it at ``k`` is ``C(c_{j-1}, k) + C(k, c_{j+1})`` (segment
parameters at their maximum-likelihood values). The weights
``exp(-cost(k) / 2)``, normalised over the allowed ``k``, are the profile
likelihood of the location (the posterior under a flat prior if the segment
parameters were known); the interval is their equal-tailed ``level`` range.
O(n) in total. Its coverage was checked by simulation (see the tests).
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
        c = profile(cid, cs1, cs2, par, a, b, m)
        w = np.exp(-(c - c.min()) / 2.0)
        cw = np.cumsum(w)
        cw /= cw[-1]
        lo = int(np.searchsorted(cw, tail, side="left"))
        hi = int(np.searchsorted(cw, 1.0 - tail, side="left"))
        hi = min(hi, c.size - 1)
        out[j] = (a + m + lo, a + m + hi)
    return out
