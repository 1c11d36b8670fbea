"""Tests of analysis.counts.count_incidents on tiny, hand-checkable tables (all simulated)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.counts import CountDataError, count_incidents, daily_counts, period_offset
from analysis.errors import DataError

TZ = "Asia/Jerusalem"


def _table(times, **cols):
    return pd.DataFrame({"start": times, **cols})


def _local(times):
    return pd.to_datetime(pd.Series(times)).dt.tz_localize(TZ)


# ---------------------------------------------------------------- basic counting


def test_days_without_events_are_zero_not_missing():
    c = count_incidents(_table(["2024-11-01 08:00", "2024-11-01 21:00", "2024-11-04 02:00"]))
    assert c.tolist() == [2, 0, 0, 1]
    assert c.dtype == "int64"
    assert not c.isna().any()


def test_result_is_a_named_series_with_a_daily_frequency():
    c = count_incidents(_table(["2024-11-01", "2024-11-02"]))
    assert c.name == "count"
    assert isinstance(c.index, pd.DatetimeIndex)
    assert c.index.freqstr == "D"
    assert c.index[0] == pd.Timestamp("2024-11-01")


def test_explicit_window_wider_than_the_data_spans_exactly_start_to_end():
    c = count_incidents(_table(["2024-11-02 10:00"]), start="2024-10-30", end="2024-11-05")
    assert c.index[0] == pd.Timestamp("2024-10-30")
    assert c.index[-1] == pd.Timestamp("2024-11-05")
    assert len(c) == 7
    assert c.tolist() == [0, 0, 0, 1, 0, 0, 0]


def test_events_outside_the_window_are_not_counted():
    t = _table(["2024-10-01", "2024-11-02", "2024-12-01"])
    c = count_incidents(t, start="2024-11-01", end="2024-11-03")
    assert c.tolist() == [0, 1, 0]


def test_end_date_is_inclusive_up_to_midnight():
    c = count_incidents(_table(["2024-11-03 23:59:59"]), start="2024-11-01", end="2024-11-03")
    assert c.sum() == 1


def test_start_and_end_accept_timestamps():
    c = count_incidents(
        _table(["2024-11-02"]), start=pd.Timestamp("2024-11-01"), end=pd.Timestamp("2024-11-02")
    )
    assert c.tolist() == [0, 1]


def test_empty_table_with_a_window_gives_zeros():
    t = _table(pd.Series([], dtype="datetime64[ns]"))
    c = count_incidents(t, start="2024-01-01", end="2024-01-03")
    assert c.tolist() == [0, 0, 0]


def test_empty_table_without_a_window_is_an_error():
    with pytest.raises(ValueError, match="no events"):
        count_incidents(_table(pd.Series([], dtype="datetime64[ns]")))


def test_other_time_column():
    t = pd.DataFrame({"when": ["2024-01-01", "2024-01-01"]})
    assert count_incidents(t, time_col="when").tolist() == [2]


def test_window_is_recorded_in_attrs():
    c = count_incidents(_table(["2024-01-03"]), freq="W", end="2024-01-10")
    assert c.attrs == {"window_start": "2024-01-03", "window_end": "2024-01-10"}


# ---------------------------------------------------------------- time zones


def test_tz_aware_times_are_counted_by_local_date():
    # 00:30 local on 29 March is 22:30 UTC on 28 March: it belongs to the 29th
    t = _table(_local(["2024-03-29 00:30", "2024-03-28 23:30"]))
    c = count_incidents(t)
    assert c.tolist() == [1, 1]
    assert [d.date().isoformat() for d in c.index] == ["2024-03-28", "2024-03-29"]


def test_index_keeps_the_time_zone_and_local_midnights():
    t = _table(_local(["2024-03-28 12:00"]))
    c = count_incidents(t, start="2024-03-27", end="2024-04-01")
    assert str(c.index.tz) == TZ
    assert all(ts.hour == 0 and ts.minute == 0 for ts in c.index)


@pytest.mark.parametrize(
    ("day", "before", "after"),
    [
        ("2024-03-29", "00:30", "23:30"),  # clocks jump from 02:00 to 03:00 (23-hour day)
        ("2024-10-27", "00:30", "23:30"),  # clocks fall back from 02:00 to 01:00 (25-hour day)
    ],
)
def test_dst_transition_day_is_one_day(day, before, after):
    t = _table(_local([f"{day} {before}", f"{day} 04:00", f"{day} {after}"]))
    prev = (pd.Timestamp(day) - pd.Timedelta(days=1)).date().isoformat()
    nxt = (pd.Timestamp(day) + pd.Timedelta(days=1)).date().isoformat()
    c = count_incidents(t, start=prev, end=nxt)
    assert len(c) == 3
    assert c.tolist() == [0, 3, 0]
    assert [d.date().isoformat() for d in c.index] == [prev, day, nxt]
    assert c.index.freqstr == "D"


def test_ambiguous_hour_on_fall_back_day_counts_both_events():
    times = pd.DatetimeIndex(["2024-10-26 22:30", "2024-10-26 23:30"], tz="UTC")
    # both are 01:30 local: once in summer time (+03), once in winter time (+02)
    t = _table(pd.Series(times.tz_convert(TZ)))
    assert count_incidents(t).tolist() == [2]


def test_mixed_offsets_in_text_are_counted_by_written_date():
    t = _table(["2024-03-29T01:00:00+02:00", "2024-03-30T01:00:00+03:00"])
    assert count_incidents(t).tolist() == [1, 1]


def test_naive_times_are_counted_as_they_are():
    t = _table(pd.to_datetime(["2024-03-29 23:30"]))
    c = count_incidents(t)
    assert c.index.tz is None
    assert c.index[0] == pd.Timestamp("2024-03-29")


def test_sub_daily_freq_with_tz_aware_times_is_refused():
    with pytest.raises(ValueError, match="UTC"):
        count_incidents(_table(_local(["2024-03-29 01:00"])), freq="h")


def test_hourly_counts_of_naive_times():
    c = count_incidents(
        _table(["2024-01-01 00:10", "2024-01-01 00:50", "2024-01-01 02:00"]), freq="h"
    )
    assert c.iloc[:3].tolist() == [2, 0, 1]
    assert len(c) == 24


# ---------------------------------------------------------------- frequencies


def test_weeks_start_on_monday():
    t = _table(["2024-01-03", "2024-01-07", "2024-01-08", "2024-01-20"])  # Wed, Sun, Mon, Sat
    c = count_incidents(t, freq="W")
    assert (c.index.day_of_week == 0).all()
    assert c.index[0] == pd.Timestamp("2024-01-01")
    assert c.tolist() == [2, 1, 1]  # weeks of 1, 8 and 15 January


def test_anchored_week_starts_on_the_named_day():
    c = count_incidents(_table(["2024-01-03"]), freq="W-SUN")
    assert c.index[0] == pd.Timestamp("2023-12-31")


def test_monthly_counts_are_labelled_by_month_start():
    t = _table(["2024-01-15", "2024-01-31", "2024-03-01"])
    c = count_incidents(t, freq="MS")
    assert list(c.index.strftime("%Y-%m-%d")) == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert c.tolist() == [2, 0, 1]


def test_yearly_counts():
    c = count_incidents(_table(["2023-05-01", "2024-02-01", "2024-12-31"]), freq="YS")
    assert c.tolist() == [1, 2]
    assert c.index.freqstr == "YS-JAN"


def test_two_day_periods_start_at_the_window_start():
    c = count_incidents(_table(["2024-01-01", "2024-01-02", "2024-01-03"]), freq="2D")
    assert c.tolist() == [2, 1]


@pytest.mark.parametrize("freq", ["ME", "YE", "B", "nonsense", "-1D"])
def test_unknown_or_end_labelled_freq_is_refused(freq):
    with pytest.raises(ValueError):
        count_incidents(_table(["2024-01-01"]), freq=freq)


def test_period_offset_maps_w_to_weeks_starting_monday():
    assert period_offset("W").weekday == 0


# ---------------------------------------------------------------- groups


def test_by_gives_one_column_per_group():
    t = _table(["2024-01-01", "2024-01-01", "2024-01-02"], weapon=["drone", "rocket", "drone"])
    c = count_incidents(t, by="weapon")
    assert list(c.columns) == ["drone", "rocket"]
    assert c["drone"].tolist() == [1, 1]
    assert c["rocket"].tolist() == [1, 0]
    assert c.index.freqstr == "D"


def test_group_absent_in_the_window_is_a_column_of_zeros():
    t = _table(["2024-01-01", "2024-03-01"], weapon=["rocket", "drone"])
    c = count_incidents(t, by="weapon", start="2024-02-28", end="2024-03-02")
    assert c["rocket"].tolist() == [0, 0, 0, 0]
    assert c["drone"].tolist() == [0, 0, 1, 0]


def test_all_categories_of_a_categorical_group_are_columns():
    weapon = pd.Categorical(["drone"], categories=["drone", "rocket", "missile"])
    c = count_incidents(_table(["2024-01-01"], weapon=weapon), by="weapon")
    assert list(c.columns) == ["drone", "rocket", "missile"]
    assert c.loc["2024-01-01"].tolist() == [1, 0, 0]


def test_by_two_columns():
    t = _table(["2024-01-01", "2024-01-01"], weapon=["drone", "drone"], origin=["Iraq", "Yemen"])
    c = count_incidents(t, by=["weapon", "origin"])
    assert c[("drone", "Iraq")].tolist() == [1]
    assert c[("drone", "Yemen")].tolist() == [1]


def test_missing_group_value_is_an_error_naming_the_row():
    t = _table(["2024-01-01", "2024-01-02"], weapon=["drone", None])
    with pytest.raises(DataError) as info:
        count_incidents(t, by="weapon")
    (p,) = info.value.problems
    assert (p.row, p.column) == (3, "weapon")


def test_tz_aware_groups_keep_the_zone():
    t = _table(_local(["2024-10-27 00:30"]), weapon=["drone"])
    c = count_incidents(t, by="weapon")
    assert str(c.index.tz) == TZ
    assert c["drone"].tolist() == [1]


# ---------------------------------------------------------------- weights


def test_weight_sums_the_column_and_names_the_series():
    t = _table(["2024-11-04", "2024-11-04", "2024-11-05"], quantity=[2, 2, 5])
    c = count_incidents(t, weight="quantity")
    assert c.name == "quantity"
    assert c.tolist() == [4, 5]


def test_weight_by_group():
    t = _table(["2024-11-04", "2024-11-04"], quantity=[2, 3], origin=["Iraq", "Lebanon"])
    c = count_incidents(t, weight="quantity", by="origin")
    assert c.loc["2024-11-04"].tolist() == [2, 3]


@pytest.mark.parametrize(
    ("values", "row", "message"),
    [
        ([1, -2], 3, "negative"),
        ([1.5, 2], 2, "whole number"),
        ([1, float("nan")], 3, "missing"),
        (["3", "many"], 3, "missing or non-numeric"),
    ],
)
def test_bad_weight_is_an_error_naming_the_row(values, row, message):
    t = _table(["2024-01-01", "2024-01-02"], quantity=values)
    with pytest.raises(DataError, match=message) as info:
        count_incidents(t, weight="quantity")
    assert [(p.row, p.column) for p in info.value.problems] == [(row, "quantity")]


def test_missing_weight_column():
    with pytest.raises(DataError, match="missing weight column"):
        count_incidents(_table(["2024-01-01"]), weight="quantity")


# ---------------------------------------------------------------- bad input


def test_missing_time_column_is_an_error():
    with pytest.raises(DataError, match="missing time column 'start'") as info:
        count_incidents(pd.DataFrame({"date": ["2024-01-01"]}))
    assert info.value.problems[0].column == "start"


def test_every_unparseable_time_is_reported_with_its_row():
    t = _table(["2024-01-01", "not a date", "2024-13-45", None])
    with pytest.raises(DataError) as info:
        count_incidents(t)
    assert [p.row for p in info.value.problems] == [3, 4, 5]
    assert {p.column for p in info.value.problems} == {"start"}
    assert info.value.problems[0].value == "not a date"


def test_data_errors_are_also_value_errors():
    with pytest.raises(ValueError):
        count_incidents(_table(["garbage"]))
    assert issubclass(CountDataError, DataError)


def test_start_after_end_is_an_error():
    with pytest.raises(ValueError, match="after"):
        count_incidents(_table(["2024-01-01"]), start="2024-02-01", end="2024-01-01")


def test_unparseable_start_is_an_error():
    with pytest.raises(ValueError, match="not a date"):
        count_incidents(_table(["2024-01-01"]), start="soon")


def test_table_must_be_a_dataframe():
    with pytest.raises(TypeError):
        count_incidents(pd.Series(["2024-01-01"]))  # type: ignore[arg-type]


def test_input_table_is_not_modified():
    t = _table(["2024-01-01", "2024-01-02"], weapon=["a", "b"])
    before = t.copy()
    count_incidents(t, by="weapon")
    pd.testing.assert_frame_equal(t, before)


def test_tz_aware_window_bounds_are_taken_in_the_data_time_zone():
    # 2024-10-26 22:30 UTC is 2024-10-27 00:30 in Israel (summer time, +03:00 until 02:00)
    times = pd.to_datetime(["2024-10-26 12:00", "2024-10-27 12:00"]).tz_localize("Asia/Jerusalem")
    table = pd.DataFrame({"start": times})
    counts = count_incidents(table, start=pd.Timestamp("2024-10-26 22:30", tz="UTC"))
    assert counts.index[0] == pd.Timestamp("2024-10-27", tz="Asia/Jerusalem")
    assert counts.tolist() == [1]


def test_naive_window_bounds_on_tz_aware_data_are_local_dates():
    times = pd.to_datetime(["2024-10-26 12:00", "2024-10-27 12:00"]).tz_localize("Asia/Jerusalem")
    counts = count_incidents(pd.DataFrame({"start": times}), start="2024-10-26")
    assert counts.tolist() == [1, 1]


def test_zone_with_midnight_dst_change_gives_counts_usable_as_daily():
    from analysis._series import regular_offset
    from analysis.rates import estimate_rate

    # Asia/Beirut moved clocks forward at midnight on 2024-03-31: that day starts at 01:00
    times = pd.to_datetime(["2024-03-30 12:00", "2024-03-31 12:00"]).tz_localize("Asia/Beirut")
    counts = count_incidents(pd.DataFrame({"start": times}), start="2024-03-29", end="2024-04-02")
    assert counts.tolist() == [0, 1, 1, 0, 0]
    assert regular_offset(counts.index) == pd.offsets.Day()
    assert estimate_rate(counts, family="poisson").exposure == 5.0


def test_irregular_tz_aware_dates_are_not_taken_as_daily():
    from analysis._series import regular_offset

    index = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-04"]).tz_localize("Asia/Beirut")
    assert regular_offset(index) is None


def test_zone_with_midnight_dst_change_labels_daily_counts_by_date():
    from analysis._series import CountSeries

    # Asia/Beirut: 2024-03-31 has no 00:00 (clocks go from 00:00 to 01:00)
    times = pd.to_datetime(["2024-03-30 12:00", "2024-03-31 00:30"]).tz_localize(
        "Asia/Beirut", nonexistent="shift_forward"
    )
    counts = count_incidents(pd.DataFrame({"start": times}), start="2024-03-30", end="2024-04-01")
    assert [d.date().isoformat() for d in counts.index] == [
        "2024-03-30",
        "2024-03-31",
        "2024-04-01",
    ]
    assert counts.tolist() == [1, 1, 0]
    series = CountSeries.from_pandas(counts)
    assert series.daily
    assert list(series.local.strftime("%Y-%m-%d %H:%M")) == [
        "2024-03-30 00:00",
        "2024-03-31 00:00",
        "2024-04-01 00:00",
    ]


# ---------------------------------------------------------------- deprecated name


def test_daily_counts_is_a_deprecated_alias_returning_the_same():
    t = _table(["2024-01-03", "2024-01-10"])
    with pytest.warns(DeprecationWarning, match="count_incidents"):
        old = daily_counts(t, freq="W")
    pd.testing.assert_series_equal(old, count_incidents(t, freq="W"))


def test_daily_counts_warns_once_per_call():
    with pytest.warns(DeprecationWarning) as record:
        daily_counts(_table(["2024-01-03"]))
    assert len([w for w in record if w.category is DeprecationWarning]) == 1


def test_count_incidents_is_public():
    import analysis

    assert analysis.count_incidents is count_incidents


# ---------------------------------------------------------------- refused weights and dates


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), "inf"])
def test_infinite_weight_is_refused_with_row_and_column(value):
    t = _table(["2024-01-01", "2024-01-02"], quantity=[1, value])
    with pytest.raises(DataError, match="infinite weight") as info:
        count_incidents(t, weight="quantity")
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "quantity")]


def test_weight_of_2_to_the_53_is_refused_with_row_and_column():
    t = _table(["2024-01-01", "2024-01-02"], quantity=[2.0**53, 1])
    with pytest.raises(DataError, match="too large") as info:
        count_incidents(t, weight="quantity")
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "quantity")]


def test_weights_summing_to_2_to_the_53_in_a_period_are_refused():
    t = _table(["2024-01-01", "2024-01-01"], quantity=[2.0**52, 2.0**52])
    with pytest.raises(ValueError, match="2\\*\\*53"):
        count_incidents(t, weight="quantity")


def test_weights_just_below_2_to_the_53_are_exact():
    t = _table(["2024-01-01", "2024-01-01"], quantity=[2**52, 2**52 - 1])
    assert count_incidents(t, weight="quantity").tolist() == [2**53 - 1]


@pytest.mark.parametrize("name", ["start", "end"])
def test_a_number_as_start_or_end_is_refused_naming_the_parameter(name):
    with pytest.raises(ValueError, match=f"{name}=2023 is a number, not a date"):
        count_incidents(_table(["2024-01-01"]), **{name: 2023})


def test_ambiguous_day_first_time_column_is_refused_with_its_rows():
    t = _table(["04/11/2024 10:00", "05/11/2024 11:00"])
    with pytest.raises(DataError, match="dayfirst") as info:
        count_incidents(t)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "start"), (3, "start")]


def test_dayfirst_reads_an_ambiguous_column():
    c = count_incidents(_table(["04/11/2024 10:00", "05/11/2024 11:00"]), dayfirst=True)
    assert c.index[0] == pd.Timestamp("2024-11-04")
    assert c.tolist() == [1, 1]


def test_month_first_column_is_read_with_dayfirst_false():
    c = count_incidents(_table(["04/11/2024", "04/12/2024"]), dayfirst=False)
    assert list(c.index.strftime("%Y-%m-%d")) == ["2024-04-11", "2024-04-12"]


def test_explicit_format_reads_the_time_column():
    c = count_incidents(_table(["04.11.2024 10:00", "06.11.2024 10:00"]), format="%d.%m.%Y %H:%M")
    assert c.tolist() == [1, 0, 1]
    assert c.index[0] == pd.Timestamp("2024-11-04")


def test_a_column_settled_by_one_row_is_read_day_first():
    c = count_incidents(_table(["13/11/2024", "04/11/2024"]))
    assert c.index[0] == pd.Timestamp("2024-11-04") and len(c) == 10


def test_mixed_units_are_not_added_up():
    table = pd.DataFrame(
        {"start": ["2024-11-01", "2024-11-02"], "unit": ["claim", "launch"]}
    )  # simulated
    with pytest.raises(CountDataError, match="mixes units"):
        count_incidents(table)
    by_unit = count_incidents(table, by="unit")
    assert by_unit["claim"].tolist() == [1, 0] and by_unit["launch"].tolist() == [0, 1]


def _records_of_one_incident():
    """SIMULATED: incident 'a' reported by two sources (rows 2 and 4), once as a rocket."""
    return pd.DataFrame(
        {
            "incident_id": ["a", "b", "a", "c"],
            "start": ["2024-11-01", "2024-11-01", "2024-11-02", "2024-11-03"],
            "weapon": ["drone", "drone", "drone", "rocket"],
        }
    )


def test_records_of_one_incident_are_refused_not_counted_twice():
    with pytest.raises(CountDataError, match="records of one incident") as info:
        count_incidents(_records_of_one_incident())
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [
        (2, "incident_id", "a"),
        (4, "incident_id", "a"),
    ]


def test_one_incident_in_different_groups_is_counted_once_in_each():
    table = _records_of_one_incident().assign(weapon=["drone", "drone", "rocket", "rocket"])
    c = count_incidents(table, by="weapon")
    assert c["drone"].tolist() == [2, 0, 0] and c["rocket"].tolist() == [0, 1, 1]


def test_records_without_an_incident_id_are_not_compared():
    table = _records_of_one_incident().assign(incident_id=["a", None, None, "c"])
    assert count_incidents(table).tolist() == [2, 1, 1]


# ---------------------------------------------------------------- files (DuckDB), same result

duckdb = pytest.importorskip("duckdb")


def _simulated_rows(process="nb5+ar0.8", days=400, rate=6.0, seed=3):
    """SIMULATED incident rows whose daily totals are simulate_counts' (a known answer)."""
    import numpy as np

    from analysis.validation import PROCESSES, simulate_counts

    rng = np.random.default_rng(seed)
    sim = simulate_counts(PROCESSES[process], days, rate, rng, start=pd.Timestamp("2023-09-01"))
    per_day = sim.counts.to_numpy()
    day = np.repeat(np.arange(days), per_day)
    local = sim.counts.index[day] + pd.to_timedelta(rng.integers(0, 86_400, len(day)), unit="s")
    n = len(day)
    table = pd.DataFrame(
        {
            "start": local,
            "weapon": np.array(["drone", "rocket", "missile"])[rng.integers(0, 3, n)],
            "actor": np.array(["a", "b"])[rng.integers(0, 2, n)],
            "quantity": rng.integers(0, 7, n),
        }
    )
    return table, sim.counts


def _parquet(frame, path, tz_column=None):
    con = duckdb.connect()
    con.register("frame", frame)
    select = "*"
    if tz_column is not None:  # naive UTC -> TIMESTAMPTZ (the instants; the zone is not kept)
        select = f"* EXCLUDE ({tz_column}), timezone('UTC', {tz_column}) AS {tz_column}"
    con.execute(f"COPY (SELECT {select} FROM frame) TO '{path}' (FORMAT parquet)")
    con.close()
    return str(path)


def test_files_recover_the_simulated_daily_counts_exactly(tmp_path):
    table, truth = _simulated_rows()
    path = _parquet(table, tmp_path / "sim.parquet")
    counts = count_incidents(path)
    assert counts.tolist() == truth.tolist()  # every simulated day, zeros included
    pd.testing.assert_series_equal(counts, count_incidents(table))


@pytest.mark.parametrize("freq", ["D", "W", "MS", "2D", "W-SUN"])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"by": "weapon"},
        {"by": ["weapon", "actor"], "weight": "quantity"},
        {"weight": "quantity", "start": "2023-10-04", "end": "2024-03-29"},
    ],
)
def test_parquet_counts_equal_the_in_memory_counts(tmp_path, freq, kwargs):
    table, _ = _simulated_rows(process="ar0.8+weekly", days=200, seed=5)
    path = _parquet(table, tmp_path / "sim.parquet")
    pd.testing.assert_frame_equal(
        pd.DataFrame(count_incidents(path, freq=freq, **kwargs)),
        pd.DataFrame(count_incidents(table, freq=freq, **kwargs)),
    )


@pytest.mark.parametrize("kwargs", [{}, {"by": "weapon", "weight": "quantity"}, {"freq": "W"}])
def test_tz_aware_parquet_is_counted_by_local_day_across_dst(tmp_path, kwargs):
    # SIMULATED rows over both 2023-2024 Israeli clock changes, many near local midnight
    table, _ = _simulated_rows(process="nb5+weekly", days=300, seed=7)
    local = table["start"].dt.floor("D") + pd.to_timedelta(
        (table.index % 4).map({0: "00:00:30", 1: "00:59:00", 2: "23:30:00", 3: "12:00:00"})
    )
    aware = local.dt.tz_localize(TZ, ambiguous=True, nonexistent="shift_forward")
    utc = aware.dt.tz_convert("UTC").dt.tz_localize(None)
    path = _parquet(table.assign(start=utc), tmp_path / "tz.parquet", tz_column="start")
    got = count_incidents(path, tz=TZ, **kwargs)
    want = count_incidents(table.assign(start=aware), **kwargs)
    pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(want))
    assert str(got.index.tz) == TZ
    with pytest.raises(ValueError, match="pass tz="):
        count_incidents(path)


def test_csv_text_with_offsets_is_counted_on_the_written_clock_like_pandas(tmp_path):
    times = [
        "2024-10-26T23:30:00+03:00",  # Israel summer time, the evening before the change
        "2024-10-27T00:30:00+02:00",  # after the change
        "2024-10-27 01:15+02:00",
        "2024-10-28",
        "2024-10-28T23:59:59Z",
        " 2024-10-29T00:00:00.250 ",
        "\t2024-10-30T08:00\t",
    ]
    table = pd.DataFrame({"start": times, "weapon": ["d", "r", "d", "d", "r", "r", "d"]})
    path = tmp_path / "offsets.csv"
    table.to_csv(path, index=False)
    for kwargs in ({}, {"by": "weapon"}, {"freq": "h", "end": "2024-10-29"}):
        pd.testing.assert_frame_equal(
            pd.DataFrame(count_incidents(path, **kwargs)),
            pd.DataFrame(count_incidents(table, **kwargs)),
        )


def test_a_glob_of_files_counts_their_rows_together(tmp_path):
    table, _ = _simulated_rows(days=120, seed=11)
    parts = [table.iloc[i::3] for i in range(3)]
    for i, part in enumerate(parts):
        part.assign(start=part["start"].dt.strftime("%Y-%m-%dT%H:%M:%S")).to_csv(
            tmp_path / f"part-{i}.csv", index=False
        )
    got = count_incidents(str(tmp_path / "part-*.csv"), by="weapon", weight="quantity")
    pd.testing.assert_frame_equal(got, count_incidents(table, by="weapon", weight="quantity"))
    pd.testing.assert_frame_equal(
        got,
        count_incidents(tmp_path, by="weapon", weight="quantity"),  # a directory
    )


def test_file_problems_name_the_file_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "start,weapon,quantity\n"
        "2024-01-01T10:00,drone,1\n"
        "soon,drone,1\n"
        "2024-01-02,,2\n"
        "2024-01-03,drone,-1\n"
        "04/01/2024,drone,1\n"
    )
    with pytest.raises(CountDataError) as info:
        count_incidents(path)
    assert [(p.file, p.row, p.column, p.value) for p in info.value.problems] == [
        (str(path), 3, "start", "soon"),
        (str(path), 6, "start", "04/01/2024"),  # files are read as ISO 8601 only
    ]
    good = tmp_path / "good_times.csv"
    good.write_text(
        path.read_text().replace("soon", "2024-01-01").replace("04/01/2024", "2024-01-04")
    )
    with pytest.raises(CountDataError, match="negative weight") as info:
        count_incidents(good, weight="quantity")
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [(5, "quantity", "-1")]
    with pytest.raises(CountDataError, match="missing group value") as info:
        count_incidents(good, by="weapon")
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [(str(good), 4, "weapon")]
    with pytest.raises(CountDataError, match="missing time column 'when'"):
        count_incidents(good, time_col="when")


def test_parquet_problems_name_the_row_as_in_a_table(tmp_path):
    table = pd.DataFrame(
        {"start": pd.to_datetime(["2024-01-01", "2024-01-02", None]), "quantity": [1.0, 2.5, 1.0]}
    )
    path = _parquet(table, tmp_path / "t.parquet")
    with pytest.raises(CountDataError) as info:
        count_incidents(path)
    assert [(p.row, p.column) for p in info.value.problems] == [(4, "start")]
    with pytest.raises(CountDataError) as mem:
        count_incidents(table)
    assert [p.row for p in mem.value.problems] == [4]  # the same row as the DataFrame's
    fine = _parquet(table.iloc[:2], tmp_path / "w.parquet")
    with pytest.raises(CountDataError, match="not a whole number") as info:
        count_incidents(fine, weight="quantity")
    assert [(p.row, p.value) for p in info.value.problems] == [(3, "2.5")]


def test_files_mixing_units_are_refused_like_a_table(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("start,unit\n2024-01-01,claim\n2024-01-02, Launch\n")
    with pytest.raises(CountDataError, match="mixes units"):
        count_incidents(path)
    assert count_incidents(path, by="unit").columns.tolist() == [" Launch", "claim"]


def test_no_file_matching_is_an_error_naming_the_glob(tmp_path):
    from analysis.errors import DataNotFoundError

    with pytest.raises(DataNotFoundError, match="nothing-"):
        count_incidents(str(tmp_path / "nothing-*.parquet"))


def test_files_without_duckdb_raise_an_import_error_naming_the_extra(tmp_path, monkeypatch):
    import sys

    path = tmp_path / "t.csv"
    path.write_text("start\n2024-01-01\n")
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(ImportError, match=r"incident-trends\[large\]"):
        count_incidents(path)


def test_tz_is_refused_for_naive_times_in_a_table():
    with pytest.raises(ValueError, match="tz='Asia/Jerusalem' applies to tz-aware"):
        count_incidents(_table(["2024-01-01"]), tz=TZ)


def test_tz_converts_tz_aware_times_before_counting_local_days():
    times = pd.to_datetime(["2024-01-01 23:30"]).tz_localize("UTC")  # 01:30 on 2 Jan in Israel
    counts = count_incidents(_table(times), tz=TZ)
    assert [str(d.date()) for d in counts.index] == ["2024-01-02"]


# ---------------------------------------------------------------- alert files -> incidents (DuckDB)

import numpy as np  # noqa: E402

from analysis.counts import count_alert_incidents  # noqa: E402
from analysis.curation.clustering import alerts_to_incidents  # noqa: E402
from analysis.validation import PROCESSES, simulate_counts  # noqa: E402

_WEAPON = {1: "rocket", 2: "drone", 10: "infiltration"}


def _simulated_alerts(process: str, seed: int, *, tz: bool = True, days: int = 120):
    """SIMULATED alert rows: daily totals from simulate_counts, random minutes, categories.

    Days span Israel's 2024 spring-forward change (29 March) or fall-back (27 October);
    a few alerts share a minute and a category but not a weapon, so which alert comes
    first (time, then file order) decides an incident's weapon.
    """
    rng = np.random.default_rng(seed)
    first = pd.Timestamp("2024-03-01") if seed % 2 else pd.Timestamp("2024-10-01")
    sim = simulate_counts(PROCESSES[process], days, 30.0, rng, start=first)
    day = np.repeat(np.arange(days), sim.counts.to_numpy())
    n = len(day)
    wall = first + pd.to_timedelta(day, unit="D") + pd.to_timedelta(rng.integers(0, 1440, n), "min")
    category = rng.choice([1, 1, 2, 10], n)
    weapon = np.array([_WEAPON[c] for c in category], dtype=object)
    twins = rng.choice(n, size=min(20, n), replace=False)
    weapon[twins] = "drill"  # same category and minute as their neighbour, another weapon
    start = pd.Series(wall)
    start.iloc[twins] = start.iloc[np.maximum(twins - 1, 0)].to_numpy()
    category[twins] = category[np.maximum(twins - 1, 0)]
    if tz:
        start = start.dt.tz_localize(TZ, ambiguous=True, nonexistent="shift_forward")
    return pd.DataFrame(
        {
            "start": start.to_numpy() if not tz else start,
            "category": category,
            "weapon": pd.Series(weapon, dtype="str"),
            "incident_id": [f"oref-{i}" for i in range(n)],
        }
    )


def _alert_parts(table, folder, parts=3, tz_column=None):
    paths = []
    for i, rows in enumerate(np.array_split(np.arange(len(table)), parts)):
        paths.append(_parquet(table.iloc[rows], folder / f"alerts-{i}.parquet", tz_column))
    return str(folder / "alerts-*.parquet"), paths


def _in_memory(table, *, gap, key="category", by="weapon", weight=None, **kwargs):
    incidents = alerts_to_incidents(table, gap=gap, by=key, within="country")
    return count_incidents(incidents, by=by, weight=weight, **kwargs)


@pytest.mark.parametrize(
    ("process", "seed"), [("poisson", 1), ("nb5+ar0.8", 2), ("ar0.8+weekly", 3), ("nb5", 4)]
)
@pytest.mark.parametrize("gap", ["0min", "10min", "90min"])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"by": None, "weight": "alert_rows"},
        {"by": "category", "weight": "duration_min"},
        {"freq": "W", "weight": "alert_rows"},
        {"start": 19, "end": 40},  # days after the first simulated day
    ],
)
def test_alert_files_give_exactly_the_in_memory_incident_counts(
    tmp_path, process, seed, gap, kwargs
):
    """SIMULATED tz-aware alerts (independent and dependent daily totals, DST changes)."""
    kwargs = dict(kwargs)  # the parameter is shared between cases
    table = _simulated_alerts(process, seed)
    day0 = table["start"].min().tz_localize(None).normalize()
    for edge in ("start", "end"):
        if edge in kwargs:
            kwargs[edge] = str((day0 + pd.Timedelta(days=kwargs[edge])).date())
    pattern, _ = _alert_parts(table, tmp_path)
    got = count_alert_incidents(pattern, gap=gap, tz=TZ, **kwargs)
    want = _in_memory(table, gap=gap, **kwargs)
    pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(want), check_exact=True)
    assert got.attrs == want.attrs
    assert str(got.index.tz) == TZ and got.index.freq == want.index.freq
    if not (kwargs.get("weight") == "duration_min" and gap == "0min"):  # those are all 0
        assert int(np.asarray(got).sum()) > 0  # not vacuous


def test_alert_files_with_naive_times_and_no_key(tmp_path):
    table = _simulated_alerts("nb5+weekly", 5, tz=False)
    pattern, _ = _alert_parts(table, tmp_path, parts=2)
    for gap in ("5min", "30min"):
        got = count_alert_incidents(pattern, gap=gap, key=None)
        want = _in_memory(table, gap=gap, key=None)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        assert got.index.tz is None


def test_alert_csv_files_with_utc_offsets_are_counted_by_local_day(tmp_path):
    """CSV text with offsets (as pandas writes tz-aware times) equals the parsed table."""
    table = _simulated_alerts("poisson", 7)
    for i, rows in enumerate(np.array_split(np.arange(len(table)), 2)):
        table.iloc[rows].to_csv(tmp_path / f"alerts-{i}.csv", index=False)
    back = pd.concat(
        [pd.read_csv(tmp_path / f"alerts-{i}.csv") for i in range(2)], ignore_index=True
    )
    back["start"] = pd.to_datetime(back["start"], utc=True).dt.tz_convert(TZ)
    back["category"] = back["category"].astype(str)  # CSV cells are read as text
    got = count_alert_incidents(str(tmp_path / "alerts-*.csv"), gap="10min", tz=TZ)
    pd.testing.assert_frame_equal(got, _in_memory(back, gap="10min"), check_exact=True)


def test_the_first_alert_of_a_tie_is_the_first_in_file_order(tmp_path):
    t0 = pd.Timestamp("2024-01-01 08:00")
    table = pd.DataFrame(
        {"start": [t0, t0, t0 + pd.Timedelta("1h")], "category": [1, 1, 1],
         "weapon": ["drill", "rocket", "rocket"], "incident_id": ["a", "b", "c"]}
    )  # fmt: skip
    for order in ([0, 1, 2], [1, 0, 2]):
        path = _parquet(table.iloc[order], tmp_path / "ties.parquet")
        got = count_alert_incidents(path, gap="10min")
        first = {"drill": 1, "rocket": 1} if order[0] == 0 else {"rocket": 2}
        assert got.iloc[0].to_dict() == first
        pd.testing.assert_frame_equal(got, _in_memory(table.iloc[order], gap="10min"))


def test_alert_files_without_a_time_name_the_file_and_row(tmp_path):
    table = _simulated_alerts("poisson", 9, tz=False, days=5)
    table.loc[3, "start"] = pd.NaT
    path = _parquet(table, tmp_path / "gaps.parquet")
    with pytest.raises(CountDataError) as err:
        count_alert_incidents(path)
    (problem,) = err.value.problems
    assert problem.file.endswith("gaps.parquet") and problem.row == 5
    assert problem.column == "start"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"gap": "-1min"}, "gap"),
        ({"gap": "1ns"}, "microseconds"),
        ({"weight": "quantity"}, "weight"),
        ({"by": "incident_id"}, "by="),
        ({"tz": TZ}, "naive"),
        ({"key": "region"}, "region"),
    ],
)
def test_alert_file_arguments_are_checked(tmp_path, kwargs, match):
    table = _simulated_alerts("poisson", 11, tz=False, days=3)
    path = _parquet(table, tmp_path / "a.parquet")
    with pytest.raises((ValueError, DataError), match=match):
        count_alert_incidents(path, **kwargs)


def test_tz_aware_alert_files_need_tz(tmp_path):
    table = _simulated_alerts("poisson", 13, days=3)
    path = _parquet(table, tmp_path / "a.parquet")
    with pytest.raises(ValueError, match="tz="):
        count_alert_incidents(path)


def test_real_alert_history_in_parquet_gives_the_in_memory_incident_counts(tmp_path):
    """The shared 2014-2024 alert history (real), written in parts, clustered in DuckDB."""
    from analysis.datasets import shared_data_dir
    from analysis.io.oref import load_oref_alerts

    path = shared_data_dir() / "oref-alerts" / "israel-alerts_2014-07-24_to_2024-10-12.csv"
    if not path.is_file():
        pytest.skip(f"{path} absent")
    alerts = load_oref_alerts(path)[["start", "category", "weapon", "incident_id"]]
    pattern, paths = _alert_parts(alerts, tmp_path, parts=4)
    assert len(paths) == 4
    window = {"start": "2023-10-07", "end": "2024-10-12"}
    for gap in ("5min", "10min", "30min"):
        got = count_alert_incidents(pattern, gap=gap, tz=TZ, **window)
        want = _in_memory(alerts, gap=gap, **window)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert int(got["drone"].sum()) == 416  # the module docstring's 30-minute country count


def test_a_memory_limit_gives_the_same_counts_and_is_checked(tmp_path):
    table = _simulated_alerts("nb5", 15, days=30)
    pattern, _ = _alert_parts(table, tmp_path, parts=2)
    got = count_alert_incidents(pattern, gap="10min", tz=TZ, memory_limit="64MB")
    pd.testing.assert_frame_equal(got, _in_memory(table, gap="10min"), check_exact=True)
    with pytest.raises(ValueError, match="memory_limit"):
        count_alert_incidents(pattern, tz=TZ, memory_limit="lots")


def test_files_refuse_records_of_one_incident_naming_file_and_rows(tmp_path):
    path = tmp_path / "records.csv"
    _records_of_one_incident().to_csv(path, index=False)
    with pytest.raises(CountDataError, match="records of one incident") as info:
        count_incidents(path)
    assert [(p.file, p.row, p.column, p.value) for p in info.value.problems] == [
        (str(path), 2, "incident_id", "a"),
        (str(path), 4, "incident_id", "a"),
    ]


def test_files_count_one_incident_once_in_each_of_its_groups(tmp_path):
    table = _records_of_one_incident().assign(weapon=["drone", "drone", "rocket", "rocket"])
    path = tmp_path / "groups.csv"
    table.to_csv(path, index=False)
    pd.testing.assert_frame_equal(
        count_incidents(path, by="weapon"), count_incidents(table, by="weapon")
    )
