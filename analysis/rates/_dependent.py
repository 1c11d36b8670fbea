"""Rate intervals that hold on overdispersed and serially dependent counts.

The variance of a total of *m* periods is ``m * mean * DE(m)``, where the
design effect ``DE(m)`` (see :mod:`analysis._dependence`) is 1 for
independent Poisson counts and grows with overdispersion and positive
autocorrelation. The default interval for the rate treats ``total / DE`` as
a Poisson count and takes its **Jeffreys** limits (Brown, Cai & DasGupta
2003), scaled back:

    low  = DE * Gamma^-1(alpha/2;      S / DE + 1/2) / E     (0 when S = 0)
    high = DE * Gamma^-1(1 - alpha/2;  S / DE + 1/2) / E

Why Jeffreys and not the exact Garwood limits: Garwood covers *at least*
95% for every rate, which means well above 95% on average (0.975-0.99 in
the validation study), and the target is coverage of 95% on average
(0.93-0.97). The Jeffreys limits are the equal-tailed posterior limits under
the Jeffreys prior; for the Poisson mean they cover close to the nominal
level on average and are narrower than Garwood. ``family="poisson"`` keeps
the exact Garwood interval (:func:`quasi_garwood` with ``DE = 1``).

There is no floor at 1 any more: the floor made the interval never narrower
than exact Poisson, which with Jeffreys limits would add the over-coverage
back on independent data (a DE estimated below 1 is as often noise as a DE
above 1). A floor of 0.25 remains so that a constant series does not get an
interval of width zero. (The latent AR fit of a series alone is never below 1:
its noise is at least the mean, which any mixed Poisson count has.)

Where ``DE`` comes from ("stabilised"):

* a window of a longer count series (``start=``/``end=`` inside it, or a
  ``reference=``) borrows the dispersion and autocorrelation of the whole
  series (:meth:`analysis._dependence.Dependence.design_effect`);
* a series that is its own reference (no longer series) of 14 to 4096
  periods: the design effect of its total under a latent AR(1) rate with
  independent noise of at least the mean, fitted by the Whittle likelihood
  (:func:`analysis._dependence.latent_ar_design_effect`; ``phi`` at most
  ``1 - 2 / sqrt(n)``);
* a series alone of more than 4096 periods: the HAC long-run variance of
  its mean with a fixed-b critical value
  (:func:`analysis._dependence.mean_long_run_variance`), as the design
  effect ``(LRV / mean) * (cv_b / z)^2`` (cheap on a million days, and
  consistent there);
* fewer periods (below 14 alone, below 30 as a reference): its own
  dispersion, times ``(t_{n-1} / z)^2`` for the uncertainty of a dispersion
  estimated from so few periods, and the note says that serial dependence
  was not checked.

Why the latent AR fit for a series alone, measured (validation study, 400
SIMULATED series per cell, s.e. about 0.02; before -> now, "before" the
Bartlett HAC with fixed-b from 30 periods and the dispersion below):
coverage of the process rate under a latent AR(1) log-rate with phi 0.8
0.740 -> 0.838 at 28 days and 0.858 -> 0.890 at 91; with NB noise too 0.785
-> 0.853 and 0.860 -> 0.885; with a weekly cycle 0.713 -> 0.787 and 0.840 ->
0.873; phi 0.5 0.870 -> 0.912 and 0.907 -> 0.932; while the width on
independent Poisson days (28 and 91 days, 1 and 5 a day) went from
0.97-1.06 to 1.06-1.10 times the exact Garwood width (1.101, s.e. 0.009, at
28 days and 5 a day: at the target's limit). An AR(p) spectral estimate by Yule-Walker and AIC (the
change-point one) was no better than the Bartlett HAC alone (0.748 at 28,
0.858 at 91, 400 series): the Poisson noise hides the slow part of the
dependence from a low-order AR fit.

What the series alone cannot do, and the conflict in numbers: the targets
(coverage 0.93-0.97, width at most 1.10 times exact Poisson) are not both
reached under a latent AR(1) with phi 0.8. Freeing ``phi`` up to 0.95
covered 0.92 at 91 days but widened Poisson intervals 1.19 times; a t factor
on the fit's delta-method degrees of freedom covered 0.937-0.94 at 28 and
91 days but widened them 1.30 (91 days) and 2.5 (28 days) times; an
exact Gaussian REML fit of the same model covered 0.92 at 91 days at 1.25
times. At 7 days (below 14) nothing is estimated: covering phi 0.8 there
(design effect 3.0 for a week's total against a dispersion of 1.47) needs
the dispersion-t design effect doubled on every week (coverage 0.932, s.e.
0.013, 400 SIMULATED weeks), i.e. intervals 1.52 times the exact width on
independent Poisson weeks (1.5 times: 0.887 at 1.32; 2.5 times: 0.960 at
1.71). :func:`analysis.check_claim` therefore answers "cannot tell" rather
than "inconsistent" when a window alone rejects a claim only below the
design effect the window cannot rule out: its upper confidence limit for it
from 14 periods, and below 14 periods, where a level shared by the window's
days does not show in them at all, the larger of the dispersion's upper
limit and the design effect plus ``total * level_variation**2`` for a window
level off the process rate by a stated relative s.d. (0.3 by default; see
:func:`analysis.rates._claim.short_window_design_effect`). The rate
intervals are not widened for it. Pass the longer series (``reference=``)
when there is one: windows inside a year cover 0.93-0.98.

Hand-written because no library scales the Poisson interval by a design
effect; the quantiles are scipy's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis._dependence import (
    LATENT_AR_MAX_PERIODS,
    LATENT_AR_MIN_PERIODS,
    MIN_PERIODS_FOR_DEPENDENCE,
    estimate_dependence,
    latent_ar_design_effect,
    mean_long_run_variance,
)
from analysis._series import CountSeries

__all__ = [
    "MIN_DESIGN_EFFECT",
    "DesignEffect",
    "design_effect",
    "quasi_garwood",
    "quasi_jeffreys",
    "quasi_jeffreys_p_value",
    "window_covariance",
]

#: Smallest design effect used (a constant series would otherwise give width 0).
MIN_DESIGN_EFFECT = 0.25


@dataclass(frozen=True)
class DesignEffect:
    """The design effect used for a window, and where it came from.

    Attributes
    ----------
    value : float
        Variance of the window total over its Poisson variance, as used
        (>= :data:`MIN_DESIGN_EFFECT`).
    estimated : float
        The estimate before that floor.
    periods : int
        Periods in the window.
    reference_periods : int
        Periods it was estimated from.
    dependence_estimated : bool
        Whether serial dependence was estimated (>= 30 reference periods).
    note : str
        The same in words, for summaries.
    method : str
        ``"reference"`` (borrowed from a longer series), ``"latent-ar"`` (the
        window alone, 14 to 4096 periods: latent AR(1) spectral fit),
        ``"hac-fixed-b"`` (the window alone, longer: HAC with fixed-b critical
        value), ``"dispersion-t"`` (fewer periods than either needs) or
        ``"none"`` (no events).
    df : float
        Degrees of freedom of ``estimated`` when it comes from the window
        itself: the delta-method value of the latent AR fit, ``n - 1`` for the
        dispersion; infinite when it is borrowed from a longer series or
        treated as known (HAC, whose fixed-b critical value is in ``value``).
    point : float
        The estimate before any small-sample factor (the dispersion itself
        for ``"dispersion-t"``); NaN when it is ``estimated``.
    upper_limit : float
        For ``"latent-ar"`` asked with ``with_upper=True``: the
        profile-likelihood upper confidence limit of the design effect at the
        level asked (:func:`analysis._dependence.latent_ar_design_effect`);
        NaN otherwise.
    """

    value: float
    estimated: float
    periods: int
    reference_periods: int
    dependence_estimated: bool
    note: str
    method: str = "reference"
    df: float = math.inf
    point: float = math.nan
    upper_limit: float = math.nan

    def upper(self, level: float) -> float:
        """One-sided upper ``level`` confidence limit of the design effect: ``point * df / chi2``.

        ``chi2`` is the ``1 - level`` quantile of the chi-square with ``df``
        degrees of freedom (the estimate as a scaled chi-square,
        Satterthwaite); ``value`` itself when ``df`` is infinite;
        ``upper_limit`` when there is one (the latent AR fit, whose
        delta-method ``df`` is unreliable near independence). Never below
        ``value``.

        Examples
        --------
        >>> d = DesignEffect(2.2, 2.2, 7, 7, False, "", "dispersion-t", 6.0, 1.5)
        >>> round(d.upper(0.95), 2)  # 1.5 * 6 / chi2_{0.05, 6} = 1.5 * 6 / 1.635
        5.5
        """
        if not math.isnan(self.upper_limit):
            return max(self.upper_limit, self.value)
        if not math.isfinite(self.df):
            return self.value
        from scipy.stats import chi2

        point = self.estimated if math.isnan(self.point) else self.point
        df = max(self.df, 1.0)
        bound = max(point, MIN_DESIGN_EFFECT) * df / float(chi2.ppf(1.0 - level, df))
        return max(bound, self.value)


def design_effect(
    window: CountSeries, reference: CountSeries, level: float, *, with_upper: bool = False
) -> DesignEffect:
    """The design effect of ``window``'s total, estimated from ``reference``.

    When ``reference`` is no longer than ``window`` (the series is its own
    reference), the latent AR(1) Whittle fit is used from 14 to 4096
    periods, the HAC fixed-b value beyond, and the dispersion with a t factor
    below (see the module notes).

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)  # simulated independent Poisson counts
    >>> s = pd.Series(rng.poisson(4, 4000), index=pd.date_range("2014-01-01", periods=4000))
    >>> full = CountSeries.from_pandas(s)
    >>> de = design_effect(full.window("2024-03-01", "2024-03-07"), full, 0.95)
    >>> de.periods, de.reference_periods, round(de.value, 1), de.method
    (7, 4000, 1.0, 'reference')
    """
    from scipy.stats import norm, t

    m = int(np.sum(window.exposure > 0))
    values = reference.values[reference.exposure > 0]
    missing = np.isnan(values)
    n = values.size - int(np.count_nonzero(missing))
    centre = float(np.mean(values) if n == values.size else np.nanmean(values)) if n else 0.0
    if n == 0 or not centre > 0:  # as estimate_dependence's n and mean
        return DesignEffect(1.0, 1.0, m, n, False, "no events: design effect 1", "none")
    alone = n <= m
    # a series alone of 14 to 4096 periods: the latent AR(1) spectral fit; longer: its
    # HAC value (no autocovariances up to n / 3 are needed for either)
    latent = alone and LATENT_AR_MIN_PERIODS <= n <= LATENT_AR_MAX_PERIODS and not missing.any()
    quick = alone and n >= MIN_PERIODS_FOR_DEPENDENCE and not latent
    dep = None if (quick or latent) else estimate_dependence(values, lags=max(1, m))
    df, point, upper_limit = math.inf, math.nan, math.nan
    if latent:
        fit = latent_ar_design_effect(values, upper_level=level if with_upper else None)
        upper_limit = fit.upper
        raw = fit.design_effect
        method = "latent-ar"
        df = fit.df
        note = (
            f"design effect {max(raw, MIN_DESIGN_EFFECT):.2f} of the total of the series "
            f"itself ({n} periods), from a {fit.note}; dependence slower than that limit "
            "on phi is not seen: pass the longer series as reference= when there is one"
        )
    elif dep is None:
        hac = mean_long_run_variance(values, level)
        raw = hac.design_effect
        method = "hac-fixed-b"
        note = (
            f"design effect {max(raw, MIN_DESIGN_EFFECT):.2f} from the series itself ({n} "
            f"periods): long-run variance of the mean over the mean "
            f"{hac.long_run_variance / hac.mean:.2f} (Bartlett kernel, bandwidth "
            f"{hac.bandwidth:.1f} periods) times (fixed-b critical value {hac.critical_value:.2f}"
            f" / {hac.z:.2f})^2"
        )
    elif dep.dependence_estimated:
        raw = dep.design_effect(m)
        method = "reference"
        note = (
            f"design effect {max(raw, MIN_DESIGN_EFFECT):.2f} for a total of {m} periods "
            f"(overdispersion {dep.dispersion:.2f}, lag-1 autocorrelation {dep.lag1:.2f}), "
            f"estimated from {n} periods of the whole series"
        )
    else:
        q = 0.5 + level / 2
        factor = (float(t.ppf(q, max(n - 1, 1))) / float(norm.ppf(q))) ** 2
        raw = dep.dispersion * factor
        method = "dispersion-t"
        df = float(max(n - 1, 1))
        point = dep.dispersion
        note = (
            f"design effect {max(raw, MIN_DESIGN_EFFECT):.2f}: dispersion {dep.dispersion:.2f} "
            f"from only {n} periods, times {factor:.2f} for its uncertainty; serial dependence "
            f"not checked (fewer than {MIN_PERIODS_FOR_DEPENDENCE} periods, or "
            f"{LATENT_AR_MIN_PERIODS} for a series alone): pass the longer series as reference="
        )
    if raw < MIN_DESIGN_EFFECT:
        note += f"; floored at {MIN_DESIGN_EFFECT:g}"
    estimated = True if dep is None else dep.dependence_estimated  # latent or n >= 30
    return DesignEffect(
        max(raw, MIN_DESIGN_EFFECT), raw, m, n, estimated, note, method, df, point, upper_limit
    )


def window_covariance(a: CountSeries, b: CountSeries, reference: CountSeries) -> float:
    """Covariance of the totals of two windows of ``reference``, from its autocovariances.

    ``Cov(S_a, S_b) = sum_{i in a, j in b} gamma_|i - j|`` with the
    autocovariances of :func:`analysis._dependence.estimate_dependence` on
    the reference (lags beyond those estimated, a third of the series, add
    nothing), plus ``m_a m_b LRV / n``: each autocovariance about the
    estimated mean is biased down by about the variance of that mean, as in
    :meth:`analysis._dependence.Dependence.design_effect`. Two adjacent
    windows of a positively dependent series have positively correlated
    totals, so their difference varies less than if they were independent.
    0 when a window's periods are not all periods of the reference, or when
    the reference is too short to estimate dependence.

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)  # simulated independent Poisson counts
    >>> s = pd.Series(rng.poisson(4, 4000), index=pd.date_range("2014-01-01", periods=4000))
    >>> full = CountSeries.from_pandas(s)
    >>> c = window_covariance(full.window("2020-01-01", "2020-01-07"),
    ...                       full.window("2020-01-08", "2020-01-14"), full)
    >>> abs(c) < 1.5  # independent days: about 0 (the variance of one total is 28)
    True
    """
    from scipy.signal import fftconvolve

    ref_index = pd.Index(reference.index)
    ia = ref_index.get_indexer(pd.Index(a.index))
    ib = ref_index.get_indexer(pd.Index(b.index))
    if ia.size == 0 or ib.size == 0 or (ia < 0).any() or (ib < 0).any():
        return 0.0
    dep = estimate_dependence(reference.values)
    if not dep.dependence_estimated or dep.mean <= 0:
        return 0.0
    n = reference.values.size
    ind_a = np.zeros(n)
    ind_b = np.zeros(n)
    ind_a[ia] = 1.0
    ind_b[ib] = 1.0
    # pairs (i in a, j in b) by the difference j - i: lags -(n-1) .. n-1
    pairs = np.rint(fftconvolve(ind_b, ind_a[::-1]))
    lags = np.abs(np.arange(-(n - 1), n))
    g = dep.autocovariance
    gamma = np.where(lags < g.size, g[np.minimum(lags, g.size - 1)], 0.0)
    total = float(pairs @ gamma)
    total += ia.size * ib.size * dep.long_run_dispersion * dep.mean / dep.n
    return float(total)


def quasi_jeffreys(events: object, exposure: object, de: object, level: float) -> tuple:
    """Limits of the rate per day: Jeffreys limits of ``events / de``, scaled back.

    ``de * Gamma^-1(q; events / de + 1/2) / exposure`` at ``q = alpha/2`` and
    ``1 - alpha/2``, the lower limit 0 when there are no events (Brown, Cai
    & DasGupta 2003). Vectorised over ``events``, ``exposure`` and ``de``.

    Examples
    --------
    >>> low, high = quasi_jeffreys(41, 7.0, 1.0, 0.95)  # de = 1: the Jeffreys interval
    >>> round(float(low), 3), round(float(high), 3)
    (4.264, 7.864)
    """
    from scipy.stats import gamma

    s = np.asarray(events, dtype=float)
    e = np.asarray(exposure, dtype=float)
    d = np.asarray(de, dtype=float)
    a = 1.0 - level
    shape = s / d + 0.5
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(s > 0, d * gamma.ppf(a / 2, shape) / e, 0.0)
        high = d * gamma.ppf(1 - a / 2, shape) / e
    return low, high


def quasi_jeffreys_p_value(events: int, expected: float, de: float) -> float:
    """Two-sided p-value of ``events`` against an expected total, matching :func:`quasi_jeffreys`.

    ``F = P(G <= expected / de)`` with ``G ~ Gamma(events / de + 1/2)``;
    ``p = 2 min(F, 1 - F)`` (capped at 1), and with no events ``p = 2 (1 -
    F)`` (the lower limit is 0). So ``p < 1 - level`` exactly when the
    expected total lies outside the interval.

    Examples
    --------
    >>> round(quasi_jeffreys_p_value(41, 35.0, 1.0), 2)
    0.31
    """
    from scipy.stats import gamma

    if expected <= 0:
        return 1.0 if events == 0 else 0.0
    f = float(gamma.cdf(expected / de, events / de + 0.5))
    if events <= 0:
        return min(1.0, 2.0 * (1.0 - f))
    return min(1.0, 2.0 * min(f, 1.0 - f))


def quasi_garwood(events: object, exposure: object, de: object, level: float) -> tuple:
    """Limits of the rate per day: exact Garwood limits of ``events / de``, scaled back.

    Vectorised over ``events``, ``exposure`` and ``de`` (numpy broadcasting).

    Examples
    --------
    >>> low, high = quasi_garwood(41, 7.0, 1.0, 0.95)  # de = 1: the exact Poisson interval
    >>> round(float(low), 3), round(float(high), 3)
    (4.203, 7.946)
    """
    from scipy.stats import gamma

    s = np.asarray(events, dtype=float)
    e = np.asarray(exposure, dtype=float)
    d = np.asarray(de, dtype=float)
    a = 1.0 - level
    scaled = s / d
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(s > 0, d * gamma.ppf(a / 2, np.where(s > 0, scaled, 1.0)) / e, 0.0)
        high = d * gamma.ppf(1 - a / 2, scaled + 1.0) / e
    return low, high


def quasi_p_value(events: int, expected: float, de: float) -> float:
    """Two-sided p-value of ``events`` against an expected total, with a design effect.

    Twice the smaller tail of a Poisson with mean ``expected / de`` evaluated
    at ``events / de`` (continuous tails through the gamma distribution, which
    equal the Poisson tails at whole numbers), capped at 1. Inverting it
    gives :func:`quasi_garwood`.
    """
    from scipy.stats import gamma

    if expected <= 0:
        return 1.0 if events == 0 else 0.0
    s, mu = events / de, expected / de
    upper = float(gamma.cdf(mu, s)) if s > 0 else 1.0  # P(Poisson(mu) >= s)
    lower = float(gamma.sf(mu, s + 1.0))  # P(Poisson(mu) <= s)
    return min(1.0, 2.0 * min(lower, upper))


def is_whole(x: float) -> bool:
    """True for a whole number (used to word counts)."""
    return math.isfinite(x) and float(x).is_integer()
