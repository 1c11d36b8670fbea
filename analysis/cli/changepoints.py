"""``incident-trends changepoints FILE``: change points of one column of a CSV.

The first column of FILE is the index (whole numbers such as years are kept
as numbers, dates are parsed when every value is a date; otherwise the labels
are kept as they are); the series is ``--column``, the only other column or
the one named ``count``. A file with a single column holds the values only,
labelled 0, 1, 2, ... Empty cells are missing values, skipped by the search
(see :func:`analysis.changepoints.detect_changepoints`); any other
non-numeric cell is an error naming its row and column (see
:func:`analysis.io.counts_csv.read_count_csv`).
"""

from __future__ import annotations

import argparse
import json
import sys

from analysis.cli._common import add_date_order, number_or_text, read_counts
from analysis.errors import DataError


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
    add_date_order(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.changepoints import detect_changepoints

    series = read_counts(args.file, column=args.column, dayfirst=args.dayfirst, index="auto")
    try:
        result = detect_changepoints(
            series,
            cost=args.cost,
            penalty=number_or_text(args.penalty),
            method=args.method,
            min_size=args.min_size,
            max_changes=args.max_changes,
            level=args.level,
            source=args.file,
        )
    except DataError:
        raise
    except (ValueError, TypeError) as exc:  # an option the library refuses: a usage error
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result.summary())
    return 0
