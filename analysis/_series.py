"""One validated series type that every analysis entry point builds from its input.

Rates, trend models and change points (offline and online) all start from
:class:`CountSeries.from_pandas`, so the rules for a usable series are
written once and hold the same everywhere:

* **values** are finite numbers; for counts (``kind="counts"``) also whole,
  non-negative and below 2**53 (beyond that a float64 no longer holds every
  whole number, so sums and likelihoods would be silently wrong). Missing
  values are refused unless the caller allows them (change points skip
  them and say so);
* **the index** is sorted and unique. A date index must also be regular,
  one value per period (a day, a week, a month, ...): a gap is refused with
  the missing dates listed, because the time a count covers would be
  unknown; zero-fill counts with :func:`analysis.counts.count_incidents`, or
  reindex measurements with NaN and allow missing values. Other indexes
  (positions, numbers, durations) are accepted where dates are not needed,
  as an ordered sequence of observations;
* **an empty series** is refused; what a series of one value or of zeros
  means is the caller's to decide (a rate from one day is fine, a change
  point is not);
* **the observation window** (exposure, days covered by each period) is a
  field of the type. A count series made by ``count_incidents(..., start=,
  end=)`` whose first or last period is only partly inside the window
  records that window in ``Series.attrs``; it is read here, once, and the
  type carries it from then on.

Time zones: a tz-aware daily index keeps its zone in :attr:`CountSeries.index`,
and :attr:`CountSeries.local` holds the wall-clock period starts. In zones
whose clocks go forward at midnight (Asia/Beirut; Asia/Jerusalem in some
years) that day starts at 01:00; it is still one day.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import BaseOffset, Day, Tick

from analysis._dates import to_day, to_timedelta
from analysis._format import date_label
from analysis.errors import DataError, Problem

__all__ = [
    "MAX_COUNT",
    "TAILS",
    "WINDOW_END",
    "WINDOW_START",
    "CountSeries",
    "ProvisionalTail",
    "no_tail",
    "regular_offset",
]

#: Largest count accepted: every whole number up to 2**53 is exact in float64.
MAX_COUNT = 2.0**53
#: ``pandas.Series.attrs`` keys with the inclusive window of a count series
WINDOW_START = "window_start"
WINDOW_END = "window_end"
#: largest absolute measurement accepted (its square must not overflow)
_MAX_VALUE = 1e150

Kind = Literal["counts", "values"]


@dataclass(frozen=True)
class CountSeries:
    """A validated series of counts or values per period.

    Build it with :meth:`from_pandas`; never by hand.

    Attributes
    ----------
    values : numpy.ndarray
        float64 values, NaN where missing (only when missing values were allowed).
    index : pandas.Index
        The input's index, unchanged (a time zone is kept).
    name : str
        The series' name (``"count"`` when it has none).
    kind : {"counts", "values"}
        Whole non-negative counts, or real-valued measurements.
    offset : pandas offset or None
        The period of a date index (``Day``, ``Week``, ``MonthBegin``, ...);
        None for an index without dates.
    exposure : numpy.ndarray
        Days covered by each period (a month its length, a partly covered
        edge period its covered part); for an index without dates, ones
        (one step per observation).
    tz : tzinfo or None
        The time zone of a tz-aware date index.
    source : str
        Where the series came from, for messages (a file name or ``<series>``).
    """

    values: np.ndarray
    index: pd.Index
    name: str
    kind: Kind
    offset: BaseOffset | None
    exposure: np.ndarray
    tz: Any
    source: str

    # --- construction -----------------------------------------------------
    @classmethod
    def from_pandas(
        cls,
        data: Any,
        *,
        kind: Kind = "counts",
        what: str = "counts",
        source: str = "<series>",
        allow_missing: bool = False,
        require_dates: bool = True,
        accept_arrays: bool = False,
    ) -> CountSeries:
        """Validate a pandas Series and return it as a :class:`CountSeries`.

        Parameters
        ----------
        data : pandas.Series
            The series (a one-column DataFrame, an array or a list too when
            ``accept_arrays``; they get positions 0, 1, ... as index).
        kind : {"counts", "values"}
            What the values must be.
        what : str
            The parameter's name, for messages (``"counts"``, ``"y"``).
        source : str
            The file the series came from, for messages.
        allow_missing : bool
            Keep NaN values (they stay NaN in :attr:`values`) instead of refusing them.
        require_dates : bool
            Refuse an index that holds no dates.
        accept_arrays : bool
            Also accept arrays, lists and one-column DataFrames.

        Raises
        ------
        TypeError
            For a wrong type of input or of index.
        analysis.errors.DataError
            For bad values or a bad index, with every problem found: row
            numbers count the header of a CSV file as row 1.

        Examples
        --------
        >>> s = pd.Series([0, 3, 1], index=pd.date_range("2024-01-01", periods=3))
        >>> cs = CountSeries.from_pandas(s)
        >>> cs.total, cs.total_exposure, cs.offset
        (4, 3.0, <Day>)
        >>> CountSeries.from_pandas(pd.Series([1, -1], index=s.index[:2]))
        Traceback (most recent call last):
        ...
        analysis.errors.DataError: 1 bad value(s) in 'count':
          <series>, row 3, column 'count': negative count on 2024-01-02 (value '-1')
        """
        series = _as_series(data, what, accept_arrays)
        if isinstance(series.index, pd.PeriodIndex):  # periods as their start dates
            series = series.to_timestamp(how="start")
        name = "count" if series.name is None else str(series.name)
        if len(series) == 0:
            raise DataError(Problem(source, None, name, None, f"{what} is empty"))
        values = _values(series, name, kind, source, allow_missing)
        index = series.index
        if isinstance(index, pd.DatetimeIndex):
            offset, lengths = _date_grid(index, name, source, what)
            lengths = _window(series, index, offset, lengths)
            tz = getattr(index, "tz", None)
        else:
            if require_dates:
                raise TypeError(
                    f"{what} must have a DatetimeIndex (period starts) to know the time it "
                    f"covers (got {type(index).__name__}); build it with "
                    "analysis.count_incidents or set index = pd.to_datetime(...)"
                )
            _ordered(index, name, source, what)
            offset, lengths, tz = None, np.ones(len(index)), None
        return cls(values, index, name, kind, offset, lengths, tz, source)

    # --- views ------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of periods."""
        return int(self.values.size)

    @property
    def has_dates(self) -> bool:
        """True for a date (or period) index."""
        return self.offset is not None

    @property
    def daily(self) -> bool:
        """True when the periods are single calendar days."""
        return isinstance(self.offset, Day) and self.offset.n == 1

    @property
    def missing(self) -> np.ndarray:
        """Boolean mask of missing values."""
        return np.isnan(self.values)

    @property
    def counts(self) -> np.ndarray:
        """The values as int64 counts (only for ``kind="counts"`` without missing values)."""
        if self.kind != "counts" or self.missing.any():
            raise TypeError("only a count series without missing values has integer counts")
        return self.values.astype(np.int64)

    @property
    def total(self) -> int | float:
        """Sum of the non-missing values (an int for counts)."""
        s = float(np.nansum(self.values))
        return int(s) if self.kind == "counts" else s

    @property
    def total_exposure(self) -> float:
        """Days covered, rounded to 1e-9 day (24 hourly periods make exactly 1 day)."""
        return float(round(float(self.exposure.sum()), 9))

    @property
    def local(self) -> pd.DatetimeIndex:
        """Wall-clock period starts without time zone (``freq`` set), for date indexes."""
        if self.offset is None:
            raise TypeError("this series has no dates")
        out = _wall_clock(self.index, self.daily)
        if len(out) > 1 and out.freq != self.offset:
            out = pd.DatetimeIndex(out, freq=self.offset)
        return pd.DatetimeIndex(out)

    @property
    def first_day(self) -> pd.Timestamp | None:
        """First local day covered (naive); None when a single clipped period leaves it unknown.

        An edge period only partly inside the window recorded by
        :func:`analysis.counts.count_incidents` covers its last days (the
        first period) or its first days (the last period).
        """
        return self._covered()[0]

    @property
    def last_day(self) -> pd.Timestamp | None:
        """Last local day covered, inclusive (naive); None when unknown (see :attr:`first_day`)."""
        return self._covered()[1]

    def _covered(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        if self.offset is None:
            return None, None
        # only the first and the last period matter: not the whole index (speed)
        starts = _wall_clock(self.index[[0, self.n - 1]], self.daily)
        ends = starts + self.offset
        full = np.asarray((ends - starts) / pd.Timedelta(days=1), dtype=float)
        if self.n == 1 and not math.isclose(self.exposure[0], full[0]):
            return None, None
        first = ends[0] - _days(self.exposure[0])
        stop = starts[-1] + _days(self.exposure[-1])  # exclusive
        return first.normalize(), (stop - pd.Timedelta(1, unit=stop.unit)).normalize()

    def problem(self, message: str, value: str | None = None) -> DataError:
        """A DataError about the whole series (no single row)."""
        return DataError(Problem(self.source, None, self.name, value, message))

    def to_series(self) -> pd.Series:
        """The values on the original index."""
        return pd.Series(self.values, index=self.index, name=self.name)

    def take(self, mask: np.ndarray | slice) -> CountSeries:
        """The periods where ``mask`` is True (or in a slice of positions), as a new CountSeries."""
        return replace(
            self, values=self.values[mask], index=self.index[mask], exposure=self.exposure[mask]
        )

    def window(self, start: Any = None, end: Any = None) -> CountSeries:
        """The periods that start in ``[start, end]`` (local days, inclusive).

        Warns when the window reaches beyond the data: only the days covered count.

        Raises
        ------
        ValueError
            When ``start`` is after ``end``, either is not a date, or no period is left.
        """
        if start is None and end is None:
            return self
        if self.offset is None:
            raise TypeError("start/end need a series with dates")
        first = None if start is None else to_day(start, "start", self.tz)
        last = None if end is None else to_day(end, "end", self.tz)
        if first is not None and last is not None and first > last:
            raise ValueError(f"start {first.date()} is after end {last.date()}")
        local = self.local
        keep = np.ones(self.n, dtype=bool)
        if first is not None:
            keep &= np.asarray(local >= first)
        if last is not None:
            keep &= np.asarray(local < last + pd.Timedelta(days=1))
        lo, hi = self._covered()
        if not keep.any():
            raise ValueError(
                f"no periods of the {self.name!r} series start between "
                f"{first.date() if first is not None else '...'} and "
                f"{last.date() if last is not None else '...'}: it runs from "
                f"{_day_text(lo or self.local[0])} to {_day_text(hi)}"
            )
        if (first is not None and lo is not None and first < lo) or (
            last is not None and hi is not None and last > hi
        ):
            warnings.warn(
                f"the counts cover {_day_text(lo)} to {_day_text(hi)}, not all "
                f"of the requested {first.date() if first is not None else '...'} to "
                f"{last.date() if last is not None else '...'}; only the days covered are used "
                "(count the whole window with count_incidents(table, start=..., end=...) to "
                "include days without events)",
                UserWarning,
                stacklevel=3,
            )
        return self.take(keep)

    # --- the newest days ----------------------------------------------------
    def provisional(self, vintage: Any, provisional: Any = "3D") -> ProvisionalTail:
        """Which periods fall in the provisional tail before the data ``vintage``.

        Counts for the newest days are often incomplete when the data are
        drawn: collectors lag and data sets are revised. The provisional
        window is the ``provisional`` duration that ends with the vintage day
        (inclusive): ``"3D"`` with a vintage of 2024-10-12 makes 2024-10-10,
        -11 and -12 provisional, ``"1D"`` only the vintage day, ``0`` none. A
        period is provisional when any of the time it covers lies in that
        window (a week that contains a provisional day is incomplete as a
        whole); a period that covers only time after the vintage day has not
        been observed at all and is marked in ``after``.

        Parameters
        ----------
        vintage : str, date or Timestamp
            The date the data were drawn (a local day; a time with an offset
            is read on its day in the series' time zone). Numbers are refused.
        provisional : str, Timedelta or 0, default "3D"
            How much time up to the end of the vintage day is provisional.

        Returns
        -------
        ProvisionalTail
            ``mask`` (provisional periods), ``after`` (periods wholly after
            the vintage day), the provisional ``dates`` and their ``days``.

        Raises
        ------
        ValueError
            For a vintage that is a number or not a date, a negative or
            unreadable ``provisional``, or events counted in periods after
            the vintage (data cannot come from after the day they were drawn).
        TypeError
            For a series without dates.

        Examples
        --------
        >>> s = pd.Series([4, 5, 3, 1], index=pd.date_range("2024-10-09", periods=4))
        >>> tail = CountSeries.from_pandas(s).provisional("2024-10-12", "3D")
        >>> tail.mask.tolist(), tail.days
        ([False, True, True, True], 3)
        >>> CountSeries.from_pandas(s).provisional(20241012)
        Traceback (most recent call last):
        ...
        ValueError: vintage=20241012 is a number, not a date: write it as text such as '2023-01-01'
        """
        window = _provisional_window(provisional)
        if self.offset is None:
            raise TypeError("vintage= needs a series with dates")
        day = to_day(vintage, "vintage", self.tz)
        stop = day + pd.Timedelta(days=1)  # the end of the vintage day (exclusive)
        lo, hi = self._spans()
        after = np.asarray(lo >= stop)
        mask = np.asarray(hi > stop - window) & ~after
        late = after & (np.nan_to_num(self.values) > 0)
        if late.any():
            where = self.local[late]
            shown = ", ".join(date_label(d) for d in where[:5]) + (" ..." if late.sum() > 5 else "")
            raise ValueError(
                f"vintage={date_label(day)}: the counts hold {int(np.nansum(self.values[late]))} "
                f"event(s) in {int(late.sum())} period(s) after that day ({shown}); data cannot "
                "come from after the date they were drawn: give the date the data were drawn "
                "as vintage, or cut the series at it"
            )
        if mask.any():
            first = lo[int(np.flatnonzero(mask)[0])].normalize()
            last_stop = min(hi[int(np.flatnonzero(mask)[-1])], stop)
            dates = pd.date_range(
                first, (last_stop - pd.Timedelta(1, unit=last_stop.unit)).normalize(), freq="D"
            )
        else:
            dates = pd.DatetimeIndex([])
        return ProvisionalTail(
            vintage=day,
            window=window,
            mask=mask,
            after=after,
            dates=pd.DatetimeIndex(dates),
            events=int(np.nansum(self.values[mask])),
        )

    def with_vintage(
        self, vintage: Any, provisional: Any = "3D", tail: str = "exclude"
    ) -> tuple[CountSeries, ProvisionalTail | None]:
        """The series with its provisional tail left out (``tail="exclude"``) or kept ("flag").

        Periods wholly after the vintage day are left out in both cases:
        they were not observed, so their zeros are not counts (a period with
        events there is refused, see :meth:`provisional`). With ``vintage``
        None the series is returned unchanged, with no tail.

        Raises
        ------
        ValueError
            For an unknown ``tail``, a bad ``vintage`` or ``provisional``
            (see :meth:`provisional`), or when no period is left.

        Examples
        --------
        >>> s = pd.Series([4, 5, 3, 1], index=pd.date_range("2024-10-09", periods=4))
        >>> kept, tail = CountSeries.from_pandas(s).with_vintage("2024-10-12", "2D")
        >>> kept.total, tail.days, tail.events
        (9, 2, 4)
        """
        if tail not in TAILS:
            raise ValueError(f"unknown tail={tail!r}: use 'exclude' or 'flag'")
        if vintage is None:
            _provisional_window(provisional)
            return self, None
        info = replace(self.provisional(vintage, provisional), tail=tail)
        drop = info.after | info.mask if tail == "exclude" else info.after
        if drop.all():
            raise ValueError(
                f"vintage={date_label(info.vintage)} with provisional="
                f"{_duration_text(info.window)} leaves no period of the {self.name!r} series "
                f"({_day_text(self.first_day or self.local[0])} to {_day_text(self.last_day)}): "
                "every period is provisional or after the vintage; give a shorter provisional "
                "window, or tail='flag' to keep the provisional days"
            )
        return (self.take(~drop) if drop.any() else self), info

    def _spans(self) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
        """Local start and (exclusive) end of the time each period covers."""
        assert self.offset is not None  # callers check for dates
        starts = self.local
        full = np.asarray(((starts + self.offset) - starts) / pd.Timedelta(days=1), dtype=float)
        shift = np.zeros(self.n)
        shift[0] = full[0] - self.exposure[0]  # a clipped first period covers its last days
        lo = starts + pd.to_timedelta(shift, unit="D").round("ms")
        hi = lo + pd.to_timedelta(self.exposure, unit="D").round("ms")
        return pd.DatetimeIndex(lo), pd.DatetimeIndex(hi)


#: What ``tail=`` may ask for the provisional newest days.
TAILS = ("exclude", "flag")


@dataclass(frozen=True, eq=False)
class ProvisionalTail:
    """The provisional newest days of a count series before its data vintage.

    Made by :meth:`CountSeries.provisional`; rates and trend models carry it
    so that their summaries say the same thing in the same words.

    Attributes
    ----------
    vintage : pandas.Timestamp
        The day the data were drawn (naive local midnight).
    window : pandas.Timedelta
        The provisional duration ending with the vintage day.
    mask, after : numpy.ndarray
        Per period of the series it was made from: provisional; wholly after
        the vintage day (not observed).
    dates : pandas.DatetimeIndex
        The local days treated as provisional (covered by provisional
        periods, up to the vintage day).
    events : int
        Events counted in the provisional periods.
    tail : {"exclude", "flag"}
        What was done with them.
    """

    vintage: pd.Timestamp
    window: pd.Timedelta
    mask: np.ndarray
    after: np.ndarray
    dates: pd.DatetimeIndex
    events: int
    tail: str = "exclude"

    @property
    def days(self) -> int:
        """Number of days treated as provisional."""
        return len(self.dates)

    @property
    def periods(self) -> int:
        """Number of provisional periods."""
        return int(self.mask.sum())

    def summary(self) -> str:
        """One sentence: the vintage, how many days were provisional, their dates, what was done.

        Examples
        --------
        >>> s = pd.Series([4, 5, 3, 1], index=pd.date_range("2024-10-09", periods=4))
        >>> print(CountSeries.from_pandas(s).provisional("2024-10-12", "2D").summary())
        Data drawn 2024-10-12: 2 provisional days (2024-10-11 to 2024-10-12, 4 events) left out.
        """
        head = f"Data drawn {date_label(self.vintage)}: "
        if self.days == 0:
            text = head + (
                f"no data in the provisional {_duration_text(self.window)} up to it"
                if self.window > pd.Timedelta(0)
                else "no provisional days (provisional=0)"
            )
        else:
            span = (
                date_label(self.dates[0])
                if self.days == 1
                else f"{date_label(self.dates[0])} to {date_label(self.dates[-1])}"
            )
            what = (
                "left out"
                if self.tail == "exclude"
                else "kept, but they may be incomplete (late reports still to come), so the "
                "newest rates may be too low"
            )
            text = (
                head + f"{self.days} provisional day{'s' if self.days != 1 else ''} ({span}, "
                f"{self.events} event{'s' if self.events != 1 else ''}) {what}"
            )
        n_after = int(self.after.sum())
        if n_after:
            text += (
                f"; {n_after} period{'s' if n_after != 1 else ''} after the vintage "
                "(not yet observed, no events) left out"
            )
        return text + "."

    def to_dict(self) -> dict[str, Any]:
        """``vintage, tail, provisional_days, provisional_dates, ...`` as JSON values."""
        return {
            "vintage": self.vintage.date().isoformat(),
            "provisional": _duration_text(self.window),
            "tail": self.tail,
            "provisional_days": self.days,
            "provisional_dates": [d.date().isoformat() for d in self.dates],
            "provisional_events": self.events,
            "after_vintage_periods": int(self.after.sum()),
        }


def no_tail() -> dict[str, Any]:
    """The keys of :meth:`ProvisionalTail.to_dict` when no vintage was given."""
    return {
        "vintage": None,
        "provisional": None,
        "tail": None,
        "provisional_days": 0,
        "provisional_dates": [],
        "provisional_events": 0,
        "after_vintage_periods": 0,
    }


def _provisional_window(value: Any) -> pd.Timedelta:
    """``provisional=`` as a duration >= 0: a duration text or Timedelta, or the number 0."""
    if isinstance(value, int | float | np.number) and not isinstance(value, bool) and value == 0:
        return pd.Timedelta(0)
    window = to_timedelta(value, "provisional", positive=False)
    if window < pd.Timedelta(0):
        raise ValueError(f"provisional={value!r} must not be negative (use 0 for none)")
    return window


def _duration_text(delta: pd.Timedelta) -> str:
    days = delta / pd.Timedelta(days=1)
    return f"{days:g}D" if float(days).is_integer() else str(delta)


# --- helpers ----------------------------------------------------------------
def _wall_clock(index: pd.Index, daily: bool) -> pd.DatetimeIndex:
    """Naive wall-clock period starts of a date index (midnights for daily periods)."""
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp()
    assert isinstance(index, pd.DatetimeIndex)
    out = index.tz_localize(None) if index.tz is not None else index
    if daily:
        out = _midnights(out)  # a day that starts at 01:00 (clocks forward at midnight)
    return out


def _midnights(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """``index.normalize()``, returning ``index`` itself when it holds midnights only.

    ``normalize`` infers the frequency of its result, a pass over a long
    index that costs far more than the check (speed only: the values are
    the same).
    """
    return index if index.is_normalized else index.normalize()


def _days(x: float) -> pd.Timedelta:
    """A length in days as a Timedelta, to the millisecond (1/24 day is not exact in float)."""
    return pd.to_timedelta(float(x), unit="D").round("ms")


def _day_text(day: pd.Timestamp | None) -> str:
    return "..." if day is None else str(day.date())


def _as_series(data: Any, what: str, accept_arrays: bool) -> pd.Series:
    if isinstance(data, pd.Series):
        return data
    if isinstance(data, pd.DataFrame):
        if accept_arrays and data.shape[1] == 1:
            return data.iloc[:, 0]
        raise TypeError(
            f"{what} must be a Series, not a DataFrame with {data.shape[1]} columns; "
            f"pass one column, e.g. {what}['drone']"
        )
    if accept_arrays and isinstance(data, np.ndarray | list | tuple):
        arr = np.asarray(data)
        if arr.ndim != 1:
            raise TypeError(f"{what} must be one-dimensional, not of shape {arr.shape}")
        return pd.Series(arr)
    raise TypeError(f"{what} must be a pandas Series, not {type(data).__name__}")


def _row(source: str, pos: int, column: str, value: Any, index: pd.Index, message: str) -> Problem:
    label = index[pos]
    where = f" on {date_label(pd.Timestamp(label))}" if _is_date(label) else ""
    return Problem(source, int(pos) + 2, column, str(value), f"{message}{where}")


def _is_date(label: Any) -> bool:
    return isinstance(label, pd.Timestamp | pd.Period)


def _values(
    series: pd.Series, name: str, kind: Kind, source: str, allow_missing: bool
) -> np.ndarray:
    raw = series.to_numpy()
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iu":
        # numpy integers are whole, finite and never missing: when they are in range as
        # well, the checks below would find nothing (speed)
        numeric = raw.astype(float)
        if numeric.size and (
            (numeric.min() >= 0 and numeric.max() < MAX_COUNT)
            if kind == "counts"
            else np.abs(numeric).max() <= _MAX_VALUE
        ):
            return numeric
    if pd.api.types.is_bool_dtype(series.dtype):
        numeric = raw.astype(float)
        text_bad = np.zeros(raw.size, dtype=bool)
    elif pd.api.types.is_numeric_dtype(series.dtype):
        numeric = series.to_numpy(dtype=float, na_value=np.nan)
        text_bad = np.zeros(raw.size, dtype=bool)
    else:
        coerced = pd.to_numeric(series, errors="coerce")
        numeric = coerced.to_numpy(dtype=float, na_value=np.nan)
        text_bad = np.isnan(numeric) & series.notna().to_numpy()
    nan = np.isnan(numeric) & ~text_bad
    finite = np.where(np.isfinite(numeric), numeric, 0.0)
    checks: list[tuple[np.ndarray, str]] = [
        (text_bad, "not a number"),
        (np.isinf(numeric), "infinite value"),
    ]
    if not allow_missing:
        hint = " (zero-fill counts with count_incidents)" if kind == "counts" else ""
        checks.append((nan, f"missing value{hint}"))
    if kind == "counts":
        checks += [
            (finite < 0, "negative count"),
            ((finite >= 0) & (finite != np.round(finite)), "not a whole number (counts only)"),
            (finite >= MAX_COUNT, "count too large (at most 2**53 is exact)"),
        ]
    else:
        checks.append((np.abs(finite) > _MAX_VALUE, "value too large (rescale the series)"))
    problems = []
    for mask, message in checks:
        for pos in np.flatnonzero(mask).tolist():
            problems.append(_row(source, pos, name, raw[pos], series.index, message))
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise DataError(problems, header=f"{len(problems)} bad value(s) in {name!r}")
    return numeric


def _ordered(index: pd.Index, name: str, source: str, what: str) -> None:
    """Refuse duplicate or unordered labels of an index without dates."""
    if index.is_monotonic_increasing and index.is_unique:
        return
    problems = []
    for pos in np.flatnonzero(index.duplicated()).tolist()[:50]:
        problems.append(Problem(source, pos + 2, "index", str(index[pos]), "duplicate label"))
    try:
        order = np.asarray(index)
        back = np.flatnonzero(order[1:] < order[:-1]) + 1
    except TypeError:
        back = np.array([], dtype=int)
    for pos in back.tolist()[:50]:
        problems.append(
            Problem(source, pos + 2, "index", str(index[pos]), "label before the row above")
        )
    if not problems:
        problems.append(Problem(source, None, "index", None, "labels are not increasing"))
    raise DataError(
        problems, header=f"the index of {what} ({name!r}) is not sorted and unique; sort it"
    )


def regular_offset(index: pd.DatetimeIndex | pd.PeriodIndex) -> BaseOffset | None:
    """The period of a regular date index (set or inferred), else None.

    Consecutive local days labelled at the start of each day are daily, also
    in a zone whose clocks go forward at midnight (that day starts at 01:00).
    A single value has no inferable period (None).

    Examples
    --------
    >>> regular_offset(pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-03"]))
    <Day>
    >>> regular_offset(pd.DatetimeIndex(["2024-01-01", "2024-01-03"])) is None
    True
    """
    if isinstance(index, pd.PeriodIndex):
        return index.freq
    if index.freq is not None:
        return index.freq
    if len(index) < 2:
        return None
    local = index.tz_localize(None) if index.tz is not None else index
    days = _midnights(local)
    if (local - days).max() <= pd.Timedelta(hours=2):
        steps = np.diff(days.asi8)  # in the index's own unit (dates past 2262 need no ns)
        one_day = int(np.timedelta64(1, "D").astype(f"timedelta64[{days.unit}]").astype(np.int64))
        if bool((steps == one_day).all()) and (index.tz is not None or bool((local == days).all())):
            return Day()
    if len(index) < 3:
        return None
    with warnings.catch_warnings():  # pandas 3 warns that a later version returns an offset
        warnings.simplefilter("ignore")
        inferred = getattr(local, "inferred_freq", None)
    return None if inferred is None else to_offset(inferred)


def _date_grid(
    index: pd.DatetimeIndex | pd.PeriodIndex, name: str, source: str, what: str
) -> tuple[BaseOffset, np.ndarray]:
    """The period of a date index and the days in each period; every flaw is a problem."""
    if isinstance(index, pd.PeriodIndex):
        local = index.to_timestamp()
    else:
        local = index.tz_localize(None) if index.tz is not None else index
    problems = []
    # strictly increasing dates have neither duplicates nor steps back: one pass, no hashing
    increasing = len(local) < 2 or bool((np.diff(local.asi8) > 0).all())
    for pos in [] if increasing else np.flatnonzero(local.duplicated()).tolist()[:50]:
        problems.append(Problem(source, pos + 2, name, date_label(local[pos]), "duplicate date"))
    if len(local) > 1 and not increasing:
        back = np.flatnonzero(np.diff(local.asi8) < 0) + 1
        for pos in back.tolist()[:50]:
            problems.append(
                Problem(
                    source,
                    pos + 2,
                    name,
                    date_label(local[pos]),
                    f"date earlier than the row above ({date_label(local[pos - 1])}); "
                    "sort the series",
                )
            )
    if problems:
        raise DataError(problems, header=f"the index of {what} ({name!r}) is not a time line")
    offset = regular_offset(index)
    if offset is None:
        offset = Day() if len(local) == 1 else _modal_step(local)
        grid_start = local[0].normalize() if isinstance(offset, Day) else local[0]
        expected = pd.date_range(grid_start, periods=1, freq=offset)
        if len(local) > 1:
            expected = pd.date_range(grid_start, local[-1], freq=offset)
        daily = isinstance(offset, Day) and offset.n == 1
        compare = _midnights(local) if daily else local
        missing = expected.difference(compare)
        extra = compare.difference(expected)
        for date in missing[:50]:
            problems.append(
                Problem(
                    source,
                    None,
                    name,
                    date_label(date),
                    "missing period (a gap): zero-fill counts with count_incidents(), or "
                    "reindex measurements with NaN",
                )
            )
        for date in extra[:50]:
            row = int(compare.searchsorted(date)) + 2
            problems.append(
                Problem(source, row, name, date_label(date), f"date off the {offset.freqstr} grid")
            )
        if problems:
            raise DataError(
                problems,
                header=f"{what} ({name!r}) is not a regular series at period "
                f"{offset.freqstr!r} ({len(missing)} missing period(s))",
            )
    if isinstance(offset, Day | Tick):  # naive local times: every period is as long (speed)
        step = pd.Timedelta(days=offset.n) if isinstance(offset, Day) else pd.Timedelta(offset)
        return offset, np.full(len(local), step / pd.Timedelta(days=1))
    starts = _midnights(local) if isinstance(offset, Day) and offset.n == 1 else local
    ends = starts + offset
    lengths = np.asarray((ends - starts) / pd.Timedelta(days=1), dtype=float)
    return offset, lengths


def _modal_step(local: pd.DatetimeIndex) -> BaseOffset:
    """The most common step, in whole days when it is one (a calendar ``nD`` offset)."""
    step = pd.Series(np.diff(local.asi8)).mode().iloc[0]
    delta = pd.Timedelta(int(step), unit=local.unit)
    if delta % pd.Timedelta(days=1) == pd.Timedelta(0):
        out = to_offset(f"{delta // pd.Timedelta(days=1)}D")
    else:
        out = to_offset(delta)
    assert out is not None
    return out


def _window(
    series: pd.Series, index: pd.Index, offset: BaseOffset, lengths: np.ndarray
) -> np.ndarray:
    """Clip the edge periods to the window recorded by count_incidents, if any."""
    if WINDOW_START not in series.attrs or WINDOW_END not in series.attrs:
        return lengths
    w0 = pd.Timestamp(series.attrs[WINDOW_START]).to_datetime64()
    w1 = (pd.Timestamp(series.attrs[WINDOW_END]) + pd.Timedelta(days=1)).to_datetime64()
    if isinstance(index, pd.PeriodIndex):
        local = index.to_timestamp()
    else:
        assert isinstance(index, pd.DatetimeIndex)
        local = index.tz_localize(None) if index.tz is not None else index
    if isinstance(offset, Day) and offset.n == 1:
        local = _midnights(local)
    starts = local.to_numpy()
    ends = starts + pd.to_timedelta(lengths, unit="D").to_numpy()
    lo = np.maximum(starts, w0)
    hi = np.minimum(ends, w1)
    return np.clip((hi - lo) / np.timedelta64(1, "D"), 0.0, None).astype(float)
