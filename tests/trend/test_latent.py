"""Closed-form checks of the latent-process covariance (Zeger 1988) on SIMULATED counts.

Every series here is simulated, not real data. The latent process is the one
of :mod:`analysis.validation`: ``z`` a Gaussian AR(1) on the log scale (``phi``,
stationary sd ``s``), multiplier ``exp(z - s^2 / 2)`` (mean 1, variance
``sigma2 = e^{s^2} - 1``, autocorrelation ``rho(k) = (e^{s^2 phi^k} - 1) / sigma2``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.trend._latent import (
    PHI_GRID,
    LatentFit,
    default_lags,
    latent_ar1,
    latent_covariance,
    latent_state,
    latent_states,
)

N = 365
MU = 5.0
SD = 0.3  # stationary sd of the latent log rate, as in analysis.validation


def _latent_z(rng: np.random.Generator, n: int, phi: float, sd: float = SD) -> np.ndarray:
    z = np.empty(n)
    z[0] = rng.normal(0.0, sd)
    innov = rng.normal(0.0, sd * math.sqrt(1 - phi**2), n)
    for t in range(1, n):
        z[t] = phi * z[t - 1] + innov[t]
    return z


def _design(n: int, pulse_at: int | None = None) -> np.ndarray:
    cols = [np.ones(n), (np.arange(n) - (n - 1) / 2) / n]  # intercept, slow trend
    if pulse_at is not None:
        p = np.zeros(n)
        p[pulse_at : pulse_at + 2] = 1.0  # a two-day pulse
        cols.append(p)
    return np.column_stack(cols)


def _poisson_fit(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson GLM by Newton steps (coefficients, fitted means, model covariance)."""
    beta = np.zeros(x.shape[1])
    beta[0] = math.log(max(y.mean(), 1e-3))
    for _ in range(50):
        mu = np.exp(x @ beta)
        a = x.T @ (mu[:, None] * x)
        step = np.linalg.solve(a, x.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    mu = np.exp(x @ beta)
    return beta, mu, np.linalg.inv(x.T @ (mu[:, None] * x))


def _true_covariance(x: np.ndarray, mu: np.ndarray, phi: float, sd: float = SD) -> np.ndarray:
    """Closed form ``A^-1 X' V X A^-1`` with the simulator's exact V."""
    n = len(mu)
    sigma2 = math.expm1(sd**2)
    lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    cov_eps = np.expm1(sd**2 * phi**lag)  # sigma2 * rho(|s - t|), sigma2 on the diagonal
    assert math.isclose(cov_eps[0, 0], sigma2)
    v = np.diag(mu) + mu[:, None] * cov_eps * mu[None, :]
    a_inv = np.linalg.inv(x.T @ (mu[:, None] * x))
    return a_inv @ x.T @ v @ x @ a_inv


def _replicate(phi: float | None, R: int, seed: int, pulse_at: int | None = None) -> dict:
    rng = np.random.default_rng(seed)
    x = _design(N, pulse_at)
    est, infl, fits = [], [], []
    for _ in range(R):
        mult = np.ones(N) if phi is None else np.exp(_latent_z(rng, N, phi) - SD**2 / 2)
        y = rng.poisson(MU * mult).astype(float)
        beta, mu, model_cov = _poisson_fit(y, x)
        fit = latent_covariance(y, mu, x, model_cov)
        est.append(beta)
        infl.append(fit.inflation)
        fits.append(fit)
    return {"x": x, "beta": np.array(est), "inflation": np.array(infl), "fits": fits}


def test_default_lags_span_two_weeks():
    assert default_lags(10) == 2
    assert default_lags(365) == 14
    assert default_lags(3) == 1
    assert PHI_GRID.max() == pytest.approx(0.9)


def test_slow_regressor_inflation_matches_its_closed_form_under_a_latent_ar1():
    # SIMULATED latent AR(1), phi 0.8: the slope's variance over the Poisson model's
    # is x'Vx / x'Mx, about 1 + mu sigma2 (1 + phi) / (1 - phi) = 5.2 for a slow regressor.
    phi, R = 0.8, 200
    out = _replicate(phi, R, seed=11)
    x = out["x"]
    mu = np.full(N, MU)
    true_cov = _true_covariance(x, mu, phi)
    model_var = np.linalg.inv(x.T @ (mu[:, None] * x))[1, 1]
    closed = true_cov[1, 1] / model_var
    approx = 1 + MU * math.expm1(SD**2) * (1 + phi) / (1 - phi)
    assert closed == pytest.approx(approx, rel=0.1)  # the closed form is the textbook one
    # the mean estimated inflation: MC s.e. sd / sqrt(R), about 0.1 here
    est = out["inflation"][:, 1]
    se = est.std(ddof=1) / math.sqrt(R)
    assert abs(est.mean() - closed) < max(4 * se, 0.15 * closed), (est.mean(), closed, se)
    # and the slope's Monte Carlo variance is the closed form (relative s.e. sqrt(2 / R) = 0.1)
    mc_var = out["beta"][:, 1].var(ddof=1)
    assert mc_var / true_cov[1, 1] == pytest.approx(1.0, abs=3 * math.sqrt(2 / R))


def test_two_day_pulse_inflation_is_about_one_plus_mu_sigma2_one_plus_rho1():
    # SIMULATED latent AR(1), phi 0.5: a two-day pulse's score is the sum of two
    # adjacent days, so its variance over the Poisson one is 1 + mu sigma2 (1 + rho(1)).
    phi, R = 0.5, 150
    out = _replicate(phi, R, seed=12, pulse_at=N // 2)
    sigma2 = math.expm1(SD**2)
    rho1 = math.expm1(SD**2 * phi) / sigma2
    closed = 1 + MU * sigma2 * (1 + rho1)
    x = out["x"]
    mu = np.full(N, MU)
    exact = _true_covariance(x, mu, phi)[2, 2] / np.linalg.inv(x.T @ (mu[:, None] * x))[2, 2]
    assert exact == pytest.approx(closed, rel=0.02)
    est = out["inflation"][:, 2]
    se = est.std(ddof=1) / math.sqrt(R)
    assert abs(est.mean() - closed) < 4 * se + 0.03, (est.mean(), closed, se)
    # the estimated latent moments themselves (MC s.e. from the replicates)
    s2 = np.array([f.sigma2 for f in out["fits"]])
    r1 = np.array([f.rho1 for f in out["fits"]])
    assert abs(s2.mean() - sigma2) < 4 * s2.std(ddof=1) / math.sqrt(R)
    assert abs(r1.mean() - rho1) < 4 * r1.std(ddof=1) / math.sqrt(R) + 0.05


def test_no_inflation_beyond_noise_on_independent_poisson_counts():
    # SIMULATED independent Poisson counts: the true inflation is 1. Floored at 1,
    # the estimate can only err upwards; its mean standard-error ratio stays
    # within 10% (measured 1.07, MC s.e. about 0.01 at R = 200).
    R = 200
    out = _replicate(None, R, seed=13, pulse_at=N // 2)
    ratio = np.sqrt(out["inflation"])
    assert ratio.min() >= 1.0
    for j in (1, 2):
        mean, se = ratio[:, j].mean(), ratio[:, j].std(ddof=1) / math.sqrt(R)
        assert mean < 1.10, (j, mean, se)
        assert np.median(ratio[:, j]) < 1.08
    assert np.mean([f.sigma2 for f in out["fits"]]) < 0.01


def test_projection_correction_removes_the_trend_bias_of_the_moments():
    # SIMULATED latent AR(1), phi 0.8, with a fitted trend: the raw residual
    # autocorrelations are biased down (the trend absorbs slow latent variation);
    # the persistence fitted to their exact expectations is not.
    phi, R = 0.8, 100
    out = _replicate(phi, R, seed=14)
    phis = np.array([f.phi for f in out["fits"]])
    se = phis.std(ddof=1) / math.sqrt(R)
    assert abs(phis.mean() - phi) < 4 * se + 0.03, (phis.mean(), se)


def test_latent_ar1_and_state_reproduce_the_simulated_log_process():
    # SIMULATED latent AR(1), phi 0.8: the fitted log-scale AR(1) has about the
    # simulator's variance s^2, and the filtered state on the last day is
    # calibrated: E[z_T | data] = state_mean, Var = state_var (regression slope 1).
    phi, R = 0.8, 150
    rng = np.random.default_rng(15)
    x = _design(N)
    truth, means, var, vs = [], [], [], []
    for _ in range(R):
        z = _latent_z(rng, N, phi)
        y = rng.poisson(MU * np.exp(z - SD**2 / 2)).astype(float)
        _, mu, model_cov = _poisson_fit(y, x)
        fit = latent_covariance(y, mu, x, model_cov)
        _, v = latent_ar1(fit)
        truth.append(z[-1])
        means.append(fit.state_mean)
        var.append(fit.state_var)
        vs.append(v)
    truth_a, means_a = np.array(truth), np.array(means)
    assert np.mean(vs) == pytest.approx(SD**2, rel=0.2)
    slope = np.polyfit(means_a, truth_a, 1)[0]
    assert slope == pytest.approx(1.0, abs=0.3)  # s.e. of the slope about 0.1
    resid_var = np.var(truth_a - means_a)
    # relative s.e. of a variance from R values: sqrt(2 / R) = 0.12
    assert resid_var / np.mean(var) == pytest.approx(1.0, abs=4 * math.sqrt(2 / R))


def test_state_is_the_prior_without_persistence():
    # no persistent latent variance: no AR(1) to draw, no state to filter
    rng = np.random.default_rng(16)
    y = rng.poisson(MU, N).astype(float)
    mu = np.full(N, MU)
    fit = LatentFit(0.05, np.zeros(3), np.eye(2), np.ones(2), phi=0.0, rho1=0.0)
    assert latent_ar1(fit) == (0.0, 0.0)
    assert latent_state(fit, y, mu) == (0.0, 0.0)
    # a persistent one: the filter moves the state towards a run of high counts
    fit = LatentFit(0.09, 0.8 ** np.arange(1, 4), np.eye(2), np.ones(2), phi=0.8, rho1=0.8)
    phi, v = latent_ar1(fit)
    assert (phi, v) == (0.8, pytest.approx(math.log1p(0.09)))
    high = np.r_[y[:-20], np.full(20, 2 * MU)]
    m, p = latent_state(fit, high, mu)
    assert m > 0.3 and 0 < p < v


def test_filtering_each_paths_mean_moves_the_state_against_its_level():
    # one column at the estimates is latent_state; a path whose mean is 10% higher
    # sees residuals about 10% lower and so a lower latent level (by about log 1.1
    # times the filter's weight on the recent data), one 10% lower a higher one
    rng = np.random.default_rng(17)
    y = rng.poisson(MU, N).astype(float)
    mu = np.full(N, MU)
    fit = LatentFit(0.09, 0.8 ** np.arange(1, 4), np.eye(2), np.ones(2), phi=0.8, rho1=0.8)
    paths = np.column_stack([mu, 1.1 * mu, mu / 1.1])
    m, p = latent_states(fit, y, paths)
    assert (m[0], p[0]) == pytest.approx(latent_state(fit, y, mu))
    assert m[1] < m[0] < m[2]
    assert 0.3 * math.log(1.1) < m[0] - m[1] < math.log(1.1) + 0.02
    with pytest.raises(ValueError, match="mu must be a 2-D"):
        latent_states(fit, y, mu)
