"""``incident-trends changepoints FILE``: change points of one column of a CSV.

The first column of FILE is the index (whole numbers such as years are kept
as numbers, dates are parsed when every value is a date; otherwise the labels
are kept as they are); the series is ``--column`` or the only other column.
A file with a single column holds the values only, labelled 0, 1, 2, ...
Empty cells are missing values, skipped by the search (see
:func:`analysis.changepoints.detect_changepoints`); any other non-numeric
cell is an error naming its row and column.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from analysis._cli._common import read_csv, without_offset
from analysis.errors import DataError, Problem


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "changepoints",
        help="when did the level of a series change, by how much, and how sure are we",
        description=(
            "Detect change points in one column of FILE (a CSV whose first column is the "
            "date or other index) and print the segments with their intervals."
        ),
    )
    p.add_argument("file", metavar="FILE", help="CSV: index (e.g. date) column first")
    p.add_argument("--column", help="column to analyse (default: the only one)")
    p.add_argument(
        "--cost",
        default="auto",
        choices=["auto", "poisson", "negbin", "normal", "normal_meanvar"],
        help="segment model (default auto: counts -> poisson/negbin, else normal_meanvar)",
    )
    p.add_argument("--penalty", default="auto", help="auto, mbic, bic, aic or a number")
    p.add_argument(
        "--method",
        default="auto",
        choices=["auto", "fpop", "pelt", "op", "binseg", "seeded_binseg"],
    )
    p.add_argument("--min-size", type=int, default=2, help="minimum segment length (2)")
    p.add_argument("--max-changes", type=int, default=None, help="at most this many changes")
    p.add_argument("--level", type=float, default=0.95, help="confidence level (0.95)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def _penalty(text: str) -> str | float:
    try:
        return float(text)
    except ValueError:
        return text


def read_series(path: str, column: str | None) -> pd.Series:
    """Read the index and one numeric column of a CSV; empty cells become NaN."""
    frame = read_csv(path, dtype=str, keep_default_na=False)
    if frame.shape[1] == 0:
        raise DataError(Problem(path, 1, None, None, "no columns"))
    if frame.shape[1] == 1:  # values only: label them by position (0, 1, ...)
        frame.insert(0, "position", [str(i) for i in range(len(frame))])
    names = list(frame.columns[1:])
    if column is None:
        if len(names) > 1:
            raise DataError(
                Problem(path, 1, None, None, f"several columns {names}: choose one with --column")
            )
        column = names[0]
    if column not in names:
        raise DataError(Problem(path, 1, column, None, f"no such column; columns are {names}"))
    raw = frame[column].str.strip()
    values = pd.to_numeric(raw.replace("", None), errors="coerce")
    bad = values.isna() & (raw != "")
    if bad.any():
        raise DataError(
            [
                Problem(path, int(i) + 2, column, str(raw.iloc[i]), "not a number")
                for i in bad.to_numpy().nonzero()[0]
            ]
        )
    labels = frame.iloc[:, 0].str.strip()
    local = without_offset(labels)  # local dates as written (see _common)
    whole = pd.to_numeric(labels, errors="coerce")
    if len(labels) and whole.notna().all() and (whole == whole.round()).all():
        index = pd.Index(whole.astype("int64"))  # years or positions stay numbers
    else:
        dates = pd.to_datetime(local, errors="coerce", format="mixed")
        index = pd.Index(dates) if dates.notna().all() else pd.Index(labels)
    index.name = frame.columns[0]
    return pd.Series(values.to_numpy(dtype=float), index=index, name=column)


def run(args: argparse.Namespace) -> int:
    from analysis.changepoints import detect_changepoints

    series = read_series(args.file, args.column)
    try:
        result = detect_changepoints(
            series,
            cost=args.cost,
            penalty=_penalty(args.penalty),
            method=args.method,
            min_size=args.min_size,
            max_changes=args.max_changes,
            level=args.level,
            source=args.file,
        )
    except (ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result.summary())
    return 0
