"""Seeded binary segmentation (Kovács, Li, Bühlmann and Munk 2023), for any cost.

Best splits are computed on a fixed, deterministic set of "seeded" intervals
(lengths ``n * decay^k``, each layer covering the series with overlapping
intervals), which costs O(n log n) however many changes there are; changes are
then selected greedily: the largest gain above the penalty first, discarding
intervals that contain an accepted change, refined as in
:func:`~analysis.changepoints.search._binseg.refine`, and pruned (:func:`prune`):
a change whose gain between its final neighbours is below the penalty is
dropped. Approximate.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from analysis.changepoints.costs._base import Cost
from analysis.changepoints.search._binseg import Split, all_splits, refine, splitter


def seeded_intervals(n: int, m: int, decay: float = 1 / math.sqrt(2)) -> np.ndarray:
    """Seeded intervals ``(a, b]`` as a ``(k, 2)`` integer array.

    Examples
    --------
    >>> seeded_intervals(8, 2).tolist()
    [[0, 6], [0, 8], [1, 7], [2, 8]]
    """
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


def seeded_binseg(cost: Cost, beta: float, m: int, max_changes: int | None = None) -> list[int]:
    """Change positions (sorted) found by seeded binary segmentation."""
    n = cost.signal_.size
    split = splitter(cost)
    iv = seeded_intervals(n, m)
    pos, gain = all_splits(cost, iv, m)
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
    return prune(cost, beta, refine(split, n, sorted(found), m), m, split)


def prune(
    cost: Cost, beta: float, changes: list[int], m: int, split: Split | None = None
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
    n = cost.signal_.size
    split = split or splitter(cost)
    ch = list(changes)
    error: Callable[[int, int], float] = cost.error

    while ch:
        b = [0, *ch, n]
        best, drop = 0.0, (-1, 0)
        for j in range(len(ch)):
            for w in (1, 2):  # drop ch[j], or ch[j] and ch[j + 1]
                if j + w > len(ch):
                    continue
                parts = sum(error(b[i], b[i + 1]) for i in range(j, j + w + 1))
                saving = w * beta - (error(b[j], b[j + w + 1]) - parts)
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
                k, _ = split(lo, hi, m)
                if k > 0:
                    ch[i] = k
    return ch
