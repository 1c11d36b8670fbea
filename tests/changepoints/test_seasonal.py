"""Seasonal adjustment before segmentation (``seasonal=7``). SIMULATED data only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.changepoints import detect_changepoints
from analysis.changepoints._seasonal import additive_effects, check_seasonal, ratio_factors
from analysis.changepoints.costs.poisson_weighted import WeightedPoissonCost
from analysis.validation import PROCESSES, simulate_counts

#: a strong weekly cycle (mean 1): the busiest day 3.6 times the quietest
STRONG = np.array([1.8, 1.4, 1.0, 1.0, 0.8, 0.5, 0.5]) / 1.0
N_DAYS = 365
IDX = pd.date_range("2024-01-01", periods=N_DAYS, freq="D")
PHASE = np.arange(N_DAYS) % 7


def _counts(rng: np.random.Generator, rates: np.ndarray) -> pd.Series:
    return pd.Series(rng.poisson(rates * STRONG[PHASE]), index=IDX)


def test_check_seasonal_names_the_parameter():
    assert check_seasonal("weekly") == 7
    for bad in ("monthly", 1, True, 2.5):
        with pytest.raises(ValueError, match="seasonal"):
            check_seasonal(bad)
    with pytest.raises(ValueError, match="seasonal"):
        detect_changepoints(np.arange(40), seasonal="daily")


def test_too_short_and_unsupported_costs_are_refused():
    with pytest.raises(ValueError, match="seasonal=7 needs at least 4 full cycles"):
        detect_changepoints(np.arange(20), seasonal=7)
    with pytest.raises(ValueError, match="seasonal= works with cost"):
        detect_changepoints(np.arange(100), cost="negbin", seasonal=7)


def test_factors_and_effects_are_recovered():
    rng = np.random.default_rng(90)
    n = 7000  # 1000 cycles: each factor has a Monte Carlo sd of about 0.015
    pos = np.arange(n)
    y = rng.poisson(5.0 * STRONG[pos % 7]).astype(float)
    f = ratio_factors(y, pos, 7)
    np.testing.assert_allclose(f[:7], STRONG, atol=0.05)
    v = 3.0 * np.sin(2 * np.pi * pos / 7)
    e = additive_effects(10.0 + v + rng.normal(size=n), pos, 7)
    np.testing.assert_allclose(e[:7], v[:7] - v[:7].mean(), atol=0.1)


def test_weighted_poisson_rate_and_likelihood_are_the_closed_forms():
    rng = np.random.default_rng(91)
    f = STRONG[np.arange(70) % 7]
    y = rng.poisson(4.0 * f).astype(float)
    cost = WeightedPoissonCost(f).fit(y)
    bounds = np.array([0, 30, 70])
    rows = cost.segment_rows(bounds, 0.95)
    assert rows["rate"].iloc[0] == pytest.approx(y[:30].sum() / f[:30].sum())
    lam = np.r_[np.full(30, rows["rate"].iloc[0]), np.full(40, rows["rate"].iloc[1])]
    expected = -2.0 * stats.poisson.logpmf(y, lam * f).sum()
    assert cost.neg2_loglik(bounds) == pytest.approx(expected, rel=1e-10)
    with pytest.raises(ValueError, match="multipliers"):
        WeightedPoissonCost(np.r_[f[:-1], 0.0])


def test_strong_weekly_cycle_without_change_gives_no_change():
    # 40 series: with a true false-alarm rate of 5%, more than 6 has probability 0.05
    rng = np.random.default_rng(92)
    alarms = sum(
        detect_changepoints(_counts(rng, np.full(N_DAYS, 5.0)), seasonal=7).n_changes > 0
        for _ in range(40)
    )
    assert alarms <= 4
    # the simulator's dependent, weekly processes, 100 series each: at a true rate of
    # 5% (Monte Carlo error 2.2%), more than 10 alarms has probability 0.01 (measured
    # on 200 other series: ar0.8+weekly 0.045 with and without seasonal=7)
    for name in ("nb5+weekly", "ar0.8+weekly"):
        alarms = sum(
            detect_changepoints(
                simulate_counts(PROCESSES[name], N_DAYS, 3.0, rng).counts, seasonal="weekly"
            ).n_changes
            > 0
            for _ in range(100)
        )
        assert alarms <= 10, name


def test_a_change_is_still_found_and_power_is_gained():
    rng = np.random.default_rng(93)
    rates = np.where(np.arange(N_DAYS) < 200, 3.0, 4.5)  # x1.5 at day 200
    found_seasonal = found_plain = 0
    for _ in range(40):
        y = _counts(rng, rates)
        res = detect_changepoints(y, seasonal=7)
        found_seasonal += int(np.any(np.abs(res.indices - 200) <= 10))
        found_plain += int(np.any(np.abs(detect_changepoints(y).indices - 200) <= 10))
    assert found_seasonal >= 32  # 80% of 40
    assert found_seasonal >= found_plain
    assert res.cost_name == "poisson_seasonal"
    assert "seasonal factors of period 7" in res.reason
    seg = res.segments
    assert seg["rate"].iloc[0] == pytest.approx(3.0, rel=0.15)


def test_measurements_have_the_effects_subtracted():
    rng = np.random.default_rng(94)
    cycle = 3.0 * np.sin(2 * np.pi * np.arange(N_DAYS) / 7)
    level = np.where(np.arange(N_DAYS) < 150, 10.0, 11.0)
    found = 0
    for _ in range(20):
        y = pd.Series(level + cycle + rng.normal(size=N_DAYS), index=IDX)
        res = detect_changepoints(y, seasonal=7)
        found += int(res.n_changes == 1 and abs(int(res.indices[0]) - 150) <= 10)
        none = detect_changepoints(y - level + 10.0, seasonal=7)
        assert none.n_changes == 0
    assert found >= 16
    assert "seasonal effects of period 7 subtracted" in res.reason
    assert res.segments["mean"].iloc[0] == pytest.approx(10.0, abs=0.3)
