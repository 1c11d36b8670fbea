"""Bad inputs to fit_trend and decompose get clear errors (SIMULATED data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import DataError
from analysis.trend import fit_trend


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


def test_duplicate_dates_are_errors(ok):
    dup = pd.concat([ok.iloc[:5], ok.iloc[4:]])
    with pytest.raises(DataError, match="duplicate date"):
        fit_trend(dup)


def test_unsorted_dates_are_errors(ok):
    with pytest.raises(DataError, match="sort the series"):
        fit_trend(ok.iloc[::-1])


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


def test_breaks_of_wrong_type(ok):
    with pytest.raises(TypeError, match="changepoints"):
        fit_trend(ok, breaks=12)


def test_step_event_with_a_duration_is_an_error(ok):
    events = pd.DataFrame(
        {"date": ["2024-01-10"], "name": ["x"], "kind": ["step"], "duration": [5]}
    )
    with pytest.raises(DataError, match="pulses only"):
        fit_trend(ok, events=events)


def test_numeric_breaks_are_not_read_as_1970_dates(ok):
    with pytest.raises(ValueError, match="is a number, not a date"):
        fit_trend(ok, breaks=[30])


def test_changepoints_found_without_dates_are_refused_with_the_fix(ok):
    from analysis import detect_changepoints

    # SIMULATED step counts without dates: the result holds positions, not dates
    rng = np.random.default_rng(1)
    cp = detect_changepoints(np.r_[rng.poisson(2, 30), rng.poisson(9, 30)])
    assert cp.n_changes == 1
    with pytest.raises(ValueError, match=r"counts\.index\[result\.indices\]"):
        fit_trend(ok, breaks=cp)
    assert fit_trend(ok, breaks=ok.index[cp.indices]).n == 60


def test_exposure_must_be_positive_and_aligned(nb_counts):
    bad = pd.Series(1.0, index=nb_counts.index)
    bad.iloc[5] = 0.0
    with pytest.raises(Exception, match="positive"):
        fit_trend(nb_counts, exposure=bad)
    with pytest.raises(Exception, match="index differs"):
        fit_trend(nb_counts, exposure=bad.iloc[1:])


def test_break_with_an_offset_is_read_in_the_series_zone():
    # 2024-02-29 22:30 UTC is 2024-03-01 00:30 in Jerusalem (SIMULATED counts)
    index = pd.date_range("2024-01-01", periods=120, freq="D", tz="Asia/Jerusalem")
    y = pd.Series(np.random.default_rng(7).poisson(5, 120), index=index)
    res = fit_trend(y, breaks=["2024-02-29 22:30+00:00"], family="poisson")
    assert "shift[2024-03-01 00:30:00]" in res.params.index


def test_event_date_that_is_a_number_is_refused_naming_the_row(ok):
    events = pd.DataFrame({"date": ["2024-01-10", 20240120], "name": ["a", "b"]})
    with pytest.raises(DataError) as err:
        fit_trend(ok, events=events)
    (problem,) = err.value.problems
    assert (problem.row, problem.column) == (3, "date")
    assert "is a number, not a date" in problem.message


def test_period_index_fits_as_its_period_starts(ok):
    by_period = fit_trend(ok.to_period("D"), family="poisson")
    by_start = fit_trend(ok, family="poisson")
    assert by_period.to_dict()["params"] == by_start.to_dict()["params"]
