"""The variance model of published figures (analysis.rates._figure_variance): closed forms
and moment estimates checked by simulation (SIMULATED counts only)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis._dependence import _latent_total_variance
from analysis.rates import estimate_rates_from_figures
from analysis.rates._daily_figures import figures_from_daily, latent_ar_from_days
from analysis.rates._figure_variance import (
    VarianceOfRate,
    day_covariances,
    estimate_figure_variance,
)
from analysis.validation import PROCESSES, simulate_counts


def test_day_covariances_closed_forms():
    lam = np.array([1.0, 2.0, 3.0, 4.0])
    t0, t1 = np.array([0, 1]), np.array([3, 4])
    rho = 0.5
    c0, c1, cr = day_covariances(t0, t1, lam, rho)
    assert c0.tolist() == [[6.0, 5.0], [5.0, 9.0]]
    assert c1.tolist() == [[14.0, 13.0], [13.0, 29.0]]
    # brute force: sum over the day pairs of lam_s lam_t rho**|s - t|
    member = np.array([[1, 1, 1, 0], [0, 1, 1, 1]], dtype=float)
    r = rho ** np.abs(np.subtract.outer(np.arange(4), np.arange(4)))
    np.testing.assert_allclose(cr, (member * lam) @ r @ (member * lam).T)
    # a window at a constant rate: the latent AR(1) total variance of analysis._dependence
    _, _, cr = day_covariances(np.array([0]), np.array([30]), np.full(30, 2.0), 0.8)
    assert cr[0, 0] == pytest.approx(4.0 * _latent_total_variance(30, 0.0, 1.0, 0.8))


def test_cutoff_is_chi2_without_and_f_with_one_estimated_part():
    level = 0.95
    # nothing estimated: the chi-square(1) quantile
    known = VarianceOfRate(1.0, 2.0, 2.0, 2.0, 0.0, 10.0, math.inf)
    assert known.cutoff(level) == pytest.approx(stats.chi2.ppf(level, 1))
    # all of the variance estimated, moving one for one with a Pearson chi-square on
    # 5 df: the Student t interval, F(1, 5) (2,000 stratified draws: 0.3%)
    est = VarianceOfRate(1.0, 2.0, 2.0, 0.0, 0.2, 10.0, 5.0)
    assert est.cutoff(level) == pytest.approx(stats.f.ppf(level, 1, 5), rel=3e-3)
    assert est.p_value(est.cutoff(level)) == pytest.approx(1 - level, abs=1e-6)
    # half of it known: the estimated half has 5 / 4 df, and the known half pulls the
    # cutoff below that F quantile, never below chi-square(1)
    half = VarianceOfRate(1.0, 2.0, 2.0, 1.0, 0.2, 10.0, 5.0)
    assert stats.chi2.ppf(level, 1) < half.cutoff(level) < stats.f.ppf(level, 1, 1.25)
    # a negative estimated part (Poisson-looking figures): Poisson, taken as known
    low = VarianceOfRate(1.0, 1.0, 0.5, 1.0, 0.2, 10.0, 5.0)
    assert low.cutoff(level) == pytest.approx(stats.chi2.ppf(level, 1))


def _nb_figures(rng, kappa, n_months=12, rate=6.0):
    """SIMULATED gamma-Poisson days (variance lam + kappa lam**2) as monthly and weekly totals."""
    days = 30 * n_months
    c = (
        rng.poisson(rng.gamma(1 / kappa, rate * kappa, days))
        if kappa > 0
        else rng.poisson(rate, days)
    )
    rows = []
    for m in range(n_months):
        a = 30 * m
        rows.append((a, a + 30, c[a : a + 30].sum()))
        rows.append((a + 10, a + 17, c[a + 10 : a + 17].sum()))  # a week inside the month
    t0 = np.array([r[0] for r in rows])
    t1 = np.array([r[1] for r in rows])
    return t0, t1, np.array([r[2] for r in rows], dtype=float), days


@pytest.mark.parametrize("kappa", [0.0, 0.2, 0.5])
def test_moment_estimate_of_kappa_is_unbiased_on_nested_totals(kappa):
    # one rate; 12 months with a week inside each (24 overlapping figures); 400 SIMULATED
    # replicates: the mean of kappa-hat (floored at 0, which matters only near 0) against
    # kappa, within 3 Monte Carlo s.e. and 2% (the linearised fit)
    rng = np.random.default_rng(11)
    est = []
    for _ in range(400):
        t0, t1, k, days = _nb_figures(rng, kappa)
        X = (t1 - t0).astype(float)[:, None]
        # the maximum-likelihood rate of the independence likelihood of all figures
        lam = np.array([k.sum() / X.sum()])
        mu = X @ lam
        w = 1 / mu
        hinv = np.linalg.inv((X * w[:, None]).T @ X)
        parts = day_covariances(t0, t1, np.full(days, lam[0]))
        fv = estimate_figure_variance(
            X, np.zeros(len(k), int), k, mu, w, hinv, parts, np.arange(len(k))
        )
        est.append(fv.kappa)
    est = np.array(est)
    se = est.std() / math.sqrt(len(est))
    if kappa == 0:  # Poisson days: about half the estimates are floored at 0
        assert 0.35 < (est > 0).mean() < 0.65 and est.mean() < 0.03
    else:
        assert abs(est.mean() - kappa) < 3 * se + 0.02 * kappa, (est.mean(), se)


def test_latent_ar_from_days_recovers_a_latent_ar1_rate():
    # SIMULATED latent AR(1) log-rate (phi 0.8, sd 0.3) at 6 a day, every day reported,
    # 730 days: the latent relative variance is exp(0.09) - 1 = 0.094
    rng = np.random.default_rng(21)
    lat, rhos = [], []
    for _ in range(20):
        c = simulate_counts(PROCESSES["ar0.8"], 730, 6.0, rng).counts
        rows = pd.DataFrame(
            {
                "date": c.index,
                "value": c.to_numpy(),
                "qualifier": "exact",
                "unit": "claim",
                "source_name": "SIMULATED",
            }
        )
        obs = figures_from_daily(rows)
        latent, rho = latent_ar_from_days(estimate_rates_from_figures(obs, breaks=None), obs)
        lat.append(latent)
        rhos.append(rho)
    assert np.mean(lat) == pytest.approx(math.expm1(0.09), rel=0.25)
    assert 0.65 < np.mean(rhos) < 0.9
