"""The piecewise-linear (slope-change) cost: kernel, detection, false alarms. SIMULATED data."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.changepoints import detect_changepoints
from analysis.changepoints.costs import LinearCost
from analysis.changepoints.costs.linear import second_difference_sd

T = np.arange(400.0)


def _ar(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """Stationary AR(1) noise with unit innovation sd."""
    z = rng.normal(size=n)
    e = np.empty(n)
    e[0] = z[0] / np.sqrt(1 - phi**2)
    for k in range(1, n):
        e[k] = phi * e[k - 1] + z[k]
    return e


def _broken_line(rng: np.random.Generator) -> np.ndarray:
    # continuous broken line: slope 0.02 a period, then -0.03 from period 250
    return np.where(T < 250, 0.02 * T, 5.0 - 0.03 * (T - 250)) + rng.normal(0, 1, T.size)


def test_kernel_equals_least_squares_residual_sum_of_squares():
    rng = np.random.default_rng(80)
    y = rng.normal(size=60) + 0.3 * np.arange(60)
    cost = LinearCost(sd=2.0).fit(y)
    for a, b in [(0, 60), (5, 17), (40, 43), (10, 12), (3, 4)]:
        seg = y[a:b]
        t = np.arange(a, b, dtype=float)
        if seg.size >= 3:
            coef = np.polyfit(t, seg, 1)
            sse = float(np.sum((seg - np.polyval(coef, t)) ** 2)) / 4.0
        else:
            sse = 0.0
        assert cost.error(a, b) == pytest.approx(sse, rel=1e-9, abs=1e-9)
        assert cost.errors(np.array([a]), b)[0] == pytest.approx(cost.error(a, b))


def test_finds_one_slope_change_in_a_broken_line():
    rng = np.random.default_rng(81)
    found, covered = [], 0
    for _ in range(20):
        res = detect_changepoints(_broken_line(rng), cost="linear")
        assert res.n_changes == 1
        found.append(int(res.indices[0]))
        iv = res.intervals
        covered += int(iv["index_low"].iloc[0] <= 250 <= iv["index_high"].iloc[0])
    # a kink is located less sharply than a jump: sd of about 15 periods here
    assert np.all(np.abs(np.array(found) - 250) <= 40)
    assert abs(np.mean(found) - 250) < 12  # 3 Monte Carlo errors (15 / sqrt 20)
    assert covered >= 17
    seg = res.segments
    assert {"intercept", "slope", "slope_ci_low", "slope_ci_high"} <= set(seg)
    assert seg["slope"].iloc[0] == pytest.approx(0.02, abs=0.01)
    assert seg["slope"].iloc[1] == pytest.approx(-0.03, abs=0.01)


def test_a_mean_cost_sees_many_changes_in_the_same_trend():
    # the motivation: a trend with no change of slope is many mean changes
    rng = np.random.default_rng(82)
    y = 0.05 * T + rng.normal(0, 1, T.size)
    assert detect_changepoints(y, cost="normal").n_changes >= 3
    assert detect_changepoints(y, cost="linear").n_changes == 0


@pytest.mark.parametrize("phi", [0.0, 0.5])
def test_no_false_alarms_on_straight_lines(phi):
    # 100 straight lines with noise, independent and AR(1): at most 5% get a change
    rng = np.random.default_rng(83)
    alarms = sum(
        detect_changepoints(3.0 + 0.01 * T + _ar(rng, T.size, phi), cost="linear").n_changes > 0
        for _ in range(100)
    )
    assert alarms <= 5


def test_slope_interval_covers_under_independent_noise():
    # 200 series: coverage 0.95 has Monte Carlo error 0.015; >= 0.92 is 2 errors below
    rng = np.random.default_rng(84)
    hits = []
    for _ in range(200):
        res = detect_changepoints(0.01 * T + rng.normal(size=T.size), cost="linear")
        if res.n_changes == 0:
            s = res.segments
            hits.append(s["slope_ci_low"].iloc[0] <= 0.01 <= s["slope_ci_high"].iloc[0])
    assert len(hits) >= 190
    assert np.mean(hits) >= 0.92


@pytest.mark.parametrize("method", ["pelt", "binseg", "seeded_binseg"])
def test_agrees_with_optimal_partitioning(method):
    rng = np.random.default_rng(85)
    y = _broken_line(rng)[:200]
    for penalty in (5.0, 15.0, 40.0):
        ref = detect_changepoints(y, cost=LinearCost(sd=1.0), method="op", penalty=penalty)
        got = detect_changepoints(y, cost=LinearCost(sd=1.0), method=method, penalty=penalty)
        if method == "pelt":
            assert got.indices.tolist() == ref.indices.tolist()
            assert got.cost == pytest.approx(ref.cost, rel=1e-9)
        else:  # approximate: never better than the optimum
            pen = penalty * np.array([got.n_changes, ref.n_changes])
            assert got.cost + pen[0] >= ref.cost + pen[1] - 1e-6


def test_fpop_is_refused():
    with pytest.raises(ValueError, match="one-parameter"):
        detect_changepoints(np.arange(50.0), cost="linear", method="fpop")


def test_bad_sd_is_refused_naming_it():
    with pytest.raises(ValueError, match="sd must be"):
        LinearCost(sd=-1.0)


def test_second_difference_sd_ignores_kinks():
    rng = np.random.default_rng(86)
    y = np.abs(np.arange(2000.0) - 1000) * 0.5 + rng.normal(0, 3, 2000)
    assert second_difference_sd(y) == pytest.approx(3.0, rel=0.1)


def test_summary_and_plot_show_the_lines():
    import matplotlib

    matplotlib.use("Agg")
    rng = np.random.default_rng(87)
    res = detect_changepoints(_broken_line(rng), cost="linear")
    text = res.summary()
    assert "slope per period" in text
    assert "linear (slope change" in text
    ax = res.plot()
    assert len(ax.lines) >= 3
