"""Tests of analysis.rates._rolling (rolling_rate). All data are simulated or hand-made."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.rates import (
    RollingRateResult,
    estimate_rate,
    rolling_rate,
)
from tests.rates.conftest import daily, overdispersed


def test_rolling_rate_uses_trailing_window_sums():
    s = daily([3, 5, 4, 6, 2, 5, 8, 9, 0, 1])
    frame = rolling_rate(s, window="7D").to_frame()
    assert list(frame.columns) == ["rate", "ci_low", "ci_high", "events", "exposure"]
    expected = s.rolling(7).sum()
    pd.testing.assert_series_equal(frame["events"], expected, check_names=False)
    assert frame["rate"].iloc[6] == pytest.approx(33 / 7)
    assert frame.index.equals(s.index)


def test_rolling_rate_first_window_minus_one_days_are_nan():
    frame = rolling_rate(daily(range(10)), window="7D").to_frame()
    assert frame.iloc[:6].isna().all().all()
    assert frame.iloc[6:].notna().all().all()


def test_rolling_poisson_band_is_the_garwood_interval_of_each_window():
    s = daily([0, 0, 1, 0, 0, 0, 0, 2, 5])
    frame = rolling_rate(s, window=7, family="poisson").to_frame()
    for day in frame.index[6:]:
        single = estimate_rate(total=int(frame.loc[day, "events"]), exposure=7)
        assert frame.loc[day, "ci_low"] == pytest.approx(single.ci_low)
        assert frame.loc[day, "ci_high"] == pytest.approx(single.ci_high)


def test_rolling_default_band_is_the_scaled_interval_of_each_window():
    s = overdispersed(seed=2, n=120)
    rr = rolling_rate(s, window=7)
    assert rr.family == "quasipoisson" and rr.design_effect > 1
    frame = rr.to_frame()
    from analysis.rates._dependent import quasi_jeffreys

    for day in frame.index[6::20]:
        low, high = quasi_jeffreys(frame.loc[day, "events"], 7.0, rr.design_effect, 0.95)
        assert frame.loc[day, "ci_low"] == pytest.approx(float(low))
        assert frame.loc[day, "ci_high"] == pytest.approx(float(high))


def test_rolling_rate_per_week():
    frame = rolling_rate(daily([1] * 14), window="7D", per="week").to_frame()
    assert frame["rate"].iloc[-1] == pytest.approx(7.0)


def test_rolling_negbin_band_matches_estimate_rate_per_window():
    s = overdispersed(seed=6, n=40)
    frame = rolling_rate(s, window="14D", family="negbin").to_frame()
    last = estimate_rate(s.iloc[-14:], family="negbin")
    assert frame["ci_low"].iloc[-1] == pytest.approx(last.ci_low, rel=1e-6)
    assert frame["ci_high"].iloc[-1] == pytest.approx(last.ci_high, rel=1e-6)


@pytest.mark.parametrize("window", ["36h", "0D", "soon", 0])
def test_rolling_window_must_be_whole_periods(window):
    with pytest.raises(ValueError):
        rolling_rate(daily(range(10)), window=window)


def test_rolling_needs_fixed_periods():
    s = pd.Series([1, 2, 3], index=pd.date_range("2024-01-01", periods=3, freq="MS"))
    with pytest.raises(ValueError, match="fixed period"):
        rolling_rate(s, window=2)


def test_rolling_summary_to_dict_and_plot(plt):
    rr = rolling_rate(daily([3, 5, 4, 6, 2, 5, 8, 9]), window="7D")
    assert isinstance(rr, RollingRateResult)
    assert "latest (2024-01-08)" in rr.summary()
    d = json.loads(json.dumps(rr.to_dict(), allow_nan=False))
    assert d["rate"][0] is None and d["events"][-1] == 39.0
    _, ax = plt.subplots()
    assert rr.plot(ax=ax) is ax
    assert len(ax.collections) >= 1  # the band


def test_rolling_plot_of_tz_aware_counts(plt):
    rr = rolling_rate(daily(range(10), tz="Asia/Jerusalem"))
    ax = rr.plot()
    assert ax.get_xlim()[0] < ax.get_xlim()[1]
