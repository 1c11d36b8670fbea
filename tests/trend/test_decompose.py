"""decompose: STL on the Anscombe scale (SIMULATED data)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis.errors import DataError
from analysis.trend import decompose
from analysis.trend._decompose import anscombe, inverse_anscombe
from tests.trend.conftest import WEEKLY, days, simulate


def test_components_add_up_and_keep_the_index(rng):
    y, _ = simulate(rng, n=140, tz="Asia/Jerusalem")
    dec = decompose(y)
    frame = dec.to_frame()
    assert frame.index.equals(y.index)
    assert_allclose(dec.trend + dec.seasonal + dec.resid, anscombe(y.to_numpy()))


def test_weekly_profile_recovers_the_simulated_cycle(rng):
    # Poisson counts, rate 20 a day; the profile is centred, so compare with the
    # centred Anscombe values of the true weekday rates. Tolerance 0.4 on a scale
    # where the daily noise sd is 1 and each weekday mean averages 80 days
    # (sd about 0.11): 3.5 standard errors.
    y, _ = simulate(rng, n=560, base=20.0, slope=0.0, alpha=0.0)
    prof = decompose(y).weekly_profile
    assert list(prof.index) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    mu = 20.0 * np.exp(WEEKLY)
    expected = anscombe(mu) - anscombe(mu).mean()
    assert_allclose(prof.to_numpy(), expected, atol=0.4)


def test_trend_rate_follows_the_simulated_trend(rng):
    # rate 40 rising to 114 a day; STL's trend averages about two weeks, so its
    # relative error has sd near 2 * 0.28 / (2 sqrt(40)) = 4.4%: allow 15% at
    # any day and 3% on average (the back-transform's bias)
    y, _ = simulate(rng, n=210, base=40.0, slope=0.005, alpha=0.0, weekly=np.zeros(7))
    truth = 40.0 * np.exp(0.005 * np.arange(210))
    rate = decompose(y).trend_rate.to_numpy()
    inner = slice(14, -14)  # STL's trend is least certain at the ends
    rel = rate[inner] / truth[inner] - 1
    assert np.max(np.abs(rel)) < 0.15
    assert abs(np.mean(rel)) < 0.03


def test_inverse_anscombe_is_nearly_unbiased_for_moderate_rates():
    rng = np.random.default_rng(5)
    for mu in (3.0, 10.0, 40.0):
        z = anscombe(rng.poisson(mu, 200_000)).mean()
        assert abs(inverse_anscombe(np.array([z]))[0] / mu - 1) < 0.02


def test_weekly_and_yearly_cycles_with_mstl():
    # SIMULATED 3 years of Poisson counts with a yearly and a weekly cycle
    rng = np.random.default_rng(8)
    days = pd.date_range("2021-01-01", periods=3 * 365, freq="D")
    doy = np.arange(len(days))
    mu = 10 * np.exp(0.5 * np.sin(2 * np.pi * doy / 365) + WEEKLY[days.day_of_week])
    y = pd.Series(rng.poisson(mu), index=days)
    dec = decompose(y, period=(7, 365))
    assert list(dec.seasonals.columns) == ["seasonal_7", "seasonal_365"]
    # each day of the year has only 3 values, so compare a 15-day running mean
    yearly = dec.seasonals["seasonal_365"].rolling(15, center=True, min_periods=1).mean()
    corr = np.corrcoef(yearly.to_numpy(), np.sin(2 * np.pi * doy / 365))[0, 1]
    assert corr > 0.9
    assert dec.weekly_profile["Sun"] < dec.weekly_profile["Wed"]


def test_summary_dict_and_plot(rng):
    from matplotlib.figure import Figure

    y, _ = simulate(rng, n=70)
    dec = decompose(y)
    assert "Anscombe" in dec.summary() and "weekly profile" in dec.summary()
    json.dumps(dec.to_dict())
    fig = dec.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 4


def test_plot_on_a_given_axes_returns_it(rng):
    from matplotlib.figure import Figure

    y, _ = simulate(rng, n=70)
    ax = Figure().subplots()
    assert decompose(y).plot(ax=ax) is ax
    assert len(ax.lines) == 3


def test_decompose_checks_length(ok):
    with pytest.raises(DataError, match="too short for period 7"):
        decompose(ok.iloc[:14])


def test_decompose_checks_period(ok):
    with pytest.raises(ValueError, match="period"):
        decompose(ok, period=1)


def test_decompose_checks_counts(ok):
    with pytest.raises(DataError, match="negative"):
        decompose(ok - 10)


def test_decompose_needs_three_cycles():
    # SIMULATED stationary counts: with 2 cycles + 1 day STL left a remainder of about 0
    y = days(np.random.default_rng(5).poisson(5, 20))
    with pytest.raises(DataError, match="need at least 21 \\(three full cycles"):
        decompose(y)
    assert len(decompose(days(np.random.default_rng(5).poisson(5, 21))).resid) == 21


def test_decompose_refuses_an_empty_series():
    with pytest.raises(DataError, match="counts is empty"):
        decompose(pd.Series([], index=pd.DatetimeIndex([]), dtype=int))


def test_decompose_refuses_one_value():
    with pytest.raises(DataError, match="too short for period 7: 1 periods"):
        decompose(days([3]))


def test_decompose_refuses_all_zero_counts():
    # the Anscombe scale would report a trend of 0.25 a day for no events at all
    with pytest.raises(DataError, match="every count is zero"):
        decompose(days(np.zeros(28, dtype=int)))
