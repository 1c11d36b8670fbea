"""Read a CSV of counts (or other values) over time into pandas.

A counts CSV has a header, a time column (the first column unless
``time_col`` names another) and one or more value columns, one row per
period, such as the files written by ``count_incidents(...).to_csv(path)``::

    date,drone,rocket
    2024-10-29,5,0
    2024-10-30,7,2

:func:`read_count_csv` reads such a file with the strict reader of
:mod:`analysis.io.csv` (UTF-8, comma-separated, every row as wide as the
header) and converts the time column and the value columns. Every problem is
reported at once, as a :class:`~analysis.errors.Problem` naming the file, the
row (the header is row 1) and the column: an empty file, bytes that are not
UTF-8, a missing column, a time that is not a date, a value that is not a
number. Empty value cells are missing values (NaN); whether a missing value
is acceptable is for the analysis to decide (a rate refuses it, a change-point
search skips it).

The analysis functions name a problem by its position in the series (row =
position + 2). So that those rows are the file's rows too, a blank line or a
line break inside a quoted field between the header and the last data row is
refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd

from analysis._dates import AmbiguousDatesError, parse_datetime_column
from analysis.errors import DataError, Problem
from analysis.io.csv import missing_column_message, read_csv_checked

__all__ = ["read_count_csv"]

IndexKind = Literal["dates", "auto"]

# a trailing UTC offset: "Z", "+03:00", "-0500"
_UTC_OFFSET = r"(Z|[+-]\d\d:?\d\d)$"


@overload
def read_count_csv(
    path: str | Path,
    *,
    column: str,
    time_col: str | None = None,
    index: IndexKind = "dates",
    dayfirst: bool | None = None,
) -> pd.Series: ...


@overload
def read_count_csv(
    path: str | Path,
    *,
    column: None = None,
    time_col: str | None = None,
    index: IndexKind = "dates",
    dayfirst: bool | None = None,
) -> pd.DataFrame: ...


def read_count_csv(
    path: str | Path,
    *,
    column: str | None = None,
    time_col: str | None = None,
    index: IndexKind = "dates",
    dayfirst: bool | None = None,
) -> pd.Series | pd.DataFrame:
    r"""Read a CSV of counts over time, naming the file, row and column of every problem.

    Parameters
    ----------
    path : str or Path
        The CSV file (UTF-8, a byte-order mark is allowed; comma-separated).
    column : str, optional
        The value column to read; the result is then a Series named after it.
        Default: every column except the time column, as a DataFrame.
    time_col : str, optional
        The column holding the period of each row (its start, e.g. a date).
        Default: the first column.
    index : {"dates", "auto"}, default "dates"
        How to read the time column. ``"dates"``: every value must be a date
        or date-time (a trailing UTC offset such as ``+03:00`` is dropped, so
        the local time as written is kept and a file written across a
        daylight-saving change is one column of dates); the index is a
        DatetimeIndex. ``"auto"``: whole numbers (such as years) stay
        integers, a column of dates becomes a DatetimeIndex and any other
        labels are kept as text; a file with a single column then holds the
        values only, labelled 0, 1, 2, ... (index name ``"position"``).
        Dates are read with one rule for the whole column
        (:func:`analysis._dates.parse_datetime_column`): ISO dates as they
        are; numeric dates such as ``04/11/2024`` day-first or month-first as
        the column itself shows, and refused when it does not.
    dayfirst : bool, optional
        Read numeric dates such as ``04/11/2024`` day-first (``True``) or
        month-first (``False``) when the column cannot tell.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        The values (int64 when every value is a whole number and none is
        missing, else float64 with NaN for empty cells), indexed by the time
        column (its name kept). A Series when ``column`` is given, else a
        DataFrame with one column per value column, in file order.

    Raises
    ------
    DataError
        With every problem found, each naming the file, row and column: the
        file is empty or has no data rows, is not UTF-8, is not
        comma-separated or has rows of the wrong width; ``column`` or
        ``time_col`` is missing; there is no value column; a time is not a
        date or is missing (``index="dates"``); numeric dates read as well
        day-first as month-first (without ``dayfirst``); a value is not a
        finite number; a blank line lies between data rows.
    DataNotFoundError
        When ``path`` does not exist (also a FileNotFoundError).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "counts.csv")
    ...     with open(p, "w", encoding="utf-8") as f:
    ...         _ = f.write("date,drone,rocket\n2024-10-29,5,0\n2024-10-30,7,2\n")
    ...     drone = read_count_csv(p, column="drone")
    ...     both = read_count_csv(p)
    >>> drone
    date
    2024-10-29    5
    2024-10-30    7
    Name: drone, dtype: int64
    >>> list(both.columns), both["rocket"].sum()
    (['drone', 'rocket'], np.int64(2))
    """
    name = str(path)
    raw = read_csv_checked(path, required=[c for c in (time_col, column) if c is not None])
    raw.raise_if_problems()
    frame = raw.frame
    _check_rows_are_file_lines(name, frame.index, raw.header_row)
    columns = list(raw.columns)
    values_only = index == "auto" and time_col is None and len(columns) == 1
    time_name = "position" if values_only else (time_col or columns[0])
    names = columns if values_only else [c for c in columns if c != time_name]
    if not names:
        raise DataError(
            Problem(
                name,
                raw.header_row,
                None,
                None,
                f"expected the time (e.g. dates) in the first column and counts in another; "
                f"found only the column {columns[0]!r}",
            )
        )
    if column is not None and column not in names:  # e.g. column == time_col
        raise DataError(
            Problem(name, raw.header_row, column, None, missing_column_message(column, names))
        )
    wanted = names if column is None else [column]
    problems: list[Problem] = []
    data = {c: _numbers(name, c, frame[c].reset_index(drop=True), problems) for c in wanted}
    if values_only:
        time_index = pd.Index(np.arange(len(frame), dtype=np.int64), name=time_name)
    else:
        labels = frame[time_name].reset_index(drop=True)
        time_index = _time_index(name, time_name, labels, index, dayfirst, problems)
    if problems:
        raise DataError(
            sorted(problems, key=lambda p: (p.row or 0, str(p.column))),
            header=f"{len(problems)} problem(s) in {name}",
        )
    if column is not None:
        return pd.Series(data[column], index=time_index, name=column)
    return pd.DataFrame(data, index=time_index)


def _check_rows_are_file_lines(file: str, rows: pd.Index, header_row: int) -> None:
    """Refuse blank lines (or multi-line cells) before or between data rows.

    Later problems are named by position (row = position + 2); they must be the
    file's lines.
    """
    expected = np.arange(2, 2 + len(rows))
    if header_row == 1 and np.array_equal(rows.to_numpy(dtype=np.int64), expected):
        return
    if header_row != 1:
        at, what = header_row, "blank line(s) before the header"
    else:
        pos = int(np.flatnonzero(rows.to_numpy(dtype=np.int64) != expected)[0])
        at, what = int(expected[pos]), "a blank line or a line break inside a quoted cell"
    raise DataError(
        Problem(
            file,
            at,
            None,
            None,
            f"{what}: remove it, so that the rows named in messages are the file's lines",
        )
    )


def _numbers(file: str, column: str, raw: pd.Series, problems: list[Problem]) -> np.ndarray:
    """The cells of one value column as numbers; empty cells are NaN, text is a problem."""
    text = raw.astype("string").str.strip()
    empty = text.isna() | (text == "")
    values = pd.to_numeric(text.mask(empty), errors="coerce").to_numpy(dtype=float)
    bad = ~empty.to_numpy() & ~np.isfinite(values)
    problems.extend(
        Problem(file, int(pos) + 2, column, str(raw.iloc[pos]), "not a finite number")
        for pos in np.flatnonzero(bad)
    )
    whole = not empty.any() and bool(np.all(values[np.isfinite(values)] % 1 == 0))
    return values.astype(np.int64) if whole and not bad.any() else values


def _without_offset(labels: pd.Series) -> pd.Series:
    """Date-time text with any trailing UTC offset removed (the local time as written)."""
    return labels.str.replace(_UTC_OFFSET, "", regex=True)


def _time_index(
    file: str,
    column: str,
    labels: pd.Series,
    kind: IndexKind,
    dayfirst: bool | None,
    problems: list[Problem],
) -> pd.Index:
    text = labels.astype("string").str.strip()
    if kind == "auto":
        whole = pd.to_numeric(text, errors="coerce")
        if len(text) and whole.notna().all() and (whole == whole.round()).all():
            return pd.Index(whole.to_numpy(dtype=np.int64), name=column)  # years, positions
    try:
        dates = parse_datetime_column(_without_offset(text), column=column, dayfirst=dayfirst)
    except AmbiguousDatesError as exc:  # refused whatever the kind: no silent guess
        problems.extend(
            Problem(file, row + 2, column, value, str(exc))
            for row, value in zip(exc.rows, exc.values, strict=True)
        )
        return pd.Index(text, name=column)
    if kind == "auto" and dates.bad.size:  # not all dates: labels kept as written
        return pd.Index(text, name=column)
    for pos in np.flatnonzero(dates.values.isna().to_numpy()):
        value = text.iloc[pos]
        if pd.isna(value) or not value:
            problems.append(Problem(file, int(pos) + 2, column, None, "missing date"))
        else:
            problems.append(Problem(file, int(pos) + 2, column, str(value), "not a date"))
    return pd.DatetimeIndex(dates.values, name=column)
