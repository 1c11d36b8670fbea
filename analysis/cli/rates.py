"""``incident-trends rates FILE``: the rate of events in a CSV, with its interval.

FILE is either a CSV of counts (dates in the first column, one row per period,
zeros included; a single row is taken as one day), read by
:func:`analysis.io.counts_csv.read_count_csv`, or a canonical incident table
(it has the time column, ``start`` by default), which is first counted per
day with ``count_incidents``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from analysis.cli._common import (
    add_counts_arguments,
    add_vintage_arguments,
    counts_from_args,
    in_file,
    number_or_text,
    vintage_keywords,
)
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
    add_counts_arguments(p)
    p.add_argument("--per", default="day", help="day, week, month, year or a number of days")
    p.add_argument(
        "--family",
        "--method",
        dest="family",
        default="auto",
        choices=["auto", "quasipoisson", "poisson", "negbin"],
        help="count distribution (--method is its old name); auto: the Poisson interval "
        "scaled by the design effect (overdispersion and serial dependence)",
    )
    p.add_argument(
        "--estimand",
        default="process",
        choices=["process", "realised"],
        help="the rate of the process behind the window (default) or the realised events",
    )
    add_vintage_arguments(p)
    p.add_argument("--level", type=float, default=0.95, help="confidence level (0.95)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.rates import estimate_rate

    path = str(Path(args.file))
    counts = counts_from_args(args)
    try:
        result = estimate_rate(
            counts,
            start=args.start,
            end=args.end,
            level=args.level,
            per=number_or_text(args.per),
            family=args.family,
            estimand=args.estimand,
            **vintage_keywords(args),
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
