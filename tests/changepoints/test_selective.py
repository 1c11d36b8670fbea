"""Segment-rate intervals and jump ratios that allow for the selection of changes. SIMULATED data.

Monte Carlo tolerances: every simulation states its replicates and the s.e.
of the share or mean it checks; bounds sit at least 2.5 s.e. from the value
measured at the fixed seed (which makes the test deterministic).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import analysis as it
from analysis.changepoints import PoissonCost
from analysis.changepoints._selective import merge_statistic, selection_set, selective_rates
from analysis.validation._simulate import PROCESSES, simulate_piecewise

B365 = 3 * math.log(365)  # the base penalty per change at 365 days


def _garwood(s: float, e: float, level: float = 0.95) -> tuple[float, float]:
    a = 1 - level
    low = stats.gamma.ppf(a / 2, s) / e if s > 0 else 0.0
    return low, stats.gamma.ppf(1 - a / 2, s + 1) / e


def test_one_segment_is_the_garwood_interval():
    adj, lo, hi, moved = selective_rates(np.array([90.0]), np.array([30.0]), 1.0, B365, 0.95)
    assert not moved[0] and adj[0] == 3.0
    assert (lo[0], hi[0]) == pytest.approx(_garwood(90, 30), rel=1e-10)


def test_a_strong_change_keeps_the_garwood_interval_and_the_plain_ratio():
    s, e = np.array([300.0, 900.0]), np.array([100.0, 100.0])  # 3 and 9 a day: T near 300
    adj, lo, hi, moved = selective_rates(s, e, 1.0, B365, 0.95)
    assert not moved.any()
    assert adj.tolist() == [3.0, 9.0]
    assert (lo[1], hi[1]) == pytest.approx(_garwood(900, 100), rel=1e-10)


def test_the_scaled_interval_matches_the_cost_when_nothing_is_truncated():
    y = np.r_[np.full(100, 3.0), np.full(100, 12.0)]
    cost = PoissonCost().fit(y)
    cost.scale_ = 2.5
    rows = cost.segment_rows(np.array([0, 100, 200]), 0.95)
    _, lo, hi, moved = selective_rates(np.array([300.0, 1200.0]), np.full(2, 100.0), 2.5, 5, 0.95)
    assert not moved.any()
    assert lo == pytest.approx(rows["ci_low"].to_numpy(), rel=1e-9)
    assert hi == pytest.approx(rows["ci_high"].to_numpy(), rel=1e-9)


def test_the_selection_set_is_where_the_change_passes_its_threshold():
    q, e = np.array([60.0, 1500.0]), np.array([30.0, 335.0])
    ((_, low), (up, top)) = selection_set(0, q, e, B365)
    assert top == math.inf
    assert merge_statistic(low, 30, 1500, 335) == pytest.approx(B365, rel=1e-8)
    assert merge_statistic(up, 30, 1500, 335) == pytest.approx(B365, rel=1e-8)
    mid = (low + up) / 2
    assert merge_statistic(mid, 30, 1500, 335) < B365
    # a middle segment: both neighbours' conditions at once
    parts = selection_set(1, np.array([100.0, 200.0, 100.0]), np.full(3, 50.0), 10.0)
    for u, v in parts:
        for x in (u, v if math.isfinite(v) else u + 50):
            assert merge_statistic(100, 50, x, 50) >= 10 - 1e-6
            assert merge_statistic(x, 50, 100, 50) >= 10 - 1e-6


def test_conditional_coverage_at_known_boundaries_is_nominal():
    # Poisson sums of a 30-day segment at 3 a day and a 335-day one at 4.5 (true x1.5),
    # kept only when the change passes the penalty: 6000 draws, 2423 kept; the
    # selective interval for the short segment covers 0.980 (s.e. 0.003; conservative,
    # as exact intervals for counts are), the Garwood interval of the same draws 0.940
    rng = np.random.default_rng(31)
    e = np.array([30.0, 335.0])
    s1 = rng.poisson(3.0 * 30, 6000).astype(float)
    s2 = rng.poisson(4.5 * 335, 6000).astype(float)
    sel, plain = [], []
    for a, b in zip(s1, s2, strict=True):
        if merge_statistic(a, 30, b, 335) < B365:
            continue
        _, lo, hi, _ = selective_rates(np.array([a, b]), e, 1.0, B365, 0.95)
        sel.append(lo[0] <= 3.0 <= hi[0])
        g = _garwood(a, 30)
        plain.append(g[0] <= 3.0 <= g[1])
    m = len(sel)
    assert m > 2000
    se = math.sqrt(0.95 * 0.05 / m)
    assert np.mean(sel) >= 0.95 - 3 * se
    assert np.mean(plain) < np.mean(sel) - 0.02  # the difference's s.e. is about 0.004


def _near_end(process: str, tau: int, R: int, seed: int) -> tuple[list[float], list[float], list]:
    cover, naive, ratios = [], [], []
    for child in np.random.SeedSequence(seed).spawn(R):
        sim = simulate_piecewise(
            PROCESSES[process], 365, (3.0, 4.5), (tau,), np.random.default_rng(child)
        )
        res = it.detect_changepoints(sim.counts)
        seg, truth = res.segments, sim.rate.to_numpy()
        bounds = [0, *res.indices.tolist(), 365]
        d = float(res.reason.split("design effect ")[1].split(" ")[0])
        c, n_ = [], []
        for j in range(len(seg)):
            target = truth[bounds[j] : bounds[j + 1]].mean()
            c.append(seg["ci_low"].iloc[j] <= target <= seg["ci_high"].iloc[j])
            s, length = seg["rate"].iloc[j] * seg["n"].iloc[j], seg["n"].iloc[j]
            q = s / d
            lo = d * stats.gamma.ppf(0.025, q) / length if q > 0 else 0.0
            hi = d * stats.gamma.ppf(0.975, q + 1) / length
            n_.append(lo <= target <= hi)
        cover.append(float(np.mean(c)))
        naive.append(float(np.mean(n_)))
        if res.n_changes == 1 and abs(res.indices[0] - tau) <= 5:
            iv = res.intervals
            ratios.append((iv["ratio"].iloc[0], iv["ratio_adjusted"].iloc[0]))
    return cover, naive, ratios


def test_near_end_weak_change_coverage_and_adjusted_ratio_poisson():
    # x1.5 at 3 a day, 30 days from the start, 300 series: mean share of segments
    # covered 0.952 (s.e. 0.011) against 0.905 for the unadjusted intervals on the same
    # series; 99 detections within +-5 days: plain ratio 1.75 (s.e. 0.016),
    # adjusted 1.53 (s.e. 0.037)
    cover, naive, ratios = _near_end("poisson", 30, 300, 32)
    se = np.std(cover, ddof=1) / math.sqrt(len(cover))
    assert np.mean(cover) >= 0.93 - 1.0 * se
    assert np.mean(cover) > np.mean(naive) + 0.02
    plain, adj = np.array(ratios).T
    assert len(ratios) >= 60
    assert np.mean(plain) > 1.6
    se_adj = np.std(adj, ddof=1) / math.sqrt(adj.size)
    assert abs(np.mean(adj) - 1.5) < 3 * se_adj + 0.03
    assert np.mean(adj) < np.mean(plain) - 0.1


def test_near_end_weak_change_coverage_overdispersed_counts():
    # the same 30 days from the end on negative-binomial counts (size 5, variance-to-mean
    # 1.6), 300 series: measured 0.936 (s.e. 0.013); unadjusted 0.899
    cover, _, _ = _near_end("nb5", 335, 300, 33)
    se = np.std(cover, ddof=1) / math.sqrt(len(cover))
    assert np.mean(cover) >= 0.93 - 2.0 * se


def test_mbic_and_other_costs_say_the_intervals_treat_the_segmentation_as_known():
    rng = np.random.default_rng(34)
    y = np.r_[rng.poisson(3, 150), rng.poisson(9, 150)]
    res = it.detect_changepoints(y, penalty="mbic")
    assert res.n_changes == 1 and not res.selection_adjusted
    assert np.isnan(res.intervals["ratio_adjusted"]).all()
    assert "pulled apart" in res.summary() and "truncated Poisson" not in res.summary()
    res = it.detect_changepoints(y)
    assert res.selection_adjusted and res.to_dict()["selection_adjusted"]
    assert "selection-adjusted x" in res.summary()
    z = np.r_[rng.normal(0, 1, 100), rng.normal(3, 1, 100)]
    assert not it.detect_changepoints(z).selection_adjusted


def test_seasonal_poisson_intervals_are_adjusted_too():
    rng = np.random.default_rng(35)
    f = np.tile([1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.9], 60)
    rate = np.r_[np.full(210, 4.0), np.full(210, 8.0)]
    y = rng.poisson(rate * f)
    res = it.detect_changepoints(y, seasonal=7)
    assert res.n_changes == 1 and res.selection_adjusted
    seg = res.segments
    assert (seg["ci_low"] < seg["rate"]).all() and (seg["rate"] < seg["ci_high"]).all()
    assert res.intervals["ratio_adjusted"].iloc[0] == pytest.approx(2.0, rel=0.15)


def test_a_scaled_count_near_zero_gives_finite_limits():
    # a huge design effect leaves 0.012 scaled events in the first segment: the lower
    # limit sits near 0 and the search must stop there instead of overflowing
    s, e = np.array([49.0, 34477.0]), np.array([220.0, 45.0])
    adj, lo, hi, _ = selective_rates(s, e, 4202.9, 16.74, 0.95)
    assert np.isfinite(lo).all() and np.isfinite(hi).all() and np.isfinite(adj).all()
    assert (0 <= lo).all() and (lo < hi).all()
    assert lo[0] < s[0] / e[0] < hi[0]
