"""Tests of analysis.io.files: which files a path, glob or list names (all simulated)."""

from __future__ import annotations

import pytest

from analysis.errors import DataNotFoundError
from analysis.io.files import resolve_files, sql_list


def _touch(path, text="start\n2024-01-01\n"):
    path.write_text(text)
    return path


def test_a_file_a_glob_a_directory_and_a_list(tmp_path):
    a = _touch(tmp_path / "a.csv")
    b = _touch(tmp_path / "b.csv")
    assert resolve_files(a) == ([str(a)], "csv")
    assert resolve_files(str(tmp_path / "*.csv")) == ([str(a), str(b)], "csv")
    assert resolve_files(tmp_path) == ([str(a), str(b)], "csv")
    assert resolve_files([b, a]) == ([str(b), str(a)], "csv")


def test_a_directory_prefers_its_parquet_files(tmp_path):
    _touch(tmp_path / "a.csv")
    p = _touch(tmp_path / "part-0.parquet", "not really parquet")
    assert resolve_files(tmp_path) == ([str(p)], "parquet")


def test_mixed_formats_and_unknown_suffixes_are_refused(tmp_path):
    a = _touch(tmp_path / "a.csv")
    p = _touch(tmp_path / "b.parquet")
    with pytest.raises(ValueError, match="mix Parquet and CSV"):
        resolve_files([a, p])
    x = _touch(tmp_path / "c.txt")
    with pytest.raises(ValueError, match="neither Parquet"):
        resolve_files(x)
    with pytest.raises(ValueError, match="no file given"):
        resolve_files([])


def test_nothing_matching_names_the_pattern(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"missing\.csv"):
        resolve_files(tmp_path / "missing.csv")


def test_sql_list_doubles_quotes():
    assert sql_list(["a.csv", "o'brien.csv"]) == "['a.csv', 'o''brien.csv']"
