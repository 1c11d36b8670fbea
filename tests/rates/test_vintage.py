"""The newest days: ``vintage=``, ``provisional=``, ``tail=`` of estimate_rate and rolling_rate.

All data are simulated or hand-made.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis.rates import estimate_rate, rolling_rate
from analysis.validation import PROCESSES, simulate_counts
from tests.rates.conftest import daily, overdispersed

TRIPLE = ("rate", "ci_low", "ci_high")


def _same_estimate(a, b):
    for key in (*TRIPLE, "exposure", "design_effect"):
        assert getattr(a, key) == pytest.approx(getattr(b, key), rel=1e-12), key
    for key in ("events", "family", "start", "end", "reason"):
        assert getattr(a, key) == getattr(b, key), key


def test_exclusion_leaves_out_exactly_the_provisional_days():
    s = overdispersed(seed=3, n=60)  # 2024-01-01 .. 2024-02-29
    r = estimate_rate(s, vintage="2024-02-29", provisional="3D")
    assert r.events == int(s.iloc[:-3].sum())
    assert r.exposure == 57.0
    assert r.end == pd.Timestamp("2024-02-26")
    assert r.provisional_days == 3
    # the whole estimate, design effect included, is that of the series cut before the tail
    _same_estimate(r, estimate_rate(s.iloc[:-3]))


def test_flag_keeps_the_days_and_warns():
    s = overdispersed(seed=3, n=60)
    r = estimate_rate(s, vintage="2024-02-29", provisional="3D", tail="flag")
    _same_estimate(r, estimate_rate(s))
    assert r.provisional_days == 3
    text = r.summary()
    assert "3 provisional days (2024-02-27 to 2024-02-29" in text
    assert "kept, but they may be incomplete" in text


def test_summary_and_dict_state_the_number_and_dates():
    s = daily([5, 6, 4, 7, 5, 6, 5, 4, 2, 1])
    r = estimate_rate(s, vintage="2024-01-10", provisional="2D")
    assert r.summary().endswith(
        "Data drawn 2024-01-10: 2 provisional days (2024-01-09 to 2024-01-10, 3 events) left out."
    )
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert d["provisional_days"] == 2
    assert d["provisional_dates"] == ["2024-01-09", "2024-01-10"]
    assert d["vintage"] == "2024-01-10" and d["tail"] == "exclude"
    assert d["events"] == 42 and d["exposure"] == 8.0
    assert "Data drawn" in repr(r)


def test_realised_rate_keeps_the_tail():
    s = daily([5, 6, 4, 7, 5, 6, 5, 4, 2, 1])
    r = estimate_rate(s, vintage="2024-01-10", provisional="2D", estimand="realised")
    assert r.rate == r.ci_low == r.ci_high == 42 / 8 and r.provisional_days == 2


def test_a_window_before_the_tail_still_gets_a_reference_without_it():
    s = overdispersed(seed=5, n=90)
    r = estimate_rate(s, start="2024-02-01", end="2024-02-14", vintage="2024-03-30")
    assert r.provisional_days == 0  # none of the window's days is provisional
    assert "no data in the provisional 3D" in r.summary()
    _same_estimate(r, estimate_rate(s, start="2024-02-01", end="2024-02-14", reference=s[:-3]))


def test_periods_after_the_vintage_are_dropped_and_counted():
    s = daily([3, 4, 5, 3, 4, 0, 0])  # 01-06 and 01-07 not yet observed
    r = estimate_rate(s, vintage="2024-01-05", provisional=0)
    assert r.events == 19 and r.exposure == 5.0 and r.provisional_days == 0
    assert "2 periods after the vintage" in r.summary()
    assert r.to_dict()["after_vintage_periods"] == 2


def test_weekly_counts_drop_the_week_that_reaches_into_the_window():
    idx = pd.date_range("2024-09-02", periods=6, freq="W-MON")
    s = pd.Series([30, 28, 35, 31, 29, 12], index=idx)
    r = estimate_rate(s, vintage="2024-10-09", provisional="2D")
    assert r.events == 153 and r.exposure == 35.0 and r.provisional_days == 3


def test_events_after_the_vintage_are_refused():
    s = daily([3, 4, 5, 3, 4, 2, 0])
    with pytest.raises(ValueError, match=r"vintage=2024-01-05: the counts hold 2 event\(s\)"):
        estimate_rate(s, vintage="2024-01-05")
    with pytest.raises(ValueError, match="vintage=2024-01-05"):
        rolling_rate(s, window=3, vintage="2024-01-05")
    # also when the window asked for lies before the vintage: the vintage contradicts the data
    with pytest.raises(ValueError, match="vintage=2024-01-05"):
        estimate_rate(s, start="2024-01-01", end="2024-01-03", vintage="2024-01-05")


@pytest.mark.parametrize("vintage", [20240110, 2024.0, np.int64(20240110)])
def test_numbers_as_vintage_are_refused(vintage):
    s = daily([3, 4, 5, 3, 4, 2, 1, 3, 2, 4])
    with pytest.raises(ValueError, match=r"vintage=.* is a number, not a date"):
        estimate_rate(s, vintage=vintage)
    with pytest.raises(ValueError, match=r"vintage=.* is a number, not a date"):
        rolling_rate(s, vintage=vintage)


def test_bad_provisional_and_tail_are_refused():
    s = daily([3, 4, 5, 3, 4, 2, 1, 3, 2, 4])
    with pytest.raises(ValueError, match="provisional=3 is a number without a unit"):
        estimate_rate(s, vintage="2024-01-10", provisional=3)
    with pytest.raises(ValueError, match="unknown tail='cut'"):
        estimate_rate(s, vintage="2024-01-10", tail="cut")
    with pytest.raises(ValueError, match="vintage= goes with counts"):
        estimate_rate(total=41, exposure=7, vintage="2024-01-10")


def test_no_vintage_means_no_change():
    s = overdispersed(seed=1, n=40)
    a, b = estimate_rate(s), estimate_rate(s, vintage=None, provisional="9D", tail="flag")
    _same_estimate(a, b)
    assert a.summary() == b.summary() and "Data drawn" not in a.summary()
    assert a.provisional_days == 0 and a.vintage_tail is None
    assert a.to_dict()["provisional_days"] == 0 and a.to_dict()["provisional_dates"] == []
    assert_frame_equal(rolling_rate(s).to_frame(), rolling_rate(s, vintage=None).to_frame())
    assert "Data drawn" not in rolling_rate(s).summary()


def test_rolling_exclusion_ends_before_the_tail():
    s = overdispersed(seed=2, n=50)
    rr = rolling_rate(s, window="7D", vintage=s.index[-1], provisional="4D")
    cut = rolling_rate(s.iloc[:-4], window="7D")
    assert_frame_equal(rr.to_frame(), cut.to_frame())
    assert rr.design_effect == cut.design_effect
    assert rr.provisional_days == 4 and len(rr.counts) == 46
    assert "4 provisional days" in rr.summary()
    d = json.loads(json.dumps(rr.to_dict(), allow_nan=False))
    assert d["provisional_days"] == 4 and len(d["provisional_dates"]) == 4
    assert len(d["rate"]) == 46


def test_rolling_flag_keeps_the_rows_warns_and_shades(plt):
    s = overdispersed(seed=2, n=50)
    rr = rolling_rate(s, window="7D", vintage=s.index[-1], provisional="4D", tail="flag")
    assert_frame_equal(rr.to_frame(), rolling_rate(s, window="7D").to_frame())
    assert "kept, but they may be incomplete" in rr.summary()
    _, ax = plt.subplots()
    rr.plot(ax=ax)
    assert "provisional" in [t.get_text() for t in ax.get_legend().get_texts()]


# --- simulation: a reporting lag on the newest days biases the rate; exclusion removes it --
#: share of the true events reported by the vintage on the last three days (SIMULATED lag)
COMPLETE = np.array([0.8, 0.5, 0.2])


def _lagged(y: pd.Series, rng: np.random.Generator) -> pd.Series:
    v = y.to_numpy().copy()
    v[-3:] = rng.binomial(v[-3:], COMPLETE)
    return pd.Series(v, index=y.index, name=y.name)


@pytest.mark.slow
@pytest.mark.parametrize("process", ["poisson", "nb5+ar0.8"])
def test_excluding_a_lagged_tail_removes_the_bias_of_the_newest_rate(process):
    """14-day rates at the end of 120 SIMULATED days, rate 5, last 3 days reported in part.

    Measured (R = 200, seed 20261201): poisson, naive mean 4.48 (Monte Carlo error
    0.04), excluded 5.01 (0.05), paired difference -0.53 (0.02); nb5+ar0.8, naive
    4.57 (0.10), excluded 5.09 (0.11), difference -0.52 (0.03).
    The expected naive rate is 5 * (14 - 1.5) / 14 = 4.46.
    """
    rng = np.random.default_rng(20261201)
    naive, excluded = [], []
    for _ in range(200):
        y = _lagged(simulate_counts(PROCESSES[process], 120, 5.0, rng).counts, rng)
        start = y.index[-14]
        naive.append(estimate_rate(y, start=start).rate)
        excluded.append(estimate_rate(y, start=start, vintage=y.index[-1]).rate)
    naive_a, excl_a = np.array(naive), np.array(excluded)
    mce = excl_a.std(ddof=1) / math.sqrt(len(excl_a))
    assert abs(excl_a.mean() - 5.0) < 3.5 * mce
    diff = naive_a - excl_a  # paired: the lag's effect
    assert diff.mean() < -3.5 * diff.std(ddof=1) / math.sqrt(len(diff))
    assert naive_a.mean() == pytest.approx(5.0 * (14 - 1.5) / 14, abs=3.5 * mce)
