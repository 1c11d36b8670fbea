"""The newest days: ``vintage=``, ``provisional=``, ``tail=`` of fit_trend.

Every series here is SIMULATED, not real data.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis.trend import fit_trend
from analysis.validation import PROCESSES, simulate_counts
from tests.trend.conftest import simulate


def _same_fit(a, b):
    assert a.n == b.n and a.family == b.family
    assert_allclose(a.params.to_numpy(), b.params.to_numpy(), rtol=1e-10)


def test_exclusion_fits_the_series_cut_before_the_tail(nb_counts):
    last = nb_counts.index[-1]  # 200 days from 2024-01-01: 2024-07-18
    res = fit_trend(nb_counts, vintage=last, provisional="5D")
    assert res.n == 195 and res.provisional_days == 5
    assert res.counts.index[-1] == pd.Timestamp("2024-07-13")
    assert int(res.counts.sum()) == int(nb_counts.iloc[:-5].sum())
    _same_fit(res, fit_trend(nb_counts.iloc[:-5]))
    # forecasts start on the first provisional day, to be set against its counts
    assert res.forecast(5).to_frame().index[0] == pd.Timestamp("2024-07-14")


def test_flag_fits_every_day_and_warns(nb_counts):
    res = fit_trend(nb_counts, vintage="2024-07-18", provisional="5D", tail="flag")
    _same_fit(res, fit_trend(nb_counts))
    assert res.provisional_days == 5
    line = next(x for x in res.summary().splitlines() if x.startswith("Provisional tail:"))
    assert "5 provisional days (2024-07-14 to 2024-07-18" in line
    assert "kept, but they may be incomplete" in line


def test_summary_and_dict_state_number_and_dates(nb_counts):
    res = fit_trend(nb_counts, vintage="2024-07-18", provisional="2D")
    events = int(nb_counts.iloc[-2:].sum())
    assert (
        f"Provisional tail: Data drawn 2024-07-18: 2 provisional days (2024-07-17 to "
        f"2024-07-18, {events} events) left out." in res.summary()
    )
    d = json.loads(json.dumps(res.to_dict()))
    assert d["provisional_days"] == 2 and d["provisional_dates"] == ["2024-07-17", "2024-07-18"]
    assert d["vintage"] == "2024-07-18" and d["tail"] == "exclude" and d["n"] == 198


def test_zero_days_after_the_vintage_are_not_fitted(nb_counts):
    s = pd.concat([nb_counts, pd.Series(0, index=pd.date_range("2024-07-19", periods=3))])
    res = fit_trend(s, vintage="2024-07-18", provisional=0)
    assert res.n == 200 and res.provisional_days == 0
    _same_fit(res, fit_trend(nb_counts))
    assert "3 periods after the vintage" in res.summary()


def test_events_after_the_vintage_are_refused(nb_counts):
    with pytest.raises(ValueError, match=r"vintage=2024-07-10: the counts hold \d+ event\(s\)"):
        fit_trend(nb_counts, vintage="2024-07-10")


@pytest.mark.parametrize("vintage", [20240718, 2024.0])
def test_numbers_as_vintage_are_refused(nb_counts, vintage):
    with pytest.raises(ValueError, match=r"vintage=.* is a number, not a date"):
        fit_trend(nb_counts, vintage=vintage)


def test_bad_provisional_and_tail_are_refused(nb_counts):
    with pytest.raises(ValueError, match="provisional=3 is a number without a unit"):
        fit_trend(nb_counts, vintage="2024-07-18", provisional=3)
    with pytest.raises(ValueError, match="unknown tail='drop'"):
        fit_trend(nb_counts, vintage="2024-07-18", tail="drop")


def test_exposure_on_the_full_index_follows_the_cut(nb_counts):
    expo = pd.Series(np.linspace(1.0, 2.0, len(nb_counts)), index=nb_counts.index)
    res = fit_trend(nb_counts, exposure=expo, vintage="2024-07-18")
    _same_fit(res, fit_trend(nb_counts.iloc[:-3], exposure=expo.iloc[:-3]))


def test_no_vintage_means_no_change(nb_counts):
    a, b = fit_trend(nb_counts), fit_trend(nb_counts, vintage=None, tail="flag")
    _same_fit(a, b)
    assert a.summary() == b.summary() and "Provisional" not in a.summary()
    assert a.provisional_days == 0 and a.vintage_tail is None
    assert a.to_dict()["provisional_days"] == 0 and a.to_dict()["provisional_dates"] == []


# --- simulation: a reporting lag on the newest days bends the slope; exclusion removes it ----
#: share of the true events reported by the vintage on the last three days (SIMULATED lag)
COMPLETE = np.array([0.8, 0.5, 0.2])


def _lagged(y: pd.Series, rng: np.random.Generator) -> pd.Series:
    v = y.to_numpy().copy()
    v[-3:] = rng.binomial(v[-3:], COMPLETE)
    return pd.Series(v, index=y.index, name=y.name)


@pytest.mark.slow
@pytest.mark.parametrize("process", ["poisson", "nb5+ar0.8"])
def test_excluding_a_lagged_tail_removes_the_slope_bias(process):
    """90 SIMULATED days at a flat rate 5, the last 3 reported in part; slope per day.

    Measured (R = 120, seed 7; Monte Carlo errors in brackets), slope in 1e-4 per day:
    poisson, naive -11.1 (1.6), excluded -0.0 (1.7), paired difference -11.1 (0.4);
    nb5+ar0.8, naive -14.3 (3.8), excluded -3.8 (4.1), difference -10.6 (0.7). The
    naive bias is about 0.7 of the slope's standard error under Poisson days.
    """
    rng = np.random.default_rng(7)
    naive, excluded = [], []
    for _ in range(120):
        y = _lagged(simulate_counts(PROCESSES[process], 90, 5.0, rng).counts, rng)
        naive.append(fit_trend(y, family="negbin", weekly=False).slope)
        excluded.append(fit_trend(y, family="negbin", weekly=False, vintage=y.index[-1]).slope)
    naive_a, excl_a = np.array(naive), np.array(excluded)
    mce = excl_a.std(ddof=1) / math.sqrt(len(excl_a))
    assert abs(excl_a.mean()) < 3.5 * mce  # the true slope is 0
    diff = naive_a - excl_a  # paired: the lag's effect, downward
    assert diff.mean() < -3.5 * diff.std(ddof=1) / math.sqrt(len(diff))


def test_the_default_provisional_window_is_three_days():
    s, _ = simulate(np.random.default_rng(0), n=20)
    assert fit_trend(s, weekly=False, vintage=s.index[-1]).n == 17
