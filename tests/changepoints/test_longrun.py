"""The AR spectral long-run design effect behind the default count penalty. SIMULATED data only.

Monte Carlo tolerances: each check states the replicates and the s.e. of the
estimate it compares (measured at the fixed seed; the bound sits at least 3
s.e. from the estimate).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import analysis as it
from analysis._dependence import long_run_dependence
from analysis.changepoints._longrun import (
    _levinson_aic,
    ar_long_run_dependence,
    design_effect_df,
    interval_inflation,
    max_ar_order,
)
from analysis.changepoints.intervals import latent_long_run_variance
from analysis.validation import PROCESSES, simulate_counts


def _latent_ar_design_effect(mu: float, phi: float, sd: float) -> float:
    # closed form: Var Y = mu + mu^2 (e^{s^2} - 1), Cov_k = mu^2 (e^{s^2 phi^k} - 1)
    k = np.arange(1, 5000)
    lrv = mu + mu**2 * (math.exp(sd**2) - 1) + 2 * mu**2 * np.sum(np.expm1(sd**2 * phi**k))
    return float(lrv / mu)


def test_levinson_recursion_matches_the_yule_walker_equations():
    # AR(2) autocovariances from a known model; the recursion must recover it exactly
    phi1, phi2, sigma2 = 0.5, -0.2, 1.0
    rho1 = phi1 / (1 - phi2)
    rho = [1.0, rho1]
    for _ in range(2, 12):
        rho.append(phi1 * rho[-1] + phi2 * rho[-2])
    g0 = sigma2 / (1 - phi1 * rho[1] - phi2 * rho[2])
    gamma = g0 * np.array(rho)
    p, v, phisum = _levinson_aic(gamma, 10**6)
    assert p == 2  # higher orders add nothing to an exact AR(2) but their AIC cost
    assert v == pytest.approx(sigma2, rel=1e-10)
    assert phisum == pytest.approx(phi1 + phi2, rel=1e-10)


def test_gaussian_ar2_long_run_variance_matches_the_closed_form():
    # sigma^2 / (1 - phi1 - phi2)^2 = 1 / 0.7^2 = 2.041; at n = 200 000 the AR
    # spectral estimate has relative s.e. about sqrt(4 p / n) = 0.6% (Berk 1974)
    rng = np.random.default_rng(11)
    n = 200_000
    e = rng.normal(size=n + 100)
    x = np.zeros(n + 100)
    for t in range(2, n + 100):
        x[t] = 0.5 * x[t - 1] - 0.2 * x[t - 2] + e[t]
    y = x[100:] + 50.0  # the "counts" have mean 50: D = LRV / 50
    dep = ar_long_run_dependence(y, np.full(n, 50.0))
    assert dep.long_run_dispersion * 50.0 == pytest.approx(1 / 0.7**2, rel=0.03)


def test_independent_poisson_counts_have_design_effect_one():
    # 200 series of 365 days at 5 a day: mean estimate 0.994 (s.e. 0.012 at this seed)
    rng = np.random.default_rng(12)
    d = [ar_long_run_dependence(rng.poisson(5.0, 365)).long_run_dispersion for _ in range(200)]
    assert abs(np.mean(d) - 1.0) < 0.06


def test_latent_ar_counts_are_far_less_biased_than_the_bartlett_estimate():
    # latent AR(1) log-rate, phi 0.8, sd 0.3, 5 a day, 365 days: true D = 5.14.
    # 200 series: AR mean 4.43 (s.e. 0.13), Bartlett mean 2.79 (s.e. 0.05)
    proc = PROCESSES["ar0.8"]
    truth = _latent_ar_design_effect(5.0, 0.8, 0.3)
    assert truth == pytest.approx(5.14, abs=0.01)
    ar, bartlett = [], []
    for child in np.random.SeedSequence(13).spawn(200):
        y = simulate_counts(proc, 365, 5.0, np.random.default_rng(child)).counts.to_numpy(float)
        ar.append(ar_long_run_dependence(y).long_run_dispersion)
        bartlett.append(long_run_dependence(y).long_run_dispersion)
    assert np.mean(bartlett) < 3.2  # the bias the AR estimate removes
    assert 3.6 < np.mean(ar) < truth + 0.5


def test_false_alarms_under_strong_latent_persistence_at_a_year_of_days():
    # the cells that failed with the Bartlett estimate (issue 8: <= 5%): 200 series
    # each, fixed seed; measured 0.020-0.040 (s.e. 0.010-0.014) in the validation study,
    # against 0.055-0.070 with the Bartlett estimate
    hits = 0
    for name in ("ar0.8", "nb5+ar0.8", "ar0.8+weekly"):
        for child in np.random.SeedSequence(14).spawn(200):
            y = simulate_counts(PROCESSES[name], 365, 5.0, np.random.default_rng(child)).counts
            hits += it.detect_changepoints(y).n_changes > 0
    share = hits / 600  # s.e. about 0.007 at 0.035
    assert share <= 0.05


def test_a_short_series_falls_back_to_the_dispersion_alone():
    dep = ar_long_run_dependence(np.array([3.0, 5, 2, 4, 6, 1, 3, 2, 4, 5]))
    assert not dep.dependence_estimated
    assert "not estimated" in dep.note


def test_a_missed_step_gives_a_large_but_bounded_design_effect():
    # the variance of a total of n values is at most n^2 gamma_0
    y = np.r_[np.full(200, 2.0), np.full(200, 9.0)]
    dep = ar_long_run_dependence(y)
    assert 1.0 < dep.long_run_dispersion <= 400 * dep.dispersion + 1e-9


def test_order_limit_is_r_ar_default():
    assert max_ar_order(365) == math.floor(10 * math.log10(365))
    assert max_ar_order(40) == 13  # n // 3 caps 16
    assert max_ar_order(1) == 0


def test_the_reason_names_the_ar_estimate():
    rng = np.random.default_rng(15)
    res = it.detect_changepoints(rng.poisson(4, 300))
    assert "Yule-Walker" in res.reason and "AIC" in res.reason


def test_degrees_of_freedom_match_the_spread_of_the_estimate():
    # Gaussian AR(1), phi 0.5, n = 2000, 300 series: sd of log D-hat 0.106 (s.e. about
    # 0.0045); the delta method with the order taken as known gives 0.085 (AIC's choice
    # of the order adds the rest), about 0.8 of it. Without the coefficients' term it
    # would be 0.032; with a wrong factor on it, far from 0.8.
    rng = np.random.default_rng(41)
    logs, implied = [], []
    for _ in range(300):
        e = rng.normal(size=2100)
        x = np.zeros(2100)
        for t in range(1, 2100):
            x[t] = 0.5 * x[t - 1] + e[t]
        dep = ar_long_run_dependence(x[100:] + 50.0, np.full(2000, 50.0), n_means=0)
        logs.append(math.log(dep.long_run_dispersion))
        implied.append(math.sqrt(2.0 / design_effect_df(dep)))
    ratio = float(np.median(implied) / np.std(logs, ddof=1))
    assert 0.65 < ratio < 1.05
    assert math.exp(np.mean(logs)) * 50 == pytest.approx(4.0, rel=0.03)  # 1 / (1 - 0.5)^2


def test_independent_counts_have_about_n_degrees_of_freedom_and_no_widening():
    rng = np.random.default_rng(42)
    dep = ar_long_run_dependence(rng.poisson(3.0, 365))
    if dep.bandwidth == 0:
        assert design_effect_df(dep) == pytest.approx(365)
    assert interval_inflation(365, 0.95) == pytest.approx(1.0, abs=0.012)
    # a t interval from 20 degrees of freedom: (2.086 / 1.960)^2
    expected = (stats.t.ppf(0.975, 20) / stats.norm.ppf(0.975)) ** 2
    assert interval_inflation(20, 0.95) == pytest.approx(expected, rel=1e-12)


def test_the_intervals_are_widened_by_the_sampling_error_of_the_design_effect():
    # the reason gives the degrees of freedom; the rate interval of a series without a
    # change is the Garwood interval on the widened scale, wider than on D itself
    proc = PROCESSES["ar0.8"]
    y = simulate_counts(proc, 365, 5.0, np.random.default_rng(43)).counts
    res = it.detect_changepoints(y)
    assert res.n_changes == 0
    df = float(res.reason.split("(")[-1].split(" degrees")[0])
    d = float(res.reason.split("design effect ")[1].split(" ")[0])
    assert 1 <= df < 365
    s, n = float(y.sum()), 365
    # the scale: the larger of D and the latent AR(1)-plus-noise estimate, spread as a
    # scaled chi-square of df degrees of freedom (16 draws at the mid quantiles), whose
    # geometric mean and Satterthwaite df give the Student t factor (intervals.py)
    x = y.to_numpy(dtype=float)
    top = max(d, latent_long_run_variance(x - x.mean(), 1) / x.mean(), 1.0)
    q = (np.arange(16) + 0.5) / 16
    draws = np.maximum(top * df / stats.chi2.isf(q, df), 1.0)
    nu = 2.0 / np.var(np.log(draws), ddof=1)
    d_int = math.exp(np.mean(np.log(draws))) * interval_inflation(nu, 0.95)
    assert d_int > d * interval_inflation(df, 0.95)  # wider than the delta method alone
    seg = res.segments
    assert seg["ci_high"].iloc[0] == pytest.approx(
        d_int * stats.gamma.ppf(0.975, s / d_int + 1) / n, rel=1e-3
    )
    assert seg["ci_high"].iloc[0] > d * stats.gamma.ppf(0.975, s / d + 1) / n


# --- measurements: the noise scale of the Gaussian mean cost -------------------------------
def _ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    # stationary Gaussian AR(1), marginal sd 1 (SIMULATED)
    from analysis.validation._simulate import _latent_ar

    return _latent_ar(rng, n, phi, 1.0)


def _window_variance(gamma: np.ndarray, w: int) -> float:
    # Var(S_w) / w from autocovariances gamma_0.. (closed form of the floor's target)
    k = np.arange(1, w)
    return float(gamma[0] + 2.0 * np.sum((1.0 - k / w) * gamma[1:w]))


def test_variogram_floor_matches_the_window_variance_of_an_ar1():
    # closed form: max over windows w <= 12 of Var(S_w)/w for AR(1) phi 0.5, marginal var 1
    # is at w = 12 (2.62); one series of 200,000 values: s.e. of the estimate about 0.02
    from analysis.changepoints._longrun import variogram_noise_floor

    gamma = 0.5 ** np.arange(13)
    truth = _window_variance(gamma, 12)
    est = variogram_noise_floor(_ar1(np.random.default_rng(40), 200_000, 0.5)).variance
    assert est == pytest.approx(truth, rel=0.04)
    white = variogram_noise_floor(np.random.default_rng(41).normal(0, 2.0, 200_000)).variance
    assert white == pytest.approx(4.0, rel=0.03)  # i.i.d.: every window gives gamma_0


def test_variogram_floor_keeps_a_cycle_where_the_shared_first_guess_collapses():
    # a period-12 cycle of amplitude 2 plus unit noise, 365 values, 50 series: the shared
    # variogram estimate (gamma_0 at one lag) is 0 (collapsed) on 18 of 50 (36%, measured);
    # the floor stays near its target, the largest window variance max_w Var(S_w)/w
    # (closed form, w <= 12; 6.0, measured median 6.0, range 5.2-6.7)
    from analysis._dependence import difference_long_run_variance
    from analysis.changepoints._longrun import variogram_noise_floor

    k = np.arange(13)
    gamma = 2.0 * np.cos(2 * np.pi * k / 12) + (k == 0)
    truth = max(_window_variance(gamma, w) for w in range(1, 13))
    rng = np.random.default_rng(42)
    old, new = [], []
    for _ in range(50):
        t = np.arange(365)
        x = 2.0 * np.sin(2 * np.pi * (t / 12 + rng.uniform())) + rng.normal(size=365)
        old.append(difference_long_run_variance(x))
        new.append(variogram_noise_floor(x).variance)
    assert np.mean(np.array(old) < 1.5) > 0.2  # the collapse the floor is built to avoid
    assert np.median(new) == pytest.approx(truth, rel=0.15)
    assert min(new) > 3.0  # never below the marginal variance (3) on any of the 50


def test_variogram_floor_is_little_moved_by_one_level_shift():
    # one shift of 2 sd in 365 i.i.d. values raises the floor (variance 1, about 1.1 with
    # the max over windows) by about 0.23 delta^2 (windows up to 12, closed form of the
    # module docstring): measured mean 1.95 over 200 series, s.e. 0.03
    from analysis.changepoints._longrun import variogram_noise_floor

    rng = np.random.default_rng(43)
    shifted = []
    for _ in range(200):
        x = rng.normal(size=365)
        x[180:] += 2.0
        shifted.append(variogram_noise_floor(x).variance)
    assert 1.0 < float(np.mean(shifted)) < 2.2


def test_variogram_floor_refuses_bad_lags():
    from analysis.changepoints._longrun import variogram_noise_floor

    with pytest.raises(ValueError, match="lags"):
        variogram_noise_floor(np.ones(50), lags=0)
    with pytest.raises(ValueError, match="windows"):
        variogram_noise_floor(np.ones(50), windows=0)


def test_ar_noise_scale_matches_the_ar2_closed_form():
    # AR(2) phi (0.5, 0.3), innovation sd 1: LRV = 1 / (1 - 0.8)^2 = 25; 200,000 values
    from scipy.signal import lfilter

    from analysis.changepoints._longrun import ar_noise_scale

    e = np.random.default_rng(44).normal(size=200_000)
    x = lfilter([1.0], [1.0, -0.5, -0.3], e)
    est = ar_noise_scale(x - x.mean())
    assert est.variance == pytest.approx(25.0, rel=0.06)
    assert est.order >= 2
