"""Tests of read_count_csv: counts over time, every problem with its file, row and column.

Every file here is written by the test; the counts are made up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import DataError, DataNotFoundError
from analysis.io.counts_csv import read_count_csv

GOOD = "date,drone,rocket\n2024-10-29,5,0\n2024-10-30,7,2\n2024-10-31,4,1\n"


def write(tmp_path, data: bytes | str, name: str = "counts.csv"):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def problems(path, **kwargs) -> list:
    with pytest.raises(DataError) as info:
        read_count_csv(path, **kwargs)
    return info.value.problems


def where(problem) -> tuple:
    return (problem.file, problem.row, problem.column)


def test_one_column_is_a_series_of_whole_counts_indexed_by_date(tmp_path):
    series = read_count_csv(write(tmp_path, GOOD), column="drone")
    expected = pd.Series(
        [5, 7, 4],
        index=pd.DatetimeIndex(["2024-10-29", "2024-10-30", "2024-10-31"], name="date"),
        name="drone",
    )
    pd.testing.assert_series_equal(series, expected)


def test_without_column_every_value_column_is_read_as_a_frame(tmp_path):
    frame = read_count_csv(write(tmp_path, GOOD))
    assert list(frame.columns) == ["drone", "rocket"]
    assert frame["rocket"].tolist() == [0, 2, 1]
    assert frame.index.name == "date"


def test_time_col_may_be_another_column(tmp_path):
    path = write(tmp_path, "n,day\n3,2024-01-01\n4,2024-01-02\n")
    series = read_count_csv(path, column="n", time_col="day")
    assert series.index.tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02")]


def test_bom_and_spaces_around_cells_are_accepted(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfdate,count\n 2024-01-01 , 3 \n")
    assert read_count_csv(path, column="count").tolist() == [3]


def test_empty_cells_are_missing_values(tmp_path):
    path = write(tmp_path, "date,count\n2024-01-01,1\n2024-01-02,\n2024-01-03,2.5\n")
    series = read_count_csv(path, column="count")
    assert series.dtype == np.float64
    assert series.isna().tolist() == [False, True, False]


def test_utc_offsets_are_dropped_keeping_the_local_time_as_written(tmp_path):
    text = "date,count\n2024-10-26 00:00:00+03:00,1\n2024-10-27 00:00:00+02:00,2\n"
    series = read_count_csv(write(tmp_path, text), column="count")
    assert series.index.tolist() == [pd.Timestamp("2024-10-26"), pd.Timestamp("2024-10-27")]


def test_every_bad_value_is_named_by_file_row_and_column(tmp_path):
    path = write(tmp_path, "date,count\n2024-01-01,one\n2024-01-02,2\n2024-01-03,inf\n")
    found = problems(path, column="count")
    assert [where(p) for p in found] == [(str(path), 2, "count"), (str(path), 4, "count")]
    assert [p.value for p in found] == ["one", "inf"]
    assert all(p.message == "not a finite number" for p in found)


def test_a_bad_date_is_named_by_row_and_column_with_its_value(tmp_path):
    path = write(tmp_path, "date,count\n2024-01-01,1\nyesterday,2\n")
    [problem] = problems(path, column="count")
    assert where(problem) == (str(path), 3, "date")
    assert (problem.value, problem.message) == ("yesterday", "not a date")


def test_bad_dates_and_bad_values_are_reported_together(tmp_path):
    path = write(tmp_path, "date,count\nsoon,1\n2024-01-02,x\n")
    assert [(p.row, p.column) for p in problems(path, column="count")] == [
        (2, "date"),
        (3, "count"),
    ]


def test_a_missing_column_is_named_at_the_header(tmp_path):
    [problem] = problems(write(tmp_path, GOOD), column="sirens")
    assert (problem.row, problem.column) == (1, "sirens")
    assert "drone" in problem.message


def test_a_missing_time_column_is_named_at_the_header(tmp_path):
    [problem] = problems(write(tmp_path, GOOD), column="drone", time_col="day")
    assert (problem.row, problem.column) == (1, "day")


def test_the_time_column_is_not_a_value_column(tmp_path):
    [problem] = problems(write(tmp_path, GOOD), column="date")
    assert (problem.row, problem.column) == (1, "date")


def test_a_file_with_only_dates_is_refused(tmp_path):
    [problem] = problems(write(tmp_path, "date\n2024-01-01\n"))
    assert problem.row == 1 and "counts in another" in problem.message


def test_an_empty_file_is_named_at_row_1(tmp_path):
    path = write(tmp_path, b"")
    [problem] = problems(path)
    assert where(problem) == (str(path), 1, None) and "empty" in problem.message


def test_a_header_without_rows_is_refused(tmp_path):
    [problem] = problems(write(tmp_path, "date,count\n"))
    assert "no data rows" in problem.message


def test_bytes_that_are_not_utf8_are_named_by_row_and_column(tmp_path):
    path = write(tmp_path, b"date,count\n2024-01-01,1\n2024-01-02,\xff\n")
    [problem] = problems(path)
    assert where(problem) == (str(path), 3, "count") and "not UTF-8" in problem.message


def test_a_semicolon_file_is_refused(tmp_path):
    [problem] = problems(write(tmp_path, "date;count\n2024-01-01;1\n"))
    assert "semicolon" in problem.message


def test_a_blank_line_between_rows_is_refused_at_its_line(tmp_path):
    [problem] = problems(write(tmp_path, "date,count\n2024-01-01,1\n\n2024-01-02,1\n"))
    assert problem.row == 3 and "blank line" in problem.message


def test_blank_lines_at_the_end_are_accepted(tmp_path):
    path = write(tmp_path, "date,count\n2024-01-01,1\n\n\n")
    assert read_count_csv(path, column="count").tolist() == [1]


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"nope\.csv"):
        read_count_csv(tmp_path / "nope.csv")
    assert issubclass(DataNotFoundError, FileNotFoundError)


def test_auto_index_keeps_whole_numbers_such_as_years(tmp_path):
    path = write(tmp_path, "year,volume\n1871,1120\n1872,1160\n")
    series = read_count_csv(path, column="volume", index="auto")
    assert series.index.dtype == np.int64 and series.index.tolist() == [1871, 1872]


def test_auto_index_parses_a_column_of_dates(tmp_path):
    series = read_count_csv(write(tmp_path, GOOD), column="drone", index="auto")
    assert isinstance(series.index, pd.DatetimeIndex)


def test_auto_index_keeps_other_labels_as_text(tmp_path):
    path = write(tmp_path, "site,count\nnorth,1\nsouth,2\n")
    series = read_count_csv(path, column="count", index="auto")
    assert series.index.tolist() == ["north", "south"]


def test_auto_index_reads_a_single_column_as_values_by_position(tmp_path):
    frame = read_count_csv(write(tmp_path, "volume\n1120\n1160\n963\n"), index="auto")
    assert frame.index.name == "position" and frame.index.tolist() == [0, 1, 2]
    assert frame["volume"].tolist() == [1120, 1160, 963]


def test_dates_index_refuses_labels_that_are_not_dates(tmp_path):
    path = write(tmp_path, "site,count\nnorth,1\n")
    [problem] = problems(path, column="count")
    assert (problem.row, problem.column, problem.message) == (2, "site", "not a date")


def test_numeric_dates_that_read_either_way_are_refused(tmp_path):
    path = write(tmp_path, "date,count\n04/11/2024,1\n05/11/2024,2\n")
    found = problems(path, column="count")
    assert [(p.row, p.column, p.value) for p in found] == [
        (2, "date", "04/11/2024"),
        (3, "date", "05/11/2024"),
    ]
    assert "dayfirst" in found[0].message


def test_dayfirst_settles_numeric_dates(tmp_path):
    path = write(tmp_path, "date,count\n04/11/2024,1\n05/11/2024,2\n")
    series = read_count_csv(path, column="count", dayfirst=True)
    assert series.index[0] == pd.Timestamp("2024-11-04")


def test_a_day_above_12_settles_the_whole_column(tmp_path):
    path = write(tmp_path, "date,count\n12/11/2024,1\n13/11/2024,2\n")
    series = read_count_csv(path, column="count")
    assert series.index.tolist() == [pd.Timestamp("2024-11-12"), pd.Timestamp("2024-11-13")]


def test_ambiguous_labels_are_refused_by_the_auto_index_too(tmp_path):
    path = write(tmp_path, "date,count\n04/11/2024,1\n")
    [problem] = problems(path, column="count", index="auto")
    assert (problem.row, problem.column) == (2, "date")


def test_an_empty_date_cell_is_a_missing_date(tmp_path):
    path = write(tmp_path, "date,count\n2024-01-01,1\n,2\n")
    [problem] = problems(path, column="count")
    assert (problem.row, problem.column, problem.message) == (3, "date", "missing date")
