"""Optimal partitioning (Jackson et al. 2005): the O(n^2) dynamic programme.

The reference that every exact method is tested against; also usable for
short series. ``F(t) = min_{tau <= t - m} F(tau) + beta + C(tau, t)`` with
``F(0) = -beta``; ties go to the smallest ``tau``. Works with any cost.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis._numba import njit
from analysis.changepoints.costs._base import Cost
from analysis.changepoints.search._common import run


@njit(cache=False)
def _op(
    seg: Any, cs1: np.ndarray, cs2: np.ndarray, par: float, n: int, beta: float, m: int
) -> tuple[np.ndarray, float]:
    f = np.full(n + 1, np.inf)
    f[0] = -beta
    last = np.zeros(n + 1, dtype=np.int64)
    for t in range(m, n + 1):
        best = np.inf
        arg = 0
        for tau in range(0, t - m + 1):
            if not np.isfinite(f[tau]):
                continue
            v = f[tau] + beta + seg(cs1, cs2, par, tau, t)
            if v < best:
                best = v
                arg = tau
        f[t] = best
        last[t] = arg
    return last, f[n]


def optimal_partitioning(cost: Cost, beta: float, m: int) -> tuple[np.ndarray, float]:
    """Return ``(last, F_n)``: the last-change array and the optimal penalised cost."""
    last, fn = run(_op, cost, float(beta), int(m))
    return last, float(fn)
