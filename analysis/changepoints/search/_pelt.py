"""PELT (Killick, Fearnhead and Eckley 2012): exact, for any cost.

The objective is ``sum of segment costs + beta * changes`` (plus, for R's
MBIC, ``lw * log(length)`` per segment). Pruning rule, made exact under a
minimum segment length ``m``: a candidate
``tau`` with ``F(tau) + C(tau, t) >= F(t)`` cannot be the last change of any
segmentation ending at ``T >= t + m`` (the cost must satisfy
``C(a, b) + C(b, c) <= C(a, c)``, as every built-in cost does), so it is
dropped from time ``t + m`` on. Linear in ``n`` when the number of changes
grows with ``n``; quadratic when changes are few, which is why the
one-parameter costs default to FPOP.
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
def _pelt(
    seg: Any,
    cs1: np.ndarray,
    cs2: np.ndarray,
    par: float,
    n: int,
    beta: float,
    m: int,
    lw: float,
    zero_rule: bool,
) -> tuple[np.ndarray, float]:
    f = np.full(n + 1, np.inf)
    f[0] = -beta
    # a per-segment lw * log(length) term breaks C(a,b) + C(b,c) <= C(a,c) by at
    # most lw * log(n / 4) (the largest log(b-a) + log(c-b) - log(c-a)): prune
    # only candidates that lose by more than that, which keeps the search exact
    slack = lw * np.log(max(n, 4) / 4.0) if lw > 0.0 else 0.0
    last = np.zeros(n + 1, dtype=np.int64)
    cand = np.empty(n + 1, dtype=np.int64)
    dead = np.empty(n + 1, dtype=np.int64)
    vals = np.empty(n + 1)
    k = 1
    cand[0] = 0
    dead[0] = n + m + 1
    for t in range(m, n + 1):
        s = t - m
        if s >= m:  # s becomes usable as the last change
            cand[k] = s
            dead[k] = n + m + 1
            k += 1
        best = np.inf
        arg = 0
        j = 0
        for i in range(k):  # drop the candidates whose death time has come
            if dead[i] <= t:
                continue
            cand[j] = cand[i]
            dead[j] = dead[i]
            j += 1
        k = j
        for i in range(k):
            tau = cand[i]
            v = f[tau] + beta + seg(cs1, cs2, par, tau, t)
            if lw > 0.0 and not (zero_rule and cs1[t] - cs1[tau] <= 0.0):
                v += lw * np.log(t - tau)
            vals[i] = v
            if v < best:
                best = v
                arg = tau
        f[t] = best
        last[t] = arg
        tol = 1e-10 * (abs(best) + 1.0)
        for i in range(k):
            if vals[i] - beta - slack > best + tol and dead[i] > t + m:
                dead[i] = t + m
    return last, f[n]


def pelt(
    cost: Cost, beta: float, m: int, length_weight: float = 0.0, zero_rule: bool = False
) -> tuple[np.ndarray, float]:
    """Return ``(last, F_n)``: the last-change array and the optimal penalised cost.

    ``length_weight`` adds ``length_weight * log(segment length)`` to every
    segment (R ``changepoint``'s MBIC), except, with ``zero_rule``, segments
    whose sum is 0 (R's Poisson MBIC cost); the pruning is loosened by the
    most that term can gain, so the answer stays the exact optimum.
    """
    if zero_rule and cost.kernel() is None:
        raise TypeError("the zero-sum rule of R's Poisson MBIC needs the built-in Poisson cost")
    last, fn = run(_pelt, cost, float(beta), int(m), float(length_weight), bool(zero_rule))
    return last, float(fn)


# --- cached entry points, one per built-in cost --------------------------------
# numba cannot cache a function that takes a compiled function as an argument
# (numba issue #6251), so ``_pelt`` itself is compiled in each process; these
# call it with each built-in cost's kernel as a global, and numba caches them
# (``search._common.compiled`` hands them out; a kernel not listed, such as a
# user's own, runs ``_pelt`` compiled in its process). Their machine code
# includes the body and the kernel of another file: the package's cache folder
# is keyed on all compiled sources (``analysis/_numba.py``).


@njit(cache=True)
def _pelt_poisson(cs1, cs2, par, n, beta, m, lw, zero_rule):
    return _pelt(poisson._segment_kernel, cs1, cs2, par, n, beta, m, lw, zero_rule)


@njit(cache=True)
def _pelt_negbin(cs1, cs2, par, n, beta, m, lw, zero_rule):
    return _pelt(negbin._segment_kernel, cs1, cs2, par, n, beta, m, lw, zero_rule)


@njit(cache=True)
def _pelt_normal(cs1, cs2, par, n, beta, m, lw, zero_rule):
    return _pelt(normal._segment_kernel, cs1, cs2, par, n, beta, m, lw, zero_rule)


@njit(cache=True)
def _pelt_normal_meanvar(cs1, cs2, par, n, beta, m, lw, zero_rule):
    return _pelt(normal_meanvar._segment_kernel, cs1, cs2, par, n, beta, m, lw, zero_rule)


@njit(cache=True)
def _pelt_linear(cs1, cs2, par, n, beta, m, lw, zero_rule):
    return _pelt(linear._segment_kernel, cs1, cs2, par, n, beta, m, lw, zero_rule)


@njit(cache=True)
def _pelt_poisson_weighted(cs1, cs2, par, n, beta, m, lw, zero_rule):
    return _pelt(poisson_weighted._segment_kernel, cs1, cs2, par, n, beta, m, lw, zero_rule)


#: ``(body, kernel) -> cached entry point`` (see ``search._common.compiled``)
ENTRIES: dict[tuple[Any, Any], Any] = {
    (_pelt, poisson._segment_kernel): _pelt_poisson,
    (_pelt, negbin._segment_kernel): _pelt_negbin,
    (_pelt, normal._segment_kernel): _pelt_normal,
    (_pelt, normal_meanvar._segment_kernel): _pelt_normal_meanvar,
    (_pelt, linear._segment_kernel): _pelt_linear,
    (_pelt, poisson_weighted._segment_kernel): _pelt_poisson_weighted,
}
