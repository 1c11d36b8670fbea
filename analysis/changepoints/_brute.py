"""Optimal partitioning (Jackson et al. 2005): the O(n^2) dynamic programme.

The reference that every exact method is tested against; also usable for
short series. ``F(t) = min_{tau <= t - m} F(tau) + beta + C(tau, t)`` with
``F(0) = -beta``; ties go to the smallest ``tau``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from analysis.changepoints._segcost import seg_cost


@njit(cache=True)
def optimal_partitioning(
    cid: int, cs1: np.ndarray, cs2: np.ndarray, par: float, beta: float, m: int
) -> tuple[np.ndarray, float]:
    """Return ``(last, F_n)``: the last-change array and the optimal penalised cost."""
    n = cs1.size - 1
    f = np.full(n + 1, np.inf)
    f[0] = -beta
    last = np.zeros(n + 1, dtype=np.int64)
    for t in range(m, n + 1):
        best = np.inf
        arg = 0
        for tau in range(0, t - m + 1):
            if not np.isfinite(f[tau]):
                continue
            v = f[tau] + beta + seg_cost(cid, cs1, cs2, par, tau, t)
            if v < best:
                best = v
                arg = tau
        f[t] = best
        last[t] = arg
    return last, f[n]
