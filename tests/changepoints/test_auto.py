"""The automatic choice of cost and method (analysis/changepoints/_auto.py); SIMULATED data."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.changepoints import detect_changepoints


def test_auto_method_for_one_parameter_costs_by_length():
    rng = np.random.default_rng(15)
    y = np.r_[rng.poisson(3, 150_000), rng.poisson(4, 100_000)]
    long = detect_changepoints(y, cost="poisson")
    assert long.method == "binseg"
    exact = detect_changepoints(y, cost="poisson", method="fpop")
    assert list(long.indices) == list(exact.indices)
    assert detect_changepoints(y[:1000], cost="poisson").method == "fpop"


def test_auto_method_for_measurements_is_the_exact_normal_search():
    rng = np.random.default_rng(12)
    res = detect_changepoints(rng.normal(0, 1, 20_000))
    assert res.method == "fpop" and res.cost_name == "normal"


def test_whole_numbers_stored_as_floats_are_measurements():
    res = detect_changepoints(np.random.default_rng(3).poisson(5, 300).astype(float))
    assert res.cost_name == "normal" and "not an integer dtype" in res.reason


def test_overdispersed_counts_scale_the_penalty_by_the_design_effect():
    rng = np.random.default_rng(13)
    y = rng.negative_binomial(3, 3 / 8, 600)  # simulated: mean 5, variance 1 + 5/3 times Poisson
    res = detect_changepoints(y)
    assert res.cost_name == "poisson" and "design effect" in res.reason
    d = float(res.reason.split("design effect ")[1].split(" ")[0])
    assert d == pytest.approx(1 + 5 / 3, rel=0.25)
    assert res.penalty == pytest.approx(d * 3 * np.log(600), rel=1e-2)


def test_whole_numbers_too_large_for_a_count_cost_are_measurements():
    # a constant series of 1e15 a step: a Poisson cost would find dozens of changes
    res = detect_changepoints(np.full(100, 10**15, dtype=np.int64))
    assert res.cost_name == "normal"
    assert "too large for a count cost" in res.reason
    assert res.n_changes == 0
