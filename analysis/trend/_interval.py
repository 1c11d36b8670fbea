"""Whole-number prediction intervals whose probability is closest to the nominal level.

A count's predictive distribution is discrete, so no whole-number interval
has probability exactly ``level``. The equal-tailed quantile interval
``[q((1 - level) / 2), q((1 + level) / 2)]`` includes both end points and
so has probability *at least* ``level``, often much more: for a Poisson mean
of 5 the 90% quantile interval ``[2, 9]`` holds 92.8% of the probability,
``[2, 8]`` 89.1%. Intervals made that way over-cover systematically (0.93-0.94
at 90% for daily counts of about five), which is as wrong as under-covering
for a user who reads "90%".

:func:`closest_interval` starts from the equal-tailed inclusive interval (each
tail at most ``(1 - level) / 2``) and drops an end point while that brings
the interval's probability nearer to ``level``; of two end points that would
both do so, it drops the one that leaves the tails more nearly equal. The
result is the whole-number interval whose probability is *closest to*
``level`` (not at least ``level``) among those reached from the
equal-tailed one, its tails balanced; never below zero, since the support
is.

The predictive probabilities come from the simulated paths without the
Poisson noise of the final draw (Rao-Blackwellised): given a path's rates the
counts are independent Poisson, so the predictive pmf of one period's count
is the mean over paths of ``Poisson(k; rate)``, and that of a total over
several periods the mean of ``Poisson(k; sum of rates)``. This halves the
simulation noise of the interval's probability compared with counting the
simulated counts (which is the fallback when no rates are given, or when the
rates are so spread that the pmf would need more than :data:`MAX_SUPPORT`
points or :data:`MAX_CELLS` evaluations). The support starts at the 1e-12
quantile of the smallest rate (the mass below it is negligible), so large
rates cost only their spread.

Hand-written: neither scipy nor statsmodels choose intervals of a discrete
mixture distribution; the pmf is scipy's.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MAX_SUPPORT", "closest_interval", "interval_bounds", "mixture_pmf"]

#: largest number of support points of a Rao-Blackwellised pmf (else the draws are counted)
MAX_SUPPORT = 20000
#: at most this many pmf evaluations (support x paths) per quantity; above, the draws are counted
MAX_CELLS = 1_000_000


def closest_interval(
    support: np.ndarray, probs: np.ndarray, level: float
) -> tuple[int, int, float]:
    """Whole-number interval of a discrete distribution with probability closest to ``level``.

    Parameters
    ----------
    support : numpy.ndarray
        Increasing whole numbers (>= 0).
    probs : numpy.ndarray
        Their probabilities (summing to about 1).
    level : float
        Nominal probability, between 0 and 1.

    Returns
    -------
    low, high : int
        The interval's end points (both included).
    prob : float
        Its probability.

    Examples
    --------
    A Poisson count of mean 5: the equal-tailed 90% interval [2, 9] holds
    92.8%; [2, 8] holds 89.1%, closer to 90%.

    >>> import numpy as np
    >>> from scipy import stats
    >>> k = np.arange(60)
    >>> lo, hi, p = closest_interval(k, stats.poisson.pmf(k, 5.0), 0.9)
    >>> lo, hi, round(p, 3)
    (2, 8, 0.891)
    """
    support = np.asarray(support)
    p = np.asarray(probs, dtype=float)
    if support.shape != p.shape or support.ndim != 1 or support.size == 0:
        raise ValueError("support and probs must be 1-D arrays of the same, non-zero length")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (got {level})")
    total = float(p.sum())
    if not total > 0:
        raise ValueError("probs must have a positive sum")
    p = p / total
    cdf = np.cumsum(p)
    a = (1.0 - level) / 2.0
    # equal-tailed inclusive interval: P(Y < low) <= a and P(Y > high) <= a (1e-12 for rounding)
    i = int(np.searchsorted(cdf, a - 1e-12, side="left"))
    j = int(np.searchsorted(cdf, 1.0 - a - 1e-12, side="left"))
    i, j = min(i, p.size - 1), min(j, p.size - 1)
    below, above = float(cdf[i] - p[i]), float(1.0 - cdf[j])
    prob = 1.0 - below - above
    while i < j:
        options = []
        for side, mass in (("low", p[i]), ("high", p[j])):
            new = prob - float(mass)
            if abs(new - level) < abs(prob - level):
                tails = (below + mass, above) if side == "low" else (below, above + mass)
                options.append((abs(new - level), abs(tails[0] - tails[1]), side))
        if not options:
            break
        # nearest to the level first; of equally near ones the better balanced tails
        _, _, side = min(options, key=lambda o: (round(o[0], 12), o[1]))
        if side == "low":
            below += float(p[i])
            prob -= float(p[i])
            i += 1
        else:
            above += float(p[j])
            prob -= float(p[j])
            j -= 1
    return int(support[i]), int(support[j]), float(prob)


def poisson_pmf_grid(k: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``scipy.stats.poisson.pmf(k[:, None], lam[None, :])``, bit for bit, without its overhead.

    The same formula as scipy's Poisson ``_pmf``, ``exp(xlogy(k, mu) -
    gammaln(k + 1) - mu)``, evaluated on the grid directly: ``stats.poisson.pmf``
    checks, broadcasts and places its arguments cell by cell, which made it
    nine tenths of a forecast's time (a few thousand paths times a few dozen
    counts for each of 28 days). For whole ``k >= 0`` and rates ``lam >= 0``
    only (the caller's support and paths).

    Examples
    --------
    >>> from scipy import stats
    >>> k, lam = np.arange(0, 12), np.array([0.0, 0.5, 4.0, 9.5])
    >>> bool(np.array_equal(poisson_pmf_grid(k, lam), stats.poisson.pmf(k[:, None], lam[None, :])))
    True
    """
    from scipy import special

    kk = np.asarray(k, dtype=float)[:, None]
    mu = np.asarray(lam, dtype=float)[None, :]
    return np.exp(special.xlogy(kk, mu) - special.gammaln(kk + 1) - mu)


def mixture_pmf(rates: np.ndarray | None, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predictive pmf of a count that is Poisson given each path's rate (mean over paths).

    Parameters
    ----------
    rates : numpy.ndarray
        Poisson mean of each path (1-D), or None to count ``draws`` instead.
    draws : numpy.ndarray
        The simulated counts of the paths (1-D, whole numbers >= 0).

    Returns
    -------
    support, probs : numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> k, p = mixture_pmf(np.array([2.0, 2.0]), np.array([1, 3]))
    >>> round(float(p[k == 2][0]), 4)  # Poisson(2) at 2
    0.2707
    """
    from scipy import stats

    draws = np.asarray(draws)
    if rates is not None:
        lam = np.asarray(rates, dtype=float)
        top = float(stats.poisson.ppf(1.0 - 1e-9, float(np.max(lam)))) if lam.size else 0.0
        top = max(top, float(np.max(draws)) if draws.size else 0.0)
        # below the 1e-12 quantile of the smallest rate the mass is negligible
        low = float(stats.poisson.ppf(1e-12, float(np.min(lam)))) if lam.size else 0.0
        low = min(max(low - 1.0, 0.0), float(np.min(draws)) if draws.size else 0.0)
        width = top - low + 1.0
        if np.isfinite(top) and width < MAX_SUPPORT and width * lam.size <= MAX_CELLS:
            k = np.arange(int(low), int(top) + 1)
            probs = poisson_pmf_grid(k, lam).mean(axis=1)
            return k, probs
    values, counts = np.unique(draws, return_counts=True)
    return values, counts / counts.sum()


def interval_bounds(
    draws: np.ndarray, rates: np.ndarray | None, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Closest-to-``level`` whole-number bounds of each row of simulated counts.

    Parameters
    ----------
    draws : numpy.ndarray
        Simulated counts, one row per quantity (a future period or a total),
        one column per path.
    rates : numpy.ndarray or None
        Poisson mean of each draw (same shape), or None to count the draws.
    level : float
        Nominal probability.

    Returns
    -------
    low, high : numpy.ndarray
        Whole-number bounds per row (int64).

    Examples
    --------
    >>> import numpy as np
    >>> lam = np.full((1, 4000), 5.0)
    >>> lo, hi = interval_bounds(np.random.default_rng(0).poisson(lam), lam, 0.9)
    >>> int(lo[0]), int(hi[0])
    (2, 8)
    """
    draws = np.atleast_2d(np.asarray(draws))
    lam = None if rates is None else np.atleast_2d(np.asarray(rates, dtype=float))
    lo = np.empty(draws.shape[0], dtype=np.int64)
    hi = np.empty(draws.shape[0], dtype=np.int64)
    for t in range(draws.shape[0]):
        k, p = mixture_pmf(None if lam is None else lam[t], draws[t])
        lo[t], hi[t], _ = closest_interval(k, p, level)
    return lo, hi
