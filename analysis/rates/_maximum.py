"""The chance of a busy day: the distribution of the largest daily count over a period.

A claim such as "eight drones launched over a 24-hour period in the past
week" is about the maximum of the daily counts. Its probability depends on
the day-to-day variation of the rate, not only on the mean: overdispersion
makes busy days more likely, and positive serial dependence makes them come
together (fewer independent chances in a week).

The model is a Poisson count with a latent Gaussian AR(1) log-rate, the
latent model of :mod:`analysis.trend` (Zeger 1988), matched by moments to the
mean ``mu``, the dispersion ``D = Var / mu`` and the long-run dispersion
``L`` (long-run variance over the mean) of the counts:

* ``exp(sigma^2) - 1 = (D - 1) / mu`` (the marginal excess variance);
* ``phi`` solves ``2 * sum_k mu^2 (exp(sigma^2 phi^k) - 1) = mu (L - D)``
  (the autocovariances beyond lag 0), clipped to ``[0, 0.99]``.

``D <= 1`` gives independent Poisson days, for which
``P(max >= k) = 1 - F(k - 1)^m`` in closed form. Otherwise the probability
is estimated from simulated paths with a fixed seed, and its Monte Carlo
standard error is returned with it.

Written by hand: neither statsmodels nor scipy gives the distribution of the
maximum of a dependent count series.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["MaxProbability", "latent_parameters", "max_probability"]

#: simulated paths behind a probability (Monte Carlo s.e. at most 0.0035)
DRAWS = 20_000
#: at most this many simulated days in all (long periods get fewer paths)
MAX_CELLS = 4_000_000


@dataclass(frozen=True)
class MaxProbability:
    """P(at least one of ``days`` days has ``k`` or more events).

    Attributes
    ----------
    probability : float
        The probability.
    mc_se : float
        Its Monte Carlo standard error (0 for the closed form).
    k, days : int
        The threshold and the number of days.
    sigma, phi : float
        Latent log-rate sd and lag-1 autocorrelation of the model (0, 0:
        independent Poisson days).
    model : str
        The model in words.
    """

    probability: float
    mc_se: float
    k: int
    days: int
    sigma: float
    phi: float
    model: str


def latent_parameters(
    mean: float, dispersion: float, long_run_dispersion: float | None = None
) -> tuple[float, float]:
    """``(sigma, phi)`` of the latent AR(1) log-rate matching the given moments.

    Examples
    --------
    >>> latent_parameters(5.0, 1.0)  # Poisson: no latent variation
    (0.0, 0.0)
    >>> s, p = latent_parameters(5.0, 1.0 + 5.0 * (math.exp(0.09) - 1.0))
    >>> round(s, 3), p  # independent days when the long-run value is not given
    (0.3, 0.0)
    """
    if mean <= 0 or dispersion <= 1.0:
        return 0.0, 0.0
    s2 = math.log1p((dispersion - 1.0) / mean)
    if long_run_dispersion is None or long_run_dispersion <= dispersion:
        return math.sqrt(s2), 0.0
    target = mean * (long_run_dispersion - dispersion) / 2.0  # sum of gamma_k, k >= 1

    def excess(phi: float) -> float:
        k = np.arange(1, 2000)
        return float(mean**2 * np.sum(np.expm1(s2 * phi**k))) - target

    if excess(0.99) <= 0:
        return math.sqrt(s2), 0.99
    from scipy.optimize import brentq

    return math.sqrt(s2), float(brentq(excess, 0.0, 0.99, xtol=1e-6))


def max_probability(
    k: int,
    days: int,
    *,
    mean: float,
    dispersion: float = 1.0,
    long_run_dispersion: float | None = None,
    draws: int = DRAWS,
    seed: int = 0,
) -> MaxProbability:
    """Probability that some day of ``days`` has ``k`` or more events.

    Parameters
    ----------
    k : int
        The daily count claimed (``>= 0``).
    days : int
        Days in the period (``>= 1``).
    mean : float
        Mean count per day.
    dispersion : float, default 1
        Variance over mean of the daily counts (1: Poisson).
    long_run_dispersion : float, optional
        Long-run variance over the mean (serial dependence); None or a
        value not above ``dispersion`` treats the days as independent.
    draws, seed : int
        Simulated paths (at most ``4e6 / days``, at least 2,000) and their
        seed (the result is reproducible).

    Returns
    -------
    MaxProbability

    Examples
    --------
    >>> p = max_probability(8, 7, mean=5.0)  # independent Poisson days: closed form
    >>> round(p.probability, 3), p.mc_se
    (0.633, 0.0)
    >>> q = max_probability(8, 7, mean=5.0, dispersion=3.0)  # overdispersed, independent
    >>> r = max_probability(8, 7, mean=5.0, dispersion=3.0, long_run_dispersion=12.0)
    >>> bool(q.probability > p.probability)  # busy days are likelier when rates vary
    True
    >>> bool(r.probability < q.probability)  # but dependent days give fewer chances
    True
    """
    from scipy.stats import poisson

    if isinstance(k, bool) or not float(k).is_integer() or k < 0:
        raise ValueError(f"k must be a whole number >= 0, not {k!r}")
    if isinstance(days, bool) or not float(days).is_integer() or days < 1:
        raise ValueError(f"days must be a whole number >= 1, not {days!r}")
    if not (math.isfinite(mean) and mean >= 0):
        raise ValueError(f"mean must be a number >= 0, not {mean!r}")
    k, days = int(k), int(days)
    if k == 0:
        return MaxProbability(1.0, 0.0, k, days, 0.0, 0.0, "any count is >= 0")
    sigma, phi = latent_parameters(mean, dispersion, long_run_dispersion)
    if sigma == 0.0:
        p = 1.0 - float(poisson.cdf(k - 1, mean)) ** days
        return MaxProbability(p, 0.0, k, days, 0.0, 0.0, "independent Poisson days")
    draws = max(2_000, min(int(draws), MAX_CELLS // days))
    rng = np.random.default_rng(seed)
    z = np.empty((draws, days))
    z[:, 0] = rng.standard_normal(draws) * sigma
    innov = sigma * math.sqrt(1.0 - phi**2)
    for t in range(1, days):
        z[:, t] = phi * z[:, t - 1] + innov * rng.standard_normal(draws)
    lam = mean * np.exp(z - sigma**2 / 2.0)
    # P(max >= k | rates) = 1 - prod_t F(k - 1; lam_t): a Rao-Blackwellised
    # estimate, with a smaller Monte Carlo error than drawing the counts
    from scipy.special import pdtr

    with np.errstate(divide="ignore"):
        cond = -np.expm1(np.sum(np.log(pdtr(k - 1, lam)), axis=1))
    p = float(cond.mean())
    se = float(cond.std(ddof=1) / math.sqrt(draws))
    model = (
        f"Poisson days with a latent AR(1) log-rate (sd {sigma:.2f}, lag-1 correlation "
        f"{phi:.2f}) matched to dispersion {dispersion:.2f}"
        + ("" if phi == 0 else f" and long-run dispersion {long_run_dispersion:.2f}")
    )
    return MaxProbability(p, se, k, days, sigma, phi, model)
