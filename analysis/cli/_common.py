"""Helpers shared by the subcommands that read a CSV of dated values.

Count files are read by :func:`analysis.io.counts_csv.read_count_csv`; an
incident table (a file with the time column, ``start`` by default) is counted
per day by :func:`analysis.counts.count_incidents`. Problems found by the library
in an in-memory table are reported against the file they came from.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.errors import DataError, Problem

if TYPE_CHECKING:  # pandas loads when a command reads a file, not for --help
    import pandas as pd

    from analysis.io.counts_csv import IndexKind


def number_or_text(text: str) -> str | float:
    """An option value as a number when it is one (``"2"`` -> 2.0), else as given."""
    try:
        return float(text)
    except ValueError:
        return text


def read_csv(path: str, **kwargs: Any) -> pd.DataFrame:
    """``pandas.read_csv`` (UTF-8, BOM allowed) with reading errors as DataError."""
    import pandas as pd

    try:
        return pd.read_csv(path, encoding="utf-8-sig", **kwargs)
    except pd.errors.EmptyDataError:
        raise DataError(Problem(path, 1, None, None, "the file is empty")) from None
    except UnicodeDecodeError as exc:
        raise DataError(
            Problem(path, None, None, None, f"the file is not UTF-8 text ({exc.reason})")
        ) from None
    except pd.errors.ParserError as exc:
        raise DataError(Problem(path, None, None, None, f"not a readable CSV: {exc}")) from None


def in_file(exc: DataError, path: str) -> DataError:
    """The same problems, naming the file instead of an in-memory table."""
    problems = [dataclasses.replace(p, file=path) for p in exc.problems]
    return DataError(problems, header=f"{len(problems)} problem(s) in {path}")


def header(path: str) -> list[str]:
    """The column names on the first line of a CSV file ([] when there is none)."""
    with Path(path).open(encoding="utf-8-sig", errors="replace", newline="") as f:
        return [name.strip() for name in next(csv.reader(f), [])]


def add_date_order(parser: argparse.ArgumentParser) -> None:
    """Add ``--dayfirst`` / ``--monthfirst``: how to read dates such as 04/11/2024."""
    order = parser.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        action="store_const",
        const=True,
        default=None,
        help="read numeric dates such as 04/11/2024 day-first (4 November)",
    )
    order.add_argument(
        "--monthfirst",
        dest="dayfirst",
        action="store_const",
        const=False,
        help="read numeric dates such as 04/11/2024 month-first (11 April)",
    )


# the library's advice, in the words of the command line
_OPTION_WORDS = {
    "pass dayfirst=True or dayfirst=False, or an explicit format": "pass --dayfirst or --monthfirst"
}


def in_cli_words(exc: DataError) -> DataError:
    """The same problems, with advice about parameters given as command-line options."""
    problems = []
    for p in exc.problems:
        message = p.message
        for library, option in _OPTION_WORDS.items():
            message = message.replace(library, option)
        problems.append(dataclasses.replace(p, message=message))
    return DataError(problems, header=f"{len(problems)} problem(s) in {problems[0].file}")


def read_counts(
    path: str, *, column: str | None, dayfirst: bool | None, index: IndexKind = "dates"
) -> pd.Series:
    """One value column of a counts CSV: ``column``, the only one, or the one named ``count``."""
    from analysis.io.counts_csv import read_count_csv

    try:
        if column is not None:
            return read_count_csv(path, column=column, index=index, dayfirst=dayfirst)
        return choose_column(read_count_csv(path, index=index, dayfirst=dayfirst), path)
    except DataError as exc:
        raise in_cli_words(exc) from exc


def choose_column(frame: pd.DataFrame, path: str) -> pd.Series:
    """The value column to analyse when none was chosen: the only one, or ``count``."""
    names = [str(c) for c in frame.columns]
    if len(names) == 1:
        return frame[names[0]]
    if "count" in names:
        return frame["count"]
    raise DataError(
        Problem(path, 1, None, None, f"several columns {names}: choose one with --column")
    )


def add_counts_arguments(parser: argparse.ArgumentParser) -> None:
    """Add FILE and the options that say how to read it as daily counts (see load_counts)."""
    parser.add_argument("file", metavar="FILE", help="CSV of counts or incident table")
    parser.add_argument("--column", help="count column of a counts CSV (default: the only one)")
    parser.add_argument("--start", help="first day (inclusive), e.g. 2024-10-29")
    parser.add_argument("--end", help="last day (inclusive)")
    parser.add_argument("--time-col", default="start", help="time column of an incident table")
    parser.add_argument("--weight", help="incident table: sum this column (e.g. quantity)")
    add_date_order(parser)


def add_vintage_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--vintage``, ``--provisional`` and ``--tail``: the newest days may be incomplete."""
    parser.add_argument(
        "--vintage",
        help="date the data were drawn (e.g. 2024-10-12); the newest days before it are "
        "provisional (see --provisional, --tail)",
    )
    parser.add_argument(
        "--provisional",
        default="3D",
        help="with --vintage: how much time ending on the vintage day is provisional (3D)",
    )
    parser.add_argument(
        "--tail",
        default="exclude",
        choices=["exclude", "flag"],
        help="with --vintage: leave the provisional days out (exclude) or keep and flag them",
    )


def vintage_keywords(args: argparse.Namespace) -> dict[str, Any]:
    """The library keywords of the options added by :func:`add_vintage_arguments`."""
    return {"vintage": args.vintage, "provisional": args.provisional, "tail": args.tail}


def counts_from_args(args: argparse.Namespace) -> pd.Series:
    """:func:`load_counts` of the FILE and options added by :func:`add_counts_arguments`."""
    return load_counts(
        str(Path(args.file)),
        column=args.column,
        time_col=args.time_col,
        start=args.start,
        end=args.end,
        weight=args.weight,
        dayfirst=args.dayfirst,
    )


def load_counts(
    path: str,
    *,
    column: str | None,
    time_col: str,
    start: str | None,
    end: str | None,
    weight: str | None,
    dayfirst: bool | None = None,
) -> pd.Series:
    """Read FILE as a daily count Series: a counts CSV, or an incident table counted per day.

    A counts CSV of a single row of a whole date is taken as one day.
    """
    import pandas as pd

    from analysis.counts import count_incidents

    names = header(path)
    if time_col in names:
        table = read_csv(path)
        try:
            counts = count_incidents(table, start=start, end=end, weight=weight, time_col=time_col)
        except DataError as exc:
            raise in_file(exc, path) from exc
        except ValueError as exc:  # empty table without --start/--end, start after end, ...
            raise DataError(Problem(path, None, None, None, str(exc))) from exc
        assert isinstance(counts, pd.Series)
        return counts
    if len(names) == 1:
        raise DataError(
            Problem(
                path,
                1,
                None,
                None,
                f"expected dates in the first column and counts in another, or an incident "
                f"table with a {time_col!r} column; found columns {names}",
            )
        )
    series = read_counts(path, column=column, dayfirst=dayfirst)
    if len(series) == 1 and series.index[0] == series.index[0].normalize():
        series.index = pd.DatetimeIndex(series.index, freq="D")  # one row: taken as one day
    return series
