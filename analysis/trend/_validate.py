"""Checks at the boundary of :func:`analysis.trend.fit_trend` and :func:`decompose`.

The count series itself is read by the package's one count-series type,
:meth:`analysis._series.CountSeries.from_pandas` (values, index, gaps, time
zone); this module adds what only the trend models take: an exposure
series, break dates and an events table. Dates are read with
:func:`analysis._dates.to_timestamp`, which refuses numbers and names the
parameter. Every problem is reported at once as a
:class:`~analysis.errors.DataError`; rows are numbered as in the CSV file
the Series or table would be written to (the header is row 1, the first
value row 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.offsets import BaseOffset

from analysis._dates import to_timestamp
from analysis._format import date_label
from analysis._series import CountSeries
from analysis.errors import DataError, Problem

__all__ = [
    "COUNTS",
    "EVENTS",
    "EXPOSURE",
    "Event",
    "break_dates",
    "check_events",
    "check_exposure",
    "localize",
    "period",
    "read_counts",
]

#: ``Problem.file`` of problems in the counts, the events table and the exposure
COUNTS = "<counts>"
EVENTS = "<events>"
EXPOSURE = "<exposure>"


def read_counts(counts: Any, *, what: str = "counts") -> CountSeries:
    """Validate a count Series with :meth:`CountSeries.from_pandas` (dates required).

    Raises ``TypeError`` for a wrong type (not a Series, no DatetimeIndex)
    and :class:`DataError` for bad values (missing, negative, fractional),
    a bad index (duplicates, unsorted, gaps) or an empty series.

    Examples
    --------
    In Asia/Beirut the clocks go forward at midnight: 2024-03-31 starts at 01:00.

    >>> days = pd.DatetimeIndex(["2024-03-30 00:00", "2024-03-31 01:00", "2024-04-01 00:00"])
    >>> s = pd.Series([1, 0, 2], index=days.tz_localize("Asia/Beirut"))
    >>> cs = read_counts(s)
    >>> cs.daily, cs.local.strftime("%Y-%m-%d").tolist()
    (True, ['2024-03-30', '2024-03-31', '2024-04-01'])
    """
    series = CountSeries.from_pandas(counts, kind="counts", what=what, source=COUNTS)
    return series


def period(series: CountSeries) -> BaseOffset:
    """The period of a series read by :func:`read_counts` (which has dates, so a period)."""
    if series.offset is None:  # pragma: no cover - read_counts requires dates
        raise TypeError("the counts have no dates")
    return series.offset


def coverage(series: CountSeries) -> np.ndarray:
    """Fraction of each period inside the counting window (1 except partly covered edges)."""
    local = series.local
    full = np.asarray(((local + period(series)) - local) / pd.Timedelta(days=1), dtype=float)
    return np.asarray(series.exposure, dtype=float) / full


def localize(local: pd.DatetimeIndex, tz: Any) -> pd.DatetimeIndex:
    """Wall-clock period starts in the series' time zone (``freq`` kept when it fits).

    As in :func:`analysis.count_incidents`, a midnight that does not exist
    (clocks forward at midnight, as in Asia/Beirut) becomes the first time
    of that day, 01:00, and a midnight that occurs twice (clocks back at
    01:00, as in Asia/Jerusalem in 2000) is the first one, when the day begins.

    Examples
    --------
    >>> localize(pd.DatetimeIndex(["2000-10-06"]), "Asia/Jerusalem")[0]
    Timestamp('2000-10-06 00:00:00+0300', tz='Asia/Jerusalem')
    >>> localize(pd.DatetimeIndex(["2024-03-31"]), "Asia/Beirut")[0]
    Timestamp('2024-03-31 01:00:00+0300', tz='Asia/Beirut')
    """
    if tz is None:
        return local
    return local.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")


def check_exposure(exposure: Any, series: CountSeries) -> np.ndarray:
    """Validate an exposure Series aligned with the counts; return log(exposure)."""
    if not isinstance(exposure, pd.Series):
        raise TypeError(
            f"exposure must be a pandas Series on the same index as the counts "
            f"(got {type(exposure).__name__})"
        )
    column = "exposure" if exposure.name is None else str(exposure.name)
    if not exposure.index.equals(series.index):
        raise DataError(
            Problem(
                EXPOSURE,
                None,
                column,
                None,
                "the exposure index differs from the counts index; "
                "use exposure.reindex(counts.index) and fill what is missing",
            )
        )
    values = pd.to_numeric(exposure, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.flatnonzero(~(np.isfinite(values) & (values > 0))).tolist()
    if bad:
        raise DataError(
            [
                Problem(
                    EXPOSURE,
                    int(p) + 2,
                    column,
                    str(exposure.iloc[p]),
                    "exposure must be a positive number "
                    f"(on {date_label(pd.Timestamp(exposure.index[p]))})",
                )
                for p in bad
            ]
        )
    return np.log(values)


def break_dates(breaks: Any, tz: Any) -> list[pd.Timestamp]:
    """Dates of level shifts from a list of dates or a change-point result.

    A change-point result is recognised by duck typing: any object with a
    ``changepoints`` attribute (the first time stamp of each new segment).
    Naive dates are wall-clock times in the series' zone ``tz``; a time
    with an offset is converted to it.

    Examples
    --------
    >>> break_dates(["2024-03-01", "2024-02-01"], None)
    [Timestamp('2024-02-01 00:00:00'), Timestamp('2024-03-01 00:00:00')]
    >>> break_dates([30], None)
    Traceback (most recent call last):
    ...
    ValueError: breaks=30 is a number, not a date: write it as text such as '2023-01-01' ...
    """
    if breaks is None:
        return []
    if hasattr(breaks, "changepoints"):
        breaks = breaks.changepoints
    if isinstance(breaks, str | pd.Timestamp):
        breaks = [breaks]
    if not isinstance(breaks, Sequence | pd.Index | np.ndarray | pd.Series):
        raise TypeError(
            "breaks must be a list of dates or a change-point result with a .changepoints "
            f"attribute (got {type(breaks).__name__})"
        )
    out = []
    for value in list(breaks):
        try:
            out.append(to_timestamp(value, "breaks", tz))
        except ValueError as exc:
            if isinstance(value, bool | int | float | np.number):
                raise ValueError(
                    f"{exc} (a change-point result found on an array or a Series without "
                    "dates gives positions; detect the changes on the dated counts, or pass "
                    "counts.index[result.indices])"
                ) from exc
            raise
    if len(set(out)) != len(out):
        raise ValueError(f"breaks contain a date twice: {[date_label(b) for b in out]}")
    return sorted(out)


@dataclass(frozen=True)
class Event:
    """A dated event: ``pulse`` (``duration`` days) or ``step`` (from ``start`` on)."""

    name: str
    kind: str
    start: pd.Timestamp  # local wall-clock time
    duration: int  # days, pulses only


def check_events(events: Any, tz: Any) -> list[Event]:
    """Validate an events table (columns ``date, name`` and optional ``kind, duration``).

    Examples
    --------
    >>> table = pd.DataFrame({"date": ["2024-01-10"], "name": ["raid"], "duration": [3]})
    >>> check_events(table, None)
    [Event(name='raid', kind='pulse', start=Timestamp('2024-01-10 00:00:00'), duration=3)]
    """
    if events is None:
        return []
    if not isinstance(events, pd.DataFrame):
        raise TypeError(
            "events must be a DataFrame with columns date, name and optional kind, duration "
            f"(got {type(events).__name__})"
        )
    missing = [c for c in ("date", "name") if c not in events.columns]
    if missing:
        raise DataError(
            [
                Problem(
                    EVENTS, None, c, None, f"missing column; columns are {list(events.columns)}"
                )
                for c in missing
            ]
        )
    problems: list[Problem] = []
    out: list[Event] = []
    seen: set[str] = set()
    for pos, (_, row) in enumerate(events.iterrows()):
        line = pos + 2
        name = row["name"]
        if pd.isna(name) or not str(name).strip():
            problems.append(Problem(EVENTS, line, "name", None, "missing event name"))
            continue
        name = str(name).strip()
        if name in seen:
            problems.append(Problem(EVENTS, line, "name", name, "event name used twice"))
        seen.add(name)
        try:
            start = to_timestamp(row["date"], "date", tz)
        except ValueError as exc:
            number = isinstance(row["date"], bool | int | float | np.number)
            message = str(exc) if number and not pd.isna(row["date"]) else "not a date"
            problems.append(Problem(EVENTS, line, "date", str(row["date"]), message))
            continue
        event = _event(name, row, line, start, problems)
        if event is not None:
            out.append(event)
    if problems:
        raise DataError(problems, header="bad events table")
    return out


def _event(
    name: str, row: pd.Series, line: int, start: pd.Timestamp, problems: list[Problem]
) -> Event | None:
    """One event from its row, or None after adding its problem."""
    kind = row.get("kind", "pulse")
    kind = "pulse" if pd.isna(kind) else str(kind).strip().lower()
    if kind not in ("pulse", "step"):
        problems.append(Problem(EVENTS, line, "kind", kind, "kind must be pulse or step"))
        return None
    duration_raw = row.get("duration", 1)
    duration = 1 if pd.isna(duration_raw) else duration_raw
    if kind == "step" and not pd.isna(duration_raw) and duration_raw != 1:
        problems.append(
            Problem(
                EVENTS,
                line,
                "duration",
                str(duration_raw),
                "a step lasts to the end of the data; duration is for pulses only",
            )
        )
        return None
    try:
        ok = float(duration) == int(float(duration)) and int(float(duration)) >= 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        problems.append(
            Problem(EVENTS, line, "duration", str(duration_raw), "duration must be whole days >= 1")
        )
        return None
    return Event(name, kind, start, int(float(duration)))
