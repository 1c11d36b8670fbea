"""Location intervals of change points: coverage by simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.changepoints import PoissonCost, detect_changepoints
from analysis.changepoints._longrun import ar_long_run_dependence, design_effect_df
from analysis.changepoints.intervals import (
    BOOTSTRAP_DRAWS,
    design_effect_draws,
    latent_long_run_variance,
    location_intervals,
)
from analysis.validation import PROCESSES, simulate_counts
from analysis.validation._simulate import simulate_piecewise
from analysis.validation._study import _change_true_lrv


def _coverage(draw, runs: int, seed: int, cost: str) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    covered = detected = 0
    widths = []
    for _ in range(runs):
        y, true = draw(rng)
        res = detect_changepoints(y, cost=cost, max_changes=1)
        if res.n_changes != 1:
            continue
        detected += 1
        iv = res.intervals
        covered += int(iv["index_low"].iloc[0] <= true <= iv["index_high"].iloc[0])
        widths.append(iv["index_high"].iloc[0] - iv["index_low"].iloc[0] + 1)
    return covered / detected, float(np.mean(widths))


def _poisson_step(rng):
    true = int(rng.integers(80, 121))
    return np.r_[rng.poisson(3.0, true), rng.poisson(5.0, 200 - true)], true


def _normal_step(rng):
    true = int(rng.integers(80, 121))
    return np.r_[rng.normal(0, 1, true), rng.normal(1.0, 1, 200 - true)], true


@pytest.mark.slow
@pytest.mark.parametrize("draw,cost", [(_poisson_step, "poisson"), (_normal_step, "normal")])
def test_location_interval_covers_the_true_change(draw, cost):
    # a moderate change (its location is uncertain by several steps); 400 runs:
    # binomial sd of a 95% coverage is 1.1%, so the 3-sd band is 91.7%-98.3%
    cover, width = _coverage(draw, 400, seed=30, cost=cost)
    # measured: 96.8% (Poisson), 94.8% (normal), mean widths about 18 steps
    assert 0.917 <= cover <= 0.983
    assert 3 < width < 60


def test_interval_narrows_with_the_size_of_the_change():
    rng = np.random.default_rng(31)
    small = detect_changepoints(np.r_[rng.poisson(3, 100), rng.poisson(6, 100)], cost="poisson")
    big = detect_changepoints(np.r_[rng.poisson(3, 100), rng.poisson(30, 100)], cost="poisson")
    w = [r.intervals["index_high"].iloc[0] - r.intervals["index_low"].iloc[0] for r in (small, big)]
    assert w[1] < w[0]
    assert w[1] == 0


# --- the design effect is estimated: intervals integrate over its uncertainty -------------
# (analysis/changepoints/intervals.py, module docstring). SIMULATED series throughout.


def test_latent_ar_moment_estimate_recovers_the_closed_form():
    # AR(1) phi 0.8 with innovation sd 0.5, plus unit white noise: LRV = 1 + 0.25 / 0.2^2 = 7.25.
    # 40 series of 4000 values; the bound is 3 s.e. of their mean (s.e. from their spread)
    rng = np.random.default_rng(40)
    est = []
    for _ in range(40):
        z = np.empty(4000)
        e = rng.normal(0, 0.5, z.size)
        z[0] = rng.normal(0, 0.5 / 0.6)
        for t in range(1, z.size):
            z[t] = 0.8 * z[t - 1] + e[t]
        r = z + rng.normal(0, 1.0, z.size)
        est.append(latent_long_run_variance(r - r.mean(), 1))
    mean, se = float(np.mean(est)), float(np.std(est, ddof=1) / np.sqrt(len(est)))
    assert abs(mean - 7.25) < 3 * se  # measured 7.48 (s.e. 0.24)
    # white noise alone: no dependence of this form, the variance
    w = rng.normal(0, 2.0, 4000)
    # measured 3.98; the sd of a variance from 4000 normal values is 2.2%, and the
    # lags' noise adds about 2 * sqrt(K / n) = 17% only when gamma_1 comes out positive
    assert latent_long_run_variance(w - w.mean()) == pytest.approx(4.0, rel=0.2)


def test_one_scale_in_an_array_is_the_scalar_interval_and_a_mixture_lies_between():
    rng = np.random.default_rng(41)
    y = np.r_[rng.poisson(3.0, 150), rng.poisson(4.5, 150)].astype(float)
    cost = PoissonCost().fit(y)
    one = location_intervals(cost, [150], 2, 0.95, 2.0)
    assert (location_intervals(cost, [150], 2, 0.95, np.array([2.0, 2.0])) == one).all()
    wide = location_intervals(cost, [150], 2, 0.95, 6.0)
    mixed = location_intervals(cost, [150], 2, 0.95, np.array([2.0, 6.0]))[0]
    # the mixture's distribution function is the mean of the two: its quantiles lie between
    assert wide[0, 0] <= mixed[0] <= one[0, 0] and one[0, 1] <= mixed[1] <= wide[0, 1]


@pytest.mark.slow
def test_design_effect_draws_hold_the_true_design_effect_under_strong_persistence():
    # latent AR(1) log-rate, phi 0.8, 3 a day, 365 days, no change: true D = 3.49.
    # 200 series; measured at this seed: the true D is below the draws' 95% quantile in
    # 0.835 of them (s.e. 0.026) and below their median in 0.57 (0.035); the AR
    # point estimate alone is above it in only 0.26 (0.031). Bounds 3 s.e. from those.
    proc = PROCESSES["ar0.8"]
    true = _change_true_lrv("ar0.8", 3.0) / 3.0
    rng = np.random.default_rng(11)
    below_q95 = below_median = below_point = 0
    runs = 200
    for _ in range(runs):
        x = simulate_counts(proc, 365, 3.0, rng).counts.to_numpy(float)
        b, f = np.array([0, 365]), np.full(365, x.mean())
        dep = ar_long_run_dependence(x, f, 1)
        d = max(1.0, dep.long_run_dispersion)
        draws = design_effect_draws(x, b, f, d, design_effect_df(dep))
        assert draws is not None and draws.size == BOOTSTRAP_DRAWS and draws.min() >= 1.0
        below_q95 += true <= np.quantile(draws, 0.95)
        below_median += true <= np.median(draws)
        below_point += true <= d
    assert below_q95 / runs >= 0.757
    assert below_median / runs >= 0.465
    assert below_point / runs <= 0.353  # the plug-in is biased down: why the draws exist


def test_independent_counts_keep_narrow_intervals_for_a_strong_change():
    # the default (cost="auto") on independent counts with a x3 change: the draws stay near
    # 1 and the interval a few days (measured 3.7 days on average over 300 such series)
    rng = np.random.default_rng(42)
    y = pd.Series(np.r_[rng.poisson(3, 182), rng.poisson(9, 183)].astype(np.int64))
    res = detect_changepoints(y)
    assert res.indices.tolist() and abs(int(res.indices[0]) - 182) <= 3
    iv = res.intervals.iloc[0]
    assert iv["index_high"] - iv["index_low"] + 1 <= 10
    x = y.to_numpy(float)
    b = np.array([0, int(res.indices[0]), 365])
    f = np.repeat([x[: b[1]].mean(), x[b[1] :].mean()], np.diff(b))
    draws = design_effect_draws(x, b, f, 1.0, 365.0)
    assert draws is not None and np.median(draws) < 1.5


@pytest.mark.slow
def test_location_intervals_cover_a_weak_change_under_strong_persistence():
    # issue 8's failing cell: latent AR(1) phi 0.8, 3 a day, x1.5 mid-series, 365 days.
    # 250 series, 163 of which get a change. Measured at this seed: 0.908 (binomial s.e.
    # 0.023); with the AR point estimate of D alone (before the draws) 0.847 on the same
    # series. The bound 0.88 lies between: 1.2 s.e. below the one, 1.4 above the other.
    proc = PROCESSES["ar0.8"]
    rng = np.random.default_rng(43)
    covered = found = 0
    for _ in range(250):
        sim = simulate_piecewise(proc, 365, (3.0, 4.5), (182,), rng)
        res = detect_changepoints(sim.counts)
        if not res.n_changes:
            continue
        found += 1
        j = int(np.argmin(np.abs(res.indices - 182)))
        iv = res.intervals.iloc[j]
        covered += int(iv["index_low"] <= 182 <= iv["index_high"])
    assert found >= 100
    assert covered / found >= 0.88
