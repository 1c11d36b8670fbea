"""Validation of count series, totals, exposures, levels and ``per`` units."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.offsets import BaseOffset, Day

from analysis.counts import (
    WINDOW_END,
    WINDOW_START,
    CountDataError,
    local_day,
    regular_offset,
)
from analysis.errors import Problem

#: Length in days of each named ``per`` unit. A month is the mean Gregorian
#: month (365.2425 / 12 = 30.436875 days), a year the mean Gregorian year.
PER_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 30.436875, "year": 365.2425}


SERIES = "<series>"


def check_level(level: float) -> float:
    if not isinstance(level, int | float) or not 0 < float(level) < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), not {level!r}")
    return float(level)


def parse_per(per: str | float) -> tuple[str, float]:
    """Return (label, days) of a ``per`` argument."""
    if isinstance(per, str):
        if per not in PER_DAYS:
            raise ValueError(
                f"unknown per={per!r}: use one of {sorted(PER_DAYS)} or a number of days"
            )
        return per, PER_DAYS[per]
    if isinstance(per, bool) or not isinstance(per, int | float | np.number):
        raise ValueError(f"per must be 'day', 'week', 'month', 'year' or days, not {per!r}")
    days = float(per)
    if not math.isfinite(days) or days <= 0:
        raise ValueError(f"per must be a positive number of days, not {per!r}")
    return f"{days:g} days", days


@dataclass(frozen=True)
class Counts:
    """A validated regular count series, restricted to the requested window."""

    values: np.ndarray  # int64 counts
    index: pd.DatetimeIndex
    offset: BaseOffset
    period_days: np.ndarray  # days covered by each period
    start: pd.Timestamp  # first day covered (naive local)
    end: pd.Timestamp  # last day covered, inclusive (naive local)
    name: str

    @property
    def events(self) -> int:
        return int(self.values.sum())

    @property
    def exposure(self) -> float:
        # rounded to 1e-9 day (0.1 ms): 24 hourly periods of 1/24 day make 1 day, not 0.999...
        return float(round(self.period_days.sum(), 9))

    @property
    def daily(self) -> bool:
        return isinstance(self.offset, Day) and self.offset.n == 1


def series_problem(row: int | None, column: str, value: Any, message: str) -> Problem:
    return Problem(SERIES, row, column, None if value is None else str(value), message)


def naive_index(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return index.tz_localize(None) if index.tz is not None else index


def optional_day(value: Any, name: str, tz: Any = None) -> pd.Timestamp | None:
    return None if value is None else local_day(value, name, tz)


def period_length_days(offset: BaseOffset, starts: pd.DatetimeIndex) -> np.ndarray:
    ends = starts + offset
    return np.asarray((ends - starts) / pd.Timedelta(days=1), dtype=float)


def validate_counts(
    counts: Any, *, start: Any = None, end: Any = None, need_dates: bool = True
) -> Counts:
    """Check a count series and restrict it to whole periods starting in [start, end]."""
    if isinstance(counts, pd.DataFrame):
        raise TypeError(
            "counts must be a Series; for a table of groups pass one column, e.g. counts['drone']"
        )
    if not isinstance(counts, pd.Series):
        raise TypeError(f"counts must be a pandas Series, not {type(counts).__name__}")
    name = str(counts.name) if counts.name is not None else "count"
    if not isinstance(counts.index, pd.DatetimeIndex):
        raise CountDataError(
            series_problem(
                None,
                "index",
                type(counts.index).__name__,
                "counts need a DatetimeIndex (period starts) to know the time they cover; "
                "build them with daily_counts() or give total= and exposure= instead",
            )
        )
    problems = []
    raw = counts.to_numpy()
    numeric = pd.to_numeric(counts, errors="coerce").to_numpy(dtype=float)
    dates = counts.index
    checks = [
        (np.isnan(numeric), "missing or non-numeric count (zero-fill with daily_counts)"),
        (numeric < 0, "negative count"),
        (np.isfinite(numeric) & (numeric != np.round(numeric)), "count is not a whole number"),
    ]
    for mask, message in checks:
        for pos in np.flatnonzero(mask):
            problems.append(
                series_problem(
                    int(pos) + 2,
                    name,
                    raw[pos],
                    f"{message} on {pd.Timestamp(dates[int(pos)]).date()}",
                )
            )
    if not dates.is_unique or not dates.is_monotonic_increasing:
        problems.append(series_problem(None, "index", None, "dates must be unique and increasing"))
    if problems:
        raise CountDataError(sorted(problems, key=lambda p: p.row or 0))
    offset = regular_offset(dates)
    if offset is None:
        raise CountDataError(
            series_problem(
                None,
                "index",
                None,
                "the dates are not regular (one value per period), so the time covered is "
                "unknown; zero-fill missing periods with daily_counts() or set index.freq",
            )
        )
    naive = naive_index(dates)
    lengths = period_length_days(offset, naive)
    first, last = optional_day(start, "start", dates.tz), optional_day(end, "end", dates.tz)
    if first is not None and last is not None and first > last:
        raise ValueError(f"start {first.date()} is after end {last.date()}")
    keep = np.ones(len(naive), dtype=bool)
    if first is not None:
        keep &= np.asarray(naive >= first)
    if last is not None:
        keep &= np.asarray(naive < last + pd.Timedelta(days=1))
    if not keep.any():
        asked = (
            f"between {first.date()} and {last.date()}"
            if first is not None and last is not None
            else (
                f"on or after {first.date()}" if first is not None else f"by {last and last.date()}"
            )
        )
        raise ValueError(
            f"no periods of the counts start {asked}: the counts run from "
            f"{naive[0].date()} to {naive[-1].date()}"
        )
    _warn_if_window_exceeds_data(counts, naive, lengths, first, last)
    naive, lengths = naive[keep], lengths[keep]
    values = numeric[keep].astype(np.int64)
    period_start = naive
    period_end = naive + pd.to_timedelta(lengths, unit="D")
    # a window recorded by daily_counts: edge periods only partly counted
    if WINDOW_START in counts.attrs and WINDOW_END in counts.attrs:
        w0 = pd.Timestamp(counts.attrs[WINDOW_START])
        w1 = pd.Timestamp(counts.attrs[WINDOW_END]) + pd.Timedelta(days=1)
        lo = np.maximum(period_start.to_numpy(), w0.to_datetime64())
        hi = np.minimum(period_end.to_numpy(), w1.to_datetime64())
        lengths = np.clip((hi - lo) / np.timedelta64(1, "D"), 0.0, None)
    cover_start = period_start[0]
    cover_end = (period_end[-1] - pd.Timedelta(days=1)).normalize()
    if WINDOW_START in counts.attrs and WINDOW_END in counts.attrs:
        cover_start = max(cover_start, pd.Timestamp(counts.attrs[WINDOW_START]))
        cover_end = min(cover_end, pd.Timestamp(counts.attrs[WINDOW_END]))
    if need_dates and lengths.sum() <= 0:
        raise ValueError("the counts cover no time (exposure 0 days)")
    return Counts(
        values=values,
        index=dates[keep],
        offset=offset,
        period_days=np.asarray(lengths, dtype=float),
        start=cover_start,
        end=cover_end,
        name=name,
    )


def _warn_if_window_exceeds_data(
    counts: pd.Series,
    naive: pd.DatetimeIndex,
    lengths: np.ndarray,
    first: pd.Timestamp | None,
    last: pd.Timestamp | None,
) -> None:
    """Warn when start/end reach beyond the counts: only the covered days are used."""
    data_start = naive[0]
    data_end = (
        naive[-1] + pd.to_timedelta(lengths[-1], unit="D") - pd.Timedelta(days=1)
    ).normalize()
    if WINDOW_START in counts.attrs and WINDOW_END in counts.attrs:
        data_start = max(data_start, pd.Timestamp(counts.attrs[WINDOW_START]))
        data_end = min(data_end, pd.Timestamp(counts.attrs[WINDOW_END]))
    before = first is not None and first < data_start
    after = last is not None and last > data_end
    if before or after:
        asked = f"{first.date() if first is not None else '...'} to "
        asked += f"{last.date() if last is not None else '...'}"
        warnings.warn(
            f"the counts cover {data_start.date()} to {data_end.date()}, not all of the "
            f"requested {asked}; the rate uses only the days covered (count the whole window "
            "with daily_counts(table, start=..., end=...) to include days without events)",
            UserWarning,
            stacklevel=4,
        )


def check_total(total: Any, exposure: Any, start: Any, end: Any) -> tuple[int, float]:
    """Validate a reported total and its exposure in days (or start/end dates)."""
    if isinstance(total, bool) or not isinstance(total, int | float | np.number):
        raise ValueError(f"total must be a whole number of events, not {total!r}")
    value = float(total)
    if not math.isfinite(value) or value < 0 or not value.is_integer():
        raise ValueError(f"total must be a whole number of events >= 0, not {total!r}")
    first, last = optional_day(start, "start"), optional_day(end, "end")
    span = None
    if first is not None and last is not None:
        if first > last:
            raise ValueError(f"start {first.date()} is after end {last.date()}")
        span = float((last - first).days + 1)
    if exposure is None:
        if span is None:
            raise ValueError("give exposure= (days) or both start= and end= with total=")
        exposure = span
    if isinstance(exposure, bool) or not isinstance(exposure, int | float | np.number):
        raise ValueError(f"exposure must be a number of days, not {exposure!r}")
    if not math.isfinite(float(exposure)) or float(exposure) <= 0:
        raise ValueError(f"exposure must be a positive number of days, not {exposure!r}")
    if span is not None and not math.isclose(float(exposure), span):
        raise ValueError(
            f"exposure={exposure} days disagrees with start..end ({span:g} days inclusive)"
        )
    return int(value), float(exposure)
