"""Simulation studies of fit_trend: interval coverage, recovery, family choice.

All data are SIMULATED (see conftest.simulate). Seeds are fixed; tolerances
come from the binomial standard error of the number of simulations. Run
times measured on one core: 7 s for the slope study (1000 fits), 3 s for the
forecast study, 17 s for the whole file.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.trend import fit_trend
from tests.trend.conftest import SLOPE, WEEKLY, simulate

pytestmark = pytest.mark.slow

N_SLOPE = 1000


@pytest.fixture(scope="module")
def slope_study() -> dict[str, np.ndarray]:
    """Fit 1000 SIMULATED NB2 series (n = 200 days, alpha = 0.3) with family='negbin'."""
    rng = np.random.default_rng(11)
    covered, weekly, alphas = [], [], []
    for _ in range(N_SLOPE):
        y, _ = simulate(rng)
        res = fit_trend(y, family="negbin")
        lo, hi = res.slope_ci
        covered.append(lo <= SLOPE <= hi)
        weekly.append(
            res.params.loc[
                [f"weekday[{d}]" for d in ("Tue", "Wed", "Thu", "Fri", "Sat", "Sun")], "estimate"
            ]
        )
        alphas.append(res.dispersion)
    return {"covered": np.array(covered), "weekly": np.array(weekly), "alpha": np.array(alphas)}


def test_slope_interval_covers_truth_at_nominal_rate(slope_study):
    # 95% intervals; measured 0.945 with this seed (0.948 over 2000 series with
    # another seed). With 1000 simulations the standard error of a 95% rate is
    # 0.7 points, so the contract (>= 93%) sits 2 standard errors below.
    coverage = slope_study["covered"].mean()
    assert coverage >= 0.93
    assert coverage <= 0.95 + 3 * math.sqrt(0.95 * 0.05 / N_SLOPE)  # not wastefully wide


def test_weekly_pattern_is_recovered(slope_study):
    # The mean estimate of each weekday effect is within 4 Monte-Carlo standard
    # errors (sd 0.16-0.18 per fit / sqrt(1000) = 0.005) plus 0.01 of the truth
    # (measured biases 0.002 to 0.006), and single fits have sd below 0.2.
    est = slope_study["weekly"]
    mc_se = est.std(axis=0, ddof=1) / math.sqrt(len(est))
    np.testing.assert_array_less(np.abs(est.mean(axis=0) - WEEKLY[1:]), 4 * mc_se + 0.01)
    assert np.all(est.std(axis=0) < 0.2)


def test_dispersion_estimate_is_close_to_truth(slope_study):
    # The NB2 alpha MLE is biased down in small samples: measured mean 0.283 for
    # a true 0.3 (1000 series of 200 days); allowed 0.03.
    assert abs(np.mean(slope_study["alpha"]) - 0.3) < 0.03


def test_forecast_intervals_cover_future_days():
    """90% prediction intervals, 28 days ahead, pooled over 200 SIMULATED series.

    Measured 0.909 with this seed (5600 days). Days of one series are
    correlated through the shared parameter estimates, so the tolerance is
    looser than a binomial one: the contract is >= 88%, and the intervals
    must not be grossly conservative (<= 95%).
    """
    rng = np.random.default_rng(12)
    inside = total = 0
    for i in range(200):
        y, future = simulate(rng, h=28)
        fc = fit_trend(y, family="negbin").forecast(28, level=0.9, n_sim=2000, seed=i)
        frame = fc.to_frame()
        inside += int(((future >= frame["pi_low"]) & (future <= frame["pi_high"])).sum())
        total += len(future)
    coverage = inside / total
    assert 0.88 <= coverage <= 0.95


def test_auto_keeps_poisson_for_poisson_counts():
    """False negbin choices on 600 SIMULATED Poisson series (n = 200, 8 coefficients).

    Measured false-choice rate: 6.0% with this seed (5.7% over 1000 series with
    another seed) for a 5%-level test. Allowed: 5% plus 3 binomial standard
    errors of 600 simulations (7.7%).
    """
    rng = np.random.default_rng(13)
    n_sim = 600
    chosen = [fit_trend(simulate(rng, alpha=0.0)[0]).family for _ in range(n_sim)]
    false_rate = np.mean([c == "negbin" for c in chosen])
    assert false_rate <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / n_sim)
    assert false_rate >= 0.01  # a real test, not one that never rejects


def test_auto_picks_negbin_for_overdispersed_counts():
    """False Poisson choices on 300 SIMULATED mildly overdispersed series.

    alpha = 0.05 (variance 1.4 times the mean at 8 a day), n = 200: measured
    false-Poisson rate 0.7% with this seed (0.3% with another); allowed 2%. At
    alpha = 0.03 it is about 11% (the test's power limit, not asserted).
    """
    rng = np.random.default_rng(14)
    chosen = [fit_trend(simulate(rng, alpha=0.05)[0]).family for _ in range(300)]
    assert np.mean([c == "poisson" for c in chosen]) <= 0.02


def test_poisson_slope_interval_covers_truth():
    """Coverage of the Poisson fit on 300 SIMULATED Poisson series: measured 0.957; >= 93%."""
    rng = np.random.default_rng(15)
    hits = []
    for _ in range(300):
        res = fit_trend(simulate(rng, alpha=0.0)[0], family="poisson")
        lo, hi = res.slope_ci
        hits.append(lo <= SLOPE <= hi)
    assert np.mean(hits) >= 0.93


def test_hac_restores_coverage_under_autocorrelation():
    """SIMULATED counts whose log rate has an AR(1) component (phi 0.8, sd 0.25).

    Model-based intervals are too narrow there; HAC (Newey-West) standard
    errors widen them. Measured over 200 series: nonrobust coverage 0.67,
    HAC 0.78 (still short of 95%: with strong persistence and n = 200 the
    default Newey-West bandwidth of 4 lags is too short).
    """
    rng = np.random.default_rng(16)
    hits_plain, hits_hac = [], []
    for _ in range(200):
        eps = np.zeros(200)
        shocks = rng.normal(0, 0.25 * math.sqrt(1 - 0.8**2), 200)
        for t in range(1, 200):
            eps[t] = 0.8 * eps[t - 1] + shocks[t]
        y, _ = simulate(rng, alpha=0.0, extra_log=eps)
        for cov, hits in (("nonrobust", hits_plain), ("HAC", hits_hac)):
            lo, hi = fit_trend(y, family="negbin", cov_type=cov).slope_ci
            hits.append(lo <= SLOPE <= hi)
    assert np.mean(hits_hac) > np.mean(hits_plain) + 0.05
    assert np.mean(hits_plain) < 0.9


def test_autocorrelation_is_flagged():
    """Ljung-Box (lag 14) flags AR(1) residuals; iid SIMULATED counts are seldom flagged.

    Measured with this seed: 90% of AR(1) series flagged, 9% of iid ones. The
    false-alarm rate is above the nominal 5% (9.2% over 600 iid series with
    another seed) because fitted weekday and trend terms correlate the
    residuals (8% even for Gaussian noise through the same design); allowed
    5% + 3 binomial standard errors of 100 (11.5%).
    """
    rng = np.random.default_rng(17)
    flags_ar, flags_iid = [], []
    for _ in range(100):
        eps = np.zeros(200)
        for t in range(1, 200):
            eps[t] = 0.8 * eps[t - 1] + rng.normal(0, 0.15)
        flags_ar.append(fit_trend(simulate(rng, alpha=0.0, extra_log=eps)[0]).autocorrelated)
        flags_iid.append(fit_trend(simulate(rng, alpha=0.0)[0]).autocorrelated)
    assert np.mean(flags_ar) > 0.8
    assert np.mean(flags_iid) <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 100)
