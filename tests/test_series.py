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


# --- the newest days: provisional tail before the data vintage -------------------------
def _daily(values, start="2024-10-01", tz=None):
    return CountSeries.from_pandas(pd.Series(values, index=days(len(values), start, tz)))


def test_provisional_window_ends_with_the_vintage_day():
    cs = _daily([1] * 12)  # 2024-10-01 .. 2024-10-12
    tail = cs.provisional("2024-10-12", "3D")
    assert tail.mask.tolist() == [False] * 9 + [True] * 3
    assert not tail.after.any()
    assert tail.days == 3 and tail.periods == 3 and tail.events == 3
    assert [d.date().isoformat() for d in tail.dates] == [
        "2024-10-10",
        "2024-10-11",
        "2024-10-12",
    ]
    assert cs.provisional("2024-10-12", "1D").mask.tolist() == [False] * 11 + [True]
    assert not cs.provisional("2024-10-12", 0).mask.any()
    assert cs.provisional("2024-10-12", pd.Timedelta("5D")).days == 5


def test_part_of_a_day_makes_the_whole_day_provisional():
    cs = _daily([1] * 12)
    assert cs.provisional("2024-10-12", "36h").mask.tolist() == [False] * 10 + [True] * 2


def test_vintage_after_the_data_leaves_less_or_nothing_provisional():
    cs = _daily([1] * 12)
    assert cs.provisional("2024-10-13", "3D").days == 2  # 10-11 and 10-12
    tail = cs.provisional("2024-10-30", "3D")
    assert tail.days == 0 and not tail.mask.any()
    assert "no data in the provisional 3D" in tail.summary()


def test_events_after_the_vintage_are_refused_with_their_dates():
    cs = _daily([1] * 10 + [0, 2])
    with pytest.raises(ValueError, match=r"vintage=2024-10-09: the counts hold 3 event\(s\)") as e:
        cs.provisional("2024-10-09")
    assert "2024-10-10" in str(e.value) and "2024-10-12" in str(e.value)


def test_zero_periods_after_the_vintage_are_not_observations():
    cs = _daily([1] * 10 + [0, 0])
    tail = cs.provisional("2024-10-10", "2D")
    assert tail.after.tolist() == [False] * 10 + [True] * 2
    assert tail.mask.tolist() == [False] * 8 + [True] * 2 + [False] * 2
    assert "2 periods after the vintage" in tail.summary()
    kept, info = cs.with_vintage("2024-10-10", "2D", tail="flag")
    assert kept.n == 10 and info is not None and info.tail == "flag"
    kept, _ = cs.with_vintage("2024-10-10", "2D", tail="exclude")
    assert kept.n == 8 and kept.total_exposure == 8.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vintage": 20241012}, "vintage=20241012 is a number, not a date"),
        ({"vintage": 2024.5}, "vintage=2024.5 is a number"),
        ({"vintage": "soon"}, "vintage='soon' is not a date"),
        ({"vintage": "2024-10-12", "provisional": 3}, "provisional=3 is a number without a unit"),
        ({"vintage": "2024-10-12", "provisional": "-1D"}, "provisional='-1D' must not be negative"),
        ({"vintage": "2024-10-12", "provisional": "three"}, "provisional='three' is not a"),
        ({"vintage": "2024-10-12", "tail": "drop"}, "unknown tail='drop'"),
        ({"vintage": None, "tail": "drop"}, "unknown tail='drop'"),
    ],
)
def test_bad_vintage_arguments_name_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _daily([1] * 12).with_vintage(**kwargs)


def test_no_vintage_leaves_the_series_as_it_is():
    cs = _daily([1] * 12)
    kept, info = cs.with_vintage(None)
    assert kept is cs and info is None


def test_a_vintage_that_leaves_nothing_is_refused():
    with pytest.raises(ValueError, match="leaves no period"):
        _daily([1, 2, 3]).with_vintage("2024-10-03", "5D")
    kept, _ = _daily([1, 2, 3]).with_vintage("2024-10-03", "5D", tail="flag")
    assert kept.n == 3


def test_summary_states_number_dates_events_and_action():
    cs = _daily([2] * 12)
    tail = cs.provisional("2024-10-12", "2D")
    assert tail.summary() == (
        "Data drawn 2024-10-12: 2 provisional days (2024-10-11 to 2024-10-12, 4 events) left out."
    )
    _, flagged = cs.with_vintage("2024-10-12", "1D", tail="flag")
    assert flagged is not None
    assert flagged.summary().startswith(
        "Data drawn 2024-10-12: 1 provisional day (2024-10-12, 2 events) kept, but they may be "
        "incomplete"
    )
    d = flagged.to_dict()
    assert d == {
        "vintage": "2024-10-12",
        "provisional": "1D",
        "tail": "flag",
        "provisional_days": 1,
        "provisional_dates": ["2024-10-12"],
        "provisional_events": 2,
        "after_vintage_periods": 0,
    }


def test_a_week_that_reaches_into_the_window_is_provisional():
    idx = pd.date_range("2024-09-02", periods=6, freq="W-MON")  # Mondays to 2024-10-07
    cs = CountSeries.from_pandas(pd.Series([7, 7, 7, 7, 7, 3], index=idx))
    # vintage Wednesday 2024-10-09: the week of 10-07 is partly after it, the week of
    # 09-30 ends on 10-06, before the 2-day window (10-08, 10-09)
    tail = cs.provisional("2024-10-09", "2D")
    assert tail.mask.tolist() == [False] * 5 + [True]
    assert [d.date().isoformat() for d in tail.dates] == ["2024-10-07", "2024-10-08", "2024-10-09"]
    # a 4-day window reaches 10-06, the last day of the week of 09-30
    assert cs.provisional("2024-10-09", "4D").mask.tolist() == [False] * 4 + [True] * 2
    # a week that is partly after the vintage is provisional even with provisional=0
    assert cs.provisional("2024-10-09", 0).mask.tolist() == [False] * 5 + [True]


def test_a_clipped_last_period_counts_only_the_days_it_covers():
    idx = pd.date_range("2024-09-02", periods=6, freq="W-MON")
    s = pd.Series([7, 7, 7, 7, 7, 2], index=idx)
    s.attrs[WINDOW_START], s.attrs[WINDOW_END] = "2024-09-02", "2024-10-08"  # last week: 2 days
    cs = CountSeries.from_pandas(s)
    assert cs.exposure[-1] == 2.0
    tail = cs.provisional("2024-10-12", "3D")  # window 10-10 .. 10-12: after the counted days
    assert not tail.mask.any()
    assert [d.date().isoformat() for d in cs.provisional("2024-10-12", "6D").dates] == [
        "2024-10-07",
        "2024-10-08",
    ]


def test_vintage_with_an_offset_is_read_on_its_day_in_the_series_zone():
    cs = _daily([1] * 12, tz="Asia/Jerusalem")
    # 22:30 UTC on 10-11 is already 10-12 in Israel
    tail = cs.provisional("2024-10-11 22:30+00:00", "1D")
    assert tail.vintage == pd.Timestamp("2024-10-12") and tail.mask.tolist()[-1]
    assert tail.days == 1


def test_dates_past_the_nanosecond_range_are_read():
    # SIMULATED: 400 days from 2262-01-01, past pandas' nanosecond limit (2262-04-11)
    idx = pd.date_range("2262-01-01", periods=400, freq="D", unit="s")
    cs = CountSeries.from_pandas(pd.Series(np.arange(400) % 5, index=idx))
    assert cs.daily and cs.n == 400
