"""CountSeries' fast paths for speed (issue 10) give what the date arithmetic gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis._series import CountSeries
from analysis.errors import DataError


def calendar_lengths(index: pd.DatetimeIndex, offset) -> np.ndarray:
    """Days in each period, the slow way: (start + offset - start) on naive local starts."""
    local = index.tz_localize(None) if index.tz is not None else index
    starts = local.normalize() if offset.freqstr == "D" else local
    return np.asarray(((starts + offset) - starts) / pd.Timedelta(days=1), dtype=float)


@pytest.mark.parametrize(
    "index",
    [
        pd.date_range("2024-01-01", periods=400, freq="D"),
        pd.date_range("2024-01-01", periods=100, freq="2D"),
        pd.date_range("2024-03-01", periods=24 * 40, freq="h"),
        pd.date_range("2024-03-01", periods=200, freq="15min"),
        pd.date_range("2024-01-01", periods=400, freq="D", tz="Asia/Jerusalem"),  # DST days
        pd.date_range("2024-01-01", periods=30, freq="MS"),  # calendar months: unchanged path
        pd.date_range("2024-01-01", periods=30, freq="W-MON"),
        pd.DatetimeIndex(pd.date_range("2024-01-01", periods=50).to_numpy()),  # freq lost
    ],
)
def test_exposure_is_the_calendar_length(index):
    s = pd.Series(np.arange(len(index)) % 4, index=index)  # simulated counts
    cs = CountSeries.from_pandas(s)
    np.testing.assert_array_equal(cs.exposure, calendar_lengths(index, cs.offset))
    assert cs.first_day == pd.Timestamp(cs.local[0]).normalize()


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint16", "float64", "Int64"])
def test_integer_counts_read_as_before(dtype):
    s = pd.Series([0, 3, 1, 7], index=pd.date_range("2024-01-01", periods=4), dtype=dtype)
    cs = CountSeries.from_pandas(s)
    assert cs.values.dtype == np.float64
    np.testing.assert_array_equal(cs.values, [0.0, 3.0, 1.0, 7.0])


def test_integer_counts_out_of_range_are_still_refused():
    idx = pd.date_range("2024-01-01", periods=3)
    with pytest.raises(DataError, match="negative count"):
        CountSeries.from_pandas(pd.Series([1, -2, 3], index=idx))
    with pytest.raises(DataError, match="too large"):
        CountSeries.from_pandas(pd.Series([1, 2**60, 3], index=idx))


def test_increasing_dates_skip_nothing_that_is_wrong():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"])
    with pytest.raises(DataError, match="duplicate date"):
        CountSeries.from_pandas(pd.Series([1, 2, 3, 4], index=idx))
    back = pd.DatetimeIndex(["2024-01-01", "2024-01-03", "2024-01-02"])
    with pytest.raises(DataError, match="sort the series"):
        CountSeries.from_pandas(pd.Series([1, 2, 3], index=back))
