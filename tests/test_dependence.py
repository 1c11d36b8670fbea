"""Closed-form checks of the dispersion and dependence estimate (simulated data)."""

import math

import numpy as np
import pytest

from analysis._dependence import estimate_dependence


def latent_ar_counts(rng, n, mu, phi, sd):
    """Simulated Poisson counts with a latent AR(1) log-rate of marginal sd ``sd``."""
    z = np.empty(n)
    z[0] = rng.normal(0, sd)
    eps = rng.normal(0, sd * math.sqrt(1 - phi**2), n)
    for t in range(1, n):
        z[t] = phi * z[t - 1] + eps[t]
    return rng.poisson(mu * np.exp(z - sd**2 / 2))


def latent_ar_design_effect(m, mu, phi, sd):
    var = mu + mu**2 * (math.exp(sd**2) - 1)
    cov = sum((1 - k / m) * mu**2 * (math.exp(sd**2 * phi**k) - 1) for k in range(1, m))
    return (var + 2 * cov) / mu


def test_poisson_design_effect_is_one():
    rng = np.random.default_rng(11)
    dep = estimate_dependence(rng.poisson(3.0, 20_000))
    # sd of the estimate about 2*sqrt(7/3)/sqrt(n) ~ 0.02; 5 sd
    assert dep.design_effect(7) == pytest.approx(1.0, abs=0.1)
    assert dep.long_run_dispersion == pytest.approx(1.0, abs=0.1)


def test_negative_binomial_dispersion_matches_closed_form():
    rng = np.random.default_rng(12)
    size, mu = 2.0, 5.0
    x = rng.negative_binomial(size, size / (size + mu), 40_000)
    assert estimate_dependence(x).dispersion == pytest.approx(1 + mu / size, rel=0.05)


@pytest.mark.parametrize("m", [7, 28])
def test_latent_ar_design_effect_matches_closed_form(m):
    rng = np.random.default_rng(13)
    x = latent_ar_counts(rng, 60_000, 5.0, 0.8, 0.3)
    expected = latent_ar_design_effect(m, 5.0, 0.8, 0.3)
    assert estimate_dependence(x).design_effect(m) == pytest.approx(expected, rel=0.08)


def test_fitted_means_remove_a_step_from_the_dispersion():
    rng = np.random.default_rng(14)
    x = np.r_[rng.poisson(2.0, 500), rng.poisson(10.0, 500)]
    fitted = np.r_[np.full(500, 2.0), np.full(500, 10.0)]
    assert estimate_dependence(x).dispersion > 3
    assert estimate_dependence(x, fitted).dispersion == pytest.approx(1.0, abs=0.15)


def test_short_series_estimates_no_dependence_and_says_so():
    dep = estimate_dependence(np.array([1, 4, 0, 2, 7, 1, 3]))
    assert not dep.dependence_estimated
    assert "not estimated" in dep.note
    assert dep.design_effect(7) == dep.dispersion


def test_all_zero_counts_have_design_effect_one():
    assert estimate_dependence(np.zeros(50)).design_effect(7) == 1.0
