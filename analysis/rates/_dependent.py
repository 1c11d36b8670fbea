"""Rate intervals that hold on overdispersed and serially dependent counts.

The variance of a total of *m* periods is ``m * mean * DE(m)``, where the
design effect ``DE(m)`` (see :mod:`analysis._dependence`) is 1 for
independent Poisson counts and grows with overdispersion and positive
autocorrelation. The interval for the rate treats ``total / DE`` as a Poisson
count (a quasi-Poisson scaling of the exact Garwood limits):

    low  = DE * Gamma^-1(alpha/2;      S / DE)     / E
    high = DE * Gamma^-1(1 - alpha/2;  S / DE + 1) / E

which is the exact Garwood interval when ``DE = 1``. ``DE`` is floored at 1,
so the interval is never narrower than the exact Poisson one: a dispersion
estimated below 1 from a short window is noise far more often than
underdispersion, and the conservative side is taken.

Where ``DE`` comes from ("stabilised"): a window of a longer count series
borrows the dispersion and autocorrelation of the whole series (estimated
about its mean, so slow variation of the rate counts as dependence: the
conservative side); a series of fewer than 30 periods gives its own
dispersion only, inflated by ``(t_{n-1} / z)^2`` for the uncertainty of a
dispersion estimated from so few periods, and the note says that serial
dependence could not be checked.

Hand-written because no library scales the exact Poisson interval by a
design effect; the quantiles are scipy's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis._dependence import MIN_PERIODS_FOR_DEPENDENCE, estimate_dependence
from analysis._series import CountSeries

__all__ = ["DesignEffect", "design_effect", "quasi_garwood"]


@dataclass(frozen=True)
class DesignEffect:
    """The design effect used for a window, and where it came from.

    Attributes
    ----------
    value : float
        Variance of the window total over its Poisson variance (>= 1).
    estimated : float
        The estimate before the floor at 1.
    periods : int
        Periods in the window.
    reference_periods : int
        Periods it was estimated from.
    dependence_estimated : bool
        Whether serial dependence was estimated (>= 30 reference periods).
    note : str
        The same in words, for summaries.
    """

    value: float
    estimated: float
    periods: int
    reference_periods: int
    dependence_estimated: bool
    note: str


def design_effect(window: CountSeries, reference: CountSeries, level: float) -> DesignEffect:
    """The design effect of ``window``'s total, estimated from ``reference``.

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)  # simulated independent Poisson counts
    >>> s = pd.Series(rng.poisson(4, 4000), index=pd.date_range("2014-01-01", periods=4000))
    >>> full = CountSeries.from_pandas(s)
    >>> de = design_effect(full.window("2024-03-01", "2024-03-07"), full, 0.95)
    >>> de.periods, de.reference_periods, round(de.value, 1)
    (7, 4000, 1.0)
    """
    from scipy.stats import norm, t

    m = int(np.sum(window.exposure > 0))
    values = reference.values[reference.exposure > 0]
    dep = estimate_dependence(values)
    n = dep.n
    if n == 0 or dep.mean <= 0:
        return DesignEffect(1.0, 1.0, m, n, False, "no events: exact Poisson interval")
    if dep.dependence_estimated:
        raw = dep.design_effect(m)
        source = "the whole series" if n > m else "the window itself"
        note = (
            f"design effect {max(raw, 1.0):.2f} for a total of {m} periods (overdispersion "
            f"{dep.dispersion:.2f}, lag-1 autocorrelation {dep.lag1:.2f}), estimated from "
            f"{n} periods of {source}"
        )
    else:
        q = 0.5 + level / 2
        factor = (float(t.ppf(q, max(n - 1, 1))) / float(norm.ppf(q))) ** 2
        raw = dep.dispersion * factor
        note = (
            f"design effect {max(raw, 1.0):.2f}: dispersion {dep.dispersion:.2f} from only {n} "
            f"periods, times {factor:.2f} for its uncertainty; serial dependence not checked "
            f"(fewer than {MIN_PERIODS_FOR_DEPENDENCE} periods: pass a longer reference series)"
        )
    if raw < 1.0:
        note += "; floored at 1 (never narrower than exact Poisson)"
    return DesignEffect(max(raw, 1.0), raw, m, n, dep.dependence_estimated, note)


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
