import numpy as np
import pandas as pd
import pytest

from analysis._dates import (
    AmbiguousDatesError,
    parse_datetime_column,
    to_day,
    to_timedelta,
    to_timestamp,
)


@pytest.mark.parametrize("value", [2023, 2023.0, np.int64(2023), True])
def test_a_number_is_not_a_date(value):
    with pytest.raises(ValueError, match=r"start=.* is a number, not a date"):
        to_timestamp(value, "start")


@pytest.mark.parametrize("value", [10, 10.5, np.int64(10)])
def test_a_number_is_not_a_duration(value):
    with pytest.raises(ValueError, match=r"gap=.* is a number without a unit"):
        to_timedelta(value, "gap")


def test_negative_duration_is_refused():
    with pytest.raises(ValueError, match="positive"):
        to_timedelta("-5min", "gap")


def test_text_that_is_not_a_date_names_the_parameter():
    with pytest.raises(ValueError, match="end='soon' is not a date"):
        to_day("soon", "end")


def test_offset_time_is_read_on_its_date_in_the_data_zone():
    assert to_day("2024-10-26 22:30+00:00", "end", tz="Asia/Jerusalem") == pd.Timestamp(
        "2024-10-27"
    )


def test_day_first_column_settled_by_one_row():
    out = parse_datetime_column(pd.Series(["04/11/2024", "13/11/2024"]), column="date")
    assert out.values.tolist() == [pd.Timestamp("2024-11-04"), pd.Timestamp("2024-11-13")]
    assert out.rule == "day-first numeric dates"


def test_month_first_column_settled_by_one_row():
    out = parse_datetime_column(pd.Series(["04/11/2024", "11/13/2024"]), column="date")
    assert out.values.tolist() == [pd.Timestamp("2024-04-11"), pd.Timestamp("2024-11-13")]


def test_ambiguous_column_is_refused_with_its_rows():
    with pytest.raises(AmbiguousDatesError) as err:
        parse_datetime_column(pd.Series(["2024-11-01", "04/11/2024", "05/11/2024"]), column="d")
    assert err.value.rows == [1, 2]
    assert "dayfirst=True" in str(err.value)


def test_mixed_orders_are_refused():
    with pytest.raises(AmbiguousDatesError, match="mixes day-first and month-first"):
        parse_datetime_column(pd.Series(["13/11/2024", "11/13/2024"]), column="d")


def test_dayfirst_argument_settles_an_ambiguous_column():
    out = parse_datetime_column(pd.Series(["04/11/2024"]), column="d", dayfirst=False)
    assert out.values.iloc[0] == pd.Timestamp("2024-04-11")


def test_iso_dates_are_never_read_day_first():
    out = parse_datetime_column(
        pd.Series(["2024-04-11", "13/11/2024"]), column="d"
    )  # day-first settled by row 2, but the ISO row keeps its order
    assert out.values.iloc[0] == pd.Timestamp("2024-04-11")


def test_explicit_format_and_unreadable_rows():
    out = parse_datetime_column(pd.Series(["04.11.2024", "31.02.2024", ""]), column="d",
                                format="%d.%m.%Y")  # fmt: skip
    assert out.values.iloc[0] == pd.Timestamp("2024-11-04")
    assert out.bad.tolist() == [1]  # the empty row is missing, not unreadable
