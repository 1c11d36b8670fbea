"""Segment neighbourhood (Auger and Lawrence 1989): the best segmentation with at most K changes.

``F[k][t]``, the best cost of ``y[:t]`` in ``k + 1`` segments, for every
``k <= k_max``; the answer minimises ``F[k][n] + k * beta``. O(k_max n^2)
work, vectorised over segment starts with the cost's ``errors``; used for
moderate ``n * k_max``. Hand-written because the penalty path alone skips
numbers of changes that are not on its convex hull, and no library we depend
on offers it for these costs. Works with any cost.
"""

from __future__ import annotations

import numpy as np

from analysis.changepoints.costs._base import Cost


def at_most_k(cost: Cost, beta: float, m: int, k_max: int) -> tuple[list[int], float]:
    """Exact penalised segmentation with at most ``k_max`` changes: ``(changes, cost)``."""
    n = cost.signal_.size
    f = np.full((k_max + 1, n + 1), np.inf)
    arg = np.zeros((k_max + 1, n + 1), dtype=np.int64)
    ends = np.arange(m, n + 1)
    f[0, ends] = [cost.error(0, int(t)) for t in ends]
    for k in range(1, k_max + 1):
        for t in range((k + 1) * m, n + 1):
            starts = np.arange(k * m, t - m + 1)
            vals = f[k - 1, starts] + cost.errors(starts, t)
            j = int(np.argmin(vals))
            f[k, t] = vals[j]
            arg[k, t] = starts[j]
    totals = f[:, n] + beta * np.arange(k_max + 1)
    k = int(np.argmin(totals))
    changes: list[int] = []
    t = n
    for kk in range(k, 0, -1):
        t = int(arg[kk, t])
        changes.append(t)
    changes.reverse()
    return changes, float(f[k, n])
