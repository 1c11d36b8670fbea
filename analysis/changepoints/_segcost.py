"""Compiled dispatch from a cost id to its segment cost, shared by every search.

Every search method works on prefix sums: ``cs1`` (sum of the data) and, for
the mean-and-variance cost, ``cs2`` (sum of squares), both of length ``n + 1``
with a leading zero, so the cost of the segment ``(a, b]`` (0-based positions
``a .. b-1``) is O(1). ``par`` is the cost's fixed parameter (the negative-
binomial size, or the variance floor); it is ignored by the other costs.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from analysis.changepoints import _cost_meanvar, _cost_negbin, _cost_normal, _cost_poisson

NORMAL = _cost_normal.COST_ID
POISSON = _cost_poisson.COST_ID
NEGBIN = _cost_negbin.COST_ID
MEANVAR = _cost_meanvar.COST_ID

_normal = _cost_normal.segment_cost
_poisson = _cost_poisson.segment_cost
_negbin = _cost_negbin.segment_cost
_meanvar = _cost_meanvar.segment_cost


@njit(cache=True, error_model="numpy")
def seg_cost(cid: int, cs1: np.ndarray, cs2: np.ndarray, par: float, a: int, b: int) -> float:
    """Cost of the segment ``(a, b]`` for cost ``cid``."""
    s = cs1[b] - cs1[a]
    n = float(b - a)
    if cid == 1:
        return _poisson(s, n)
    if cid == 0:
        return _normal(s, n)
    if cid == 2:
        return _negbin(s, n, par)
    return _meanvar(s, cs2[b] - cs2[a], n, par)


@njit(cache=True, error_model="numpy")
def segment_cost1(cid: int, s: float, n: float, par: float) -> float:
    """Cost of a segment with sum ``s`` and length ``n`` for the one-parameter costs."""
    if cid == 1:
        return _poisson(s, n)
    if cid == 0:
        return _normal(s, n)
    return _negbin(s, n, par)


@njit(cache=True, error_model="numpy")
def seg_costs_to(
    cid: int, cs1: np.ndarray, cs2: np.ndarray, par: float, starts: np.ndarray, b: int
) -> np.ndarray:
    """Vectorised :func:`seg_cost` for many starts and one end."""
    out = np.empty(starts.size)
    for i in range(starts.size):
        out[i] = seg_cost(cid, cs1, cs2, par, starts[i], b)
    return out


# --- the one-parameter costs in natural form, for functional pruning --------
# For the normal, Poisson and negative-binomial costs the cost of a segment with
# sum S and length n at parameter v is 2 [-S v + W G(v)], W = w1 S + w2 n, a
# convex function of v whose minimum is the segment cost above:
#   normal:  v = mean,     G = v^2 / 2,              W = n
#   poisson: v = log mean, G = exp(v),               W = n
#   negbin:  v = log mean, G = log1p(exp(v) / r),    W = S + n r


@njit(cache=True, error_model="numpy")
def g_value(cid: int, v: float, par: float) -> float:
    """``G(v)``; ``v = -inf`` (mean 0) gives 0."""
    if cid == 0:
        return 0.5 * v * v
    if cid == 1:
        return math.exp(v)
    return math.log1p(math.exp(v) / par)


@njit(cache=True, error_model="numpy")
def g_slope(cid: int, v: float, par: float) -> float:
    """``G'(v)``."""
    if cid == 0:
        return v
    if cid == 1:
        return math.exp(v)
    e = math.exp(v)
    return e / (par + e)


@njit(cache=True, error_model="numpy")
def weight(cid: int, s: float, n: float, par: float) -> float:
    """``W`` of a segment."""
    if cid == 2:
        return s + n * par
    return n


@njit(cache=True, error_model="numpy")
def link(cid: int, mean: float) -> float:
    """The parameter ``v`` at which a segment with this mean has its minimum."""
    if cid == 0:
        return mean
    if mean <= 0.0:
        return -np.inf
    return math.log(mean)
