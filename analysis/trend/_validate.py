"""Checks at the boundary of :func:`analysis.trend.fit_trend` and :func:`decompose`.

Every problem is reported at once as a :class:`~analysis.errors.DataError`.
Rows are numbered as in the CSV file the Series would be written to (the
header is row 1, the first value row 2), so they match a file written by
``counts.to_csv()`` and the row numbers used by :mod:`analysis.counts`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import BaseOffset, Day

from analysis.errors import DataError, Problem
from analysis.trend._output import date_label

COUNTS = "<counts>"
EVENTS = "<events>"
EXPOSURE = "<exposure>"


@dataclass(frozen=True)
class CountSeries:
    """A validated count series: values, local (naive) dates, time zone, period."""

    values: np.ndarray  # int64 counts
    local: pd.DatetimeIndex  # wall-clock period starts, tz removed, freq set
    tz: Any  # the input's time zone or None
    offset: BaseOffset  # length of a period
    name: str
    index: pd.DatetimeIndex  # the input index (tz kept)

    def problem(self, message: str, value: str | None = None) -> DataError:
        """A DataError about the whole series (no single row)."""
        return DataError(Problem(COUNTS, None, self.name, value, message))

    @property
    def daily(self) -> bool:
        """True when the periods are single calendar days."""
        return _is_daily(self.offset)

    def localize(self, local: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """Attach the input's time zone to wall-clock dates (keeps ``freq``)."""
        if self.tz is None:
            return local
        out = local.tz_localize(self.tz, ambiguous=False, nonexistent="shift_forward")
        return out


def _is_daily(offset: BaseOffset) -> bool:
    return isinstance(offset, Day) and offset.n == 1


def _column(series: pd.Series) -> str:
    return "count" if series.name is None else str(series.name)


def check_counts(counts: Any, *, what: str = "counts") -> CountSeries:
    """Validate a count Series and return its parts.

    Raises ``TypeError`` for a wrong type (not a Series, not a DatetimeIndex)
    and :class:`DataError` for bad values (missing, negative, fractional) or a
    bad index (duplicates, unsorted, gaps, irregular spacing).
    """
    if not isinstance(counts, pd.Series):
        raise TypeError(
            f"{what} must be a pandas Series of counts with a DatetimeIndex "
            f"(got {type(counts).__name__}); for a table use analysis.count_incidents first"
        )
    if not isinstance(counts.index, pd.DatetimeIndex):
        raise TypeError(
            f"{what} must have a DatetimeIndex (got {type(counts.index).__name__}); "
            "set one with counts.index = pd.to_datetime(...) or use analysis.count_incidents"
        )
    column = _column(counts)
    if len(counts) == 0:
        raise DataError(Problem(COUNTS, None, column, None, "the series is empty"))
    values = _integer_values(counts, column)
    index = counts.index
    tz = index.tz
    local = index.tz_localize(None) if tz is not None else index
    offset = _regular_offset(local, column)
    local = pd.DatetimeIndex(local, freq=offset)
    return CountSeries(values, local, tz, offset, column, index)


def _integer_values(counts: pd.Series, column: str) -> np.ndarray:
    raw = counts.to_numpy()
    if counts.dtype == bool:
        raw = raw.astype(float)
    numeric = pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    problems = []
    finite = np.where(np.isfinite(numeric), numeric, 0.0)
    checks = (
        (~np.isfinite(numeric), "missing or not a number"),
        (finite < 0, "negative count"),
        ((finite >= 0) & (finite != np.round(finite)), "not a whole number (counts only)"),
    )
    for mask, message in checks:
        for pos in np.flatnonzero(mask).tolist():
            problems.append(_row(pos, column, raw[pos], counts.index[pos], message))
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise DataError(problems, header=f"{len(problems)} bad count(s) in {column!r}")
    return finite.astype(np.int64)


def _row(pos: int, column: str, value: Any, date: Any, message: str) -> Problem:
    return Problem(COUNTS, int(pos) + 2, column, str(value), f"{message} on {_day(date)}")


def _day(date: Any) -> str:
    return date_label(pd.Timestamp(date))


def _regular_offset(local: pd.DatetimeIndex, column: str) -> BaseOffset:
    """The period of a regular index; every duplicate, disorder or gap is a problem."""
    problems = []
    dup = np.flatnonzero(local.duplicated()).tolist()
    for pos in dup:
        problems.append(Problem(COUNTS, int(pos) + 2, column, _day(local[pos]), "duplicate date"))
    if len(local) > 1:
        back = (np.flatnonzero(np.diff(local.asi8) < 0) + 1).tolist()
        for pos in back:
            problems.append(
                Problem(
                    COUNTS,
                    int(pos) + 2,
                    column,
                    _day(local[pos]),
                    f"date earlier than the row before ({_day(local[pos - 1])}); sort the series",
                )
            )
    if problems:
        raise DataError(problems, header="the index of the counts is not a time line")
    if local.freq is not None:
        offset = local.freq
    elif len(local) >= 3 and _inferred(local) is not None:
        offset = to_offset(_inferred(local))
    elif len(local) == 1:
        offset = to_offset("D")
    else:
        offset = _modal_step(local)
    expected = pd.date_range(local[0], local[-1], freq=offset)
    if len(expected) != len(local) or not expected.equals(local):
        missing = expected.difference(local)
        extra = local.difference(expected)
        for date in missing:
            problems.append(
                Problem(
                    COUNTS,
                    None,
                    column,
                    _day(date),
                    "missing period (a gap): counts must be zero-filled, "
                    "e.g. by analysis.count_incidents",
                )
            )
        for date in extra:
            row = int(np.searchsorted(local.asi8, date.value)) + 2
            problems.append(
                Problem(COUNTS, row, column, _day(date), f"date off the {offset.freqstr} grid")
            )
        raise DataError(
            problems,
            header=f"the counts are not a regular series at frequency {offset.freqstr!r}",
        )
    return offset


def _inferred(local: pd.DatetimeIndex) -> Any:
    with warnings.catch_warnings():  # pandas 3 warns that a later version returns an offset
        warnings.simplefilter("ignore")
        return getattr(local, "inferred_freq", None)


def _modal_step(local: pd.DatetimeIndex) -> BaseOffset:
    """The most common step, in whole days when it is one (a calendar ``nD`` offset)."""
    step = pd.Series(np.diff(local)).mode().iloc[0]
    if step % pd.Timedelta(days=1) == pd.Timedelta(0):
        days = to_offset(f"{step // pd.Timedelta(days=1)}D")
        assert days is not None
        return days
    offset = to_offset(step)
    assert offset is not None
    return offset


def check_exposure(exposure: Any, series: CountSeries) -> np.ndarray:
    """Validate an exposure Series aligned with the counts; return log(exposure)."""
    if not isinstance(exposure, pd.Series):
        raise TypeError(
            f"exposure must be a pandas Series on the same index as the counts "
            f"(got {type(exposure).__name__})"
        )
    if not exposure.index.equals(series.index):
        raise DataError(
            Problem(
                EXPOSURE,
                None,
                _column(exposure),
                None,
                "the exposure index differs from the counts index; "
                "use exposure.reindex(counts.index) and fill what is missing",
            )
        )
    values = pd.to_numeric(exposure, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.flatnonzero(~(np.isfinite(values) & (values > 0))).tolist()
    if len(bad):
        raise DataError(
            [
                Problem(
                    EXPOSURE,
                    int(p) + 2,
                    _column(exposure),
                    str(exposure.iloc[p]),
                    f"exposure must be a positive number (on {_day(exposure.index[p])})",
                )
                for p in bad
            ]
        )
    return np.log(values)


def to_local(value: Any, tz: Any, *, what: str) -> pd.Timestamp:
    """A date given by the user as a wall-clock Timestamp in the series' time zone."""
    if isinstance(value, (bool, int, float, np.number)):
        # pd.Timestamp(100) is 100 ns after 1970: never what a user means
        raise ValueError(
            f"{what}: {value!r} is a number, not a date (a change-point result found on an "
            "array or a Series without dates gives positions; detect the changes on the "
            "dated counts, or pass counts.index[result.indices])"
        )
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{what}: cannot read {value!r} as a date ({exc})") from exc
    if ts is pd.NaT:
        raise ValueError(f"{what}: missing date")
    if ts.tz is not None:
        ts = ts.tz_convert(tz).tz_localize(None) if tz is not None else ts.tz_localize(None)
    return ts


def break_dates(breaks: Any, tz: Any) -> list[pd.Timestamp]:
    """Dates of level shifts from a list of dates or a change-point result.

    A change-point result is recognised by duck typing: any object with a
    ``changepoints`` attribute (the first time stamp of each new segment).
    """
    if breaks is None:
        return []
    if hasattr(breaks, "changepoints"):
        breaks = breaks.changepoints
    if isinstance(breaks, (str, pd.Timestamp)):
        breaks = [breaks]
    if not isinstance(breaks, (Sequence, pd.Index, np.ndarray, pd.Series)):
        raise TypeError(
            "breaks must be a list of dates or a change-point result with a .changepoints "
            f"attribute (got {type(breaks).__name__})"
        )
    out = [to_local(b, tz, what="breaks") for b in list(breaks)]
    if len(set(out)) != len(out):
        raise ValueError(f"breaks contain a date twice: {[str(b) for b in out]}")
    return sorted(out)


@dataclass(frozen=True)
class Event:
    """A dated event: ``pulse`` (``duration`` days) or ``step`` (from ``start`` on)."""

    name: str
    kind: str
    start: pd.Timestamp  # local wall-clock time
    duration: int  # days, pulses only


def check_events(events: Any, tz: Any) -> list[Event]:
    """Validate an events table (columns ``date, name`` and optional ``kind, duration``)."""
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
            start = to_local(row["date"], tz, what="events")
        except ValueError:
            problems.append(Problem(EVENTS, line, "date", str(row["date"]), "not a date"))
            continue
        kind = row.get("kind", "pulse")
        kind = "pulse" if pd.isna(kind) else str(kind).strip().lower()
        if kind not in ("pulse", "step"):
            problems.append(Problem(EVENTS, line, "kind", kind, "kind must be pulse or step"))
            continue
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
            continue
        try:
            ok = float(duration) == int(float(duration)) and int(float(duration)) >= 1
        except (TypeError, ValueError):
            ok = False
        if not ok:
            problems.append(
                Problem(
                    EVENTS, line, "duration", str(duration_raw), "duration must be whole days >= 1"
                )
            )
            continue
        out.append(Event(name, kind, start, int(float(duration))))
    if problems:
        raise DataError(problems, header="bad events table")
    return out
