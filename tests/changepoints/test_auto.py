"""The automatic choice of cost and method (analysis/changepoints/_auto.py); SIMULATED data."""

from __future__ import annotations

import numpy as np
import pandas as pd
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


# --- measurements (floats): the dependence-aware noise scale --------------------------------
def _values(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    from analysis.validation._simulate import _latent_ar

    return _latent_ar(rng, n, phi, 1.0)  # Gaussian AR(1), marginal sd 1 (SIMULATED)


def test_a_monthly_cycle_in_measurements_is_not_a_change():
    # 60 series of 365 floats: a period-12 cycle of amplitude 2 noise sds plus unit noise;
    # measured 0/200 with a change in the validation study (the earlier Bartlett scale: 0.24,
    # s.e. 0.04); the bound (at most 6 of 60) fails at a false-alarm rate of 0.24 with
    # probability above 0.999
    rng = np.random.default_rng(60)
    t = np.arange(365)
    alarms = 0
    for _ in range(60):
        x = 2.0 * np.sin(2 * np.pi * (t / 12 + rng.uniform())) + rng.normal(size=365)
        alarms += detect_changepoints(x).n_changes > 0
    assert alarms <= 6


def test_several_shifts_in_measurements_are_found():
    # five alternating shifts of 1.5 sd, 61 days apart, i.i.d. unit noise, 40 series:
    # share of the true changes found within +-5 days measured 0.81 on 100 series (s.e.
    # about 0.03); with the true sd 0.95; before the pilot floor 0.0-0.07
    rng = np.random.default_rng(61)
    taus = np.linspace(0, 365, 7).astype(int)[1:-1]
    found = []
    for _ in range(40):
        x = rng.normal(size=365)
        for j, tau in enumerate(taus):
            x[tau:] += 1.5 if j % 2 == 0 else -1.5
        idx = np.asarray(detect_changepoints(x).indices)
        found += [bool(idx.size and np.min(np.abs(idx - tau)) <= 5) for tau in taus]
    assert np.mean(found) > 0.65


def test_a_shift_of_two_sd_in_ar_noise_is_found_and_the_reason_names_the_floor():
    # AR(1) phi 0.5 noise, a shift of 2 marginal sds mid-series: measured power 0.897
    # (s.e. 0.018, 300 series) in the validation study (0.895 with the true long-run sd);
    # 40 series here: the bound of 30 sits 2.6 s.e. below
    rng = np.random.default_rng(62)
    hits = 0
    for _ in range(40):
        x = _values(rng, 365, 0.5)
        x[182:] += 2.0
        res = detect_changepoints(x)
        idx = np.asarray(res.indices)
        hits += bool(idx.size and np.min(np.abs(idx - 182)) <= 5)
    assert hits >= 30
    assert "never below the change-robust floor" in res.reason
    sd = float(res.reason.split("long-run noise sd ")[1].split(" ")[0])
    floor = float(res.reason.split("change-robust floor ")[1].split(":")[0])
    assert sd >= floor  # the iteration only raises the sd


def test_default_says_what_independent_days_would_find_when_it_keeps_a_step_out():
    # hand-made: 171 days of 0 then 29 days of exactly 1; the dependence estimate about the
    # one segment absorbs the step (lag-1 residual autocorrelation 0.96), so the default
    # stays conservative; its reason must name the change an unscaled penalty finds
    y = pd.Series(
        np.r_[np.zeros(171), np.ones(29)].astype(int),
        index=pd.date_range("2024-01-01", periods=200, freq="D"),
    )
    res = detect_changepoints(y)
    assert "unscaled (independent days) 1 change(s) would be found instead of 0" in res.reason
    assert detect_changepoints(y, cost="poisson").n_changes == 1


def test_no_unscaled_note_when_the_residuals_are_not_autocorrelated():
    rng = np.random.default_rng(5)  # simulated independent Poisson days with one change
    y = pd.Series(
        np.r_[rng.poisson(2, 200), rng.poisson(6, 200)],
        index=pd.date_range("2024-01-01", periods=400, freq="D"),
    )
    assert "unscaled" not in detect_changepoints(y).reason
