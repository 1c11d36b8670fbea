"""Bad inputs to fit_trend and decompose get clear errors (SIMULATED data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import DataError
from analysis.trend import decompose, fit_trend


def _days(values, start="2024-01-01", freq="D"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq), name="n")


@pytest.fixture
def ok():
    """SIMULATED: 60 days of Poisson(5) counts."""
    return _days(np.random.default_rng(0).poisson(5, 60))


def test_negative_counts_name_row_column_and_date(ok):
    bad = ok.copy()
    bad.iloc[[3, 10]] = -1
    with pytest.raises(DataError) as err:
        fit_trend(bad)
    rows = [p.row for p in err.value.problems]
    assert rows == [5, 12]  # header is row 1, first value row 2
    assert all(p.column == "n" for p in err.value.problems)
    assert "negative count on 2024-01-04" in str(err.value)


def test_missing_and_fractional_counts_are_errors(ok):
    bad = ok.astype(float)
    bad.iloc[2] = np.nan
    bad.iloc[4] = 2.5
    with pytest.raises(DataError) as err:
        fit_trend(bad)
    messages = [p.message for p in err.value.problems]
    assert any("missing" in m for m in messages) and any("whole number" in m for m in messages)


def test_integral_floats_are_accepted(ok):
    assert fit_trend(ok.astype(float), family="poisson").n == 60


def test_non_datetime_index_is_a_type_error(ok):
    with pytest.raises(TypeError, match="DatetimeIndex"):
        fit_trend(ok.reset_index(drop=True))


def test_non_series_is_a_type_error(ok):
    with pytest.raises(TypeError, match="Series"):
        fit_trend(ok.to_frame())


def test_gaps_are_reported_with_the_missing_dates(ok):
    gappy = ok.drop(ok.index[[10, 11, 30]])
    with pytest.raises(DataError) as err:
        fit_trend(gappy)
    values = [p.value for p in err.value.problems]
    assert values == ["2024-01-11", "2024-01-12", "2024-01-31"]
    assert "zero-fill counts" in str(err.value)


def test_duplicate_and_unsorted_dates_are_errors(ok):
    dup = pd.concat([ok.iloc[:5], ok.iloc[4:]])
    with pytest.raises(DataError, match="duplicate date"):
        fit_trend(dup)
    with pytest.raises(DataError, match="sort the series"):
        fit_trend(ok.iloc[::-1])


def test_too_short_for_the_design(ok):
    with pytest.raises(DataError, match="too short: 12 periods"):
        fit_trend(ok.iloc[:12])
    # the same 12 days suffice for a model with fewer coefficients
    assert fit_trend(ok.iloc[:12], weekly=False, family="poisson").n == 12


def test_all_zero_counts_are_an_error():
    with pytest.raises(DataError, match="every count is zero"):
        fit_trend(_days(np.zeros(60, dtype=int)))


def test_unknown_options_are_errors(ok):
    with pytest.raises(ValueError, match="family"):
        fit_trend(ok, family="gamma")
    with pytest.raises(ValueError, match="trend"):
        fit_trend(ok, trend="cubic")
    with pytest.raises(ValueError, match="cov_type"):
        fit_trend(ok, cov_type="HC0")
    with pytest.raises(ValueError, match="level"):
        fit_trend(ok, level=95)


def test_weekly_cycle_needs_daily_counts():
    weekly = _days(np.random.default_rng(1).poisson(30, 40), freq="W-MON")
    with pytest.raises(ValueError, match="weekly=False"):
        fit_trend(weekly)
    res = fit_trend(weekly, weekly=False, family="poisson")
    assert res.forecast(2).to_frame().index[0] == weekly.index[-1] + pd.Timedelta(weeks=1)


def test_bad_events_table_names_rows(ok):
    events = pd.DataFrame(
        {"date": ["2024-01-10", "not a date", "2024-01-20"], "name": ["a", "b", "a"],
         "kind": ["pulse", "pulse", "spike"]}
    )  # fmt: skip
    with pytest.raises(DataError) as err:
        fit_trend(ok, events=events)
    found = {(p.row, p.column) for p in err.value.problems}
    assert found == {(3, "date"), (4, "name"), (4, "kind")}


def test_events_table_needs_date_and_name(ok):
    with pytest.raises(DataError, match="missing column"):
        fit_trend(ok, events=pd.DataFrame({"when": ["2024-01-10"]}))


def test_event_outside_the_data_is_an_error(ok):
    events = pd.DataFrame({"date": ["2025-01-10"], "name": ["later"]})
    with pytest.raises(ValueError, match=r"pulse\[later\]"):
        fit_trend(ok, events=events)


def test_breaks_of_wrong_type(ok):
    with pytest.raises(TypeError, match="changepoints"):
        fit_trend(ok, breaks=12)


def test_forecast_arguments_are_checked(ok):
    res = fit_trend(ok, family="poisson")
    with pytest.raises(ValueError, match="h must"):
        res.forecast(0)
    with pytest.raises(ValueError, match="without exposure"):
        res.forecast(3, exposure=[1, 1, 1])


def test_decompose_checks_length_and_period(ok):
    with pytest.raises(DataError, match="too short for period 7"):
        decompose(ok.iloc[:14])
    with pytest.raises(ValueError, match="period"):
        decompose(ok, period=1)
    with pytest.raises(DataError, match="negative"):
        decompose(ok - 10)


def test_weekday_without_any_event_is_reported():
    # SIMULATED sparse counts with no event on any Sunday: the Sunday effect is -infinity
    days = pd.date_range("2024-01-01", periods=120, freq="D")
    y = pd.Series(np.random.default_rng(2).poisson(0.5, 120), index=days)
    y[days.day_of_week == 6] = 0
    with pytest.raises(DataError, match=r"weekday\[Sun\]: no events"):
        fit_trend(y)
    assert fit_trend(y, weekly=False).n == 120


def test_forecast_of_an_explosive_fit_stays_finite():
    # SIMULATED: a rate growing 5% a day; 200 days ahead the draws are huge but finite
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    y = pd.Series(np.random.default_rng(3).poisson(np.exp(0.05 * np.arange(60))), index=days)
    f = fit_trend(y, weekly=False, family="poisson").forecast(200).to_frame()
    assert np.isfinite(f.to_numpy()).all()


def test_step_event_with_a_duration_is_an_error(ok):
    events = pd.DataFrame(
        {"date": ["2024-01-10"], "name": ["x"], "kind": ["step"], "duration": [5]}
    )
    with pytest.raises(DataError, match="pulses only"):
        fit_trend(ok, events=events)


def test_numeric_breaks_are_not_read_as_1970_dates(ok):
    from analysis import detect_changepoints

    with pytest.raises(ValueError, match="is a number, not a date"):
        fit_trend(ok, breaks=[30])
    # SIMULATED step counts without dates: the result holds positions, not dates
    rng = np.random.default_rng(1)
    cp = detect_changepoints(np.r_[rng.poisson(2, 30), rng.poisson(9, 30)])
    assert cp.n_changes == 1
    with pytest.raises(ValueError, match=r"counts\.index\[result\.indices\]"):
        fit_trend(ok, breaks=cp)
    assert fit_trend(ok, breaks=ok.index[cp.indices]).n == 60


def test_decompose_needs_three_cycles():
    # SIMULATED stationary counts: with 2 cycles + 1 day STL left a remainder of about 0
    y = _days(np.random.default_rng(5).poisson(5, 20))
    with pytest.raises(DataError, match="need at least 21 \\(three full cycles"):
        decompose(y)
    assert len(decompose(_days(np.random.default_rng(5).poisson(5, 21))).resid) == 21
