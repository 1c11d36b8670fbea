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
from collections.abc import Callable
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

Split = Callable[[int, int, int], tuple[int, float]]


@njit(cache=False)
def _best_split(
    seg: Any, cs1: np.ndarray, cs2: np.ndarray, par: float, a: int, b: int, m: int
) -> tuple[int, float]:
    whole = seg(cs1, cs2, par, a, b)
    best = -np.inf
    arg = -1
    for k in range(a + m, b - m + 1):
        g = whole - seg(cs1, cs2, par, a, k) - seg(cs1, cs2, par, k, b)
        if g > best:
            best = g
            arg = k
    return arg, best


@njit(cache=False)
def _all_splits(
    seg: Any, cs1: np.ndarray, cs2: np.ndarray, par: float, iv: np.ndarray, m: int
) -> tuple[np.ndarray, np.ndarray]:
    k = iv.shape[0]
    pos = np.full(k, -1, dtype=np.int64)
    gain = np.full(k, -np.inf)
    for i in range(k):
        if iv[i, 1] - iv[i, 0] >= 2 * m:
            pos[i], gain[i] = _best_split(seg, cs1, cs2, par, iv[i, 0], iv[i, 1], m)
    return pos, gain


def all_splits(cost: Cost, iv: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Best split position and gain in each interval ``(a, b]`` of ``iv`` (``-1``: none)."""
    k = cost.kernel()
    if k is not None:
        return compiled(_all_splits, k.cost)(k.cs1, k.cs2, k.par, iv, int(m))
    seg = python_segment(cost)
    pos = np.full(iv.shape[0], -1, dtype=np.int64)
    gain = np.full(iv.shape[0], -np.inf)
    for i in range(iv.shape[0]):
        if iv[i, 1] - iv[i, 0] >= 2 * m:
            pos[i], gain[i] = _best_split.py_func(seg, _NONE, _NONE, 0.0, iv[i, 0], iv[i, 1], m)
    return pos, gain


def splitter(cost: Cost) -> Split:
    """``split(a, b, m)``: best split ``k`` of ``(a, b]`` and its cost gain."""
    k = cost.kernel()
    if k is not None:
        f, cs1, cs2, par = compiled(_all_splits, k.cost), k.cs1, k.cs2, k.par

        def split(a: int, b: int, m: int) -> tuple[int, float]:
            # one interval through the cached all-intervals entry point
            pos, gain = f(cs1, cs2, par, np.array([[a, b]], dtype=np.int64), int(m))
            return int(pos[0]), float(gain[0])

        return split
    seg = python_segment(cost)

    def split_python(a: int, b: int, m: int) -> tuple[int, float]:
        arg, gain = _best_split.py_func(seg, _NONE, _NONE, 0.0, a, b, m)
        return int(arg), float(gain)

    return split_python


class SplitCache:
    """The best splits already found on one fitted cost: ``cache(a, b, m)`` is ``split(a, b, m)``.

    The best split of ``(a, b]`` depends on the data and the minimum segment
    size ``m`` only, not on the penalty, so binary segmentations of one cost
    at several penalties (the automatic choice for measurements runs two to
    seven) and the passes of :func:`refine` ask for many of the same
    intervals: each is computed once. With ``base_m``, a request with a
    larger ``m`` first takes the best split at ``base_m`` (itself kept for
    later): when that position is at least ``m`` from both ends it is also
    the first best position of the narrower range, with the same gain (the
    same numbers, compared the same way), so the pilot segmentation's splits
    (segments of at least 24) serve the final one (at least ``m``). The
    results are exactly those of :func:`splitter`; memory is a few numbers
    per interval.

    Examples
    --------
    >>> from analysis.changepoints.costs import NormalCost
    >>> y = np.r_[np.zeros(50), np.ones(50)] + np.tile([0.1, -0.1], 50)
    >>> cache = SplitCache(NormalCost(sd=0.1).fit(y), base_m=2)
    >>> cache(0, 100, 24) == cache(0, 100, 2) == splitter(cache.cost)(0, 100, 2)
    True
    """

    def __init__(self, cost: Cost, base_m: int | None = None) -> None:
        self.cost = cost
        self.base_m = base_m
        self._split = splitter(cost)
        self._done: dict[tuple[int, int, int], tuple[int, float]] = {}

    def __call__(self, a: int, b: int, m: int) -> tuple[int, float]:
        """Best split of ``(a, b]`` with segments of at least ``m``, and its gain."""
        key = (int(a), int(b), int(m))
        hit = self._done.get(key)
        if hit is not None:
            return hit
        base = self.base_m
        if base is not None and m > base and b - a >= 2 * base:
            k, gain = self(a, b, base)
            if a + m <= k <= b - m:
                self._done[key] = (k, gain)
                return k, gain
        out = self._split(a, b, m)
        self._done[key] = out
        return out


def binseg(
    cost: Cost,
    beta: float,
    m: int,
    max_changes: int | None = None,
    cache: SplitCache | None = None,
) -> list[int]:
    """Change positions (sorted) found by greedy binary segmentation.

    ``cache``: the best splits found by earlier segmentations of the same
    fitted cost (:class:`SplitCache`); the result is the same without it.
    """
    if cache is not None and cache.cost is not cost:
        raise ValueError("the split cache belongs to another cost object")
    split = cache if cache is not None else SplitCache(cost)
    n = cost.signal_.size
    heap: list[tuple[float, int, int, int]] = []

    def push(a: int, b: int) -> None:
        if b - a >= 2 * m:
            k, gain = split(a, b, m)
            if k > 0 and gain > beta:
                heapq.heappush(heap, (-gain, k, a, b))

    push(0, n)
    found: list[int] = []
    while heap and (max_changes is None or len(found) < max_changes):
        _, k, a, b = heapq.heappop(heap)
        found.append(k)
        push(a, k)
        push(k, b)
    return refine(split, n, sorted(found), m)


def refine(split: Split, n: int, changes: list[int], m: int) -> list[int]:
    """Move each change to its best position between its neighbours, until stable."""
    ch = list(changes)
    for _ in range(5):
        moved = False
        for j in range(len(ch)):
            a = ch[j - 1] if j > 0 else 0
            b = ch[j + 1] if j + 1 < len(ch) else n
            k, _ = split(a, b, m)
            if k > 0 and k != ch[j]:
                ch[j] = k
                moved = True
        if not moved:
            break
    return ch


# --- cached entry points, one per built-in cost --------------------------------
# numba cannot cache a function that takes a compiled function as an argument
# (numba issue #6251), so ``_all_splits`` itself is compiled in each process; these
# call it with each built-in cost's kernel as a global, and numba caches them
# (``search._common.compiled`` hands them out; a kernel not listed, such as a
# user's own, runs ``_all_splits`` compiled in its process). Their machine code
# includes the body and the kernel of another file: the package's cache folder
# is keyed on all compiled sources (``analysis/_numba.py``).


@njit(cache=True)
def _splits_poisson(cs1, cs2, par, iv, m):
    return _all_splits(poisson._segment_kernel, cs1, cs2, par, iv, m)


@njit(cache=True)
def _splits_negbin(cs1, cs2, par, iv, m):
    return _all_splits(negbin._segment_kernel, cs1, cs2, par, iv, m)


@njit(cache=True)
def _splits_normal(cs1, cs2, par, iv, m):
    return _all_splits(normal._segment_kernel, cs1, cs2, par, iv, m)


@njit(cache=True)
def _splits_normal_meanvar(cs1, cs2, par, iv, m):
    return _all_splits(normal_meanvar._segment_kernel, cs1, cs2, par, iv, m)


@njit(cache=True)
def _splits_linear(cs1, cs2, par, iv, m):
    return _all_splits(linear._segment_kernel, cs1, cs2, par, iv, m)


@njit(cache=True)
def _splits_poisson_weighted(cs1, cs2, par, iv, m):
    return _all_splits(poisson_weighted._segment_kernel, cs1, cs2, par, iv, m)


#: ``(body, kernel) -> cached entry point`` (see ``search._common.compiled``)
ENTRIES: dict[tuple[Any, Any], Any] = {
    (_all_splits, poisson._segment_kernel): _splits_poisson,
    (_all_splits, negbin._segment_kernel): _splits_negbin,
    (_all_splits, normal._segment_kernel): _splits_normal,
    (_all_splits, normal_meanvar._segment_kernel): _splits_normal_meanvar,
    (_all_splits, linear._segment_kernel): _splits_linear,
    (_all_splits, poisson_weighted._segment_kernel): _splits_poisson_weighted,
}
