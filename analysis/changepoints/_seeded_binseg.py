"""Seeded binary segmentation (Kovács, Li, Bühlmann and Munk 2023).

Best splits are computed on a fixed, deterministic set of "seeded" intervals
(lengths ``n * decay^k``, each layer covering the series with overlapping
intervals), which costs O(n log n) however many changes there are; changes are
then selected greedily: the largest gain above the penalty first, discarding
intervals that contain an accepted change, and refined as in
:func:`~analysis.changepoints._binseg.refine`. Approximate.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from analysis.changepoints._binseg import best_split, refine


def seeded_intervals(n: int, m: int, decay: float = 1 / math.sqrt(2)) -> np.ndarray:
    """Seeded intervals ``(a, b]`` as a ``(k, 2)`` integer array."""
    out = [(0, n)]
    depth = 1
    while True:
        length = n * decay**depth
        if length < 2 * m:
            break
        count = 2 * math.ceil((1 / decay) ** depth) - 1
        shift = (n - length) / (count - 1)
        for i in range(count):
            a = round(i * shift)
            out.append((a, min(n, round(a + length))))
        depth += 1
    return np.unique(np.array(out, dtype=np.int64), axis=0)


@njit(cache=True)
def _all_splits(
    cid: int, cs1: np.ndarray, cs2: np.ndarray, par: float, iv: np.ndarray, m: int
) -> tuple[np.ndarray, np.ndarray]:
    k = iv.shape[0]
    pos = np.full(k, -1, dtype=np.int64)
    gain = np.full(k, -np.inf)
    for i in range(k):
        if iv[i, 1] - iv[i, 0] >= 2 * m:
            pos[i], gain[i] = best_split(cid, cs1, cs2, par, iv[i, 0], iv[i, 1], m)
    return pos, gain


def seeded_binseg(
    cid: int,
    cs1: np.ndarray,
    cs2: np.ndarray,
    par: float,
    beta: float,
    m: int,
    max_changes: int | None = None,
) -> list[int]:
    """Change positions (sorted) found by seeded binary segmentation."""
    n = cs1.size - 1
    iv = seeded_intervals(n, m)
    pos, gain = _all_splits(cid, cs1, cs2, par, iv, m)
    alive = (gain > beta) & (pos > 0)
    found: list[int] = []
    order = np.argsort(-gain, kind="stable")
    for i in order:
        if not alive[i]:
            continue
        if max_changes is not None and len(found) >= max_changes:
            break
        k = int(pos[i])
        if all(abs(k - c) >= m for c in found):
            found.append(k)
            alive &= ~((iv[:, 0] < k) & (iv[:, 1] > k))
    return refine(cid, cs1, cs2, par, sorted(found), m)
