"""Dates, times and durations at the public boundary, read one way everywhere.

Every function that takes a date (``start=``, ``end=``, a break date), a
duration (``gap=``, ``window=``) or a column of dates reads it through this
module, so the rules are written once:

* a number is never a date or a duration: ``pd.Timestamp(2023)`` is 2,023
  nanoseconds after 1970 and ``pd.Timedelta(10)`` is 10 nanoseconds, never
  what a user means, so both are refused with the parameter's name;
* a column of dates written with slashes or dots (``04/11/2024``) is read
  with one rule for every row: when the text cannot tell day-first from
  month-first, the column is refused with the rows that show it, and the
  caller says ``dayfirst=True``/``False`` or gives an explicit ``format``
  (pandas' ``format="mixed"`` guesses row by row, which reads ``04/11`` as
  April on one row and ``13/11`` as November on the next).

pandas does the parsing; this module only decides which rule applies and
reports what does not fit it, which no library does for a whole column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "AmbiguousDatesError",
    "ColumnDates",
    "parse_datetime_column",
    "to_day",
    "to_timedelta",
    "to_timestamp",
]

_NUMBER = (bool, int, float, np.number)
# d/m/y or m/d/y with '/', '.' or '-' between one- or two-digit parts, then a 2- or 4-digit year
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?=$|[\sT])")


def to_timestamp(value: Any, name: str, tz: Any = None) -> pd.Timestamp:
    """Read one date or time given as the parameter ``name``.

    A time with a UTC offset is converted to ``tz`` when given and returned
    as naive wall-clock time; a naive time is returned as it is.

    Parameters
    ----------
    value : str, datetime, date or Timestamp
        The date or time.
    name : str
        The parameter's name, for the error message.
    tz : str or tzinfo, optional
        The time zone of the data the date refers to.

    Raises
    ------
    ValueError
        For a number, a missing value or text that is not a date.

    Examples
    --------
    >>> to_timestamp("2024-04-13 23:30+03:00", "start")
    Timestamp('2024-04-13 23:30:00')
    >>> to_timestamp(2023, "start")
    Traceback (most recent call last):
    ...
    ValueError: start=2023 is a number, not a date: write it as text such as '2023-01-01'
    """
    if isinstance(value, _NUMBER):
        raise ValueError(
            f"{name}={value!r} is a number, not a date: write it as text such as '2023-01-01'"
        )
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{name} is missing: give a date such as '2023-01-01'")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"{name}={value!r} is not a date ({exc})") from exc
    if ts is pd.NaT:
        raise ValueError(f"{name}={value!r} is not a date")
    if ts.tzinfo is not None:
        if tz is not None:
            ts = ts.tz_convert(tz)
        ts = ts.tz_localize(None)
    return ts


def to_day(value: Any, name: str, tz: Any = None) -> pd.Timestamp:
    """Read a ``start``/``end`` date as a naive local midnight.

    A time with a UTC offset is taken on its own local date, or, when ``tz``
    (the time zone of the data) is given, on its date in that zone.

    Examples
    --------
    >>> to_day("2024-10-27 15:00+02:00", "end")
    Timestamp('2024-10-27 00:00:00')
    >>> to_day("2024-10-26 22:30+00:00", "end", tz="Asia/Jerusalem")
    Timestamp('2024-10-27 00:00:00')
    """
    return to_timestamp(value, name, tz).normalize()


def to_timedelta(value: Any, name: str, *, positive: bool = True) -> pd.Timedelta:
    """Read a duration given as the parameter ``name`` (``"10min"``, ``"7D"``).

    Raises
    ------
    ValueError
        For a bare number (its unit is unknown), text that is not a
        duration, or, with ``positive=True``, a duration that is not > 0.

    Examples
    --------
    >>> to_timedelta("10min", "gap")
    Timedelta('0 days 00:10:00')
    >>> to_timedelta(10, "gap")
    Traceback (most recent call last):
    ...
    ValueError: gap=10 is a number without a unit: write a duration such as '10min' or '7D'
    """
    if isinstance(value, _NUMBER):
        raise ValueError(
            f"{name}={value!r} is a number without a unit: write a duration such as '10min' or '7D'"
        )
    try:
        delta = pd.Timedelta(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}={value!r} is not a duration such as '10min' or '7D'") from exc
    if delta is pd.NaT:
        raise ValueError(f"{name} is missing: give a duration such as '10min' or '7D'")
    if positive and delta <= pd.Timedelta(0):
        raise ValueError(f"{name}={value!r} must be a positive duration")
    return delta


@dataclass(frozen=True)
class ColumnDates:
    """A parsed column of dates: the values, the rows that failed, the rule used.

    Attributes
    ----------
    values : pandas.Series
        Parsed times (``NaT`` where a value could not be read), on the input's index.
    bad : numpy.ndarray
        0-based positions of non-empty values that could not be read.
    rule : str
        How the column was read, in words (for messages and summaries).
    """

    values: pd.Series
    bad: np.ndarray
    rule: str


class AmbiguousDatesError(ValueError):
    """A column whose day-first and month-first readings both fit.

    ``rows`` holds the 0-based positions that show the ambiguity (values
    such as ``04/11/2024`` that read as two different dates) and, where the
    column mixes both orders, the rows that fit only one of them.
    """

    def __init__(self, message: str, rows: list[int], values: list[str]):
        super().__init__(message)
        self.rows = rows
        self.values = values


def parse_datetime_column(
    values: pd.Series,
    *,
    column: str,
    dayfirst: bool | None = None,
    format: str | None = None,
) -> ColumnDates:
    """Parse a column of dates or times with one rule for every row.

    ISO dates (``2024-11-04``, with or without a time and an offset) are
    unambiguous. Numeric dates with slashes, dots or dashes
    (``04/11/2024``) are read day-first or month-first for the whole
    column: the rule comes from ``dayfirst`` or ``format`` when given, else
    from the values themselves when some row settles it (a first part above
    12 means day-first) and no row contradicts it. When nothing settles it,
    or rows contradict each other, the column is refused.

    Parameters
    ----------
    values : pandas.Series
        The column as read (text, or already datetimes).
    column : str
        The column's name, for messages.
    dayfirst : bool, optional
        Read numeric dates day-first (``True``) or month-first (``False``).
    format : str, optional
        An explicit ``strftime`` format for every row (wins over ``dayfirst``).

    Returns
    -------
    ColumnDates

    Raises
    ------
    AmbiguousDatesError
        When numeric dates could be read either way and no rule was given,
        or when rows need different rules.

    Examples
    --------
    >>> s = pd.Series(["13/11/2024", "04/11/2024"])
    >>> parse_datetime_column(s, column="date").values.dt.strftime("%Y-%m-%d").tolist()
    ['2024-11-13', '2024-11-04']
    >>> parse_datetime_column(pd.Series(["04/11/2024"]), column="date")
    Traceback (most recent call last):
    ...
    analysis._dates.AmbiguousDatesError: column 'date': 04/11/2024 reads as 4 November...
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
        values.dtype
    ):
        return ColumnDates(values, np.flatnonzero(values.isna().to_numpy()), "already dates")
    text = values.astype("string").str.strip()
    present = text.notna() & (text != "")
    if format is not None:
        parsed = pd.to_datetime(text, format=format, errors="coerce")
        return _result(parsed, present, f"format {format!r}")
    parts = text.str.extract(_NUMERIC_DATE.pattern)
    numeric = parts[0].notna().to_numpy() & present.to_numpy()
    rule = "ISO dates"
    use_dayfirst = False
    if numeric.any():
        first = pd.to_numeric(parts[0], errors="coerce").to_numpy()
        second = pd.to_numeric(parts[1], errors="coerce").to_numpy()
        only_day_first = numeric & (first > 12) & (second <= 12)
        only_month_first = numeric & (second > 12) & (first <= 12)
        if dayfirst is None:
            if only_day_first.any() and only_month_first.any():
                rows = [
                    int(np.flatnonzero(only_day_first)[0]),
                    int(np.flatnonzero(only_month_first)[0]),
                ]
                raise AmbiguousDatesError(
                    f"column {column!r} mixes day-first and month-first dates (e.g. "
                    f"{text.iloc[rows[0]]} and {text.iloc[rows[1]]}): fix the column or give "
                    "an explicit format",
                    rows,
                    [str(text.iloc[r]) for r in rows],
                )
            if only_day_first.any():
                dayfirst = True
            elif only_month_first.any():
                dayfirst = False
            else:
                both = np.flatnonzero(numeric & (first != second))
                if both.size == 0:  # every numeric date has day == month: both readings agree
                    dayfirst = True
                else:
                    row = int(both[0])
                    day, month = int(first[row]), int(second[row])
                    raise AmbiguousDatesError(
                        f"column {column!r}: {text.iloc[row]} reads as {day} "
                        f"{_MONTHS[month - 1]} or {month} {_MONTHS[day - 1]}, and no row "
                        f"settles it ({both.size} such row(s)); pass dayfirst=True or "
                        "dayfirst=False, or an explicit format",
                        both[:20].tolist(),
                        [str(text.iloc[r]) for r in both[:20]],
                    )
        use_dayfirst = bool(dayfirst)
        rule = "day-first numeric dates" if use_dayfirst else "month-first numeric dates"
    parsed = pd.Series(pd.NaT, index=values.index, dtype="object")
    iso = present.to_numpy() & ~numeric
    if iso.any():
        parsed[iso] = _to_datetime(text[iso], dayfirst=False)
    if numeric.any():
        parsed[numeric] = _to_datetime(text[numeric], dayfirst=use_dayfirst)
    parsed = _unify(parsed)
    return _result(parsed, present, rule)


_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def _to_datetime(text: pd.Series, *, dayfirst: bool) -> pd.Series:
    """Parse text row by row format-wise, keeping each row's own UTC offset if any."""
    try:
        return pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=dayfirst)
    except (ValueError, TypeError):  # offsets differ between rows: keep them as Timestamps
        out = []
        for v in text:
            try:
                out.append(pd.Timestamp(v) if not dayfirst else pd.to_datetime(v, dayfirst=True))
            except (ValueError, TypeError):
                out.append(pd.NaT)
        return pd.Series(out, index=text.index, dtype="object")


def _unify(parsed: pd.Series) -> pd.Series:
    """One datetime dtype when the rows allow it (object dtype when offsets differ)."""
    try:
        return pd.to_datetime(parsed)
    except (ValueError, TypeError):
        return parsed


def _result(parsed: pd.Series, present: pd.Series, rule: str) -> ColumnDates:
    bad = np.flatnonzero(parsed.isna().to_numpy() & present.to_numpy())
    return ColumnDates(parsed, bad, rule)
