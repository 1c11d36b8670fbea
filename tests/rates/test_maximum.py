"""Tests of the distribution of the largest daily count (closed forms and SIMULATED checks)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import poisson

from analysis.rates._maximum import latent_parameters, max_probability


def test_independent_poisson_days_use_the_closed_form():
    p = max_probability(8, 7, mean=5.0)
    assert p.probability == pytest.approx(1 - poisson.cdf(7, 5.0) ** 7, rel=1e-12)
    assert p.mc_se == 0.0


def test_overdispersed_independent_days_match_the_mixture_by_quadrature():
    mean, sigma = 5.0, 0.5
    dispersion = 1 + mean * math.expm1(sigma**2)
    p = max_probability(9, 7, mean=mean, dispersion=dispersion)
    # closed form: P(max >= k) = 1 - E_lambda[F(k-1; lambda)]^7, lambda lognormal (Gauss-Hermite)
    x, w = np.polynomial.hermite_e.hermegauss(80)
    lam = mean * np.exp(sigma * x - sigma**2 / 2)
    day = float(np.sum(w * poisson.cdf(8, lam)) / np.sqrt(2 * np.pi))
    assert abs(p.probability - (1 - day**7)) < 4 * p.mc_se


def test_the_moments_are_matched():
    mean, dispersion, long_run = 5.0, 3.0, 12.0
    sigma, phi = latent_parameters(mean, dispersion, long_run)
    assert mean * math.expm1(sigma**2) == pytest.approx(dispersion - 1)
    k = np.arange(1, 2000)
    gamma = mean**2 * np.expm1(sigma**2 * phi**k)
    assert dispersion + 2 * gamma.sum() / mean == pytest.approx(long_run, rel=1e-5)


def test_dependence_lowers_the_chance_of_a_busy_day_at_the_same_marginal():
    independent = max_probability(9, 14, mean=5.0, dispersion=3.0)
    dependent = max_probability(9, 14, mean=5.0, dispersion=3.0, long_run_dispersion=15.0)
    assert dependent.probability < independent.probability - 4 * (
        dependent.mc_se + independent.mc_se
    )


def test_simulated_dependent_counts_agree_with_the_probability():
    # SIMULATED: the model itself; the share of 7-day paths with a day >= 9
    mean, sigma, phi = 5.0, 0.5, 0.7
    rng = np.random.default_rng(5)
    z = np.empty((40_000, 7))
    z[:, 0] = sigma * rng.standard_normal(40_000)
    for t in range(1, 7):
        z[:, t] = phi * z[:, t - 1] + sigma * math.sqrt(1 - phi**2) * rng.standard_normal(40_000)
    x = rng.poisson(mean * np.exp(z - sigma**2 / 2))
    share = float((x.max(axis=1) >= 9).mean())
    dispersion = 1 + mean * math.expm1(sigma**2)
    gamma = mean**2 * np.expm1(sigma**2 * phi ** np.arange(1, 2000))
    p = max_probability(
        9,
        7,
        mean=mean,
        dispersion=dispersion,
        long_run_dispersion=dispersion + 2 * gamma.sum() / mean,
    )
    assert p.phi == pytest.approx(phi, abs=1e-4)
    se = math.sqrt(share * (1 - share) / 40_000) + p.mc_se
    assert abs(p.probability - share) < 4 * se


def test_the_result_is_reproducible():
    a = max_probability(9, 7, mean=5.0, dispersion=3.0, long_run_dispersion=9.0)
    b = max_probability(9, 7, mean=5.0, dispersion=3.0, long_run_dispersion=9.0)
    assert a == b


@pytest.mark.parametrize(
    ("name", "kwargs"), [("k", {"k": -1}), ("k", {"k": 2.5}), ("days", {"days": 0})]
)
def test_bad_arguments_name_the_parameter(name, kwargs):
    args = {"k": 8, "days": 7, **kwargs}
    with pytest.raises(ValueError, match=name):
        max_probability(args["k"], args["days"], mean=5.0)
