"""Binary segmentation (Scott and Knott 1974) with a penalty, for any cost.

Greedy and approximate: split the segment whose best split lowers the cost
most, while the gain exceeds the penalty. O(n log n) for a few changes. The
changes found are then refined: each is moved to its best position between
its two neighbours (profile likelihood), which fixes the small location
errors that greedy splitting makes when later changes are found; repeated
until no change moves (at most 5 passes), so the result is a local optimum
of the penalised cost for its number of changes.
"""

from __future__ import annotations

import heapq

import numpy as np
from numba import njit

from analysis.changepoints._segcost import seg_cost


@njit(cache=True)
def best_split(
    cid: int, cs1: np.ndarray, cs2: np.ndarray, par: float, a: int, b: int, m: int
) -> tuple[int, float]:
    """Best split ``k`` of ``(a, b]`` into ``(a, k]`` and ``(k, b]`` and its cost gain."""
    whole = seg_cost(cid, cs1, cs2, par, a, b)
    best = -np.inf
    arg = -1
    for k in range(a + m, b - m + 1):
        g = whole - seg_cost(cid, cs1, cs2, par, a, k) - seg_cost(cid, cs1, cs2, par, k, b)
        if g > best:
            best = g
            arg = k
    return arg, best


def binseg(
    cid: int,
    cs1: np.ndarray,
    cs2: np.ndarray,
    par: float,
    beta: float,
    m: int,
    max_changes: int | None = None,
) -> list[int]:
    """Change positions (sorted) found by greedy binary segmentation."""
    n = cs1.size - 1
    heap: list[tuple[float, int, int, int]] = []

    def push(a: int, b: int) -> None:
        if b - a >= 2 * m:
            k, gain = best_split(cid, cs1, cs2, par, a, b, m)
            if k > 0 and gain > beta:
                heapq.heappush(heap, (-gain, k, a, b))

    push(0, n)
    found: list[int] = []
    while heap and (max_changes is None or len(found) < max_changes):
        _, k, a, b = heapq.heappop(heap)
        found.append(k)
        push(a, k)
        push(k, b)
    return refine(cid, cs1, cs2, par, sorted(found), m)


def refine(
    cid: int, cs1: np.ndarray, cs2: np.ndarray, par: float, changes: list[int], m: int
) -> list[int]:
    """Move each change to its best position between its neighbours, until stable."""
    n = cs1.size - 1
    ch = list(changes)
    for _ in range(5):
        moved = False
        for j in range(len(ch)):
            a = ch[j - 1] if j > 0 else 0
            b = ch[j + 1] if j + 1 < len(ch) else n
            k, _ = best_split(cid, cs1, cs2, par, a, b, m)
            if k > 0 and k != ch[j]:
                ch[j] = k
                moved = True
        if not moved:
            break
    return ch
