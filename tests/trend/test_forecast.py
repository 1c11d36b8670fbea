"""Forecasts: index, intervals, totals, arguments (SIMULATED data)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis.trend import ForecastResult, fit_trend
from tests.trend.conftest import days, simulate


def test_forecast_frame_continues_index_and_weekly_cycle(nb_counts):
    res = fit_trend(nb_counts, family="negbin")
    fc = res.forecast(14)
    assert isinstance(fc, ForecastResult)
    f = fc.to_frame()
    assert list(f.columns) == ["mean", "pi_low", "pi_high"]
    expected = pd.date_range(nb_counts.index[-1] + pd.Timedelta(days=1), periods=14, freq="D")
    assert f.index.equals(expected)
    # the mean follows exp(x'beta): Sunday over Saturday of the same week is the weekday RR ratio
    rr = res.params["rr"]
    sat, sun = f.index[f.index.day_of_week == 5][0], f.index[f.index.day_of_week == 6][0]
    ratio = f.loc[sun, "mean"] / f.loc[sat, "mean"]
    assert_allclose(ratio, rr["weekday[Sun]"] / rr["weekday[Sat]"] * math.exp(res.slope))
    assert (f["pi_low"] <= f["mean"]).all() and (f["mean"] <= f["pi_high"]).all()


def test_forecast_is_reproducible_with_a_seed(nb_counts):
    res = fit_trend(nb_counts)
    a = res.forecast(7, seed=3).to_frame()
    b = res.forecast(7, seed=3).to_frame()
    pd.testing.assert_frame_equal(a, b)


def test_forecast_interval_widens_with_parameter_uncertainty(rng):
    # a short series has uncertain parameters: its 90% interval is wider than the
    # plug-in NB quantiles at the same mean
    y, _ = simulate(rng, n=40, alpha=0.2)
    res = fit_trend(y, family="negbin")
    fc = res.forecast(28, n_sim=20000).to_frame()
    from scipy import stats

    alpha = res.dispersion
    mean = fc["mean"].to_numpy()
    size = 1 / alpha
    plug_hi = stats.nbinom.ppf(0.95, size, size / (size + mean))
    assert np.mean(fc["pi_high"].to_numpy() >= plug_hi) > 0.9
    assert np.mean(fc["pi_high"].to_numpy() > plug_hi) > 0.5


def test_forecast_total_is_consistent(nb_counts):
    fc = fit_trend(nb_counts).forecast(28)
    total, lo, hi = fc.total
    assert_allclose(total, fc.mean.sum())
    assert lo < total < hi
    assert hi < fc.pi_high.sum()  # sums of daily bounds overstate the total's interval


def test_forecast_horizon_is_checked(ok):
    res = fit_trend(ok, family="poisson")
    with pytest.raises(ValueError, match="h must"):
        res.forecast(0)


def test_forecast_exposure_needs_a_model_with_exposure(ok):
    res = fit_trend(ok, family="poisson")
    with pytest.raises(ValueError, match="without exposure"):
        res.forecast(3, exposure=[1, 1, 1])


def test_forecast_of_an_explosive_fit_stays_finite():
    # SIMULATED: a rate growing 5% a day; 200 days ahead the draws are huge but finite
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    y = pd.Series(np.random.default_rng(3).poisson(np.exp(0.05 * np.arange(60))), index=days)
    f = fit_trend(y, weekly=False, family="poisson").forecast(200).to_frame()
    assert np.isfinite(f.to_numpy()).all()


@pytest.mark.slow
def test_forecast_intervals_cover_future_days():
    """90% prediction intervals, 28 days ahead, pooled over 200 SIMULATED series.

    Measured 0.909 with this seed (5600 days). Days of one series are
    correlated through the shared parameter estimates, so the tolerance is
    looser than a binomial one: the contract is >= 88%, and the intervals
    must not be grossly conservative (<= 95%).
    """
    rng = np.random.default_rng(12)
    inside = total = 0
    for i in range(200):
        y, future = simulate(rng, h=28)
        fc = fit_trend(y, family="negbin").forecast(28, level=0.9, n_sim=2000, seed=i)
        frame = fc.to_frame()
        inside += int(((future >= frame["pi_low"]) & (future <= frame["pi_high"])).sum())
        total += len(future)
    coverage = inside / total
    assert 0.88 <= coverage <= 0.95


def test_prediction_bounds_are_whole_numbers_never_below_zero():
    # SIMULATED sparse counts (0.4 a day): the lower bounds sit at zero, not below
    y = days(np.random.default_rng(6).poisson(0.4, 120))
    fc = fit_trend(y, weekly=False, family="negbin").forecast(28, level=0.9)
    f = fc.to_frame()
    assert f["pi_low"].dtype == np.int64 and f["pi_high"].dtype == np.int64
    assert (f["pi_low"] >= 0).all() and (f["pi_low"] == 0).any()
    assert (f["pi_high"] >= f["pi_low"]).all()
    _, lo, hi = fc.total
    assert isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi


def test_level_is_stated_in_the_result_its_table_and_its_summary(nb_counts):
    fc = fit_trend(nb_counts).forecast(7, level=0.8)
    assert fc.level == 0.8 and fc.to_frame().attrs["level"] == 0.8
    assert "80% prediction intervals pi_low to pi_high" in fc.summary()
    assert "closest to 80%, not at least 80%" in fc.summary()
    d = json.loads(json.dumps(fc.to_dict()))
    assert d["level"] == 0.8 and d["interval"] == "prediction"
    assert set(d["forecast"][0]) == {"date", "mean", "pi_low", "pi_high"}
    assert set(d["total"]) == {"mean", "pi_low", "pi_high"}


def test_old_ci_names_of_prediction_bounds_warn_and_still_read(nb_counts):
    fc = fit_trend(nb_counts).forecast(7)
    with pytest.warns(FutureWarning, match="pi_low"):
        low = fc.ci_low
    with pytest.warns(FutureWarning, match="pi_high"):
        high = fc.ci_high
    pd.testing.assert_series_equal(low, fc.pi_low)
    pd.testing.assert_series_equal(high, fc.pi_high)


@pytest.mark.parametrize(
    ("tz", "last", "hours", "utc_offsets"),
    [
        # 2025-03-30 starts at 01:00 (+03:00)
        ("Asia/Beirut", "2025-03-27", [0, 0, 1, 0, 0], [2, 2, 3, 3, 3]),
        # 1998-03-20 starts at 01:00 (+03:00)
        ("Asia/Jerusalem", "1998-03-17", [0, 0, 1, 0, 0], [2, 2, 3, 3, 3]),
        # 2000-10-06 starts at its first midnight (+03:00); clocks go back at 01:00
        ("Asia/Jerusalem", "2000-10-03", [0, 0, 0, 0, 0], [3, 3, 3, 2, 2]),
    ],
)
def test_forecast_across_a_midnight_clock_change_keeps_local_days(tz, last, hours, utc_offsets):
    # SIMULATED counts ending three days before the clock change
    index = pd.date_range(end=pd.Timestamp(last), periods=90, freq="D").tz_localize(tz)
    y = pd.Series(np.random.default_rng(8).poisson(4, len(index)), index=index)
    f = fit_trend(y, family="poisson").forecast(5).to_frame()
    expected = pd.date_range(pd.Timestamp(last) + pd.Timedelta(days=1), periods=5, freq="D")
    assert f.index.strftime("%Y-%m-%d").tolist() == expected.strftime("%Y-%m-%d").tolist()
    assert f.index.hour.tolist() == hours
    assert [t.utcoffset() / pd.Timedelta(hours=1) for t in f.index] == utc_offsets
    assert f.index.is_monotonic_increasing and f.index.is_unique


def test_too_few_simulations_are_refused(nb_counts):
    with pytest.raises(ValueError, match="n_sim"):
        fit_trend(nb_counts).forecast(7, n_sim=10)


@pytest.mark.slow
@pytest.mark.parametrize("process", ["ar0.5", "ar0.8"])
def test_forecast_totals_have_the_spread_of_what_happened(process):
    """7- and 28-day totals of 80 SIMULATED years of latent AR(1) counts (defaults).

    The standardised error ``z = (realised total - mean of the paths) / sd of
    the paths`` has mean square 1 when the predictive spread is right; the
    spread of paths that ignored the latent dependence (issue 9: totals
    covered 0.62-0.78) gives about 2 and more. Tolerance: 4 s.e. of the mean
    square (``sqrt(2 / 80)`` for normal errors: 0.63 to 1.63). Measured with
    this seed: 0.96 and 1.04 (phi 0.5, 7 and 28 days), 1.18 and 1.19 (phi
    0.8); on 300 other series of phi 0.8, 0.97 and 0.90 with 90% interval
    coverage 0.93 and 0.91 (s.e. 0.015-0.017); the validation study's cells
    (400 series each): coverage 0.875-0.8925 for phi 0.5 and 0.8 at 7, 14
    and 28 days. The spread follows the estimated persistent latent variance,
    which is plugged in: coverage 0.83-0.87 in the third of series where it
    came out lowest, 0.95-0.98 where highest (phi 0.8, 300 series).
    """
    from analysis.validation import PROCESSES, simulate_counts

    reps = 80
    z7, z28 = [], []
    for i, child in enumerate(np.random.SeedSequence(909).spawn(reps)):
        rng = np.random.default_rng(child)
        counts = simulate_counts(PROCESSES[process], 365 + 28, 5.0, rng).counts
        fc = fit_trend(counts.iloc[:365]).forecast(28, n_sim=2000, seed=i)
        paths = fc.draws
        future = counts.iloc[365:].to_numpy()
        for h, z in ((7, z7), (28, z28)):
            sums = paths[:h].sum(axis=0)
            z.append((future[:h].sum() - sums.mean()) / sums.std())
    tol = 4 * math.sqrt(2 / reps)
    for z in (np.asarray(z7), np.asarray(z28)):
        assert abs(float(np.mean(z**2)) - 1.0) < tol, float(np.mean(z**2))
        assert abs(float(np.mean(z))) < 4 / math.sqrt(reps)  # no bias in the mean
