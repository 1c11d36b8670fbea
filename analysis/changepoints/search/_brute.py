"""Optimal partitioning (Jackson et al. 2005): the O(n^2) dynamic programme.

The reference that every exact method is tested against; also usable for
short series. ``F(t) = min_{tau <= t - m} F(tau) + beta + C(tau, t)`` with
``F(0) = -beta``; ties go to the smallest ``tau``. Works with any cost.
"""

from __future__ import annotations

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


# --- cached entry points, one per built-in cost --------------------------------
# numba cannot cache a function that takes a compiled function as an argument
# (numba issue #6251), so ``_op`` itself is compiled in each process; these
# call it with each built-in cost's kernel as a global, and numba caches them
# (``search._common.compiled`` hands them out; a kernel not listed, such as a
# user's own, runs ``_op`` compiled in its process). Their machine code
# includes the body and the kernel of another file: the package's cache folder
# is keyed on all compiled sources (``analysis/_numba.py``).


@njit(cache=True)
def _op_poisson(cs1, cs2, par, n, beta, m):
    return _op(poisson._segment_kernel, cs1, cs2, par, n, beta, m)


@njit(cache=True)
def _op_negbin(cs1, cs2, par, n, beta, m):
    return _op(negbin._segment_kernel, cs1, cs2, par, n, beta, m)


@njit(cache=True)
def _op_normal(cs1, cs2, par, n, beta, m):
    return _op(normal._segment_kernel, cs1, cs2, par, n, beta, m)


@njit(cache=True)
def _op_normal_meanvar(cs1, cs2, par, n, beta, m):
    return _op(normal_meanvar._segment_kernel, cs1, cs2, par, n, beta, m)


@njit(cache=True)
def _op_linear(cs1, cs2, par, n, beta, m):
    return _op(linear._segment_kernel, cs1, cs2, par, n, beta, m)


@njit(cache=True)
def _op_poisson_weighted(cs1, cs2, par, n, beta, m):
    return _op(poisson_weighted._segment_kernel, cs1, cs2, par, n, beta, m)


#: ``(body, kernel) -> cached entry point`` (see ``search._common.compiled``)
ENTRIES: dict[tuple[Any, Any], Any] = {
    (_op, poisson._segment_kernel): _op_poisson,
    (_op, negbin._segment_kernel): _op_negbin,
    (_op, normal._segment_kernel): _op_normal,
    (_op, normal_meanvar._segment_kernel): _op_normal_meanvar,
    (_op, linear._segment_kernel): _op_linear,
    (_op, poisson_weighted._segment_kernel): _op_poisson_weighted,
}
