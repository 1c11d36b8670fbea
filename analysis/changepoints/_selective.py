"""Segment-rate intervals and jump ratios that account for the selection of the changes.

A change is kept by an exact search only if it pays for its penalty: merging
two neighbouring segments must not lower cost + penalty, so for every
detected change between segments ``j`` and ``j + 1``

    T_j = (C(merged) - C(j) - C(j + 1)) / D >= b,          b = penalty / D,

with ``C`` the Poisson ``-2 log L`` and ``D`` the quasi-likelihood scale (the
long-run design effect). A weak change is therefore seen only when the noise
pushed the two rates apart: the naive rates are biased apart (a true x1.5
jump 30 days from an end is read as x1.7 on average) and their intervals
cover less than stated (0.83-0.89 for the short segment, SIMULATED).

What is done (selective inference, in the spirit of the truncated-likelihood
intervals of Fithian, Sun and Taylor 2014 and, for change points, Jewell,
Fearnhead and Witten 2022): the interval of segment ``j``'s rate is computed
**conditional on the sums of its neighbouring segments, on the boundaries,
and on the selection event** ``T >= b`` of each change next to it. Given its
neighbours' sums, the scaled count ``Q = S_j / D`` of segment ``j`` is Poisson
with mean ``mu = lambda e_j / D`` (``e_j`` the segment's exposure: its length,
or the sum of its seasonal factors), truncated to the set ``A`` where every
adjacent change passes its threshold; ``T`` is convex in ``Q`` with minimum
0 where segment ``j`` has its neighbour's rate, so each condition keeps
``Q <= L`` or ``Q >= U`` and ``A`` is a union of intervals. The ``level``
interval for ``mu`` inverts the two one-sided tests of the truncated law
(its tail probabilities are monotone in ``mu``, a truncated exponential
family), which without truncation is exactly the Garwood interval the cost
gives (:meth:`PoissonCost.segment_rows`); non-integer ``Q`` use the
incomplete-gamma extension of the Poisson distribution function, as that
interval does. The selection-adjusted rate is the conditional maximum-
likelihood estimate, which solves ``E[Q | Q in A; mu] = Q``.

What it does not condition on: the choice of the location among the
neighbouring positions, and (for ``penalty="mbic"``) the log-length terms of
the objective. The validation study measures the coverage that results,
with the estimand stated there: the mean true rate over the days of the
estimated segment, given the segmentation chosen from the same data.

Why by hand: scipy has the incomplete gamma functions (used here) but no
truncated Poisson family; the few lines that combine them are here. The
roots are found by bisection (:func:`_bisect`), not ``scipy.optimize.brentq``:
importing ``scipy.optimize`` takes about half a second, which every first
change-point call in a fresh process would pay (the target is a first call
under one second), and a bracketed monotone root to ``1e-10`` takes at most
a hundred halvings of a few microseconds each.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import special

__all__ = ["merge_statistic", "selection_set", "selective_rates"]

#: a truncation whose excluded probability stays below this leaves the Garwood interval
NEGLIGIBLE = 1e-9
#: a probability below this is treated as underflow
TINY = 1e-280
#: the search for a limit stops at exp(+-LOG_LIMIT)
LOG_LIMIT = 700.0


def _bisect(
    f: Callable[[float], float], a: float, b: float, xtol: float, rtol: float = 1e-12
) -> float:
    """A root of ``f`` in ``[a, b]``, where ``f(a)`` and ``f(b)`` differ in sign (or one is 0).

    Halves the bracket until it is narrower than ``xtol + rtol * |x|`` (the
    tolerance of ``scipy.optimize.brentq``); returns its midpoint.

    Examples
    --------
    >>> round(_bisect(lambda x: x * x - 2.0, 0.0, 2.0, 1e-12), 10)
    1.4142135624
    """
    fa = f(a)
    if fa == 0:
        return a
    fb = f(b)
    if fb == 0:
        return b
    if (fa < 0) == (fb < 0):
        raise ValueError(f"f does not change sign on [{a}, {b}]")
    for _ in range(200):
        m = 0.5 * (a + b)
        if b - a <= 2.0 * (xtol + rtol * abs(m)) or m in (a, b):
            return m
        fm = f(m)
        if fm == 0:
            return m
        if (fm < 0) == (fa < 0):
            a, fa = m, fm
        else:
            b = m
    return 0.5 * (a + b)


def merge_statistic(q1: float, e1: float, q2: float, e2: float) -> float:
    """``-2 log`` likelihood ratio of one Poisson rate against two (counts ``q``, exposures ``e``).

    Examples
    --------
    >>> round(merge_statistic(10.0, 10.0, 10.0, 10.0), 12)
    0.0
    >>> bool(merge_statistic(10.0, 10.0, 40.0, 10.0) > 10)
    True
    """

    def xlogx(q: float, e: float) -> float:
        return q * math.log(q / e) if q > 0 else 0.0

    return 2.0 * (xlogx(q1, e1) + xlogx(q2, e2) - xlogx(q1 + q2, e1 + e2))


def _keep_set(q2: float, e1: float, e2: float, b: float) -> tuple[float, float]:
    """``(L, U)``: segment 1 passes ``T(q, q2) >= b`` exactly for ``q <= L`` or ``q >= U``.

    ``L = -1`` when no value below the neighbour's rate passes.
    """
    centre = e1 * q2 / e2  # T = 0 here (the same rate on both sides)

    def t(q: float) -> float:
        return merge_statistic(q, e1, q2, e2) - b

    hi = max(centre, 1.0)
    while t(hi) < 0:
        hi *= 2.0
    upper = _bisect(t, centre, hi, xtol=1e-10, rtol=1e-12) if hi > centre else centre
    lower = -1.0
    if centre > 0 and t(0.0) >= 0:
        lower = _bisect(t, 0.0, centre, xtol=1e-10, rtol=1e-12)
    return lower, upper


def selection_set(j: int, q: np.ndarray, e: np.ndarray, b: float) -> list[tuple[float, float]]:
    """The selection set of segment ``j``'s scaled count as sorted closed intervals.

    ``q`` are the scaled sums of all segments, ``e`` their exposures and ``b``
    the threshold of each change (the penalty over the scale).

    Examples
    --------
    >>> selection_set(0, np.array([10.0, 10.0]), np.array([10.0, 10.0]), 4.0)[0][0]
    0.0
    """
    parts = [(0.0, math.inf)]
    for i in (j - 1, j + 1):
        if not 0 <= i < q.size:
            continue
        lower, upper = _keep_set(float(q[i]), float(e[j]), float(e[i]), b)
        keep = [(upper, math.inf)] + ([(0.0, lower)] if lower >= 0 else [])
        parts = [
            (max(a0, a1), min(b0, b1))
            for a0, b0 in parts
            for a1, b1 in keep
            if max(a0, a1) <= min(b0, b1)
        ]
    return sorted(parts)


def _upper_tail(x: float, mu: float) -> float:
    # P(Q >= x) for Poisson(mu), incomplete-gamma extension (1 at x <= 0)
    return 1.0 if x <= 0 else float(special.gammainc(x, mu))


def _mass(parts: list[tuple[float, float]], mu: float) -> float:
    # P(Q in union of [u, v]) = sum P(Q >= u) - P(Q >= v + 1)
    total = 0.0
    for u, v in parts:
        total += _upper_tail(u, mu) - (0.0 if math.isinf(v) else _upper_tail(v + 1.0, mu))
    return total


def _clip(parts: list[tuple[float, float]], lo: float, hi: float) -> list[tuple[float, float]]:
    return [(max(u, lo), min(v, hi)) for u, v in parts if max(u, lo) <= min(v, hi)]


def _first_moment(parts: list[tuple[float, float]], mu: float) -> float:
    # E[Q 1{Q in A}] = mu P(Q' in A - 1), Q' ~ Poisson(mu)
    total = 0.0
    for u, v in parts:
        top = 0.0 if math.isinf(v) else _upper_tail(v, mu)
        total += _upper_tail(u - 1.0, mu) - top
    return mu * total


def _solve(f: Callable[[float], float], target: float, guess: float, increasing: bool) -> float:
    """Root of the monotone ``f(mu) = target``, searched on ``log mu`` from ``guess``.

    The bracket grows only towards the root; a root beyond ``exp(+-700)``
    (a limit at 0 or infinity, e.g. for a scaled count near 0) gives that bound.
    """

    def g(z: float) -> float:
        return f(math.exp(z)) - target

    z0 = math.log(max(guess, 1e-300))
    g0 = g(z0)
    if g0 == 0:
        return math.exp(z0)
    up = (g0 < 0) == increasing  # the root lies at larger mu
    step = 1.0
    while True:
        z1 = z0 + step if up else z0 - step
        z1 = min(max(z1, -LOG_LIMIT), LOG_LIMIT)
        g1 = g(z1)
        if g1 == 0 or (g1 < 0) != (g0 < 0):
            a, b = sorted((z0, z1))
            return math.exp(_bisect(g, a, b, xtol=1e-10))
        if abs(z1) >= LOG_LIMIT:
            return math.exp(z1)
        z0, g0, step = z1, g1, 2.0 * step


def selective_rates(
    s: np.ndarray,
    e: np.ndarray,
    scale: float,
    threshold: float,
    level: float,
    interval_scale: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Selection-adjusted rate and ``level`` interval of every segment (per unit of exposure).

    Parameters
    ----------
    s : numpy.ndarray
        Sum of the counts of each segment, in order.
    e : numpy.ndarray
        Exposure of each segment (its length, or the sum of its seasonal factors).
    scale : float
        Quasi-likelihood scale ``D`` (>= 1 for the default; 1 for plain Poisson).
    threshold : float
        The penalty per change over ``scale``: every detected change passed it.
    level : float
        Confidence level.
    interval_scale : float, optional
        The scale of the counts' distribution in the interval (default
        ``scale``): larger than the selection's ``scale`` when it allows for
        the sampling error of the estimated design effect (see
        :func:`analysis.changepoints._longrun.interval_inflation`). The
        selection set is always that of ``scale``, the one the search used.

    Returns
    -------
    rate_adjusted, ci_low, ci_high, adjusted : numpy.ndarray
        The conditional maximum-likelihood rate, the conditional interval,
        and whether the selection changed anything (False: the Garwood
        interval and the naive rate, as without selection).

    Examples
    --------
    >>> s, e = np.array([60.0, 1500.0]), np.array([30.0, 335.0])  # simulated sums
    >>> adj, lo, hi, moved = selective_rates(s, e, 1.0, 3 * np.log(365), 0.95)
    >>> bool(adj[0] > 60 / 30), bool(moved[0])  # a low short segment is pulled back up
    (True, True)
    """
    q_sel = np.asarray(s, dtype=float) / scale  # the units the search selected in
    d = float(scale if interval_scale is None else interval_scale)
    to_q = scale / d  # a selection-set bound in the interval's units
    q = np.asarray(s, dtype=float) / d
    e = np.asarray(e, dtype=float)
    k = q.size
    rate = q * d / e
    alpha = 1.0 - level
    adj, low, high = rate.copy(), np.empty(k), np.empty(k)
    moved = np.zeros(k, dtype=bool)
    for j in range(k):
        qj = float(q[j])
        g_low = float(special.gammaincinv(qj, alpha / 2)) if qj > 0 else 0.0
        g_high = float(special.gammaincinv(qj + 1.0, 1.0 - alpha / 2))
        low[j], high[j] = g_low, g_high
        if k == 1:
            continue
        parts = [(u * to_q, v * to_q) for u, v in selection_set(j, q_sel, e, threshold)]
        # the conditional tail probabilities differ from the plain ones by at most the
        # excluded probability: where it is negligible across the Garwood limits, keep them
        probe = np.geomspace(max(g_low, 1e-3), g_high, 25)
        if all(1.0 - _mass(parts, float(mu)) < NEGLIGIBLE for mu in probe):
            continue
        inside = [(u, v) for u, v in parts if u <= qj <= v]
        if not inside:  # the observed value is on a boundary up to rounding: no truncation
            continue
        moved[j] = True

        # far from A every probability underflows: the limits (mass at A's lowest
        # point for a small mean, at its top for a large one) keep the roots bracketed
        def above(mu: float, parts: list[tuple[float, float]] = parts, qj: float = qj) -> float:
            total = _mass(parts, mu)
            if not total > TINY:
                return 0.0 if mu < qj else 1.0
            return min(_mass(_clip(parts, qj, math.inf), mu) / total, 1.0)

        def below(mu: float, parts: list[tuple[float, float]] = parts, qj: float = qj) -> float:
            total = _mass(parts, mu)
            if not total > TINY:
                return 1.0 if mu < qj else 0.0
            return min(_mass(_clip(parts, 0.0, qj), mu) / total, 1.0)

        def mean(mu: float, parts: list[tuple[float, float]] = parts, qj: float = qj) -> float:
            total = _mass(parts, mu)
            if not total > TINY:
                return 0.0 if mu < qj else math.inf
            return _first_moment(parts, mu) / total

        guess = max(qj, 0.5)
        low[j] = _solve(above, alpha / 2, guess, increasing=True) if qj > 0 else 0.0
        high[j] = _solve(below, alpha / 2, guess, increasing=False)
        adj[j] = _solve(mean, qj, guess, increasing=True) * d / e[j] if qj > 0 else 0.0
    return adj, low * d / e, high * d / e, moved
