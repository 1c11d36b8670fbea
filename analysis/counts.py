"""Incidents to regular, zero-filled count series.

:func:`count_incidents` turns an incident table (one row per incident, or per
record of one) into a count per period: per day by default, per week, month,
year or any fixed or calendar period. Periods with no events are ``0``, never
missing, so that the number of periods is the time covered, which is what the
rate estimators in :mod:`analysis.rates` rely on. (``daily_counts`` is its
old, deprecated name.)

Date precision: a record whose ``time_precision`` is a week, a month or a year is
never silently counted on its first day: by default a count uses only records
precise enough for its period and reports the others (``precision="exclude"``);
``precision="spread"`` spreads them over their possible days (expected counts,
which the rate functions refuse).

Time zones: tz-aware times (the Home Front Command alerts are
``Asia/Jerusalem``) are counted by their *local* calendar date, and the index
keeps the zone, so a daylight-saving day is one day like any other. Naive
times are counted as they are.

Files larger than memory: :func:`count_incidents` also takes Parquet or CSV files
(a path, glob or list) and aggregates them with DuckDB; :func:`count_alert_incidents`
clusters alert rows in such files into incidents (country-wide, within a gap) and
counts those, exactly as ``alerts_to_incidents`` followed by ``count_incidents``
would in memory.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import warnings
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import (
    BaseOffset,
    Day,
    MonthBegin,
    QuarterBegin,
    Tick,
    Week,
    YearBegin,
)

from analysis._dates import AmbiguousDatesError, parse_datetime_column, to_day
from analysis._series import MAX_COUNT, WINDOW_END, WINDOW_START
from analysis.errors import DataError, Problem

__all__ = [
    "PRECISION_MODES",
    "CountDataError",
    "ImpreciseDatesWarning",
    "count_alert_incidents",
    "count_incidents",
    "daily_counts",
    "period_offset",
]

_TABLE = "<table>"


class CountDataError(DataError, ValueError):
    """Bad counts or incident rows: a :class:`~analysis.errors.DataError` that is also a ValueError.

    It carries every :class:`~analysis.errors.Problem` (file, row, column,
    value, message) like any ``DataError``, and ``except ValueError`` catches
    it too, as it would for any bad value passed to a numerical function.
    """


class ImpreciseDatesWarning(UserWarning):
    """Records coarser than the period were counted on their start day (precision="ignore")."""


#: How :func:`count_incidents` treats records whose ``time_precision`` is coarser
#: than the counting period: leave them out (default), spread them, or ignore it.
PRECISION_MODES = ("exclude", "spread", "ignore")

#: The words of ``time_precision``, finest first (``analysis.io._events.PRECISIONS``;
#: a test keeps the two equal). Codes are positions: 0-3 are a day or finer.
_PRECISIONS = ("second", "minute", "hour", "day", "week", "month", "year")
_DAY = 3
#: length of a sub-day precision in nanoseconds (a fixed-length count uses a record
#: only when the period is a whole number of these)
_PRECISION_NS = (10**9, 60 * 10**9, 3600 * 10**9, 86_400 * 10**9)
_PRECISION_PROBLEM = "missing or unknown time_precision (one of " + ", ".join(_PRECISIONS) + ")"


def _check_precision_mode(precision: str) -> str:
    if precision not in PRECISION_MODES:
        raise ValueError(
            f"precision must be one of {', '.join(map(repr, PRECISION_MODES))}, not {precision!r}"
        )
    return precision


def _precision_codes(raw: pd.Series) -> np.ndarray:
    """Code (position in :data:`_PRECISIONS`) of each row's ``time_precision``; bad rows refused."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    lookup = {w: i for i, w in enumerate(_PRECISIONS)}
    mapped = np.array(
        [lookup.get(str(u).strip().lower(), -1) for u in uniques] + [-1], dtype=np.int64
    )
    out = mapped[codes]  # sentinel -1 picks the trailing -1
    bad = np.flatnonzero(out < 0)
    if len(bad):
        raise _fail("time_precision", _PRECISION_PROBLEM, bad, raw.iloc[bad].tolist())
    return out.astype(np.int8)


def _tick_usable(offset: BaseOffset) -> np.ndarray:
    """Which precision codes a fixed-length period (hours, minutes) can use."""
    step = int(offset.nanos)
    usable = np.zeros(len(_PRECISIONS), dtype=bool)
    for code, length in enumerate(_PRECISION_NS):
        usable[code] = length <= step and step % length == 0
    return usable


def _possible_days(days: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and (exclusive) last day number a record can have fallen on.

    ``days`` is the day number of each record's ``start``, the date its source
    gives (never moved by the loaders). A week is the 7 days from ``start`` (UCDP's
    window starts at ``date_start``); a month is the calendar month of ``start``; a
    year its calendar year; a day or finer is its day.
    """
    d = days.astype(np.int64)
    lo, hi = d.copy(), d + 1
    week = codes == 4
    hi[week] = d[week] + 7
    for code, unit in ((5, "M"), (6, "Y")):
        sel = codes == code
        if sel.any():
            period = d[sel].astype("datetime64[D]").astype(f"datetime64[{unit}]")
            lo[sel] = period.astype("datetime64[D]").astype(np.int64)
            hi[sel] = (period + 1).astype("datetime64[D]").astype(np.int64)
    return lo, hi


def _aggregate_imprecise(
    days: np.ndarray, codes: np.ndarray, groups: np.ndarray, weights: np.ndarray, rows: np.ndarray
) -> pd.DataFrame:
    """Records coarser than a day, summed per (group, precision, day), in sorted order.

    The in-memory and the file paths both place these sums, so that the two give
    exactly the same (floating-point) expected counts.
    """
    frame = pd.DataFrame(
        {
            "g": groups.astype(np.int64),
            "p": codes.astype(np.int64),
            "d": days.astype(np.int64),
            "w": weights.astype(np.int64),
            "n": rows.astype(np.int64),
        }
    )
    return frame.groupby(["g", "p", "d"], sort=True, as_index=False)[["w", "n"]].sum()


def _place_imprecise(
    agg: pd.DataFrame,
    mode: str,
    lookup: np.ndarray | None,
    first_day: int,
    n_days: int,
    n_periods: int,
    n_groups: int,
) -> tuple[np.ndarray, dict[str, int]]:
    """Counts (float, period-major per group) of records coarser than a day, and those left out.

    ``exclude``: a record is counted on its start day when all its possible days
    lie in one period of the window, else left out (and counted in the returned
    dict, by precision, when any of its possible days is in the window).
    ``spread``: each record adds ``weight / L`` to each of its ``L`` possible days
    in the window (its expected count there). Written by hand (a difference array
    and a cumulative sum per group) because neither pandas nor statsmodels spreads
    intervals over bins; the dict then holds the records spread, by precision.
    """
    total = np.zeros(n_periods * n_groups, dtype=np.float64)
    info: dict[str, int] = {}
    if len(agg) == 0:
        return total, info
    g = agg["g"].to_numpy()
    p = agg["p"].to_numpy()
    w = agg["w"].to_numpy().astype(np.float64)
    n = agg["n"].to_numpy()
    lo, hi = _possible_days(agg["d"].to_numpy(), p)
    a = np.clip(lo - first_day, 0, n_days)
    b = np.clip(hi - first_day, 0, n_days)
    touches = b > a

    def period(rel: np.ndarray) -> np.ndarray:
        return rel if lookup is None else lookup[rel]

    if mode == "exclude":
        inside = (lo >= first_day) & (hi - 1 < first_day + n_days)
        start_rel = np.clip(agg["d"].to_numpy() - first_day, 0, max(n_days - 1, 0))
        same = period(np.clip(a, 0, max(n_days - 1, 0))) == period(
            np.clip(b - 1, 0, max(n_days - 1, 0))
        )
        usable = inside & same
        np.add.at(total, period(start_rel[usable]) + g[usable] * n_periods, w[usable])
        left = ~usable & touches
        for code in np.unique(p[left]):
            info[_PRECISIONS[int(code)]] = int(n[left & (p == code)].sum())
        return total, info
    share = w / (hi - lo)
    diff = np.zeros(n_groups * (n_days + 1), dtype=np.float64)
    np.add.at(diff, g * (n_days + 1) + a, share)
    np.add.at(diff, g * (n_days + 1) + b, -share)
    daily = np.cumsum(diff.reshape(n_groups, n_days + 1), axis=1)[:, :n_days]
    bins = period(np.arange(n_days))
    for j in range(n_groups):
        total[j * n_periods : (j + 1) * n_periods] = np.bincount(
            bins, weights=daily[j], minlength=n_periods
        )
    total[np.abs(total) < 1e-9] = 0.0  # the cumulative sum's rounding after a record ends
    for code in np.unique(p[touches]):
        info[_PRECISIONS[int(code)]] = int(n[touches & (p == code)].sum())
    return total, info


def period_offset(freq: str | BaseOffset) -> BaseOffset:
    """Return the pandas offset of a counting period, labelled by its start.

    ``"W"`` means weeks starting on Monday (``"W-MON"``); an explicitly
    anchored week such as ``"W-SUN"`` means weeks starting on that day.
    Start-anchored calendar periods (``"MS"``, ``"QS"``, ``"YS"``), days
    (``"D"``, ``"2D"``) and fixed lengths (``"h"``, ``"30min"``) are accepted;
    end-anchored or business periods (``"ME"``, ``"YE"``, ``"B"``) are not,
    because the index labels the start of each period.

    Parameters
    ----------
    freq : str or pandas offset
        A pandas offset alias.

    Returns
    -------
    pandas.tseries.offsets.BaseOffset

    Raises
    ------
    ValueError
        For an unknown alias or one that is not a period labelled by its start.

    Examples
    --------
    >>> period_offset("W")
    <Week: weekday=0>
    >>> period_offset("MS")
    <MonthBegin>
    """
    if isinstance(freq, str) and freq.strip().upper() in {"W", "1W"}:
        freq = "W-MON"
    try:
        offset = to_offset(freq)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"unknown frequency {freq!r}: {exc}") from exc
    if offset is None or offset.n < 1:
        raise ValueError(f"frequency {freq!r} must be a positive period such as 'D', 'W', 'MS'")
    if isinstance(offset, Week) and getattr(offset, "weekday", None) is None:
        raise ValueError(f"frequency {freq!r}: use an anchored week such as 'W' or 'W-MON'")
    if not isinstance(offset, Tick | Day | Week | MonthBegin | QuarterBegin | YearBegin):
        raise ValueError(
            f"frequency {freq!r} is not a period labelled by its start: use 'D', 'W' "
            "(weeks starting Monday), 'MS', 'QS', 'YS' or a fixed length such as 'h'"
        )
    return offset


def _fail(column: str | None, message: str, rows: Any = None, values: Any = None) -> CountDataError:
    """One error with a Problem per bad row (rows are 0-based positions)."""
    if rows is None:
        return CountDataError(Problem(_TABLE, None, column, None, message))
    problems = [
        Problem(_TABLE, int(pos) + 2, column, None if v is None else str(v), message)
        for pos, v in zip(rows, values, strict=True)
    ]
    return CountDataError(problems)


def _parsed_times(
    table: pd.DataFrame, time_col: str, dayfirst: bool | None, format: str | None
) -> pd.Series:
    """Parse the time column with one rule for every row; refuse rows without a time.

    See :func:`analysis._dates.parse_datetime_column`. The result is the
    column itself when it already holds datetimes (no copy), else the parsed
    times: naive, tz-aware, or (text with different UTC offsets) naive times
    on the clock written in each row. :func:`_local_chunk` turns a slice of it
    into local wall-clock times.
    """
    if time_col not in table.columns:
        raise _fail(
            time_col,
            f"missing time column {time_col!r}; columns are {list(map(str, table.columns))} "
            "(pass time_col=...)",
        )
    raw = table[time_col]
    try:
        parsed = parse_datetime_column(raw, column=time_col, dayfirst=dayfirst, format=format)
    except AmbiguousDatesError as exc:
        raise CountDataError(
            [
                Problem(_TABLE, row + 2, time_col, value, "ambiguous date")
                for row, value in zip(exc.rows, exc.values, strict=True)
            ],
            header=str(exc),
        ) from exc
    times = parsed.values
    if times.dtype == object:  # rows with different UTC offsets: each on its written clock
        times = pd.Series(
            [v.tz_localize(None) if v is not pd.NaT and v.tzinfo else v for v in times],
            index=raw.index,
            dtype="datetime64[ns]",
        )
    bad = np.flatnonzero(times.isna().to_numpy())
    if len(bad):
        raise _fail(
            time_col,
            "missing or unparseable time (every row must have a time to be counted)",
            bad,
            raw.iloc[bad].tolist(),
        )
    return times


def _local_chunk(times: pd.Series, lo: int, hi: int) -> np.ndarray:
    """Local wall-clock times of rows ``lo:hi`` as int64 in the column's own unit.

    A naive column is viewed, not copied; a tz-aware slice is converted to
    its wall-clock time by pandas (``tz_localize(None)``), one chunk at a
    time so that the whole column is never copied.
    """
    values = times.array[lo:hi]
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        values = values.tz_localize(None)
    return np.asarray(values.asi8)


def _weights(table: pd.DataFrame, weight: str) -> np.ndarray:
    if weight not in table.columns:
        raise _fail(weight, f"missing weight column {weight!r}")
    raw = table[weight]
    if isinstance(raw.dtype, np.dtype) and raw.dtype.kind in "iu":
        ints = raw.to_numpy()  # whole numbers already: only the range is checked
        if len(ints) == 0 or (ints.min() >= 0 and ints.max() < MAX_COUNT):
            return ints
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(values)
    checks = [
        (np.isnan(values), "missing or non-numeric weight (fill it or drop the row explicitly)"),
        (np.isinf(values), "infinite weight: a count of events is a whole number"),
        (finite & (values < 0), "negative weight: a count of events cannot be negative"),
        (finite & (values != np.round(values)), "weight is not a whole number"),
        (finite & (values >= MAX_COUNT), "weight too large (at most 2**53 is exact)"),
    ]
    problems: list[Problem] = []
    for mask, message in checks:
        for pos in np.flatnonzero(mask):
            problems.append(Problem(_TABLE, int(pos) + 2, weight, str(raw.iloc[pos]), message))
    if problems:
        raise CountDataError(sorted(problems, key=lambda p: p.row or 0))
    return values.astype(np.int64)


def _groups(table: pd.DataFrame, by: str | list[str]) -> list[str]:
    keys = [by] if isinstance(by, str) else list(by)
    for key in keys:
        if key not in table.columns:
            raise _fail(key, f"missing group column {key!r}")
        missing = np.flatnonzero(table[key].isna().to_numpy())
        if len(missing):
            raise _fail(
                key,
                "missing group value (fill it, e.g. with 'unknown', so the row is counted)",
                missing,
                [None] * len(missing),
            )
    return keys


def _check_one_unit(table: pd.DataFrame, keys: list[str]) -> None:
    """Refuse to add up records of different units (claims and launches are not one count)."""
    if "unit" not in table.columns or "unit" in keys:
        return
    distinct = pd.Series(pd.unique(table["unit"].dropna()))  # normalise the few distinct values
    units = distinct.astype(str).str.strip().str.lower().unique()
    if len(units) > 1:
        raise _fail(
            "unit",
            f"the table mixes units ({', '.join(sorted(units))}): counts of different units "
            "are never added up; select one unit (table[table.unit == 'launch']) or count "
            "them apart with by='unit'",
        )


_ID = "incident_id"


def _repeated_id_message(keys: list[str]) -> str:
    where = f" within one group of by={keys!r}" if keys else ""
    return (
        f"incident_id on more than one row{where}: records of one incident would be counted "
        "once each; merge them first (analysis.curation.deduplicate keeps every source), or "
        "keep one record per incident"
    )


def _check_one_row_per_incident(table: pd.DataFrame, keys: list[str]) -> None:
    """Refuse to count one incident twice: an ``incident_id`` on several rows of one group.

    The canonical table allows several records of one incident (one per
    source); counting rows would then count that incident once per record, a
    plausible number that is wrong. Rows of one id in *different* groups of
    ``by`` (an incident with drones and rockets, counted by weapon) are each
    counted once in their group and are allowed. Missing ids are not compared.
    """
    if _ID not in table.columns or _ID in keys:
        return
    ids = table[[_ID, *keys]]
    known = table[_ID].notna().to_numpy()
    if known.all() and not keys and table[_ID].is_unique:
        return
    repeated = np.flatnonzero(ids.duplicated(keep=False).to_numpy() & known)
    if len(repeated):
        raise _fail(
            _ID,
            _repeated_id_message(keys),
            repeated[:_MAX_PROBLEMS],
            table[_ID].to_numpy()[repeated[:_MAX_PROBLEMS]],
        )


def count_incidents(
    table: pd.DataFrame | str | os.PathLike[str] | list[str],
    *,
    freq: str | BaseOffset = "D",
    by: str | list[str] | None = None,
    start: Any = None,
    end: Any = None,
    weight: str | None = None,
    time_col: str = "start",
    dayfirst: bool | None = None,
    format: str | None = None,
    tz: Any = None,
    precision: str = "exclude",
) -> pd.Series | pd.DataFrame:
    """Count incidents per period (day, week, month, ...), zeros for periods without any.

    Parameters
    ----------
    table : pandas.DataFrame, or path, glob or list of Parquet or CSV files
        Incident table, one row per incident, with a time column (the
        canonical ``start``). Records of one incident from several sources
        (one ``incident_id`` on several rows of one group) are refused, not
        counted once each: merge them with
        :func:`analysis.curation.deduplicate` first. Given files
        (``"data/incidents-*.parquet"``), DuckDB scans them without loading
        them (inputs larger than memory; ``pip install 'incident-trends[large]'``)
        and the result is exactly that of the same rows in a DataFrame. In
        files, times are timestamps (tz-aware ones need ``tz=``) or ISO 8601
        text (counted on the clock written, as in a DataFrame); an empty CSV
        cell is missing; problems name the file and row (header = row 1).
        tz-aware times are counted by their local calendar date; naive
        times as they are. Text with mixed UTC offsets (``+02:00`` and
        ``+03:00``) is counted by the local date written in each value,
        and the index is then naive. Text is read with one rule for every
        row: numeric dates such as ``04/11/2024`` that could be day-first
        or month-first are refused unless ``dayfirst`` or ``format`` says
        which (see
        :func:`analysis._dates.parse_datetime_column`).
    freq : str or pandas offset, default "D"
        Length of a period: ``"D"`` (days), ``"W"`` (weeks starting on
        Monday), ``"MS"`` (calendar months), ``"QS"``, ``"YS"`` (calendar
        years), a multiple such as ``"2D"``, or a fixed length such as ``"h"``.
        Periods are labelled by their start.
    by : str or list of str, optional
        Column(s) to count separately: the result then has one column per
        group (every group of the table, zeros where it has no events in the
        window). Missing group values are an error, not a silent drop.
    start, end : str or Timestamp, optional
        First and last day counted (inclusive, local dates; a number such
        as ``2023`` is refused, write ``"2023-01-01"``; a tz-aware time
        is taken on its date in the time zone of tz-aware data). The index spans
        exactly the periods containing them, even when no event falls at the
        edges. Default: the first and last event. Events outside the window
        are not counted. When a period at an edge is only partly inside the
        window it holds only the events inside; the window is kept in
        ``result.attrs["window_start"]`` / ``["window_end"]`` so that
        :func:`analysis.rates.estimate_rate` counts only the covered days.
    weight : str, optional
        Column to sum instead of counting rows, e.g. ``"quantity"`` to count
        projectiles rather than records. Values must be finite whole
        numbers >= 0 and below 2**53 (where float64 stops being exact).
    time_col : str, default "start"
        Name of the time column.
    dayfirst : bool, optional
        Read numeric text dates day-first (``True``) or month-first (``False``).
    format : str, optional
        An explicit ``strftime`` format of the time column (wins over ``dayfirst``).
    tz : str, optional
        Time zone whose local days are counted, for tz-aware times: they are
        converted to it. Files keep instants but not their zone, so tz-aware
        timestamps in files need it. Refused for naive times.
    precision : {"exclude", "spread", "ignore"}, default "exclude"
        What to do with records whose ``time_precision`` (second, minute, hour,
        day, week, month, year; the loaders of ACLED and UCDP write it) is
        coarser than the period. A table without a ``time_precision`` column is
        counted as it always was, whatever this says. ``"exclude"``: a record
        is counted only when every day it can have fallen on lies in one period
        of the window (so a month record is left out of a window that ends
        inside its month: give ``end``; day counts use second to day; a weekly count also a week
        starting on the period's first day; a monthly count also a month, and a
        week inside one month; a yearly count also a year), and on its
        ``start``; the others are left out, counted per precision in
        ``result.attrs["left_out"]`` (set when any record with a possible day in
        the window is left out)
        and named in a :class:`~analysis.errors.RejectedRowsWarning`.
        ``"spread"``: each record coarser than a day is spread uniformly over
        its possible days (a week: the 7 days from ``start``, as UCDP's window
        starts at ``date_start``; ACLED does not say which day of its week its
        date is, and the loader keeps the date as given, so it is read the same
        way; a month: the calendar month of ``start``; a
        year: its calendar year), which gives *expected* counts: floats, named
        ``"expected_count"`` (or ``"expected_<weight>"``), marked
        ``result.attrs["expected_counts"] = True`` and refused by the rate
        functions; ``attrs["spread"]`` counts the records spread, per precision.
        Not for periods shorter than a day. ``"ignore"``: today's old
        behaviour, every record on its ``start`` day, with an
        :class:`ImpreciseDatesWarning` when some are coarser than the period.
        The file path gives exactly the result of the in-memory path for each.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Counts (int64) indexed by period start (a DatetimeIndex named
        ``"date"`` with ``freq`` set, tz kept from the input). A Series named
        ``"count"`` (or after the weight column), or a DataFrame with a column
        per group when ``by`` is given.

    Raises
    ------
    CountDataError
        (a :class:`~analysis.errors.DataError` and a ValueError) Missing time,
        group or weight column; unparseable or missing times; a time column
        whose numeric dates are ambiguous (day-first or month-first); missing
        group values; missing, infinite, negative, fractional or too large
        weights; a ``unit`` column with more than one unit (claims and
        launches are never added up) unless ``by`` includes ``"unit"``; a
        missing or unknown ``time_precision``; an ``incident_id`` on more
        than one row of one group (records of one incident).
        Each problem names the row (1-based, header = row 1) and column.
    ImportError
        Files given and DuckDB not installed (the message names the extra).
    ValueError
        ``start`` after ``end``, ``start``/``end`` that is not a date (or is a
        number), an unknown ``freq`` or ``precision``, ``precision="spread"``
        with a period shorter than a day, an empty table without ``start`` and
        ``end``, or a period whose summed weights reach 2**53.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"start": ["2024-11-01 08:00", "2024-11-01 21:00", "2024-11-03 02:00"],
    ...                   "weapon": ["drone", "drone", "rocket"]})  # simulated
    >>> count_incidents(t).tolist()
    [2, 0, 1]
    >>> count_incidents(t, by="weapon", end="2024-11-04")["rocket"].tolist()
    [0, 0, 1, 0]
    >>> count_incidents(t, freq="W").tolist()  # weeks starting on Monday 28 October
    [3]
    >>> m = pd.DataFrame({"start": ["2024-11-01", "2024-11-03", "2024-11-01"],
    ...                   "time_precision": ["day", "day", "month"]})  # simulated
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     daily = count_incidents(m)  # the month record is left out, not put on 1 November
    >>> daily.tolist(), daily.attrs["left_out"]
    ([1, 0, 1], {'month': 1})
    >>> count_incidents(m, freq="MS", end="2024-11-30").tolist()  # a month is precise enough
    [3]
    >>> spread = count_incidents(m, precision="spread", end="2024-11-30")
    >>> spread.name, round(float(spread.iloc[0]), 4), round(float(spread.sum()), 6)
    ('expected_count', 1.0333, 3.0)
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as d:  # doctest: +SKIP
    ...     t.to_csv(os.path.join(d, "part-1.csv"), index=False)
    ...     count_incidents(os.path.join(d, "*.csv")).tolist()
    [2, 0, 1]
    """
    mode = _check_precision_mode(precision)
    if isinstance(table, str | os.PathLike | list | tuple):
        if dayfirst is not None or format is not None:
            raise ValueError(
                "dayfirst= and format= apply to a DataFrame; files are read as ISO 8601 "
                "text or as timestamps"
            )
        offset = period_offset(freq)
        total, first, last, index, groups, keys, info = _count_files(
            table,
            offset=offset,
            by=by,
            start=start,
            end=end,
            weight=weight,
            time_col=time_col,
            tz=tz,
            mode=mode,
        )
        expected = mode == "spread" and info is not None
        result = _finish(total, first, last, index, groups, keys, weight, tz, offset, expected)
        return _report_precision(result, info, mode, offset)
    if not isinstance(table, pd.DataFrame):
        raise TypeError(
            "table must be a pandas DataFrame or a path (or glob) of Parquet or CSV files, "
            f"not {type(table).__name__}"
        )
    offset = period_offset(freq)
    if tz is not None:
        if time_col not in table.columns or not isinstance(
            table[time_col].dtype, pd.DatetimeTZDtype
        ):
            raise ValueError(
                f"tz={tz!r} applies to tz-aware times; the column {time_col!r} is not tz-aware"
            )
        table = table.assign(**{time_col: table[time_col].dt.tz_convert(tz)})
    times = _parsed_times(table, time_col, dayfirst, format)
    tz = table[time_col].dt.tz if isinstance(table[time_col].dtype, pd.DatetimeTZDtype) else None
    if tz is not None and isinstance(offset, Tick):
        raise ValueError(
            f"freq {freq!r} is shorter than a day but the times are tz-aware ({tz}): local "
            "hours are not all one hour long; convert the times to naive UTC first "
            "(.dt.tz_convert('UTC').dt.tz_localize(None))"
        )
    values = _weights(table, weight) if weight is not None else None
    keys = _groups(table, by) if by is not None else []
    _check_one_unit(table, keys)
    _check_one_row_per_incident(table, keys)
    if (start is None or end is None) and len(times) == 0:
        raise ValueError("the table has no events: give start and end to get a zero series")
    groups = _group_codes(table, keys) if keys else None
    prec = None
    if "time_precision" in table.columns:
        prec = _precision_codes(table["time_precision"])
        if mode == "spread" and isinstance(offset, Tick):
            raise ValueError(
                f"precision='spread' spreads records over whole days; freq {freq!r} is "
                "shorter than a day: use precision='exclude' or a freq of days or longer"
            )
        if mode == "ignore":
            _warn_ignored(np.bincount(prec.astype(np.int64), minlength=len(_PRECISIONS)), offset)
            prec = None

    if isinstance(offset, Tick):
        counts, first, last, index, info = _count_ticks(
            times, values, groups, offset, start, end, prec
        )
    else:
        counts, first, last, index, info = _count_days(
            times, values, groups, offset, start, end, tz, prec, mode
        )
    expected = mode == "spread" and info is not None
    result = _finish(counts, first, last, index, groups, keys, weight, tz, offset, expected)
    return _report_precision(result, info, mode, offset)


def _describe(offset: BaseOffset) -> str:
    return f"count_incidents(freq={offset.freqstr!r})"


def _warn_ignored(found: np.ndarray, offset: BaseOffset, stacklevel: int = 3) -> None:
    """Warn that records coarser than the period are put on their start day.

    ``found`` is the number of records of each precision code.
    """
    usable = _tick_usable(offset) if isinstance(offset, Tick) else np.arange(7) <= _DAY
    coarse = {
        _PRECISIONS[c]: int(found[c]) for c in range(len(_PRECISIONS)) if found[c] and not usable[c]
    }
    if coarse:
        listed = ", ".join(f"{n} of {w} precision" for w, n in coarse.items())
        warnings.warn(
            f"{_describe(offset)} with precision='ignore': {listed} counted on their start "
            "day, a day they may not have fallen on; the default precision='exclude' leaves "
            "them out and 'spread' spreads them over their possible days",
            ImpreciseDatesWarning,
            stacklevel=stacklevel,
        )


def _report_precision(
    result: pd.Series | pd.DataFrame, info: dict[str, int] | None, mode: str, offset: BaseOffset
) -> pd.Series | pd.DataFrame:
    """Mark the result with what precision= did (only when the table has ``time_precision``)."""
    if info is None:
        return result
    if mode == "spread":
        result.attrs["expected_counts"] = True
        result.attrs["spread"] = dict(info)
        return result
    if info:  # only when some were left out: counts of precise tables keep their attrs
        result.attrs["left_out"] = dict(info)
        from analysis.errors import RejectedRowsWarning

        listed = ", ".join(f"{n} of {w} precision" for w, n in info.items())
        warnings.warn(
            f"{_describe(offset)} left out {sum(info.values())} record(s) whose date is not "
            f"precise enough for the period ({listed}); they are in "
            "result.attrs['left_out']; count at a coarser freq, or pass precision='spread' "
            "for expected counts",
            RejectedRowsWarning,
            stacklevel=3,
        )
    return result


def _finish(
    counts: np.ndarray,
    first: pd.Timestamp,
    last: pd.Timestamp,
    index: pd.DatetimeIndex,
    groups: _Groups | None,
    keys: list[str],
    weight: str | None,
    tz: Any,
    offset: BaseOffset,
    expected: bool = False,
) -> pd.Series | pd.DataFrame:
    """Counts per period (and group) as the labelled Series or DataFrame."""
    if weight is not None and bool((counts >= MAX_COUNT).any()):
        raise ValueError(
            f"the summed {weight!r} of a period reaches 2**53, beyond which counts are not "
            "exact; count a smaller unit or fewer rows"
        )
    name = weight or "count"
    if expected:
        counts = counts.astype(np.float64)
        name = "expected_" + name
    else:
        counts = counts.astype(np.int64)
    result: pd.Series | pd.DataFrame
    if groups is None:
        result = pd.Series(counts, index=index, name=name)
    else:
        _, n_groups, columns, order = groups
        matrix = counts.reshape(n_groups, len(index)).T
        if order is not None:
            matrix = matrix[:, order]
        result = pd.DataFrame(matrix, index=index, columns=columns)
        result.columns.names = keys
    out_index = pd.DatetimeIndex(result.index)
    if tz is not None:
        out_index = out_index.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    result.index = _with_freq(out_index, offset)
    result.index.name = "date"
    result.attrs[WINDOW_START] = first.date().isoformat()
    result.attrs[WINDOW_END] = last.date().isoformat()
    return result


def daily_counts(table: pd.DataFrame, **kwargs: Any) -> pd.Series | pd.DataFrame:
    """Deprecated name of :func:`count_incidents` (it counts per any period, not only per day).

    Takes the same arguments and returns the same; warns with a DeprecationWarning.

    Examples
    --------
    >>> import warnings
    >>> t = pd.DataFrame({"start": ["2024-11-01 08:00", "2024-11-03 02:00"]})  # simulated
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     daily_counts(t).tolist()
    [1, 0, 1]
    """
    warnings.warn(
        "daily_counts is deprecated: use count_incidents (same arguments; it counts per "
        "day, week, month or any period given by freq=)",
        DeprecationWarning,
        stacklevel=2,
    )
    return count_incidents(table, **kwargs)


#: rows handled at a time: the temporaries of one chunk stay a few megabytes
_CHUNK = 1 << 20
_Groups = tuple[np.ndarray, int, pd.Index, "np.ndarray | None"]


def _window(
    start: Any, end: Any, tz: Any, lo: pd.Timestamp | None, hi: pd.Timestamp | None
) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """First and last day counted (naive local midnights) and the exclusive end."""
    first = to_day(start, "start", tz) if start is not None else lo
    last = to_day(end, "end", tz) if end is not None else hi
    assert first is not None and last is not None  # an empty table has start and end
    if first > last:
        raise ValueError(f"start {first.date()} is after end {last.date()}")
    return first, last, last + pd.Timedelta(days=1)


def _period_index(offset: BaseOffset, first: pd.Timestamp, stop: pd.Timestamp) -> pd.DatetimeIndex:
    index = pd.date_range(offset.rollback(first), stop - pd.Timedelta(1, "ns"), freq=offset)
    return index.as_unit("ns") if index.unit != "ns" else index


def _day_number(ts: pd.Timestamp) -> int:
    return int(ts.to_datetime64().astype("datetime64[D]").astype(np.int64))


def _period_positions(
    bins: np.ndarray, offset: Any, first: pd.Timestamp, index: pd.DatetimeIndex
) -> np.ndarray:
    """DuckDB's bins as positions in ``index``: day numbers become periods; sub-day bins stay."""
    if isinstance(offset, Tick):
        return bins
    first_day = _day_number(first)
    rel = bins - first_day
    if not (isinstance(offset, Day) and offset.n == 1):
        period_days = index.asi8 // (86_400 * 10**9)
        rel = np.searchsorted(period_days, rel + first_day, "right") - 1
    return rel


def _accumulate(
    bins: np.ndarray,
    lo: int,
    hi: int,
    values: np.ndarray | None,
    groups: _Groups | None,
    n_periods: int,
    keep: np.ndarray | None,
    total: np.ndarray,
) -> None:
    """Add the counts of rows ``lo:hi`` (period ``bins``, rows ``keep``) to ``total``."""
    weights = None if values is None else values[lo:hi]
    codes = None if groups is None else groups[0][lo:hi]
    if keep is not None:
        bins = bins[keep]
        weights = None if weights is None else weights[keep]
        codes = None if codes is None else codes[keep]
    if codes is not None:
        bins = bins + codes.astype(np.int64) * n_periods
    total += np.bincount(bins, weights=weights, minlength=len(total))


def _count_days(
    times: pd.Series,
    values: np.ndarray | None,
    groups: _Groups | None,
    offset: BaseOffset,
    start: Any,
    end: Any,
    tz: Any,
    prec: np.ndarray | None = None,
    mode: str = "exclude",
) -> tuple[np.ndarray, pd.Timestamp, pd.Timestamp, pd.DatetimeIndex, dict[str, int] | None]:
    """Counts per period of whole days (days, weeks, months, ...), by local calendar date.

    With ``prec`` (precision codes), records coarser than a day are placed by
    :func:`_place_imprecise` (left out or spread, ``mode``); the dict returned
    says how many, by precision (None without ``prec``).

    Written by hand rather than with ``groupby``: each row's local day number
    is ``floor(local time / one day)``, computed a chunk at a time into an
    int32 array (half the size of the time column), and the counts are
    ``numpy.bincount`` of period (and group) numbers, which is several times
    faster than a group-by and never copies the whole table.
    """
    n = len(times)
    unit = times.array.unit
    per_day = int(np.timedelta64(1, "D") / np.timedelta64(1, unit))
    raw = times.array.asi8
    small = n == 0 or max(abs(int(raw.min())), abs(int(raw.max()))) // per_day + 2 < 2**31
    days = np.empty(n, dtype=np.int32 if small else np.int64)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        days[lo:hi] = np.floor_divide(_local_chunk(times, lo, hi), per_day)
    dmin, dmax = (int(days.min()), int(days.max())) if n else (0, 0)
    epoch = pd.Timestamp(0)
    first, last, stop = _window(
        start, end, tz, epoch + pd.Timedelta(days=dmin), epoch + pd.Timedelta(days=dmax)
    )
    index = _period_index(offset, first, stop)
    first_day, last_day = _day_number(first), _day_number(last)
    n_days = last_day - first_day + 1
    daily = isinstance(offset, Day) and offset.n == 1
    lookup = None
    if not daily:  # period of each day of the window
        period_days = index.asi8 // (86_400 * 10**9)
        lookup = np.searchsorted(period_days, np.arange(first_day, last_day + 1), "right") - 1
    n_groups = 1 if groups is None else groups[1]
    total = np.zeros(len(index) * n_groups, dtype=np.int64 if values is None else np.float64)
    masked = n and (dmin < first_day or dmax > last_day)
    info: dict[str, int] | None = None
    row_keep = None
    add = None
    if prec is not None:
        info = {}
        fine = prec <= _DAY
        imp = np.flatnonzero(~fine)
        if len(imp):
            row_keep = fine
            agg = _aggregate_imprecise(
                days[imp],
                prec[imp],
                np.zeros(len(imp), np.int64) if groups is None else groups[0][imp],
                np.ones(len(imp), np.int64) if values is None else values[imp],
                np.ones(len(imp), np.int64),
            )
            add, info = _place_imprecise(agg, mode, lookup, first_day, n_days, len(index), n_groups)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        rel = days[lo:hi].astype(np.int64) - first_day
        keep = ((rel >= 0) & (rel < n_days)) if masked else None
        if row_keep is not None:
            keep = row_keep[lo:hi] if keep is None else keep & row_keep[lo:hi]
        bins = rel if lookup is None else lookup[np.clip(rel, 0, n_days - 1)]
        _accumulate(bins, lo, hi, values, groups, len(index), keep, total)
    if add is not None:
        total = total + add
    return total, first, last, index, info


def _count_ticks(
    times: pd.Series,
    values: np.ndarray | None,
    groups: _Groups | None,
    offset: BaseOffset,
    start: Any,
    end: Any,
    prec: np.ndarray | None = None,
) -> tuple[np.ndarray, pd.Timestamp, pd.Timestamp, pd.DatetimeIndex, dict[str, int] | None]:
    """Counts per fixed length (hours, minutes) of naive times: ``(t - first) // length``.

    With ``prec``, a record is counted only when the length is a whole number of
    its precision (:func:`_tick_usable`); the others in the window are left out
    and returned, by precision.
    """
    n = len(times)
    unit = times.array.unit
    to_ns = int(np.timedelta64(1, unit) / np.timedelta64(1, "ns"))
    raw = times.array.asi8
    lo_t = pd.Timestamp(int(raw.min()) * to_ns).normalize() if n else None
    hi_t = pd.Timestamp(int(raw.max()) * to_ns).normalize() if n else None
    first, last, stop = _window(start, end, None, lo_t, hi_t)
    index = _period_index(offset, first, stop)
    first_ns, stop_ns = first.as_unit("ns").value, stop.as_unit("ns").value
    step = int(offset.nanos)
    n_groups = 1 if groups is None else groups[1]
    total = np.zeros(len(index) * n_groups, dtype=np.int64 if values is None else np.float64)
    usable = None if prec is None else _tick_usable(offset)[prec]
    left = np.zeros(len(_PRECISIONS), dtype=np.int64)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        t = _local_chunk(times, lo, hi)
        t = t * to_ns if to_ns != 1 else t
        keep = (t >= first_ns) & (t < stop_ns)
        if usable is not None and prec is not None:
            out = keep & ~usable[lo:hi]
            left += np.bincount(prec[lo:hi][out].astype(np.int64), minlength=len(_PRECISIONS))
            keep &= usable[lo:hi]
        bins = np.floor_divide(t - first_ns, step)
        _accumulate(bins, lo, hi, values, groups, len(index), None if keep.all() else keep, total)
    info = None
    if prec is not None:
        info = {_PRECISIONS[c]: int(left[c]) for c in range(len(_PRECISIONS)) if left[c]}
    return total, first, last, index, info


def _group_codes(table: pd.DataFrame, keys: list[str]) -> _Groups:
    """Group number of each row, number of groups, the result's columns and their order.

    The columns are every group of the table (all categories of a
    categorical), sorted by their text; ``order[j]`` is the group number of
    column ``j`` (None when the numbers are already in column order).
    """
    if len(keys) == 1:
        col = table[keys[0]]
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes = col.cat.codes.to_numpy()
            return codes, len(col.cat.categories), pd.Index(col.cat.categories, name=keys[0]), None
        codes, uniques = pd.factorize(col)
        labels = [str(u) for u in uniques]
        order = sorted(range(len(uniques)), key=labels.__getitem__)
        columns = pd.Index([uniques[i] for i in order], name=keys[0])
        return codes, len(uniques), columns, np.asarray(order, dtype=np.intp)
    numbers = table.groupby(keys, sort=False, observed=True).ngroup().to_numpy()
    first_rows = pd.Series(numbers).drop_duplicates().index.to_numpy()  # group 0, 1, 2, ...
    uniq = table[keys].iloc[first_rows].reset_index(drop=True)
    ordered = uniq.sort_values(keys, key=lambda s: s.astype(str))
    columns = pd.MultiIndex.from_frame(ordered)
    return numbers, len(uniq), columns, ordered.index.to_numpy()


def _with_freq(index: pd.DatetimeIndex, offset: BaseOffset) -> pd.DatetimeIndex:
    try:
        return pd.DatetimeIndex(index, freq=offset)
    except ValueError:  # a fixed length across a DST change in a tz-aware index
        return index


# --------------------------------------------------------------------------- files (DuckDB)

_ISO = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
_MAX_PROBLEMS = 1000


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Files:
    """The rows of one or more incident files as a DuckDB relation, with file and row."""

    def __init__(self, source: Any):
        from analysis.io.files import connect, resolve_files, sql_list

        self.files, self.kind = resolve_files(source)
        self.con = connect()
        listed = sql_list(self.files)
        if self.kind == "parquet":
            scan = (
                f"read_parquet({listed}, filename=true, file_row_number=true, union_by_name=true)"
            )
            self.scan = scan
            self.numbered = f"(SELECT *, file_row_number + 2 AS _row FROM {scan})"
        else:
            options = "all_varchar=true, header=true, filename=true, union_by_name=true"
            scan = f"read_csv({listed}, {options})"
            self.scan = scan
            # data row r of a file is line r + 1 (header = line 1); DuckDB keeps the file order
            self.numbered = (
                f"(SELECT *, row_number() OVER (PARTITION BY filename) + 1 AS _row FROM {scan})"
            )
        described = self.con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
        self.types = {str(r[0]): str(r[1]) for r in described if r[0] not in _FILE_COLUMNS}
        self.name = self.files[0] if len(self.files) == 1 else f"{len(self.files)} files"

    def fail(self, column: str | None, message: str) -> CountDataError:
        return CountDataError(Problem(self.name, None, column, None, message))

    def bad_rows(self, where: str, column: str, value: str, message: str) -> list[Problem]:
        sql = (
            f"SELECT filename, _row, CAST({value} AS VARCHAR) FROM {self.numbered} AS _n "
            f"WHERE {where} ORDER BY filename, _row LIMIT {_MAX_PROBLEMS}"
        )
        return [
            Problem(str(f), int(r), column, v, message)
            for f, r, v in self.con.execute(sql).fetchall()
        ]


_FILE_COLUMNS = ("filename", "file_row_number")


def _file_local_time(files: _Files, time_col: str, tz: Any) -> str:
    """SQL for each row's local wall-clock time (NULL where it cannot be read)."""
    kind = files.types[time_col]
    col = _quote(time_col)
    if kind == "VARCHAR":
        if tz is not None:
            raise ValueError(
                f"tz={tz!r}: the times in {files.name} are text, counted on the clock written "
                "in each value; tz= applies to tz-aware timestamps"
            )
        text = f"trim({col}, chr(32) || chr(9) || chr(10) || chr(13) || chr(11) || chr(12))"
        offset = r"'(Z|[+-]\d{2}(:?\d{2})?)$'"
        clock = f"substr({text}, 1, 10) || regexp_replace(substr({text}, 11), {offset}, '')"
        local = f"TRY_CAST({clock} AS TIMESTAMP)"
        return f"(CASE WHEN regexp_full_match({text}, '{_ISO}') THEN {local} END)"
    if kind == "DATE" or (kind.startswith("TIMESTAMP") and "TIME ZONE" not in kind):
        if tz is not None:
            raise ValueError(
                f"tz={tz!r}: the times in {files.name} are naive ({kind}); tz= applies to "
                "tz-aware timestamps (TIMESTAMP WITH TIME ZONE)"
            )
        return f"CAST({col} AS TIMESTAMP)"
    if kind == "TIMESTAMP WITH TIME ZONE":
        if tz is None:
            raise ValueError(
                f"the times in {files.name} are tz-aware (UTC instants) and the files do not "
                "keep the time zone: pass tz= (e.g. tz='Asia/Jerusalem') to count local days"
            )
        return f"timezone('{str(tz).replace(chr(39), '')}', {col})"
    raise files.fail(time_col, f"time column {time_col!r} holds {kind}, not dates or times")


def _count_files(
    source: Any,
    *,
    offset: BaseOffset,
    by: str | list[str] | None,
    start: Any,
    end: Any,
    weight: str | None,
    time_col: str,
    tz: Any,
    mode: str = "exclude",
) -> tuple[
    np.ndarray,
    pd.Timestamp,
    pd.Timestamp,
    pd.DatetimeIndex,
    _Groups | None,
    list[str],
    dict[str, int] | None,
]:
    """:func:`count_incidents` of files, aggregated by DuckDB; the same result as in memory.

    DuckDB scans the files (never loading them whole) and returns one row per
    day and group; the days are then put in periods and the groups in
    columns by the same code as the in-memory path. With a ``time_precision``
    column, records coarser than a day come back summed per day, precision and
    group, and are placed by :func:`_place_imprecise`, as in memory.
    """
    files = _Files(source)
    con = files.con
    if time_col not in files.types:
        raise files.fail(
            time_col,
            f"missing time column {time_col!r}; columns are {list(files.types)} "
            "(pass time_col=...)",
        )
    if tz is not None and isinstance(offset, Tick):
        raise ValueError(
            f"freq {offset.freqstr!r} is shorter than a day but the times are tz-aware ({tz})"
        )
    local = _file_local_time(files, time_col, tz)
    col = _quote(time_col)
    problems = files.bad_rows(
        f"{local} IS NULL",
        time_col,
        col,
        "missing or unparseable time (every row must have a time to be counted)",
    )
    if problems:
        raise CountDataError(problems)
    w_sql = "1"
    if weight is not None:
        if weight not in files.types:
            raise files.fail(weight, f"missing weight column {weight!r}")
        w = _quote(weight)
        w_num = f"TRY_CAST(trim(CAST({w} AS VARCHAR)) AS DOUBLE)"
        if files.types[weight] != "VARCHAR":
            w_num = f"CAST({w} AS DOUBLE)"
        bad = (
            f"{w_num} IS NULL OR isnan({w_num}) OR isinf({w_num}) OR {w_num} < 0 "
            f"OR {w_num} <> round({w_num}) OR {w_num} >= {float(MAX_COUNT)}"
        )
        sql = (
            f"SELECT filename, _row, CAST({w} AS VARCHAR), {w_num} FROM {files.numbered} "
            f"WHERE {bad} ORDER BY filename, _row LIMIT {_MAX_PROBLEMS}"
        )
        rows = con.execute(sql).fetchall()
        if rows:
            raise CountDataError(_weight_problems(rows, weight))
        w_sql = f"CAST({w_num} AS BIGINT)"
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    for key in keys:
        if key not in files.types:
            raise files.fail(key, f"missing group column {key!r}")
        problems = files.bad_rows(
            f"{_quote(key)} IS NULL",
            key,
            "NULL",
            "missing group value (fill it, e.g. with 'unknown', so the row is counted)",
        )
        if problems:
            raise CountDataError(problems)
    if "unit" in files.types and "unit" not in keys:
        found = con.execute(f"SELECT DISTINCT unit FROM {files.scan} WHERE unit IS NOT NULL")
        units = sorted({str(u).strip().lower() for (u,) in found.fetchall()})
        if len(units) > 1:
            raise files.fail(
                "unit",
                f"the table mixes units ({', '.join(units)}): counts of different units are "
                "never added up; count each unit apart with by='unit'",
            )

    if _ID in files.types and _ID not in keys:
        cols = ", ".join(_quote(c) for c in (_ID, *keys))
        same = " AND ".join(f"_d.{_quote(c)} IS NOT DISTINCT FROM _n.{_quote(c)}" for c in keys)
        repeated = (
            f"SELECT {cols} FROM {files.scan} WHERE {_quote(_ID)} IS NOT NULL "
            "GROUP BY ALL HAVING count(*) > 1"
        )
        problems = files.bad_rows(
            f"EXISTS (SELECT 1 FROM ({repeated}) AS _d WHERE _d.{_quote(_ID)} = _n.{_quote(_ID)}"
            + (f" AND {same}" if same else "")
            + ")",
            _ID,
            _quote(_ID),
            _repeated_id_message(keys),
        )
        if problems:
            raise CountDataError(problems)
    p_sql = "NULL"
    prec_filter = ""
    use_prec = "time_precision" in files.types
    if use_prec:
        p_sql = (
            'CASE lower(trim(CAST("time_precision" AS VARCHAR), '
            "chr(32) || chr(9) || chr(10) || chr(13) || chr(11) || chr(12))) "
            + " ".join(f"WHEN '{w}' THEN {i}" for i, w in enumerate(_PRECISIONS))
            + " END"
        )
        problems = files.bad_rows(
            f"({p_sql}) IS NULL", "time_precision", '"time_precision"', _PRECISION_PROBLEM
        )
        if problems:
            raise CountDataError(problems)
        if mode == "spread" and isinstance(offset, Tick):
            raise ValueError(
                f"precision='spread' spreads records over whole days; freq {offset.freqstr!r} "
                "is shorter than a day: use precision='exclude' or a freq of days or longer"
            )
        if mode == "ignore":
            found = np.zeros(len(_PRECISIONS), dtype=np.int64)
            for code, count in con.execute(
                f"SELECT {p_sql} AS _p, count(*) FROM {files.scan} GROUP BY ALL"
            ).fetchall():
                found[int(code)] = int(count)
            _warn_ignored(found, offset, stacklevel=4)
            use_prec = False
        elif isinstance(offset, Tick):
            fine = [str(c) for c in np.flatnonzero(_tick_usable(offset))]
            prec_filter = f" AND _p IN ({', '.join(fine) or '-1'})"
        else:
            prec_filter = f" AND _p <= {_DAY}"

    lo, hi, n_rows = con.execute(
        f"SELECT min(t), max(t), count(*) FROM (SELECT {local} AS t FROM {files.scan})"
    ).fetchone()
    if (start is None or end is None) and n_rows == 0:
        raise ValueError("the files have no events: give start and end to get a zero series")
    lo_day = None if lo is None else pd.Timestamp(lo).normalize()
    hi_day = None if hi is None else pd.Timestamp(hi).normalize()
    first, last, stop = _window(start, end, tz, lo_day, hi_day)
    index = _period_index(offset, first, stop)
    group_sql = "".join(f", {_quote(k)} AS _g{i}" for i, k in enumerate(keys))
    group_by = "".join(f", _g{i}" for i in range(len(keys)))
    if isinstance(offset, Tick):
        bin_sql = f"(epoch_ns(t) - {first.as_unit('ns').value}) // {int(offset.nanos)}"
    else:
        bin_sql = "datediff('day', DATE '1970-01-01', CAST(t AS DATE))"
    inner = f"SELECT {local} AS t, {w_sql} AS _w, {p_sql} AS _p{group_sql} FROM {files.scan}"
    in_window = f"t >= TIMESTAMP '{first}' AND t < TIMESTAMP '{stop}'"
    sql = (
        f"SELECT {bin_sql} AS _bin{group_by}, CAST(SUM(_w) AS DOUBLE) AS _n FROM ({inner}) "
        f"WHERE {in_window}{prec_filter} GROUP BY ALL"
    )
    agg = con.execute(sql).fetchnumpy()
    bins = np.asarray(agg["_bin"], dtype=np.int64)
    bins = _period_positions(bins, offset, first, index)
    sums = np.asarray(agg["_n"], dtype=np.float64)
    groups = None
    n_groups = 1
    codes = np.zeros(len(bins), dtype=np.int64)
    if keys:
        distinct = con.execute(
            f"SELECT DISTINCT {', '.join(_quote(k) for k in keys)} FROM {files.scan}"
        ).fetchnumpy()
        present = pd.DataFrame({k: _plain(distinct[k]) for k in keys})
        groups = _group_codes(present, keys)
        n_groups = groups[1]
        found = pd.DataFrame({k: _plain(agg[f"_g{i}"]) for i, k in enumerate(keys)})
        if len(keys) == 1:
            codes = pd.Index(present[keys[0]]).get_indexer(found[keys[0]])
        else:
            codes = pd.MultiIndex.from_frame(present).get_indexer(pd.MultiIndex.from_frame(found))
    total = np.zeros(len(index) * n_groups, dtype=np.float64)
    np.add.at(total, bins + codes * len(index), sums)
    info: dict[str, int] | None = None
    if use_prec and isinstance(offset, Tick):
        fine = [str(c) for c in np.flatnonzero(_tick_usable(offset))]
        left = con.execute(
            f"SELECT _p, count(*) FROM ({inner}) WHERE {in_window} "
            f"AND _p NOT IN ({', '.join(fine) or '-1'}) GROUP BY ALL ORDER BY _p"
        ).fetchall()
        info = {_PRECISIONS[int(c)]: int(k) for c, k in left}
    elif use_prec:
        coarse = con.execute(
            f"SELECT datediff('day', DATE '1970-01-01', CAST(t AS DATE)) AS _d, _p{group_by}, "
            f"CAST(SUM(_w) AS DOUBLE) AS _n, count(*) AS _c FROM ({inner}) "
            f"WHERE _p > {_DAY} GROUP BY ALL"
        ).fetchnumpy()
        g_codes = np.zeros(len(coarse["_d"]), dtype=np.int64)
        if keys and len(coarse["_d"]):
            found = pd.DataFrame({k: _plain(coarse[f"_g{i}"]) for i, k in enumerate(keys)})
            if len(keys) == 1:
                g_codes = pd.Index(present[keys[0]]).get_indexer(found[keys[0]])
            else:
                g_codes = pd.MultiIndex.from_frame(present).get_indexer(
                    pd.MultiIndex.from_frame(found)
                )
        first_day, last_day = _day_number(first), _day_number(last)
        lookup = None
        if not (isinstance(offset, Day) and offset.n == 1):
            period_days = index.asi8 // (86_400 * 10**9)
            lookup = np.searchsorted(period_days, np.arange(first_day, last_day + 1), "right") - 1
        placed = _aggregate_imprecise(
            np.asarray(_plain(coarse["_d"]), dtype=np.int64),
            np.asarray(_plain(coarse["_p"]), dtype=np.int64),
            np.asarray(g_codes, dtype=np.int64),
            np.asarray(_plain(coarse["_n"]), dtype=np.float64).astype(np.int64),
            np.asarray(_plain(coarse["_c"]), dtype=np.int64),
        )
        add, info = _place_imprecise(
            placed, mode, lookup, first_day, last_day - first_day + 1, len(index), n_groups
        )
        total = total + add
    return total, first, last, index, groups, keys, info


def _plain(values: Any) -> np.ndarray:
    """A fetched DuckDB column as a plain numpy array (masked arrays unmasked)."""
    return np.asarray(values.data if isinstance(values, np.ma.MaskedArray) else values)


def _weight_problems(rows: list[tuple[Any, ...]], weight: str) -> list[Problem]:
    """The problems of bad weights, with the messages of the in-memory path."""
    problems: list[Problem] = []
    for file, row, raw, value in rows:
        v = np.nan if value is None else float(value)
        checks = [
            (np.isnan(v), "missing or non-numeric weight (fill it or drop the row explicitly)"),
            (np.isinf(v), "infinite weight: a count of events is a whole number"),
            (np.isfinite(v) and v < 0, "negative weight: a count of events cannot be negative"),
            (np.isfinite(v) and v != np.round(v), "weight is not a whole number"),
            (np.isfinite(v) and v >= MAX_COUNT, "weight too large (at most 2**53 is exact)"),
        ]
        problems.extend(
            Problem(str(file), int(row), weight, raw, message) for bad, message in checks if bad
        )
    return problems


# --------------------------------------------------------------------------- alert files (DuckDB)

_ALERT_WEIGHTS = ("alert_rows", "duration_min")


def count_alert_incidents(
    source: str | os.PathLike[str] | list[str],
    *,
    gap: str | pd.Timedelta = "10min",
    key: str | None = "category",
    by: str | None = "weapon",
    weight: str | None = None,
    freq: str | BaseOffset = "D",
    start: Any = None,
    end: Any = None,
    tz: Any = None,
    time_col: str = "start",
    memory_limit: str | None = None,
) -> pd.Series | pd.DataFrame:
    """Cluster alert rows in files into incidents and count them per period, all in DuckDB.

    The files (Parquet or CSV, a path, glob or list) hold a canonical alert table, e.g.
    :func:`~analysis.io.oref.load_oref_alerts` output written to Parquet in parts. The
    result is exactly ``count_incidents(alerts_to_incidents(alerts, gap=gap, by=key,
    within="country"), by=by, weight=weight, freq=freq, start=start, end=end)`` of the
    same rows read into one DataFrame (files in sorted order, rows in file order), but
    the rows are never loaded: DuckDB chains them with window functions (spilling to
    disk when needed) and returns one row per period and group.

    Parameters
    ----------
    source : str, path or list of them
        Parquet or CSV files, or a glob (``"alerts/*.parquet"``).
    gap : str or Timedelta
        Largest time between consecutive alerts of one incident (inclusive), as in
        :func:`~analysis.curation.clustering.alerts_to_incidents`; a whole number of
        microseconds.
    key : str or None
        Column whose value must agree within an incident (default ``"category"``);
        None chains all alerts together.
    by : str or None
        Count separately by the incident's ``weapon`` (that of its first alert,
        default) or by ``key``; None counts all incidents.
    weight : {None, "alert_rows", "duration_min"}
        Count incidents (None), or sum their alert rows or their durations in whole
        minutes.
    freq, start, end, time_col
        As in :func:`count_incidents`.
    tz : str, optional
        Time zone whose local days are counted, needed for tz-aware timestamps (files
        keep instants, not their zone) and for text times with UTC offsets.
    memory_limit : str, optional
        DuckDB's memory limit for this call (``"1GB"``, ``"500MB"``); beyond it DuckDB
        spills to a temporary folder, removed afterwards. Default DuckDB's own (80% of
        the machine's memory). On 2e7 SIMULATED alerts (one Parquet file per 1e7) the
        call's peak resident memory was 2.4-2.5 GB by default and 0.8 GB with
        ``"500MB"``, in 24 to 54 s either way on a shared two-core machine.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        As :func:`count_incidents` returns for the incident table.

    Raises
    ------
    CountDataError
        A missing column, or rows without a readable time (each named by file and row).
    ValueError
        ``gap`` negative or not a whole number of microseconds, an unknown ``weight``,
        ``by`` other than ``"weapon"`` or ``key``, or times and ``tz`` that do not go
        together.
    ImportError
        DuckDB is not installed.

    Notes
    -----
    Clustering within regions (``within="region"``) needs each alert's areas from the
    locality tables, which DuckDB does not have: use
    :func:`~analysis.curation.clustering.alerts_to_incidents` in memory for it.
    Time columns may be timestamps (naive ones are local wall-clock times), or ISO 8601
    text: without ``tz`` read as naive local times, with ``tz`` as instants with a UTC
    offset in every value.

    Examples
    --------
    >>> import os, tempfile
    >>> t = pd.DataFrame({  # simulated alerts: two rocket salvos and a drone, one day
    ...     "start": pd.to_datetime(["2024-11-01 08:00", "2024-11-01 08:05",
    ...                              "2024-11-01 09:00", "2024-11-01 08:02"]),
    ...     "category": [1, 1, 1, 2], "weapon": ["rocket", "rocket", "rocket", "drone"]})
    >>> with tempfile.TemporaryDirectory() as d:  # doctest: +SKIP
    ...     t.to_parquet(os.path.join(d, "part-1.parquet"))
    ...     count_alert_incidents(os.path.join(d, "*.parquet")).iloc[0].to_dict()
    {'drone': 1, 'rocket': 2}
    """
    from analysis._dates import to_timedelta

    offset = period_offset(freq)
    gap_td = to_timedelta(gap, "gap", positive=False)
    if gap_td < pd.Timedelta(0):
        raise ValueError(f"gap must not be negative, got {gap!r}")
    if gap_td.value % 1000:
        raise ValueError(f"gap {gap!r} must be a whole number of microseconds (DuckDB's unit)")
    if weight is not None and weight not in _ALERT_WEIGHTS:
        raise ValueError(f"weight must be None, 'alert_rows' or 'duration_min', not {weight!r}")
    if by is not None and by not in {"weapon", key}:
        raise ValueError(
            f"by={by!r}: incidents from files are counted by 'weapon' (their first alert's) "
            f"or by the chaining key ({key!r})"
        )
    if memory_limit is not None and not re.fullmatch(
        r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", str(memory_limit)
    ):
        raise ValueError(
            f"memory_limit must be a size such as '1GB' or '500MB', not {memory_limit!r}"
        )
    files = _Files(source)
    spill = tempfile.mkdtemp(prefix="incident-trends-duckdb-")
    try:
        files.con.execute(f"SET temp_directory = '{spill}'")
        if memory_limit is not None:
            files.con.execute(f"SET memory_limit = '{memory_limit}'")
        return _count_alert_files(
            files,
            offset=offset,
            gap_td=gap_td,
            key=key,
            by=by,
            weight=weight,
            start=start,
            end=end,
            tz=tz,
            time_col=time_col,
        )
    finally:
        files.con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _count_alert_files(
    files: _Files,
    *,
    offset: BaseOffset,
    gap_td: pd.Timedelta,
    key: str | None,
    by: str | None,
    weight: str | None,
    start: Any,
    end: Any,
    tz: Any,
    time_col: str,
) -> pd.Series | pd.DataFrame:
    """The body of :func:`count_alert_incidents` on an open set of files."""
    for column in (time_col, key, by):
        if column is not None and column not in files.types:
            raise files.fail(column, f"missing column {column!r}; columns are {list(files.types)}")
    if tz is not None and isinstance(offset, Tick):
        raise ValueError(
            f"freq {offset.freqstr!r} is shorter than a day but the times are tz-aware ({tz})"
        )
    instant, local = _alert_times(files, time_col, tz)
    problems = files.bad_rows(
        f"{instant} IS NULL",
        time_col,
        _quote(time_col),
        "missing or unparseable alert time (every alert must have a time)",
    )
    if problems:
        raise CountDataError(problems)
    from analysis.io.files import sql_list

    k_sql = _quote(key) if key is not None else "NULL"
    g_sql = _quote(by) if by is not None else "NULL"
    gap_us = gap_td.value // 1000
    # alerts in the order of one table of the files: time, then file (as listed), then row
    window = "PARTITION BY _k ORDER BY _t, _f, _row"
    chained = f"""
        WITH a AS (
            SELECT {instant} AS _t, {k_sql} AS _k, {g_sql} AS _g,
                   list_position({sql_list(files.files)}, filename) AS _f, _row
            FROM {files.numbered}
        )
        SELECT _t, _k, _g, _f, _row,
               CASE WHEN lag(_t) OVER w IS NULL
                         OR epoch_us(_t) - epoch_us(lag(_t) OVER w) > {gap_us}
                    THEN 1 ELSE 0 END AS _new
        FROM a WINDOW w AS ({window})
    """
    con = files.con
    con.execute("SET preserve_insertion_order = false")
    if weight is None:  # an incident is its first alert: the one that starts a chain
        incidents = f"SELECT _t, _g, 1 AS _w FROM ({chained}) WHERE _new = 1"
    else:
        incidents = f"""
            SELECT min(_t) AS _t, max(CASE WHEN _new = 1 THEN _g END) AS _g,
                   {"count(*)" if weight == "alert_rows" else
                    "(epoch_us(max(_t)) - epoch_us(min(_t))) // 60000000"} AS _w
            FROM (SELECT *, sum(_new) OVER ({window} ROWS UNBOUNDED PRECEDING) AS _chain
                  FROM ({chained}))
            GROUP BY _k, _chain
        """  # fmt: skip
    # the alerts are chained once; the incidents (far fewer rows) are kept for the queries
    con.execute(f"CREATE TEMP TABLE _incidents AS {incidents}")
    local_t = local.replace("{t}", "_t")
    lo, hi, n_inc = con.execute(
        f"SELECT epoch_us(min(lt)), epoch_us(max(lt)), count(*) "
        f"FROM (SELECT {local_t} AS lt FROM _incidents)"
    ).fetchone()
    if (start is None or end is None) and n_inc == 0:
        raise ValueError("the files have no alerts: give start and end to get a zero series")
    lo = None if lo is None else pd.Timestamp(int(lo), unit="us")
    hi = None if hi is None else pd.Timestamp(int(hi), unit="us")
    lo_day = None if lo is None else pd.Timestamp(lo).normalize()
    hi_day = None if hi is None else pd.Timestamp(hi).normalize()
    first, last, stop = _window(start, end, tz, lo_day, hi_day)
    index = _period_index(offset, first, stop)
    if isinstance(offset, Tick):
        bin_sql = f"(epoch_ns(lt) - {first.as_unit('ns').value}) // {int(offset.nanos)}"
    else:
        bin_sql = "datediff('day', DATE '1970-01-01', CAST(lt AS DATE))"
    agg = con.execute(
        f"SELECT {bin_sql} AS _bin, _g, CAST(SUM(_w) AS DOUBLE) AS _n FROM ("
        f"SELECT {local_t} AS lt, _w, _g FROM _incidents) "
        f"WHERE lt >= TIMESTAMP '{first}' AND lt < TIMESTAMP '{stop}' GROUP BY ALL"
    ).fetchnumpy()
    bins = np.asarray(agg["_bin"], dtype=np.int64)
    bins = _period_positions(bins, offset, first, index)
    sums = np.asarray(agg["_n"], dtype=np.float64)
    groups = None
    codes = np.zeros(len(bins), dtype=np.int64)
    keys: list[str] = []
    n_groups = 1
    if by is not None:
        keys = [by]
        # every group of the incident table (a first alert's value), in the window or not
        distinct = con.execute("SELECT DISTINCT _g FROM _incidents").fetchnumpy()
        present = pd.DataFrame({by: _plain(distinct["_g"])})
        if present[by].isna().any():
            raise files.fail(
                by, "missing group value (fill it, e.g. with 'unknown', so the row is counted)"
            )
        groups = _group_codes(present, keys)
        n_groups = groups[1]
        codes = pd.Index(present[by]).get_indexer(pd.Index(_plain(agg["_g"])))
    total = np.zeros(len(index) * n_groups, dtype=np.float64)
    np.add.at(total, bins + codes * len(index), sums)
    return _finish(total, first, last, index, groups, keys, weight, tz, offset)


def _alert_times(files: _Files, time_col: str, tz: Any) -> tuple[str, str]:
    """SQL of each alert's time (ordering and gaps) and a template of its local time.

    The first is what :func:`~analysis.curation.clustering.alerts_to_incidents` chains
    on (instants for tz-aware times, wall-clock values for naive ones); the second, with
    ``{t}`` for the first, is the local wall-clock time whose date is counted.
    """
    kind = files.types[time_col]
    col = _quote(time_col)
    zone = str(tz).replace(chr(39), "") if tz is not None else None
    if kind == "VARCHAR":
        text = f"trim({col})"
        if zone is None:
            return f"TRY_CAST({text} AS TIMESTAMP)", "{t}"
        has_offset = r"'(Z|[+-]\d{2}(:?\d{2})?)$'"
        return (
            f"(CASE WHEN regexp_matches({text}, {has_offset}) "
            f"THEN TRY_CAST({text} AS TIMESTAMPTZ) END)",
            f"timezone('{zone}', {{t}})",
        )
    if kind.startswith("TIMESTAMP") and "TIME ZONE" not in kind:
        if zone is not None:
            raise ValueError(
                f"tz={tz!r}: the times in {files.name} are naive ({kind}); tz= applies to "
                "tz-aware timestamps (TIMESTAMP WITH TIME ZONE) and text with UTC offsets"
            )
        return f"CAST({col} AS TIMESTAMP)", "{t}"
    if kind == "TIMESTAMP WITH TIME ZONE":
        if zone is None:
            raise ValueError(
                f"the times in {files.name} are tz-aware (UTC instants) and the files do not "
                "keep the time zone: pass tz= (e.g. tz='Asia/Jerusalem') to count local days"
            )
        return col, f"timezone('{zone}', {{t}})"
    raise files.fail(time_col, f"time column {time_col!r} holds {kind}, not timestamps")
