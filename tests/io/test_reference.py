"""Tests of analysis.io.reference (the coal-mining disasters reference data)."""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest

from analysis.datasets import shared_data_dir
from analysis.errors import DataError
from analysis.io import reference
from analysis.io.reference import decimal_year_to_date, load_coal_mining_disasters

RAW = shared_data_dir() / "coal-mining-disasters" / "coal_dates.csv"
needs_raw = pytest.mark.skipif(not RAW.is_file(), reason="shared raw coal_dates.csv not available")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_coal_mining_disasters()


@pytest.fixture(scope="module")
def counts() -> pd.Series:
    return load_coal_mining_disasters(as_counts=True)


@pytest.fixture(scope="module")
def raw_years() -> np.ndarray:
    """Decimal years of the untouched source file (../shared)."""
    with RAW.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    return np.array([float(r[1]) for r in rows])


def test_table_has_191_disasters_with_datetime_dates(table):
    assert len(table) == 191
    assert list(table.columns) == ["disaster_id", "decimal_year", "date"]
    assert pd.api.types.is_datetime64_any_dtype(table["date"])
    assert table["disaster_id"].is_unique


def test_first_and_last_dates_match_source_md(table):
    # SOURCE.md: first 1851.2026 (15 Mar 1851), last 1962.2197 (22 Mar 1962)
    assert table["date"].iloc[0] == pd.Timestamp("1851-03-15")
    assert table["date"].iloc[-1] == pd.Timestamp("1962-03-22")
    assert table["decimal_year"].iloc[0] == pytest.approx(1851.2026, abs=5e-5)
    assert table["decimal_year"].iloc[-1] == pytest.approx(1962.2197, abs=5e-5)


@pytest.mark.parametrize(
    "date",
    [
        "1857-02-19",  # Lundhill
        "1866-12-12",  # Oaks Colliery
        "1877-10-22",  # Blantyre
        "1878-09-11",  # Abercarn
        "1894-06-23",  # Albion, Cilfynydd
        "1913-10-14",  # Senghenydd
        "1934-09-22",  # Gresford
        "1951-05-29",  # Easington
    ],
)
def test_dates_reproduce_recorded_disasters(table, date):
    """Historical dates pin the decoding (the calendar-fraction reading misses most of these)."""
    assert pd.Timestamp(date) in set(table["date"])


@needs_raw
def test_decimal_years_equal_raw_file(table, raw_years):
    np.testing.assert_array_equal(table["decimal_year"].to_numpy(), raw_years)


@needs_raw
def test_raw_values_are_whole_julian_days_from_1851(raw_years):
    """The encoding the decoder assumes holds for every raw value."""
    days = (raw_years - 1851) * 365.25
    assert np.max(np.abs(days - np.round(days))) < 1e-6


def test_shipped_dates_equal_decoding_of_decimal_years(table):
    decoded = decimal_year_to_date(table["decimal_year"])
    assert (decoded == pd.DatetimeIndex(table["date"])).all()


def test_decoded_year_equals_integer_part(table):
    assert (table["date"].dt.year == np.floor(table["decimal_year"]).astype(int)).all()


def test_decoder_rejects_values_outside_the_encoding():
    with pytest.raises(ValueError, match="whole day"):
        decimal_year_to_date([1851.5])


def test_counts_are_annual_zero_filled_1851_to_1962(counts):
    assert isinstance(counts.index, pd.DatetimeIndex)
    assert counts.index.freqstr.startswith("YS")
    assert len(counts) == 112
    assert counts.index[0] == pd.Timestamp("1851-01-01")
    assert counts.index[-1] == pd.Timestamp("1962-01-01")
    assert not counts.isna().any()


def test_counts_sum_to_191(counts):
    assert int(counts.sum()) == 191


def test_years_without_disasters_are_zeros(counts, table):
    years_with = set(table["date"].dt.year)
    empty = [ts for ts in counts.index if ts.year not in years_with]
    assert len(empty) > 0
    assert (counts.loc[empty] == 0).all()
    assert counts.loc["1855-01-01"] == 0


@needs_raw
def test_counts_equal_raw_file_tally(counts, raw_years):
    tally = pd.Series(np.floor(raw_years).astype(int)).value_counts()
    expected = tally.reindex(range(1851, 1963), fill_value=0).to_numpy()
    np.testing.assert_array_equal(counts.to_numpy(), expected)


@needs_raw
def test_rates_before_and_after_1890_match_literature(counts, raw_years):
    """About 3.1 a year 1851-1890 and about 0.9 a year 1891-1962 (Jarrett 1979)."""
    years = np.floor(raw_years).astype(int)
    before_raw = np.sum(years <= 1890) / 40
    after_raw = np.sum(years > 1890) / 72
    before = counts.loc[:"1890-01-01"].mean()
    after = counts.loc["1891-01-01":].mean()
    assert before == pytest.approx(before_raw, rel=1e-12)
    assert after == pytest.approx(after_raw, rel=1e-12)
    assert math.isclose(before, 3.1, abs_tol=0.05)
    assert math.isclose(after, 0.9, abs_tol=0.05)


def test_bad_row_is_reported_with_row_and_column(tmp_path, monkeypatch):
    bad = tmp_path / "coal.csv"
    bad.write_text(
        "disaster_id,decimal_year,date\n1,1851.20260095825,1851-03-15\n2,x,1851-13-40\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(reference, "dataset_path", lambda name: bad)
    with pytest.raises(DataError) as info:
        load_coal_mining_disasters()
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {(3, "decimal_year"), (3, "date")}


def test_wrong_columns_are_reported(tmp_path, monkeypatch):
    bad = tmp_path / "coal.csv"
    bad.write_text("id,date\n1,1851.2026\n", encoding="utf-8")
    monkeypatch.setattr(reference, "dataset_path", lambda name: bad)
    with pytest.raises(DataError, match="expected columns"):
        load_coal_mining_disasters()


def test_duplicate_id_is_reported(tmp_path, monkeypatch):
    bad = tmp_path / "coal.csv"
    bad.write_text(
        "disaster_id,decimal_year,date\n1,1851.20260095825,1851-03-15\n"
        "1,1851.63244353183,1851-08-19\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(reference, "dataset_path", lambda name: bad)
    with pytest.raises(DataError) as info:
        load_coal_mining_disasters()
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "disaster_id")]
