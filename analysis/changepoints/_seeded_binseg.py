"""Seeded binary segmentation (Kovács, Li, Bühlmann and Munk 2023).

Best splits are computed on a fixed, deterministic set of "seeded" intervals
(lengths ``n * decay^k``, each layer covering the series with overlapping
intervals), which costs O(n log n) however many changes there are; changes are
then selected greedily: the largest gain above the penalty first, discarding
intervals that contain an accepted change, refined as in
:func:`~analysis.changepoints._binseg.refine`, and pruned (:func:`prune`):
a change whose gain between its final neighbours is below the penalty is
dropped. Approximate.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from analysis.changepoints._binseg import best_split, refine
from analysis.changepoints._segcost import seg_cost


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
    return prune(cid, cs1, cs2, par, beta, refine(cid, cs1, cs2, par, sorted(found), m), m)


def prune(
    cid: int,
    cs1: np.ndarray,
    cs2: np.ndarray,
    par: float,
    beta: float,
    changes: list[int],
    m: int,
) -> list[int]:
    """Drop changes that do not pay their penalty in the final segmentation.

    A change is accepted for its gain inside one seeded interval, which can be
    much shorter than the segment it ends up in; measured between its final
    neighbours its gain can be below ``beta``. Two neighbouring changes can
    also be worth less than ``2 beta`` together while each is worth more than
    ``beta`` alone (with the mean-and-variance cost, the two ends of a short
    run of tied values). While removing one change, or two neighbouring
    ones, lowers the penalised cost, the removal that lowers it most is made
    and the changes on either side of the gap are moved to their best
    positions, so the result is never worse than before pruning.
    """
    n = cs1.size - 1
    ch = list(changes)

    def cost(a: int, b: int) -> float:
        return float(seg_cost(cid, cs1, cs2, par, a, b))

    while ch:
        b = [0, *ch, n]
        best, drop = 0.0, (-1, 0)
        for j in range(len(ch)):
            for w in (1, 2):  # drop ch[j], or ch[j] and ch[j + 1]
                if j + w > len(ch):
                    continue
                parts = sum(cost(b[i], b[i + 1]) for i in range(j, j + w + 1))
                saving = w * beta - (cost(b[j], b[j + w + 1]) - parts)
                if saving > best:
                    best, drop = saving, (j, w)
        if drop[0] < 0:
            break
        j = drop[0]
        del ch[j : j + drop[1]]
        # re-place the two changes around the gap; the rest are unaffected
        for i in (j - 1, j):
            if 0 <= i < len(ch):
                lo = ch[i - 1] if i > 0 else 0
                hi = ch[i + 1] if i + 1 < len(ch) else n
                k, _ = best_split(cid, cs1, cs2, par, lo, hi, m)
                if k > 0:
                    ch[i] = k
    return ch
