import numpy as np
import pandas as pd
import pytest

from analysis._series import WINDOW_END, WINDOW_START, CountSeries, regular_offset
from analysis.errors import DataError


def days(n, start="2024-01-01", tz=None):
    return pd.date_range(start, periods=n, freq="D", tz=tz)


def test_valid_counts_have_exposure_in_days():
    cs = CountSeries.from_pandas(pd.Series([1, 0, 2], index=days(3)))
    assert cs.total == 3 and cs.total_exposure == 3.0 and cs.daily
    assert cs.counts.dtype == np.int64


def test_monthly_periods_cover_their_length():
    idx = pd.date_range("2024-01-01", periods=3, freq="MS")
    cs = CountSeries.from_pandas(pd.Series([1, 2, 3], index=idx))
    assert cs.exposure.tolist() == [31.0, 29.0, 31.0]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.inf, "infinite value"),
        (-1, "negative count"),
        (1.5, "not a whole number"),
        (np.nan, "missing value"),
        (2.0**60, "count too large"),
    ],
)
def test_bad_count_names_row_and_column(value, message):
    s = pd.Series([1.0, value], index=days(2), name="drone")
    with pytest.raises(DataError, match=message) as err:
        CountSeries.from_pandas(s)
    (problem,) = err.value.problems
    assert problem.row == 3 and problem.column == "drone"


def test_text_value_is_refused():
    s = pd.Series(["1", "x"], index=days(2))
    with pytest.raises(DataError, match="not a number"):
        CountSeries.from_pandas(s)


def test_measurements_may_be_negative_and_fractional():
    cs = CountSeries.from_pandas(pd.Series([-1.5, 2.25], index=days(2)), kind="values")
    assert cs.total == pytest.approx(0.75)


def test_missing_values_allowed_on_request():
    cs = CountSeries.from_pandas(
        pd.Series([1.0, np.nan, 2.0], index=days(3)), kind="values", allow_missing=True
    )
    assert cs.missing.tolist() == [False, True, False]


def test_empty_series_is_refused():
    with pytest.raises(DataError, match="empty"):
        CountSeries.from_pandas(pd.Series([], index=pd.DatetimeIndex([]), dtype=float))


def test_duplicate_dates_are_refused():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-01", "2024-01-02"])
    with pytest.raises(DataError, match="duplicate date"):
        CountSeries.from_pandas(pd.Series([1, 2, 3], index=idx))


def test_descending_dates_are_refused():
    with pytest.raises(DataError, match="sort the series"):
        CountSeries.from_pandas(pd.Series([1, 2, 3], index=days(3)[::-1]))


def test_gap_is_refused_with_the_missing_date():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-05"])
    with pytest.raises(DataError, match="1 missing period") as err:
        CountSeries.from_pandas(pd.Series([1, 2, 3, 4], index=idx))
    assert err.value.problems[0].value == "2024-01-03"


def test_two_dates_apart_are_a_gap_not_a_period():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-03"])
    # two values two days apart: a regular 2-day step is the only reading
    cs = CountSeries.from_pandas(pd.Series([1, 2], index=idx))
    assert cs.exposure.tolist() == [2.0, 2.0]


def test_one_value_is_one_day():
    cs = CountSeries.from_pandas(pd.Series([4], index=days(1)))
    assert cs.total_exposure == 1.0


def test_index_without_dates_needs_permission():
    with pytest.raises(TypeError, match="DatetimeIndex"):
        CountSeries.from_pandas(pd.Series([1, 2]))
    cs = CountSeries.from_pandas(pd.Series([1, 2]), require_dates=False)
    assert not cs.has_dates


def test_unsorted_positions_are_refused():
    with pytest.raises(DataError, match="not sorted"):
        CountSeries.from_pandas(pd.Series([1, 2, 3], index=[0, 2, 1]), require_dates=False)


def test_arrays_accepted_only_on_request():
    with pytest.raises(TypeError, match="pandas Series"):
        CountSeries.from_pandas(np.array([1, 2]))
    cs = CountSeries.from_pandas(np.array([1, 2]), require_dates=False, accept_arrays=True)
    assert cs.n == 2


def test_dataframe_with_columns_is_refused():
    frame = pd.DataFrame({"a": [1], "b": [2]}, index=days(1))
    with pytest.raises(TypeError, match="counts\\['drone'\\]"):
        CountSeries.from_pandas(frame)


def test_window_recorded_in_attrs_clips_edge_weeks():
    idx = pd.date_range("2024-01-01", periods=2, freq="W-MON")
    s = pd.Series([3, 5], index=idx)
    s.attrs[WINDOW_START] = "2024-01-03"
    s.attrs[WINDOW_END] = "2024-01-10"
    cs = CountSeries.from_pandas(s)
    assert cs.exposure.tolist() == [5.0, 3.0]


def test_window_selects_days_and_warns_beyond_data():
    cs = CountSeries.from_pandas(pd.Series(range(5), index=days(5)))
    assert cs.window("2024-01-02", "2024-01-03").total == 3
    with pytest.warns(UserWarning, match="only the days covered"):
        cs.window("2023-12-30", "2024-01-02")
    with pytest.raises(ValueError, match="is a number"):
        cs.window(2024)


def test_midnight_dst_zone_is_daily():
    # Asia/Beirut: clocks went forward at midnight on 2024-03-31, so that day starts at 01:00
    idx = pd.DatetimeIndex(
        [pd.Timestamp(f"2024-03-{d}", tz="Asia/Beirut") for d in (29, 30)]
        + [pd.Timestamp("2024-03-31 01:00", tz="Asia/Beirut")]
        + [pd.Timestamp("2024-04-01", tz="Asia/Beirut")]
    )
    cs = CountSeries.from_pandas(pd.Series([1, 2, 3, 4], index=idx))
    assert cs.daily and cs.local[2] == pd.Timestamp("2024-03-31")


def test_regular_offset_of_an_irregular_index_is_none():
    assert regular_offset(pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-05"])) is None


def test_monthly_periods_get_their_lengths():
    idx = pd.period_range("2024-01", periods=3, freq="M")
    cs = CountSeries.from_pandas(pd.Series([1, 2, 3], index=idx))
    assert cs.exposure.tolist() == [31.0, 29.0, 31.0]
    assert cs.local[0] == pd.Timestamp("2024-01-01")


def test_last_day_of_weekly_counts_is_the_sunday():
    idx = pd.date_range("2024-01-01", periods=2, freq="W-MON")
    cs = CountSeries.from_pandas(pd.Series([1, 2], index=idx))
    assert (cs.first_day, cs.last_day) == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-14"))


def test_covered_days_follow_a_recorded_window():
    idx = pd.date_range("2024-01-01", periods=2, freq="W-MON")
    s = pd.Series([3, 5], index=idx)
    s.attrs[WINDOW_START] = "2024-01-03"
    s.attrs[WINDOW_END] = "2024-01-10"
    cs = CountSeries.from_pandas(s)
    assert (cs.first_day, cs.last_day) == (pd.Timestamp("2024-01-03"), pd.Timestamp("2024-01-10"))
    with pytest.warns(UserWarning, match="cover 2024-01-03 to 2024-01-10"):
        cs.window("2024-01-01", None)
