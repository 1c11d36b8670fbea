"""Location intervals of change points from the profile likelihood, for any cost.

For change ``j`` with neighbours ``c_{j-1}`` and ``c_{j+1}`` held fixed, the
cost of putting it at ``k`` is ``C(c_{j-1}, k) + C(k, c_{j+1})`` (segment
parameters at their maximum-likelihood values). The weights
``exp(-cost(k) / 2)``, normalised over the allowed ``k``, are the profile
likelihood of the location (the posterior under a flat prior if the segment
parameters were known); the interval is their equal-tailed ``level`` range.
A cost's quasi-likelihood scale (``Cost.scale_``, the design effect of
overdispersed or dependent counts) divides the costs first, which widens the
interval as the extra variance requires. It is a likelihood interval for the
location, not a confidence interval in the strict sense (the segment
parameters are profiled, and the changes were selected on the same data);
its frequentist coverage for a single change was checked by simulation (see
the tests). O(n) in total.
Positions whose weight underflows to exactly zero (cost more than 2000 above
the minimum) are left out of the exponential and the cumulative sum, which
does not change the result.

**The design effect is estimated, and it is what the width scales with.** The
width of a location interval is proportional to the long-run variance over the
squared jump (Bai 1994: the location error converges to the argmax of a
two-sided Brownian motion with drift ``jump^2 / LRV``), so an under-estimated
design effect narrows it one for one, not by a square root as for a rate. Under
strong persistence a year of days says little about ``D``: for a latent AR(1)
log-rate (phi 0.8, 3 a day, 365 days, SIMULATED) the AR(p)-by-AIC estimate has
``sd(log D) = 0.43`` where its delta-method degrees of freedom claim 0.21, it
picks the order 0 in some series, and, GIVEN that a weak change was detected, it
averages 0.63 of the true ``D`` (the detected series are those whose noise
happened to be calm). With the true ``D`` the intervals cover 0.97 there; with
the estimate, 0.87. So :func:`design_effect_draws` gives the location
intervals a distribution of ``D`` rather than one value:

1. the larger of two estimates about the segments that a year of counts cannot
   tell apart (the conservative side): the AR(p) spectral estimate of the search
   (:mod:`analysis.changepoints._longrun`) and the moment estimate of a latent
   AR(1) plus noise (:func:`latent_long_run_variance`, the ARMA(1, 1) that counts
   with a slowly varying rate are), which AIC cannot miss by choosing order 0;
2. its sampling error, by a parametric bootstrap of the AR estimator itself
   under the fitted AR(p) (Gaussian innovations, the same segment boundaries,
   the same order choice by AIC): the estimate is a scale, so ``D / D_hat`` is
   taken as pivotal and each draw is ``D_int * D*_model / D*_hat`` (the basic
   bootstrap of a scale), which carries the estimator's downward bias and its
   spread, order choice included (for ``n`` above :data:`BOOTSTRAP_MAX_N`, where
   it is precise, the scaled chi-square of its delta-method degrees of freedom).

The location weights are then the average over the draws of the normalised
profile weights (the posterior of the location integrated over the design
effect's uncertainty), and the segment-rate intervals use the geometric mean of
the draws with the Student t factor of their Satterthwaite degrees of freedom
(:func:`draws_interval_scale`). Why this and not a bootstrap of the whole
detect-then-locate pipeline: that re-runs the search hundreds of times per
series, and a bootstrap world built on the low estimate reproduces its
narrowness. Why not the selection-adjusted jump in a Bai interval: with the true
``D`` the plain profile already covers (0.97 above, 0.95-0.99 for weak Poisson
changes), so the jump's selection bias is not what fails.

**Where they still fall short: weak changes near an end under strong
persistence** (SIMULATED, 1,500 series: latent AR(1) log-rate, phi 0.8, 3 then
4.5 a day, change 30 days before the end of 365 days; found in 0.18 of them).
The intervals cover 0.848 (s.e. 0.020) of the 322 detections, below 0.93 (the
study's 300 series, 68 detections, could not settle it: 0.912, s.e. 0.034). Of
these, 21 lie more than 60 days from the true day (a wave of the latent rate
found instead of the change; they cover 0.24) and the 301 near ones cover 0.890
(0.018); their misses end before the true day: a change this weak is detected
when a wave just before it adds to it, which pulls the location early. With the
true ``D`` in place of the draws they would cover 0.86 (that of the first
segment) to 0.91 (of the second), so the estimate of ``D`` is not the main
cause: the selection of a change found in fewer than one series in five is.
With the far ones covering 0.24, the near ones would have to cover 0.98 for the
cell to reach 0.93; no principled widening found does that (twice the draws
of ``D`` gives 0.922), so the intervals are left as they are.
The same change is covered 0.962 (0.011) in Poisson counts and 0.935 (0.014) in
negative-binomial (size 5) counts; 30 days after the start under the same
persistence it is found in 0.04 of 600 series and its 33 detections cover 0.73
(0.08; a third are waves far from it).
:func:`analysis.validation._study.cp_location_coverage_detail` measures the split.
A second run of the same cell (seed 8, 1,000 series, 211 detections) covers
0.886 (0.022); its 24 misses are 14 near detections whose interval ends 1-29
days (median 3.5) before the true day (median near width 97 days), 10 latent
waves far from it (which cover 0.29 of 14), and none truncated by the series
end. The same cell in Poisson counts covers 0.969 (0.007, 548 detections; near
width median 39 days).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis._dependence import levinson_durbin
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

__all__ = [
    "BOOTSTRAP_DRAWS",
    "BOOTSTRAP_MAX_N",
    "change_strength",
    "design_effect_draws",
    "draws_interval_scale",
    "latent_long_run_variance",
    "location_intervals",
    "location_weights",
]

#: draws of the design effect for the location intervals (bootstrap replicates)
BOOTSTRAP_DRAWS = 16
#: above this many values the design effect's spread is the delta-method chi-square
BOOTSTRAP_MAX_N = 20_000
#: fixed seed of the bootstrap, so that a result is the same on every run
BOOTSTRAP_SEED = 20261201
#: last lag of the latent AR(1)-plus-noise moment estimate
LATENT_MAX_LAG = 30


@njit(cache=False)
def _profile(
    seg: Any, cs1: np.ndarray, cs2: np.ndarray, par: float, a: int, b: int, m: int
) -> np.ndarray:
    # cost of a single change at each k in [a + m, b - m] within (a, b]
    out = np.empty(b - a - 2 * m + 1)
    for i in range(out.size):
        k = a + m + i
        out[i] = seg(cs1, cs2, par, a, k) + seg(cs1, cs2, par, k, b)
    return out


def location_intervals(
    cost: Cost,
    changes: list[int],
    m: int,
    level: float,
    scale: float | np.ndarray | None = None,
) -> np.ndarray:
    """``(k, 2)`` array of first and last plausible positions of each change.

    ``cost`` is fitted; ``changes`` are the 0-based positions of the first
    point of each new segment, ``m`` the minimum segment length; ``scale``
    divides the costs (default the cost's ``scale_``; larger when it allows
    for the sampling error of an estimated design effect). An array of scales
    (draws of the design effect, :func:`design_effect_draws`) averages the
    normalised weights over them: the interval integrates over that uncertainty.

    Examples
    --------
    >>> from analysis.changepoints import PoissonCost
    >>> y = np.r_[np.zeros(20), np.full(20, 30.0)]
    >>> location_intervals(PoissonCost().fit(y), [20], 2, 0.95).tolist()
    [[20, 20]]
    """
    k = cost.kernel()
    n = cost.signal_.size
    if k is not None:
        f, cs1, cs2, par = compiled(_profile, k.cost), k.cs1, k.cs2, k.par

        def profile(a: int, b: int) -> np.ndarray:
            return np.asarray(f(cs1, cs2, par, a, b, m))
    else:
        seg = python_segment(cost)

        def profile(a: int, b: int) -> np.ndarray:
            return np.asarray(_profile.py_func(seg, _NONE, _NONE, 0.0, a, b, m), dtype=float)

    bounds = [0, *changes, n]
    out = np.empty((len(changes), 2), dtype=np.int64)
    tail = (1.0 - level) / 2.0
    scales = np.atleast_1d(
        np.asarray(getattr(cost, "scale_", 1.0) if scale is None else scale, dtype=float)
    )
    if scales.size == 1:
        divide = float(scales[0])
        for j in range(len(changes)):
            a, b = bounds[j], bounds[j + 2]
            x, first, last = _log_weights(profile(a, b) / divide)
            # exp by numpy (as before), then the equal-tailed positions
            lo, hi = _quantiles(np.exp(x[first : last + 1]), tail)
            hi = min(first + hi, x.size - 1)
            out[j] = (a + m + first + lo, a + m + hi)
        return out
    widest = float(scales.max())
    for j in range(len(changes)):
        a, b = bounds[j], bounds[j + 2]
        raw = profile(a, b)
        # the positions any draw can weigh: those of the widest scale
        x, first, last = _log_weights(raw / widest)
        excess = raw[first : last + 1] - raw.min()
        w = _mixed_weights(excess, scales)
        lo, hi = _quantiles(w, tail)
        out[j] = (a + m + first + lo, a + m + first + min(hi, w.size - 1))
    return out


def _mixed_weights(excess: np.ndarray, scales: np.ndarray) -> np.ndarray:
    # the mean over the scales of the normalised weights exp(-excess / (2 d))
    total = np.zeros(excess.size)
    for d in scales:
        w = np.exp(-excess / (2.0 * float(d)))
        total += w / w.sum()
    return total / scales.size


def latent_long_run_variance(resid: np.ndarray, n_means: int = 1) -> float:
    """Long-run variance of residuals under a latent AR(1) plus noise (an ARMA(1, 1)), by moments.

    Counts whose rate varies slowly (a latent AR(1) log-rate) have
    autocovariances ``gamma_k = A phi^k`` for ``k >= 1`` above a white-noise
    part (the Poisson variance). With ``phi`` the ratio of the sums of the
    autocovariances at lags ``2..K`` and ``1..K-1`` (``K`` =
    :data:`LATENT_MAX_LAG`, at most ``n / 4``), clipped to ``[0, 0.95]``, and
    ``A = gamma_1 / phi``,

        LRV = gamma_0 + 2 gamma_1 / (1 - phi),

    with the autocovariances corrected by ``+ n_means LRV / n`` for the removal
    of the segment means (three passes, as :func:`analysis.changepoints._longrun.
    ar_long_run_dependence` does). ``gamma_0`` when ``gamma_1`` or ``phi`` is
    not positive (no dependence of this form). The same two moments as
    :func:`analysis._dependence.mean_long_run_variance` uses for its bandwidth;
    here they give the variance itself, for :func:`design_effect_draws`.
    Its price: on independent counts the ratio of two sums of noise can put
    ``phi`` near its cap while ``gamma_1`` is positive by chance, and the
    factor ``2 / (1 - phi)`` (up to 40) then inflates the estimate: 0.095 of 400
    series of 365 Poisson days with two segments get ``D`` above 2 (median 1.03,
    90th percentile 1.90; SIMULATED), which only widens their intervals.
    By hand: a few dot products (statsmodels' ARMA fit is a likelihood
    optimisation and a second of import on every change-point call).

    Examples
    --------
    >>> rng = np.random.default_rng(4)  # SIMULATED: AR(1) phi 0.8 (innovation sd 0.5) plus noise
    >>> e = rng.normal(0, 0.5, 50_000); z = np.empty_like(e); z[0] = 0.0
    >>> for t in range(1, e.size): z[t] = 0.8 * z[t - 1] + e[t]
    >>> r = z + rng.normal(0, 1.0, e.size)
    >>> round(latent_long_run_variance(r - r.mean()), 1)  # closed form 1 + 0.25 / 0.04 = 7.25
    7.1
    """
    r = np.asarray(resid, dtype=float)
    n = r.size
    top = int(min(LATENT_MAX_LAG, n // 4))
    if top < 2:
        return float(r @ r) / max(n, 1)
    g = np.array([float(r @ r)] + [float(r[k:] @ r[:-k]) for k in range(1, top + 1)]) / n
    lrv = float(g[0])
    for _ in range(3):
        gc = g + max(int(n_means), 0) * lrv / n
        below = float(gc[1:top].sum())
        if not (gc[1] > 0 and below > 0):
            return float(g[0])
        phi = min(max(float(gc[2 : top + 1].sum()) / below, 0.0), 0.95)
        if phi <= 0:
            return float(g[0])
        lrv = float(gc[0] + 2.0 * gc[1] / (1.0 - phi))
    return lrv


@njit(cache=True)
def _ar_filter(e: np.ndarray, phi: np.ndarray) -> np.ndarray:
    # x_t = sum_i phi_i x_{t-i} + e_t, each row of e a series, from zeros
    out = np.empty_like(e)
    p = phi.size
    for r in range(e.shape[0]):
        for t in range(e.shape[1]):
            acc = e[r, t]
            for i in range(min(p, t)):
                acc += phi[i] * out[r, t - 1 - i]
            out[r, t] = acc
    return out


def _segment_means(x: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    sums = np.r_[0.0, np.cumsum(x)][bounds]
    return np.repeat(np.diff(sums) / np.diff(bounds), np.diff(bounds))


def design_effect_draws(
    x: np.ndarray,
    bounds: np.ndarray,
    fitted: np.ndarray,
    scale: float,
    df: float,
    draws: int = BOOTSTRAP_DRAWS,
    bootstrap: bool = True,
) -> np.ndarray | None:
    """Draws of the long-run design effect of counts about their segments (see the module).

    Parameters
    ----------
    x : numpy.ndarray
        The counts the search saw.
    bounds : numpy.ndarray
        ``[0, *changes, n]``.
    fitted : numpy.ndarray
        The fitted mean of each period (segment means, times seasonal factors).
    scale : float
        The design effect the search used (``Cost.scale_``).
    df : float
        Its delta-method degrees of freedom (``Cost.scale_df_``), for long series.
    draws : int
        How many draws.
    bootstrap : bool
        False: the scaled chi-square of ``df`` about the conservative value
        even for a short series (cheap: no bootstrap).

    Returns
    -------
    numpy.ndarray or None
        ``draws`` values, each >= 1; None when the series is too short for any
        estimate of dependence (fewer than 30 values: the caller keeps its scale).

    Examples
    --------
    >>> rng = np.random.default_rng(9)  # SIMULATED independent Poisson counts, one change
    >>> x = np.r_[rng.poisson(3.0, 180), rng.poisson(6.0, 185)].astype(float)
    >>> b = np.array([0, 180, 365]); f = _segment_means(x, b)
    >>> d = design_effect_draws(x, b, f, 1.0, 365.0)
    >>> d.size, bool(d.min() >= 1.0), bool(np.median(d) < 1.5)
    (16, True, True)
    """
    from analysis._dependence import MIN_PERIODS_FOR_DEPENDENCE
    from analysis.changepoints._longrun import ar_long_run_dependence

    x = np.asarray(x, dtype=float)
    n = x.size
    k = bounds.size - 1
    mean = float(x.mean())
    if n < MIN_PERIODS_FOR_DEPENDENCE or not mean > 0:
        return None
    resid = x - fitted
    conservative = max(float(scale), latent_long_run_variance(resid, k) / mean, 1.0)
    if n > BOOTSTRAP_MAX_N or not bootstrap:
        from scipy import special

        q = (np.arange(draws) + 0.5) / draws
        nu = max(float(df), 1.0)
        return np.maximum(conservative * nu / special.chdtri(nu, q), 1.0)
    dep = ar_long_run_dependence(x, fitted, n_means=k)
    p = int(dep.bandwidth)
    lrv = dep.long_run_dispersion * mean
    gamma = np.asarray(dep.autocovariance, dtype=float)[: p + 1] + k * lrv / n
    phi, v = levinson_durbin(gamma) if p > 0 else (np.zeros(0), float(gamma[0]))
    if not (v > 0 and phi.sum() < 1.0):
        return np.full(draws, conservative)
    model = v / (1.0 - float(phi.sum())) ** 2 / mean  # the bootstrap world's true design effect
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    burn = 200 + 10 * p
    e = rng.normal(0.0, math.sqrt(v), size=(draws, n + burn))
    sims = _ar_filter(e, phi)[:, burn:] + mean
    out = np.empty(draws)
    for i in range(draws):
        xs = sims[i]
        est = ar_long_run_dependence(xs, _segment_means(xs, bounds), n_means=k)
        out[i] = conservative * model / max(est.long_run_dispersion, 1e-12)
    return np.maximum(out, 1.0)


def draws_interval_scale(draws: np.ndarray, level: float) -> float:
    """One design effect for a rate interval from draws of it: Satterthwaite and Student t.

    The draws' geometric mean times ``(t_{nu, 1 - a/2} / z_{1 - a/2})^2``, with
    ``nu = 2 / Var(log D)`` over the draws (a scaled chi-square matched on the
    log scale), as :func:`analysis.changepoints._longrun.interval_inflation`
    does for the delta-method degrees of freedom.

    Examples
    --------
    >>> round(draws_interval_scale(np.array([2.0, 2.0]), 0.95), 6)  # no spread: the value
    2.0
    >>> bool(draws_interval_scale(np.array([1.0, 4.0]), 0.95) > 2.0)
    True
    """
    from analysis.changepoints._longrun import interval_inflation

    logs = np.log(np.asarray(draws, dtype=float))
    var = float(logs.var(ddof=1)) if logs.size > 1 else 0.0
    nu = 2.0 / var if var > 0 else math.inf
    return float(math.exp(logs.mean()) * interval_inflation(nu, level))


@njit(cache=True)
def _log_weights(x: np.ndarray) -> tuple[np.ndarray, int, int]:
    # -(cost - min cost) / 2 at each position (in place), and the first and last
    # position whose weight exp(.) is not exactly zero (below -1000 gives 0)
    cmin = x.min()
    first = x.size
    last = -1
    for i in range(x.size):
        x[i] = -(x[i] - cmin) / 2.0
        if x[i] >= -1000.0:
            last = i
            if first == x.size:
                first = i
    return x, first, last


@njit(cache=True)
def _quantiles(w: np.ndarray, tail: float) -> tuple[int, int]:
    # first positions where the normalised cumulative sum of ``w`` reaches
    # ``tail`` and ``1 - tail`` (as numpy's cumsum and searchsorted would)
    cw = np.empty(w.size)
    acc = 0.0
    for i in range(w.size):
        acc += w[i]
        cw[i] = acc
    total = cw[-1]
    lo = w.size
    hi = w.size
    for i in range(w.size):
        q = cw[i] / total
        if lo == w.size and q >= tail:
            lo = i
        if q >= 1.0 - tail:
            hi = i
            break
    return lo, hi


def change_strength(cost: Cost, changes: list[int], m: int) -> np.ndarray:
    """Likelihood-ratio statistic of each change given its neighbours (scaled units).

    ``(C(a, b) - min_k [C(a, k) + C(k, b)]) / scale``: how much the change
    lowers the cost of the segment from its left to its right neighbour,
    divided by the cost's quasi-likelihood scale. A change selected with a
    statistic near the penalty (over the same scale) was chosen because the
    noise happened to favour it: its segments' rates are pulled apart.

    Examples
    --------
    >>> from analysis.changepoints import PoissonCost
    >>> y = np.r_[np.full(20, 2.0), np.full(20, 8.0)]
    >>> bool(change_strength(PoissonCost().fit(y), [20], 2)[0] > 50)
    True
    """
    n = cost.signal_.size
    bounds = [0, *changes, n]
    scale = getattr(cost, "scale_", 1.0)
    out = np.empty(len(changes))
    for j in range(len(changes)):
        a, k, b = bounds[j], bounds[j + 1], bounds[j + 2]
        whole = cost.error(a, b)
        out[j] = (whole - cost.error(a, k) - cost.error(k, b)) / scale
    return out


def location_weights(
    cost: Cost, changes: list[int], j: int, m: int
) -> tuple[np.ndarray, np.ndarray]:
    """Positions and normalised profile-likelihood weights of change ``j`` given its neighbours.

    The weights behind :func:`location_intervals` (costs over the cost's
    quasi-likelihood scale), without the positions whose weight underflows.

    Examples
    --------
    >>> from analysis.changepoints import PoissonCost
    >>> y = np.r_[np.zeros(20), np.full(20, 30.0)]
    >>> k, w = location_weights(PoissonCost().fit(y), [20], 0, 2)
    >>> k[np.argmax(w)], round(float(w.sum()), 6)
    (np.int64(20), 1.0)
    """
    n = cost.signal_.size
    bounds = [0, *changes, n]
    a, b = bounds[j], bounds[j + 2]
    ks = np.arange(a + m, b - m + 1)
    prof = np.array([cost.error(a, int(k)) + cost.error(int(k), b) for k in ks])
    x = -(prof - prof.min()) / (2.0 * getattr(cost, "scale_", 1.0))
    keep = x >= -30.0
    w = np.exp(x[keep])
    return ks[keep], w / w.sum()


# --- cached entry points, one per built-in cost --------------------------------
# numba cannot cache a function that takes a compiled function as an argument
# (numba issue #6251), so ``_profile`` itself is compiled in each process; these
# call it with each built-in cost's kernel as a global, and numba caches them
# (``search._common.compiled`` hands them out; a kernel not listed, such as a
# user's own, runs ``_profile`` compiled in its process). Their machine code
# includes the body and the kernel of another file: the package's cache folder
# is keyed on all compiled sources (``analysis/_numba.py``).


@njit(cache=True)
def _profile_poisson(cs1, cs2, par, a, b, m):
    return _profile(poisson._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_negbin(cs1, cs2, par, a, b, m):
    return _profile(negbin._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_normal(cs1, cs2, par, a, b, m):
    return _profile(normal._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_normal_meanvar(cs1, cs2, par, a, b, m):
    return _profile(normal_meanvar._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_linear(cs1, cs2, par, a, b, m):
    return _profile(linear._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_poisson_weighted(cs1, cs2, par, a, b, m):
    return _profile(poisson_weighted._segment_kernel, cs1, cs2, par, a, b, m)


#: ``(body, kernel) -> cached entry point`` (see ``search._common.compiled``)
ENTRIES: dict[tuple[Any, Any], Any] = {
    (_profile, poisson._segment_kernel): _profile_poisson,
    (_profile, negbin._segment_kernel): _profile_negbin,
    (_profile, normal._segment_kernel): _profile_normal,
    (_profile, normal_meanvar._segment_kernel): _profile_normal_meanvar,
    (_profile, linear._segment_kernel): _profile_linear,
    (_profile, poisson_weighted._segment_kernel): _profile_poisson_weighted,
}
