"""The automatic choice of cost and method (analysis/changepoints/_auto.py); SIMULATED data."""

from __future__ import annotations

import numpy as np

from analysis.changepoints import detect_changepoints


def test_auto_method_for_one_parameter_costs_by_length():
    rng = np.random.default_rng(15)
    y = np.r_[rng.poisson(3, 150_000), rng.poisson(4, 100_000)]
    long = detect_changepoints(y, cost="poisson")
    assert long.method == "binseg"
    exact = detect_changepoints(y, cost="poisson", method="fpop")
    assert list(long.indices) == list(exact.indices)
    assert detect_changepoints(y[:1000], cost="poisson").method == "fpop"


def test_auto_method_for_mean_and_variance_by_length():
    rng = np.random.default_rng(12)
    assert detect_changepoints(rng.normal(0, 1, 500)).method == "pelt"
    assert detect_changepoints(rng.normal(0, 1, 20_000)).method == "seeded_binseg"


def test_negbin_chosen_for_overdispersed_counts():
    rng = np.random.default_rng(13)
    y = rng.negative_binomial(3, 3 / 8, 600)
    res = detect_changepoints(y)
    assert res.cost_name == "negbin"
    assert "overdispersed" in res.reason


def test_whole_numbers_too_large_for_a_count_cost_are_measurements():
    # a constant series of 1e15 a step: a Poisson cost would find dozens of changes
    res = detect_changepoints(np.full(100, 1e15))
    assert res.cost_name == "normal_meanvar"
    assert "too large for a count cost" in res.reason
    assert res.n_changes == 0
