"""Vectorised interval and test formulas shared by the rate functions and their tests."""

from __future__ import annotations

from typing import Any

import numpy as np


def garwood(events: Any, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) limits of a Poisson mean for ``events`` counts.

    lower = chi2(alpha/2; 2x) / 2 (0 when x = 0), upper = chi2(1 - alpha/2; 2x + 2) / 2.
    Vectorised: ``events`` may be an array (NaN gives NaN).
    """
    from scipy.stats import chi2

    x = np.asarray(events, dtype=float)
    alpha = 1.0 - level
    with np.errstate(invalid="ignore"):
        low = np.where(x > 0, chi2.ppf(alpha / 2, 2 * np.where(x > 0, x, 1)) / 2, 0.0)
        high = chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
    low = np.where(np.isnan(x), np.nan, low)
    return low, high


def negbin_interval(y: np.ndarray, level: float) -> tuple[np.ndarray, ...]:
    """Interval for the mean count per period of overdispersed counts (equal periods).

    ``y`` is a 2-D array, one series per row, all periods of equal length;
    returns ``(mean, low, high, alpha_moment)`` per row. The NB2 maximum
    likelihood estimate of the mean of an intercept-only model is the sample
    mean; its variance under NB2 is ``(mean + alpha * mean**2) / n``. The
    interval is Wald on the log scale, ``mean * exp(-/+ t * se)`` with
    ``se = sqrt((1/mean + alpha) / n)``, a t quantile with n - 1 degrees of
    freedom and ``alpha`` the Pearson (moment) estimate, floored at 0 (no
    less variance than Poisson). The limits are then widened, where needed,
    to the exact Poisson limits of the same total: extra-Poisson variation can
    only add uncertainty, and the Wald form is poor for a handful of events
    (a row without events gets the Poisson limits). Hand-written and
    vectorised because it is the same formula for one series or for
    thousands of simulated ones (see :func:`estimate_rate` for why the moment
    estimate of alpha is used).
    """
    from scipy.stats import t as student_t

    y = np.atleast_2d(np.asarray(y, dtype=float))
    n = y.shape[1]
    mean = y.mean(axis=1)
    var = y.var(axis=1, ddof=1) if n > 1 else np.full(len(y), np.nan)
    safe = np.where(mean > 0, mean, np.nan)
    alpha = np.maximum((var - safe) / safe**2, 0.0)
    se = np.sqrt((1.0 / safe + alpha) / n)
    q = student_t.ppf(0.5 + level / 2, max(n - 1, 1))
    g_low, g_high = garwood(y.sum(axis=1), level)
    low = np.fmin(safe * np.exp(-q * se), g_low / n)
    high = np.fmax(safe * np.exp(q * se), g_high / n)
    return mean, low, high, alpha


def poisson_two_sided(events: int, mean: float) -> float:
    """Two-sided exact Poisson p-value: twice the smaller tail, capped at 1.

    The doubled tail is the test whose inversion gives the Garwood interval,
    so p < 1 - level exactly when the claimed rate is outside the interval.
    """
    from scipy.stats import poisson

    if mean <= 0:
        return 1.0 if events == 0 else 0.0
    lower = float(poisson.cdf(events, mean))
    upper = float(poisson.sf(events - 1, mean))
    return min(1.0, 2 * min(lower, upper))
