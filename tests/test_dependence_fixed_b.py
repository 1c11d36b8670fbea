"""Checks of the fixed-b table and the HAC long-run variance of a mean (simulated data)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis._dependence import (
    _fixed_b_table,
    fixed_b_critical_value,
    mean_long_run_variance,
)


def test_fixed_b_at_b_zero_is_the_normal_quantile():
    for level in (0.8, 0.9, 0.95, 0.99):
        assert fixed_b_critical_value(0.0, level) == pytest.approx(stats.norm.ppf(0.5 + level / 2))


def test_fixed_b_grows_with_the_bandwidth_and_the_level():
    bs = np.linspace(0, 1, 41)
    cv = np.array([fixed_b_critical_value(b) for b in bs])
    assert np.all(np.diff(cv) > 0)
    assert fixed_b_critical_value(0.2, 0.90) < fixed_b_critical_value(0.2, 0.95)
    assert fixed_b_critical_value(2.0) == fixed_b_critical_value(1.0)  # b above 1 is 1


def test_fixed_b_table_is_the_stated_simulation_with_small_errors():
    t = _fixed_b_table()
    at95 = t["level"] == 0.95
    # Monte Carlo errors as stated in the script's docstring
    assert t["se"][at95 & (t["b"] <= 0.3)].max() <= 0.010
    assert t["se"][at95].max() <= 0.014
    # the simulated b = 0 column is the normal quantile within 3 s.e.
    for level in np.unique(t["level"]):
        row = (t["b"] == 0) & (t["level"] == level)
        z = stats.norm.ppf(0.5 + level / 2)
        assert abs(t["cv"][row][0] - z) <= 3 * t["se"][row][0]


def test_fixed_b_at_b_one_matches_an_independent_simulation():
    # |t| with the Bartlett kernel and M = n (b = 1) on independent normal data,
    # simulated afresh with another seed and length: 20_000 replicates of 400 values
    rng = np.random.default_rng(77)
    reps, n = 20_000, 400
    x = rng.standard_normal((reps, n))
    r = x - x.mean(axis=1, keepdims=True)
    s = np.cumsum(r, axis=1)
    # for M = n the Bartlett long-run variance is (2/n^2) sum_t S_t^2 (partial sums S_t)
    lrv = 2.0 * np.sum(s**2, axis=1) / n**2
    t = np.abs(np.sqrt(n) * x.mean(axis=1)) / np.sqrt(lrv)
    q = float(np.quantile(t, 0.95))
    # s.e. of the 0.95 quantile: sqrt(0.95 * 0.05 / reps) / density there (about 0.03)
    dens = float(np.mean(np.abs(t - q) < 0.1) / 0.2)
    se = math.sqrt(0.95 * 0.05 / reps) / dens
    assert fixed_b_critical_value(1.0) == pytest.approx(q, abs=4 * se + 0.02)


def test_hac_long_run_variance_of_an_ar1_series():
    # AR(1) with rho 0.5 and innovation sd 1 about mean 10: long-run variance 1 / (1 - rho)^2 = 4
    rng = np.random.default_rng(5)
    rho, n, sims = 0.5, 5000, 40
    values = []
    for _ in range(sims):
        e = rng.standard_normal(n)
        x = np.empty(n)
        x[0] = e[0] / math.sqrt(1 - rho**2)
        for t in range(1, n):
            x[t] = rho * x[t - 1] + e[t]
        values.append(mean_long_run_variance(10.0 + x).long_run_variance)
    mean, se = float(np.mean(values)), float(np.std(values, ddof=1) / math.sqrt(sims))
    # Bartlett bias -(2/M) sum k gamma_k = -(2/M) * rho / (1 - rho)^3 / (1 + rho) ~ -0.1 at M ~ 50
    assert mean == pytest.approx(4.0, abs=4 * se + 0.15)


def test_hac_on_independent_poisson_counts_is_close_to_one():
    rng = np.random.default_rng(8)
    h = mean_long_run_variance(rng.poisson(4.0, 20_000).astype(float))
    assert h.long_run_variance / h.mean == pytest.approx(1.0, abs=0.1)
    assert h.b < 0.05 and h.critical_value == pytest.approx(1.96, abs=0.05)
    assert h.design_effect == pytest.approx(
        h.long_run_variance / h.mean * (h.critical_value / h.z) ** 2
    )


def test_hac_of_a_series_without_events():
    h = mean_long_run_variance(np.zeros(40))
    assert h.design_effect == 1.0
