"""The compiled run-length recursion of Bayesian online change-point detection.

The detector keeps, after each observation, the posterior distribution of the
*run length*: how many steps ago the current segment started. Each segment
has a parameter drawn afresh from a conjugate prior, so the predictive
probability of the next value under every run-length hypothesis is in closed
form, and one pass over the data updates all hypotheses.

Why hand-written: no well-kept library implements the recursion with
conjugate count models, run-length pruning and a compiled inner loop. It is
compiled with numba because the recursion is sequential in time and a pure
numpy version spends most of its time in per-step call overhead. Every
jitted function the kernel calls lives in this file, so numba's on-disk
cache (keyed on this file only) never runs stale code.

Conventions (0-based positions ``t`` of the input):

* a hypothesis is identified by the position ``s`` of the first observation
  of the current segment; its run length at step ``t`` is ``t - s + 1``
  (steps, counting the current one and any NaN steps in between);
* the first observed value starts the initial segment, which is not a change;
* the hazard ``H`` is the prior probability that a new segment starts at an
  observed step; a NaN step leaves the posterior over segment starts as it was.

Extreme magnitudes. The Poisson predictive (negative binomial) is a product
for small counts and a difference of ``lgamma`` values up to a posterior
shape plus count of 1e6 (off by less than 1e-8 there); beyond, it is the
saddle-point form of Loader (2000), a sum of terms of order one (Stirling
remainders and deviances), because the ``lgamma`` differences lose all
precision around 1e13 (a constant series of 1e15 counts showed 7 changes).
No count is converted to an integer (a count beyond 2**63 wrapped to a
negative number, and a product loop over it ran for ever). The normal
predictive is written in deviations from the segment mean, so a constant
series is predicted exactly at any magnitude, and the values are divided by
a power of two (exact) so that squares neither overflow nor underflow.

References
----------
R. P. Adams and D. J. C. MacKay (2007), "Bayesian online changepoint
detection", arXiv:0710.3742.
C. Loader (2000), "Fast and accurate computation of binomial probabilities".
"""

from __future__ import annotations

import math

import numpy as np

from analysis._numba import njit

__all__ = ["NORMAL", "POISSON", "log_nb_predictive", "run"]

#: family codes of the kernel
POISSON, NORMAL = 0, 1
# up to this many counts in one step (and a posterior shape below 1e10) the
# predictive is a product of terms, exact; above, lgamma differences or the
# saddle-point form
_RISING_PRODUCT_MAX = 24.0
# below this posterior shape plus count, lgamma differences (faster); above, the
# saddle-point form (the lgamma form loses about eps * z * log(z) in absolute terms)
_LGAMMA_MAX = 1e6
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# largest prior mean, in units of the data magnitude, whose square is finite
_MAX_SCALED_MEAN = 1e150
# the series of _bd0 converges geometrically (ratio below 0.0083); a cap
# guarantees termination whatever rounding does
_BD0_MAX_TERMS = 200


@njit(cache=True)
def _stirlerr(n: float) -> float:  # pragma: no cover - compiled
    """lgamma(n + 1) - ((n + 0.5) log n - n + log sqrt(2 pi)), for n > 0."""
    if n <= 15.0:
        return math.lgamma(n + 1.0) - (n + 0.5) * math.log(n) + n - _HALF_LOG_2PI
    # Stirling series 1/12 - 1/(360 n^2) + 1/(1260 n^4) - 1/(1680 n^6) + 1/(1188 n^8),
    # over n; the next term is below 3e-16 for n > 15
    u = 1.0 / (n * n)
    tail = 1.0 / 1680.0 - u / 1188.0
    tail = 1.0 / 1260.0 - u * tail
    tail = 1.0 / 360.0 - u * tail
    return (1.0 / 12.0 - u * tail) / n


@njit(cache=True)
def _bd0(x: float, m: float) -> float:  # pragma: no cover - compiled
    """Deviance term x log(x / m) + m - x (>= 0), accurate when x is close to m."""
    if x == 0.0:
        return m
    if abs(x - m) < 0.1 * (x + m):
        v = (x - m) / (x + m)
        s = (x - m) * v
        ej = 2.0 * x * v
        v2 = v * v
        for j in range(1, _BD0_MAX_TERMS):
            ej *= v2
            s1 = s + ej / (2 * j + 1)
            if s1 == s:
                return s1
            s = s1
        return s
    return x * math.log(x / m) + m - x


@njit(cache=True, inline="always")
def log_nb_predictive(
    a: float, b: float, log_b: float, log_b1: float, x: float, lfact: float, serr: float
) -> float:  # pragma: no cover - compiled
    """Log predictive P(x | Gamma(a, b) posterior on a Poisson rate): negative binomial.

    Size ``a``, success probability ``b / (b + 1)``. The terms that depend on
    ``b`` or ``x`` only come from the caller, computed once: ``log_b`` and
    ``log_b1`` are log(b) and log(b + 1), ``lfact`` is lgamma(x + 1) and
    ``serr`` is ``_stirlerr(x)`` (any value for x = 0).
    """
    if x <= _RISING_PRODUCT_MAX and a < 1e10:
        # exact for small counts: log(a (a+1) ... (a+x-1)) - log x! + ...
        rising = 0.0
        if x > 0.0:
            prod = a
            j = 1.0
            while j < x:
                prod *= a + j
                j += 1.0
            rising = math.log(prod)
        return rising - lfact + a * (log_b - log_b1) - x * log_b1
    if a + x < _LGAMMA_MAX:
        # lgamma differences, off by less than 1e-8 below this size
        return math.lgamma(a + x) - math.lgamma(a) - lfact + a * (log_b - log_b1) - x * log_b1
    if x == 0.0:
        return -a * math.log1p(1.0 / b)
    # Loader's form: NB(x; a, p) = a / (a + x) * Binomial(a; a + x, p)
    n = a + x
    nq = n / (b + 1.0)
    np_ = n * (b / (b + 1.0))
    return (
        math.log(a / n)
        + _stirlerr(n)
        - _stirlerr(a)
        - serr
        - _bd0(a, np_)
        - _bd0(x, nq)
        + 0.5 * math.log(n / (a * x))
        - _HALF_LOG_2PI
    )


@njit(cache=True)
def _bocpd(  # pragma: no cover - compiled
    y: np.ndarray,
    family: int,
    prior: np.ndarray,
    log_h: float,
    log_1mh: float,
    lag: int,
    prune_log: float,
    max_k: int,
    full: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run the recursion; return change probability, MAP start, live count, pruned mass.

    ``full`` is either an empty (0, 0) array or an (n, n) array that receives
    the whole posterior over segment starts at every step (tests only).
    """
    n = y.shape[0]
    cap = n + 1 if max_k <= 0 else max_k + 1
    start = np.empty(cap, np.int64)
    cnt = np.empty(cap, np.int64)
    s1 = np.empty(cap)  # Poisson: sum of counts; normal: running mean
    s2 = np.empty(cap)  # normal: sum of squared deviations from the mean
    logp = np.empty(cap)
    scratch = np.empty(cap)

    change_prob = np.full(n, np.nan)
    map_start = np.full(n, -1, np.int64)
    n_live = np.zeros(n, np.int64)
    pruned = np.zeros(n)
    record = full.shape[0] == n and n > 0

    # tables indexed by the number of observations c in a segment
    a0, b0 = prior[0], prior[1]
    mu0, kappa0, alpha0, beta0 = prior[0], prior[1], prior[-2], prior[-1]
    counts = np.arange(n + 2.0)
    log_b = np.log(b0 + counts)  # Poisson: log of the posterior rate parameter
    alpha_n = alpha0 + 0.5 * counts  # normal: posterior shape
    t_const = np.zeros(n + 2)  # normal: the Student-t terms that depend on c only
    if family == NORMAL:
        for j in range(n + 2):
            kap = kappa0 + j
            t_const[j] = (
                math.lgamma(alpha_n[j] + 0.5)
                - math.lgamma(alpha_n[j])
                - 0.5 * math.log(2.0 * math.pi)
                + 0.5 * (math.log(kap) - math.log(kap + 1.0))
            )

    k = 0  # number of live hypotheses, ordered by start (oldest first)
    first = -1
    for t in range(n):
        x = y[t]
        if not np.isnan(x):
            if first < 0:
                first = t
                k = 0
            else:
                # growth: every live hypothesis predicts x with its posterior
                if family == POISSON:
                    lfact = math.lgamma(x + 1.0)
                    serr = _stirlerr(x) if x > 0.0 else 0.0
                    for i in range(k):
                        c = cnt[i]
                        lp = log_nb_predictive(
                            a0 + s1[i], b0 + c, log_b[c], log_b[c + 1], x, lfact, serr
                        )
                        logp[i] += log_1mh + lp
                else:
                    for i in range(k):
                        c = cnt[i]
                        kap = kappa0 + c
                        mean = s1[i]
                        dm = mean - mu0
                        beta = beta0 + 0.5 * s2[i] + 0.5 * kappa0 * c * dm * dm / kap
                        # x minus the posterior mean (kappa0 mu0 + c mean) / kap, written so
                        # that a value equal to the segment mean and mu0 gives exactly 0
                        r = (x - mean) + kappa0 * dm / kap
                        d = 0.5 * r * r * kap / (kap + 1.0)
                        al = alpha_n[c]
                        lp = t_const[c] + al * math.log(beta) - (al + 0.5) * math.log(beta + d)
                        logp[i] += log_1mh + lp
                # a new segment starting at t: hazard times the prior predictive
                if family == POISSON:
                    lp0 = log_nb_predictive(a0, b0, log_b[0], log_b[1], x, lfact, serr)
                else:
                    d0 = 0.5 * (x - mu0) ** 2 * kappa0 / (kappa0 + 1.0)
                    lp0 = (
                        t_const[0]
                        + alpha0 * math.log(beta0)
                        - (alpha0 + 0.5) * math.log(beta0 + d0)
                    )
                logp[k] = log_h + lp0
            # the hypothesis starting at t (the initial one when t == first)
            start[k] = t
            cnt[k] = 0
            s1[k] = 0.0
            s2[k] = 0.0
            if k == 0:
                logp[0] = 0.0
            k += 1
            # update the sufficient statistics with x
            for i in range(k):
                c = cnt[i] + 1
                cnt[i] = c
                if family == POISSON:
                    s1[i] += x
                else:
                    delta = x - s1[i]
                    s1[i] += delta / c
                    s2[i] += delta * (x - s1[i])
            # normalise (log-sum-exp)
            top = logp[0]
            for i in range(1, k):
                top = max(top, logp[i])
            tot = 0.0
            for i in range(k):
                tot += math.exp(logp[i] - top)
            norm = top + math.log(tot)
            for i in range(k):
                logp[i] -= norm
            # prune: mass threshold, then the most probable hypotheses when more
            # than max_k are live; down to 7/8 of max_k so that the selection
            # (a partition, O(k)) runs about once every max_k / 8 steps
            cut = prune_log
            ties = k
            if max_k > 0 and k > max_k:
                target = max(1, max_k - max_k // 8)
                for i in range(k):
                    scratch[i] = logp[i]
                part = np.partition(scratch[:k], k - target)
                if part[k - target] >= cut:
                    cut = part[k - target]
                    above = 0
                    for i in range(k):
                        if logp[i] > cut:
                            above += 1
                    ties = target - above  # how many equal to the cut may stay
            lost = 0.0
            keep = 0
            for i in range(k):
                v = logp[i]
                drop = v < cut
                if not drop and v == cut:
                    drop = ties <= 0
                    ties -= 1
                if drop:
                    lost += math.exp(v)
                else:
                    start[keep] = start[i]
                    cnt[keep] = cnt[i]
                    s1[keep] = s1[i]
                    s2[keep] = s2[i]
                    logp[keep] = v
                    keep += 1
            if lost > 0.0:
                renorm = math.log1p(-min(lost, 1.0 - 1e-16))
                for i in range(keep):
                    logp[i] -= renorm
            k = keep
            pruned[t] = lost
        if first < 0:
            continue
        # outputs at t (also at NaN steps, from the carried posterior)
        best = 0
        recent = 0.0
        for i in range(k):
            if logp[i] > logp[best]:
                best = i
            if start[i] > first and start[i] > t - lag:
                recent += math.exp(logp[i])
        change_prob[t] = min(recent, 1.0)
        map_start[t] = start[best]
        n_live[t] = k
        if record:
            for i in range(k):
                full[t, start[i]] = math.exp(logp[i])
    return change_prob, map_start, n_live, pruned


def _power_of_two_scale(values: np.ndarray) -> float:
    """A power of two near the largest magnitude (1 for an all-zero series)."""
    observed = values[~np.isnan(values)]
    top = float(np.max(np.abs(observed))) if observed.size else 0.0
    if top == 0.0 or not math.isfinite(top):
        return 1.0
    return math.ldexp(1.0, math.frexp(top)[1])


def run(
    values: np.ndarray,
    family: str,
    prior: tuple[float, ...],
    hazard: float,
    lag: int,
    prune_threshold: float,
    max_run_lengths: int | None,
    full: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run the recursion on checked arguments (see :func:`online_changepoints`).

    ``family`` is ``"poisson"`` or ``"normal"``; NaN values are steps without
    an observation. Returns the change probability, the MAP segment start
    (-1 before the first value), the number of live hypotheses and the
    posterior mass pruned, per step. For the normal family the values and the
    prior are divided by a power of two near the largest magnitude first:
    exact, and the posterior over segment starts does not change.

    Examples
    --------
    >>> cp, start, live, lost = run(np.array([1.0, 2, 9, 8]), "poisson", (1.0, 0.5), 0.2, 2,
    ...                             0.0, None)
    >>> start.tolist()
    [0, 0, 2, 2]
    """
    y = np.ascontiguousarray(values, dtype=float)
    prior_arr = np.asarray(prior, dtype=float)
    code = POISSON
    if family == "normal":
        code = NORMAL
        scale = _power_of_two_scale(y)
        y = y / scale
        prior_arr = prior_arr.copy()
        with np.errstate(over="ignore", under="ignore"):  # checked just below
            prior_arr[0] /= scale
            prior_arr[3] = prior_arr[3] / scale / scale  # scale**2 may underflow
        if not prior_arr[3] > 0 or not math.isfinite(prior_arr[3]):
            raise ValueError(
                f"the normal prior's beta0 ({prior[3]!r}) is too small or too large for data "
                f"of magnitude {scale:g}; give a beta0 near the noise variance"
            )
        if abs(prior_arr[0]) > _MAX_SCALED_MEAN:
            raise ValueError(
                f"the normal prior's mu0 ({prior[0]!r}) is too far from data of magnitude "
                f"{scale:g} (its square would overflow); give a mu0 near the data"
            )
    elif family != "poisson":
        raise ValueError(f"family must be 'poisson' or 'normal', got {family!r}")
    return _bocpd(  # type: ignore[no-any-return]
        y,
        code,
        prior_arr,
        math.log(hazard),
        math.log1p(-hazard),
        int(lag),
        math.log(prune_threshold) if prune_threshold > 0 else -np.inf,
        0 if max_run_lengths is None else int(max_run_lengths),
        np.zeros((0, 0)) if full is None else full,
    )
