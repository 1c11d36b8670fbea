"""``incident-trends rates FILE``: the rate of events in a CSV, with its interval.

FILE is either a CSV of counts (dates in the first column, one row per period,
zeros included; a single row is taken as one day) or a canonical incident
table (it has the time column, ``start`` by default), which is first counted
per day with ``daily_counts``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd

from analysis._cli._common import in_file, read_csv, without_offset
from analysis.errors import DataError, Problem


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rates",
        help="rate of events per day (week, ...) with an exact or overdispersion-aware interval",
        description=(
            "Estimate the rate of events in FILE: a CSV of counts (dates in the first column) "
            "or an incident table (with a time column, counted per local day)."
        ),
    )
    p.add_argument("file", metavar="FILE", help="CSV of counts or incident table")
    p.add_argument("--column", help="count column of a counts CSV (default: the only one)")
    p.add_argument("--start", help="first day (inclusive), e.g. 2024-10-29")
    p.add_argument("--end", help="last day (inclusive)")
    p.add_argument("--per", default="day", help="day, week, month, year or a number of days")
    p.add_argument("--method", default="auto", choices=["auto", "poisson", "negbin"])
    p.add_argument("--level", type=float, default=0.95, help="confidence level (0.95)")
    p.add_argument("--time-col", default="start", help="time column of an incident table")
    p.add_argument("--weight", help="incident table: sum this column (e.g. quantity)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def _per(text: str) -> str | float:
    try:
        return float(text)
    except ValueError:
        return text


def _dates(raw: pd.Series, path: str) -> pd.DatetimeIndex:
    """Parse the date column of a counts CSV; offsets are dropped (local dates kept)."""
    dates = pd.to_datetime(without_offset(raw), errors="coerce", format="mixed")
    bad = [int(i) for i in range(len(dates)) if pd.isna(dates.iloc[i])]
    if bad:
        raise DataError(
            [Problem(path, i + 2, str(raw.name), str(raw.iloc[i]), "not a date") for i in bad]
        )
    return pd.DatetimeIndex(dates, name=str(raw.name))


def load_counts(path: str, args: argparse.Namespace) -> pd.Series:
    """Read FILE as a count Series (counting an incident table per day)."""
    from analysis.counts import daily_counts

    table = read_csv(path)
    if args.time_col in table.columns:
        try:
            counts = daily_counts(
                table, start=args.start, end=args.end, weight=args.weight, time_col=args.time_col
            )
        except DataError as exc:
            raise in_file(exc, path) from exc
        except ValueError as exc:  # empty table without --start/--end, start after end, ...
            raise DataError(Problem(path, None, None, None, str(exc))) from exc
        assert isinstance(counts, pd.Series)
        return counts
    if table.shape[1] < 2:
        raise DataError(
            Problem(
                path,
                None,
                None,
                None,
                f"expected dates in the first column and counts in another, or an incident "
                f"table with a {args.time_col!r} column; found columns {list(table.columns)}",
            )
        )
    index = _dates(table.iloc[:, 0], path)
    candidates = [str(c) for c in table.columns[1:]]
    column = args.column
    if column is None:
        if len(candidates) == 1:
            column = candidates[0]
        elif "count" in candidates:
            column = "count"
        else:
            raise DataError(
                Problem(path, None, None, None, f"choose a column with --column: {candidates}")
            )
    if column not in candidates:
        raise DataError(
            Problem(path, None, column, None, f"no such column; columns are {candidates}")
        )
    if len(index) == 1 and index[0] == index[0].normalize():
        index = pd.DatetimeIndex(index, freq="D")  # one row: taken as one day
    return pd.Series(table[column].to_numpy(), index=index, name=column)


def run(args: argparse.Namespace) -> int:
    from analysis.rates import estimate_rate

    path = str(Path(args.file))
    counts = load_counts(path, args)
    try:
        result = estimate_rate(
            counts,
            start=args.start,
            end=args.end,
            level=args.level,
            per=_per(args.per),
            method=args.method,
        )
    except DataError as exc:
        raise in_file(exc, path) from exc
    except ValueError as exc:
        raise DataError(Problem(path, None, None, None, str(exc))) from exc
    if args.json:
        out: dict[str, Any] = {"file": path, "column": str(counts.name), **result.to_dict()}
        print(json.dumps(out, indent=2, allow_nan=False))
    else:
        print(result.summary())
        print(result.reason)
    return 0
