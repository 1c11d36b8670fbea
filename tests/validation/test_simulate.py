"""The simulators of analysis.validation against closed forms (all data simulated).

Tolerances come from the simulation size: 4 Monte Carlo standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.validation import (
    PROCESSES,
    WEEKLY_FACTORS,
    Process,
    simulate_counts,
    simulate_piecewise,
)

RATE = 5.0


def _moments_around_truth(process: Process, series: int = 200, n: int = 1000):
    """Per-series variance and lag-1 covariance around the true mean, over many series."""
    rng = np.random.default_rng(11)
    var, cov1, rho = [], [], []
    for _ in range(series):
        y = simulate_counts(process, n, RATE, rng).counts.to_numpy() - RATE
        v, c = np.mean(y**2), np.mean(y[1:] * y[:-1])
        var.append(v)
        cov1.append(c)
        rho.append(c / v)
    return np.array(var), np.array(cov1), np.array(rho)


def _tol(x: np.ndarray) -> float:
    return 4 * x.std(ddof=1) / math.sqrt(x.size)


def test_negative_binomial_mean_and_variance_match_the_closed_form():
    y = simulate_counts(PROCESSES["nb2"], 200_000, RATE, np.random.default_rng(3)).counts
    x = y.to_numpy().astype(float)
    n, var = x.size, RATE + RATE**2 / 2
    assert abs(x.mean() - RATE) < 4 * math.sqrt(var / n)
    m4 = np.mean((x - x.mean()) ** 4)
    assert abs(x.var(ddof=1) - var) < 4 * math.sqrt((m4 - var**2) / n)
    assert PROCESSES["nb2"].variance(RATE) == pytest.approx(var)


@pytest.mark.parametrize("name", ["poisson", "nb5", "ar0.5", "ar0.8", "nb5+ar0.8"])
def test_variance_to_mean_ratio_matches_the_closed_form(name):
    proc = PROCESSES[name]
    var, _, _ = _moments_around_truth(proc)
    assert abs(var.mean() / RATE - proc.variance(RATE) / RATE) < _tol(var) / RATE


@pytest.mark.parametrize("name", ["poisson", "ar0.5", "ar0.8", "nb5+ar0.8"])
def test_lag1_autocorrelation_matches_the_closed_form(name):
    proc = PROCESSES[name]
    _, _, rho = _moments_around_truth(proc)
    # the ratio estimator's bias is O(1/n) = 0.001 here, well inside the tolerance
    assert abs(rho.mean() - proc.lag1_autocorrelation(RATE)) < _tol(rho) + 0.002


def test_latent_ar_keeps_the_process_mean_rate():
    rng = np.random.default_rng(5)
    means = [simulate_counts(PROCESSES["ar0.8"], 1000, RATE, rng).counts.mean() for _ in range(200)]
    x = np.array(means)
    assert abs(x.mean() - RATE) < _tol(x)


def test_closed_form_vmr_of_the_issue_setting_is_about_one_and_a_half():
    # issue 8: phi 0.8, log-rate sd 0.3 gives "a variance-to-mean ratio of only about 1.5"
    assert PROCESSES["ar0.8"].variance(RATE) / RATE == pytest.approx(1 + RATE * math.expm1(0.09))


def test_weekly_cycle_multiplies_each_weekday_by_its_factor():
    sim = simulate_counts(PROCESSES["weekly"], 7 * 4000, RATE, np.random.default_rng(7))
    by_day = sim.counts.groupby(sim.counts.index.day_of_week).mean()
    expected = RATE * np.asarray(WEEKLY_FACTORS)
    tol = 4 * np.sqrt(expected / 4000)
    assert np.all(np.abs(by_day.to_numpy() - expected) < tol)


def test_weekly_factors_have_mean_one():
    assert np.mean(WEEKLY_FACTORS) == pytest.approx(1.0)
    assert simulate_counts(PROCESSES["weekly"], 28, RATE, np.random.default_rng(1)).rate.mean() == (
        pytest.approx(RATE)
    )


def test_piecewise_series_carries_its_truth():
    sim = simulate_piecewise(
        PROCESSES["poisson"], 400, (2.0, 6.0), (150,), np.random.default_rng(2)
    )
    assert sim.change_positions == (150,)
    assert sim.change_dates[0] == sim.counts.index[150]
    assert sim.segment_rates == (2.0, 6.0)
    assert sim.rate.iloc[149] == 2.0 and sim.rate.iloc[150] == 6.0


def test_piecewise_segment_means_match_their_rates():
    sim = simulate_piecewise(
        PROCESSES["poisson"], 40_000, (2.0, 6.0), (20_000,), np.random.default_rng(4)
    )
    y = sim.counts.to_numpy()
    for part, rate in ((y[:20_000], 2.0), (y[20_000:], 6.0)):
        assert abs(part.mean() - rate) < 4 * math.sqrt(rate / part.size)


def test_piecewise_refuses_mismatched_changes():
    with pytest.raises(ValueError, match="segment_rates"):
        simulate_piecewise(PROCESSES["poisson"], 100, (1.0, 2.0), (), np.random.default_rng(0))


def test_piecewise_refuses_a_change_outside_the_series():
    with pytest.raises(ValueError, match="change_at"):
        simulate_piecewise(PROCESSES["poisson"], 100, (1.0, 2.0), (100,), np.random.default_rng(0))


def test_process_refuses_phi_outside_the_stationary_range():
    with pytest.raises(ValueError, match="phi"):
        Process("bad", phi=1.0)


def test_simulate_refuses_a_rate_that_is_not_positive():
    with pytest.raises(ValueError, match="rate"):
        simulate_counts(PROCESSES["poisson"], 10, 0.0, np.random.default_rng(0))


def test_same_generator_seed_gives_the_same_series():
    a = simulate_counts(PROCESSES["nb5+ar0.8"], 50, RATE, np.random.default_rng(9)).counts
    b = simulate_counts(PROCESSES["nb5+ar0.8"], 50, RATE, np.random.default_rng(9)).counts
    pd.testing.assert_series_equal(a, b)


def test_simulated_series_is_daily_whole_numbers_labelled_simulated():
    sim = simulate_counts(PROCESSES["poisson"], 30, RATE, np.random.default_rng(0))
    assert sim.counts.index.freqstr == "D"
    assert sim.counts.dtype == np.int64
    assert sim.counts.name == "simulated"
    assert PROCESSES["nb5+ar0.8"].description.startswith("simulated ")


def test_trend_series_rate_grows_by_the_slope():
    sim = simulate_counts(PROCESSES["poisson"], 100, 2.0, np.random.default_rng(0), slope=0.01)
    assert sim.rate.iloc[99] / sim.rate.iloc[0] == pytest.approx(math.exp(0.99))
    assert sim.slope == 0.01
