"""Tests of Bayesian online change-point detection (analysis/changepoints/_online.py).

All series here are simulated (fixed seeds) or tiny hand-made examples.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import gammaln

from analysis.changepoints._online import OnlineChangepoints, _run, online_changepoints
from analysis.errors import DataError

# ---------------------------------------------------------------------------
# brute force: enumerate every placement of change points directly
# ---------------------------------------------------------------------------


def _log_marginal_poisson(seg: np.ndarray, prior: tuple[float, ...]) -> float:
    a0, b0 = prior
    s, n = seg.sum(), len(seg)
    return float(
        a0 * math.log(b0)
        - gammaln(a0)
        + gammaln(a0 + s)
        - (a0 + s) * math.log(b0 + n)
        - gammaln(seg + 1).sum()
    )


def _log_marginal_normal(seg: np.ndarray, prior: tuple[float, ...]) -> float:
    mu0, k0, a0, b0 = prior
    n, mean = len(seg), seg.mean()
    kn, an = k0 + n, a0 + n / 2
    bn = b0 + 0.5 * ((seg - mean) ** 2).sum() + k0 * n * (mean - mu0) ** 2 / (2 * kn)
    return float(
        gammaln(an)
        - gammaln(a0)
        + a0 * math.log(b0)
        - an * math.log(bn)
        + 0.5 * (math.log(k0) - math.log(kn))
        - 0.5 * n * math.log(2 * math.pi)
    )


def _brute_force_starts(y: np.ndarray, model: str, prior: tuple[float, ...], hazard: float):
    """P(current segment starts at s | y[0..t]) for every t, by direct enumeration.

    Every subset of {1..t} is a placement of change points; its prior is
    H^k (1-H)^(t-k) and its likelihood the product of the segments' marginals.
    """
    marginal = _log_marginal_poisson if model == "poisson_gamma" else _log_marginal_normal
    n = len(y)
    post = np.zeros((n, n))
    for t in range(n):
        logw = np.full(t + 1, -np.inf)
        for flags in itertools.product((0, 1), repeat=t):
            starts = [0] + [j + 1 for j, f in enumerate(flags) if f]
            bounds = [*starts, t + 1]
            k = len(starts) - 1
            lw = k * math.log(hazard) + (t - k) * math.log1p(-hazard)
            lw += sum(marginal(y[a:b], prior) for a, b in itertools.pairwise(bounds))
            logw[starts[-1]] = np.logaddexp(logw[starts[-1]], lw)
        post[t, : t + 1] = np.exp(logw - np.logaddexp.reduce(logw))
    return post


POISSON_Y = np.array([2.0, 1, 3, 9, 7, 11, 8, 2, 1, 3])
NORMAL_Y = np.array([0.1, -0.4, 0.3, 2.2, 1.9, 2.5, 2.1, -0.2, 0.4, 0.0])


@pytest.mark.parametrize(
    ("model", "y", "prior"),
    [
        ("poisson_gamma", POISSON_Y, (1.5, 0.4)),
        ("normal", NORMAL_Y, (0.5, 0.3, 1.5, 0.8)),
    ],
)
def test_exact_posterior_matches_brute_force(model, y, prior):
    hazard = 0.2
    full = np.zeros((len(y), len(y)))
    _run(y, model, prior, hazard, 3, 0.0, None, full)
    expected = _brute_force_starts(y, model, prior, hazard)
    np.testing.assert_allclose(full, expected, rtol=1e-10, atol=1e-13)


def test_public_outputs_match_brute_force():
    prior, hazard, lag = (1.5, 0.4), 0.2, 3
    res = online_changepoints(
        POISSON_Y, hazard=hazard, prior=prior, lag=lag, prune_threshold=0, max_run_lengths=None
    )
    post = _brute_force_starts(POISSON_Y, "poisson_gamma", prior, hazard)
    t = np.arange(len(POISSON_Y))
    # change within the last `lag` steps, the initial segment (start 0) excluded
    recent = np.array([post[i, max(1, i - lag + 1) : i + 1].sum() for i in range(len(POISSON_Y))])
    np.testing.assert_allclose(res.change_probability.to_numpy(), recent, rtol=1e-10, atol=1e-13)
    np.testing.assert_array_equal(res.run_length.to_numpy(), t - post.argmax(axis=1) + 1)


def test_nan_step_carries_posterior_forward():
    prior, hazard = (1.5, 0.4), 0.2
    y = POISSON_Y.copy()
    y_gap = np.insert(y, [4, 4, 7], np.nan)  # NaN at positions 4, 5 and 9
    observed = np.flatnonzero(~np.isnan(y_gap))
    full = np.zeros((len(y_gap), len(y_gap)))
    _run(y_gap, "poisson_gamma", prior, hazard, 3, 0.0, None, full)
    expected = _brute_force_starts(y, "poisson_gamma", prior, hazard)
    # at observed steps: the posterior of the series without its NaNs, starts mapped back
    np.testing.assert_allclose(full[np.ix_(observed, observed)], expected, rtol=1e-10)
    # at a NaN step: unchanged from the step before
    np.testing.assert_array_equal(full[4], full[3])
    np.testing.assert_array_equal(full[5], full[3])


def test_leading_nan_gives_nan_outputs_and_no_change():
    y = pd.Series([np.nan, np.nan, 3, 2, 4, 3])
    res = online_changepoints(y)
    assert res.change_probability.iloc[:2].isna().all()
    assert res.run_length.iloc[:2].isna().all()
    assert res.run_length.iloc[2] == 1
    assert res.change_probability.iloc[2] == 0  # the first value starts no change


@pytest.fixture(scope="module")
def long_stationary_stretch():
    # simulated: 3,000 steps, rates 4 -> 8 -> 3 with a 2,300-step stationary stretch,
    # where the exact posterior keeps a little mass on every past step
    rng = np.random.default_rng(11)
    y = np.concatenate([rng.poisson(4, 400), rng.poisson(8, 300), rng.poisson(3, 2300)])
    exact = online_changepoints(y, prune_threshold=0, max_run_lengths=None)
    return y, exact


def test_capped_pruning_changes_change_probability_by_less_than_tolerance(
    long_stationary_stretch,
):
    y, exact = long_stationary_stretch
    pruned = online_changepoints(y)  # defaults: 1e-10 and at most 500 hypotheses
    assert pruned.to_frame()["n_hypotheses"].max() <= 500
    diff = np.abs(exact.change_probability - pruned.change_probability).max()
    # measured on three seeds: 0.005 to 0.012 (absolute); stated tolerance 0.02
    assert diff < 0.02
    np.testing.assert_array_equal(exact.indices, pruned.indices)


def test_threshold_pruning_alone_is_nearly_exact(long_stationary_stretch):
    y, exact = long_stationary_stretch
    pruned = online_changepoints(y, prune_threshold=1e-10, max_run_lengths=None)
    diff = np.abs(exact.change_probability - pruned.change_probability).max()
    assert diff < 1e-6


def test_pruned_mass_is_reported():
    rng = np.random.default_rng(12)
    res = online_changepoints(rng.poisson(5, 3000), max_run_lengths=50)
    assert 0 < res.max_pruned_mass < 0.05
    assert res.to_frame()["n_hypotheses"].max() == 50


def test_detects_poisson_rate_change_3_to_9_quickly():
    # simulated: rate 3 per step, then 9 from step 300; 100 seeds
    rng = np.random.default_rng(2024)
    found, delays = 0, []
    for _ in range(100):
        y = np.concatenate([rng.poisson(3, 300), rng.poisson(9, 200)])
        res = online_changepoints(y)
        hits = [
            (cp, det)
            for cp, det in zip(res.indices, res.indices + res.detection_delays, strict=True)
            if abs(cp - 300) <= 5
        ]
        if hits:
            found += 1
            delays.append(hits[0][1] - 300)
    # measured: 100/100 found, median delay 2 steps after the change
    assert found >= 97
    assert np.median(delays) <= 4
    assert max(delays) <= 10


@pytest.mark.slow
def test_false_alarm_rate_on_stationary_poisson():
    # simulated stationary Poisson series, 100,000 steps at each of three rates
    rng = np.random.default_rng(7)
    per_1000 = []
    for rate in (0.5, 3.0, 10.0):
        res = online_changepoints(rng.poisson(rate, 100_000))
        per_1000.append(len(res.indices) / 100)
    # measured with other seeds: about 0.1 to 0.17 false alarms per 1,000 steps;
    # 0.3 is about 3.5 Poisson standard deviations above 0.17 at this simulation size
    assert max(per_1000) <= 0.3, per_1000


def test_normal_model_detects_mean_shift():
    # simulated: N(0, 1) for 200 steps, then N(2, 1)
    rng = np.random.default_rng(5)
    found = 0
    for _ in range(30):
        y = np.concatenate([rng.normal(0, 1, 200), rng.normal(2, 1, 150)])
        res = online_changepoints(y, model="normal")
        found += any(abs(cp - 200) <= 5 for cp in res.indices)
        assert len(res.indices) <= 2
    assert found >= 28


def test_normal_model_is_quiet_on_stationary_noise():
    rng = np.random.default_rng(6)
    res = online_changepoints(rng.normal(10, 2, 20_000), model="normal")
    assert len(res.indices) / 20 <= 0.3


def test_keeps_datetime_index():
    rng = np.random.default_rng(3)
    idx = pd.date_range("2024-01-01", periods=400, freq="D")
    y = pd.Series(np.concatenate([rng.poisson(2, 250), rng.poisson(8, 150)]), index=idx)
    res = online_changepoints(y)
    assert res.change_probability.index.equals(idx)
    assert res.run_length.index.equals(idx)
    assert res.to_frame().index.equals(idx)
    assert len(res.changepoints) == 1
    assert abs((res.changepoints[0] - idx[250]).days) <= 5


def test_to_dict_is_json_friendly_and_summary_names_changes():
    idx = pd.date_range("2024-01-01", periods=300, freq="D")
    rng = np.random.default_rng(4)
    y = pd.Series(np.concatenate([rng.poisson(1, 150), rng.poisson(6, 150)]), index=idx)
    res = online_changepoints(y)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["model"] == "poisson_gamma"
    assert d["changepoints"][0].startswith("2024-")
    assert "new segment from 2024-" in res.summary()
    assert isinstance(res, OnlineChangepoints)
    assert "hazard" in repr(res)


def test_default_poisson_prior_is_from_the_data_mean():
    res = online_changepoints(np.array([2, 4, 6, 4]))
    assert res.prior == (1.0, 0.25)


def test_plot_returns_figure_or_axes():
    plt = pytest.importorskip("matplotlib.pyplot")
    rng = np.random.default_rng(8)
    res = online_changepoints(np.concatenate([rng.poisson(2, 100), rng.poisson(7, 100)]))
    fig = res.plot()
    assert len(fig.axes) == 2
    _, ax = plt.subplots()
    assert res.plot(ax=ax, panel="run_length") is ax
    plt.close("all")


@pytest.mark.parametrize("bad", [[1, 2, -1, 3], [1, 2, 2.5, 4], [1, 2, np.inf, 3]])
def test_bad_counts_raise_data_error_naming_the_row(bad):
    with pytest.raises(DataError, match=r"row 4.*index 2"):
        online_changepoints(pd.Series(bad, name="alerts"))


def test_all_bad_values_are_reported_at_once():
    with pytest.raises(DataError) as info:
        online_changepoints([1, -2, 3, -4])
    assert len(info.value.problems) == 2


@pytest.mark.parametrize("hazard", [0, 1, -0.1, 1.5])
def test_hazard_outside_unit_interval_is_rejected(hazard):
    with pytest.raises(ValueError, match="hazard"):
        online_changepoints([1, 2, 3], hazard=hazard)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "gaussian"}, "model"),
        ({"prior": (1.0, -1.0)}, "prior"),
        ({"lag": 0}, "lag"),
        ({"threshold": 1.0}, "threshold"),
        ({"max_run_lengths": 0}, "max_run_lengths"),
    ],
)
def test_bad_settings_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        online_changepoints([1, 2, 3], **kwargs)


def test_all_nan_and_dataframe_inputs_are_rejected():
    with pytest.raises(DataError, match="no observed values"):
        online_changepoints([np.nan, np.nan])
    with pytest.raises(TypeError, match="one series"):
        online_changepoints(pd.DataFrame({"a": [1, 2]}))


def test_public_name_is_this_function():
    import analysis

    assert analysis.online_changepoints is online_changepoints


def test_nan_gap_inside_a_segment_creates_no_change():
    # simulated: one Poisson(3) segment with 200 missing steps in the middle
    rng = np.random.default_rng(9)
    y = rng.poisson(3, 1000).astype(float)
    y[400:600] = np.nan
    res = online_changepoints(y)
    assert len(res.indices) == 0
    assert res.change_probability.iloc[400:600].notna().all()


def test_change_within_the_first_lag_steps_is_declared():
    # simulated: rate 3 for 15 steps, then 9 (the change is before step lag=30)
    rng = np.random.default_rng(21)
    found = 0
    for _ in range(40):
        y = np.concatenate([rng.poisson(3, 15), rng.poisson(9, 85)])
        res = online_changepoints(y)
        found += any(abs(int(cp) - 15) <= 5 for cp in res.indices)
    # measured: 200/200 with another seed; 0/200 before the fix
    assert found >= 37


def test_nile_change_in_1899_is_found_online():
    import statsmodels.datasets.nile as nile

    data = nile.load_pandas().data
    y = pd.Series(data["volume"].to_numpy(), index=data["year"].astype(int).to_numpy())
    res = online_changepoints(y, model="normal")
    assert list(res.changepoints) == [1899]


@pytest.mark.parametrize(
    "index",
    [
        pd.period_range("2000-01", periods=200, freq="M"),
        pd.timedelta_range(0, periods=200, freq="h"),
    ],
)
def test_period_and_timedelta_index_give_json_and_plots(index):
    import matplotlib.pyplot as plt

    # simulated: rate 3 then 9 from step 100
    rng = np.random.default_rng(4)
    y = pd.Series(np.r_[rng.poisson(3, 100), rng.poisson(9, 100)], index=index)
    res = online_changepoints(y)
    assert len(res.indices) == 1
    data = json.loads(json.dumps(res.to_dict()))
    assert data["changepoints"] == [str(res.changepoints[0])]
    fig = res.plot()
    assert len(fig.axes) == 2
    plt.close(fig)


def test_overdispersed_counts_warn_and_poisson_counts_do_not():
    import warnings

    # simulated negative-binomial counts (mean 5, size 2): Poisson-Gamma sees bursts as changes
    rng = np.random.default_rng(13)
    with pytest.warns(UserWarning, match="overdispersed"):
        res = online_changepoints(rng.negative_binomial(2, 2 / 7, 500))
    assert "overdispersed" in res.summary() and res.to_dict()["note"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = online_changepoints(np.r_[rng.poisson(3, 300), rng.poisson(9, 300)])
    assert quiet.to_dict()["note"] is None
