"""``incident-trends trend FILE``: fit a count trend model and forecast.

FILE is read as by ``incident-trends rates``: a CSV of counts (dates in the
first column, one row per day, zeros included) or a canonical incident table
(with a ``start`` column), counted per local day by ``count_incidents``. The
events file (``--events``) is a table read as it is.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

from analysis.cli._common import (
    add_counts_arguments,
    add_vintage_arguments,
    counts_from_args,
    in_file,
    read_csv,
    vintage_keywords,
)
from analysis.errors import DataError, Problem


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "trend",
        help="count regression: trend per week, weekly cycle, breaks, forecast with intervals",
        description=(
            "Fit a Poisson or negative-binomial trend model to the daily counts in FILE (a CSV "
            "of counts with dates in the first column, or an incident table with a time "
            "column) and forecast the next days with prediction intervals."
        ),
    )
    add_counts_arguments(p)
    p.add_argument("--family", default="auto", choices=["auto", "poisson", "negbin"])
    p.add_argument("--trend", default="linear", choices=["linear", "none", "spline", "piecewise"])
    p.add_argument("--no-weekly", action="store_true", help="no day-of-week effects")
    p.add_argument(
        "--breaks", help="comma-separated dates of level shifts, e.g. 2024-04-13,2024-10-01"
    )
    p.add_argument("--events", help="CSV of events: date, name[, kind (pulse|step), duration]")
    p.add_argument(
        "--forecast", type=int, default=28, metavar="H", help="days to forecast (0: none)"
    )
    p.add_argument("--level", type=float, default=0.95, help="confidence level of the fit")
    p.add_argument(
        "--forecast-level", type=float, default=0.9, help="prediction-interval level (0.9)"
    )
    p.add_argument(
        "--cov-type",
        default="latent",
        choices=["latent", "nonrobust", "HAC"],
        help="standard errors: latent (default; overdispersion and serial dependence from a "
        "latent AR(1) log-rate), nonrobust (the model's own, independent days) or HAC",
    )
    p.add_argument(
        "--hac", action="store_true", help="same as --cov-type HAC (not for short events)"
    )
    add_vintage_arguments(p)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def _in_files(exc: DataError, path: str, events_path: str | None) -> DataError:
    """Name the file each problem comes from: the events file or the counts file."""
    from analysis.trend._validate import EVENTS

    if events_path is None or all(p.file != EVENTS for p in exc.problems):
        return in_file(exc, path)
    problems = [
        dataclasses.replace(p, file=events_path if p.file == EVENTS else path) for p in exc.problems
    ]
    return DataError(problems, header=f"{len(problems)} problem(s) in {events_path}")


def run(args: argparse.Namespace) -> int:
    from analysis.trend import fit_trend

    path = str(Path(args.file))
    counts = counts_from_args(args)
    if args.start or args.end:  # a counts CSV: keep the requested days
        counts = counts.loc[args.start : args.end]
    breaks = [b.strip() for b in args.breaks.split(",") if b.strip()] if args.breaks else None
    events = None if args.events is None else read_csv(args.events)
    try:
        result = fit_trend(
            counts,
            family=args.family,
            trend=args.trend,
            weekly=not args.no_weekly,
            breaks=breaks,
            events=events,
            level=args.level,
            cov_type="HAC" if args.hac else args.cov_type,
            **vintage_keywords(args),
        )
        forecast = (
            result.forecast(args.forecast, level=args.forecast_level) if args.forecast else None
        )
    except DataError as exc:
        raise _in_files(exc, path, args.events) from exc
    except (ValueError, TypeError) as exc:
        message = str(exc).replace("pass weekly=False", "pass --no-weekly")
        raise DataError(Problem(path, None, None, None, message)) from exc
    if args.json:
        out: dict[str, Any] = {
            "file": path,
            "column": str(counts.name),
            "fit": result.to_dict(),
            "forecast": None if forecast is None else forecast.to_dict(),
        }
        print(json.dumps(out, indent=2, allow_nan=False))
    else:
        print(result.summary())
        if forecast is not None:
            print()
            print(forecast.summary())
    return 0
