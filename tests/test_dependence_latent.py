"""The latent AR(1) spectral design effect of a series alone, and the shared AR spectral estimate.

Checked against closed forms (the variance of a total of white noise plus an
AR(1)) and by simulation (SIMULATED latent AR(1) log-rate counts, fixed
seeds, tolerances from the number of series).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis._dependence import (
    LATENT_AR_MIN_PERIODS,
    _latent_total_variance,
    ar_long_run_dependence,
    latent_ar_design_effect,
    mean_long_run_variance,
)
from analysis.validation import PROCESSES, simulate_counts


def _true_design_effect(n, mu=5.0, phi=0.8, sd=0.3):
    """DE of a total of n days of the latent AR(1) log-rate process: closed form."""
    k = np.arange(1, n)
    g0 = mu + mu**2 * math.expm1(sd**2)
    gk = mu**2 * np.expm1(sd**2 * phi**k)
    return (g0 + 2.0 * np.sum((1.0 - k / n) * gk)) / mu


@pytest.mark.parametrize(("m", "noise", "signal", "phi"), [(7, 5.0, 2.0, 0.8), (91, 6.0, 1.0, 0.3)])
def test_total_variance_is_the_sum_of_the_autocovariances(m, noise, signal, phi):
    lag = np.abs(np.subtract.outer(np.arange(m), np.arange(m)))
    cov = signal * phi**lag + noise * np.eye(m)
    assert _latent_total_variance(m, noise, signal, phi) == pytest.approx(cov.sum(), rel=1e-12)


def test_independent_poisson_series_get_a_design_effect_near_one_never_below():
    rng = np.random.default_rng(11)
    fits = [latent_ar_design_effect(rng.poisson(5.0, 365).astype(float)) for _ in range(60)]
    de = np.array([f.design_effect for f in fits])
    assert (de >= 1.0).all()  # the noise is at least the mean: the Poisson floor
    # 60 SIMULATED series: mean 1.150 (s.d. 0.23 per series, so s.e. 0.03), mean of
    # sqrt(DE) (the interval width over Poisson's) 1.068: within the 1.10 width target
    # by 2 s.e. (0.06 on that scale)
    assert np.sqrt(de).mean() < 1.10 + 2 * np.sqrt(de).std() / math.sqrt(de.size)
    assert all(f.noise >= f.mean for f in fits)


def test_latent_fit_is_much_less_biased_than_bartlett_on_a_latent_ar_year():
    # 100 SIMULATED years of a latent AR(1) log-rate (phi 0.8, sd 0.3, mean 5): the true
    # design effect of the year's total is 5.09; measured mean 5.6 (s.e. 0.2) against
    # 4.2 for the Bartlett long-run variance with the latent-AR bandwidth
    rng = np.random.default_rng(77)
    xs = [simulate_counts(PROCESSES["ar0.8"], 365, 5.0, rng).counts.to_numpy() for _ in range(100)]
    truth = _true_design_effect(365)
    de = np.array([latent_ar_design_effect(x).design_effect for x in xs])
    bartlett = np.array([mean_long_run_variance(x).long_run_variance / x.mean() for x in xs])
    se = de.std() / math.sqrt(de.size)
    assert abs(de.mean() - truth) < 4 * se + 0.1 * truth
    assert abs(de.mean() - truth) < abs(bartlett.mean() - truth)


def test_upper_limit_is_at_least_the_estimate_and_covers_the_truth_on_a_year():
    rng = np.random.default_rng(78)
    truth = _true_design_effect(365)
    hits = 0
    sims = 100
    for _ in range(sims):
        x = simulate_counts(PROCESSES["ar0.8"], 365, 5.0, rng).counts.to_numpy()
        fit = latent_ar_design_effect(x, upper_level=0.95)
        assert fit.upper >= fit.design_effect
        hits += fit.upper >= truth
    # measured 0.97 (100 series); nominal 0.95: fail only below it by 3 s.e.
    assert hits / sims >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / sims)


def test_phi_is_limited_by_the_length_of_the_series():
    x = simulate_counts(PROCESSES["ar0.8"], 91, 5.0, np.random.default_rng(3)).counts.to_numpy()
    fit = latent_ar_design_effect(x)
    assert fit.phi_max == pytest.approx(1 - 2 / math.sqrt(91))
    assert 0 <= fit.phi <= fit.phi_max
    assert f"at most {fit.phi_max:.2f}" in fit.note
    assert fit.design_effect == pytest.approx(fit.design_effect_of(91))


def test_too_short_or_missing_counts_are_refused_naming_the_parameter():
    with pytest.raises(ValueError, match="counts must hold at least 14"):
        latent_ar_design_effect(np.ones(LATENT_AR_MIN_PERIODS - 1))
    with pytest.raises(ValueError, match="1 missing"):
        latent_ar_design_effect(np.r_[np.ones(20), np.nan])


def test_a_constant_series_has_design_effect_one():
    fit = latent_ar_design_effect(np.full(30, 4.0))
    assert fit.design_effect == 1.0 and fit.signal == 0.0


def test_change_point_module_uses_the_shared_ar_spectral_estimate():
    # one estimate for every module: the change-point module imports it, no copy
    import analysis._dependence as shared
    from analysis.changepoints import _longrun, intervals

    names = ("ar_long_run_dependence", "design_effect_df", "interval_inflation", "max_ar_order")
    for name in names:
        assert getattr(_longrun, name) is getattr(shared, name)
    assert intervals.levinson_durbin is shared.levinson_durbin


def test_levinson_durbin_is_statsmodels_yule_walker():
    from statsmodels.tsa.stattools import levinson_durbin as sm_levinson

    from analysis._dependence import levinson_durbin

    x = simulate_counts(PROCESSES["ar0.8"], 2000, 5.0, np.random.default_rng(8)).counts.to_numpy()
    r = x - x.mean()
    gamma = np.array([r[: r.size - k] @ r[k:] for k in range(7)]) / r.size
    phi, v = levinson_durbin(gamma)
    sigma, arcoefs, *_ = sm_levinson(gamma, nlags=6, isacov=True)
    np.testing.assert_allclose(phi, arcoefs, rtol=1e-10)
    np.testing.assert_allclose(v, sigma, rtol=1e-10)


def test_ar_spectral_long_run_dispersion_of_a_gaussian_ar1_is_the_closed_form():
    # SIMULATED Gaussian AR(1), phi 0.5, innovation sd 1, shifted to mean 50:
    # LRV = 1 / (1 - 0.5)^2 = 4, so D = 4 / 50
    rng = np.random.default_rng(2)
    e = rng.normal(size=40_000)
    x = np.empty_like(e)
    x[0] = e[0]
    for t in range(1, e.size):
        x[t] = 0.5 * x[t - 1] + e[t]
    dep = ar_long_run_dependence(x + 50.0)
    # s.e. of the LRV estimate ~ 4 * sqrt(2 * 9 / n) ~ 0.085 at n = 40,000: 3 s.e.
    assert dep.long_run_dispersion * 50.0 == pytest.approx(4.0, abs=0.26)
