"""Helpers shared by the subcommands that read a CSV of dated values.

Reading errors become :class:`~analysis.errors.DataError` naming the file, and
dates keep the local day as written: a trailing UTC offset is dropped, so a
series written across a daylight-saving change (``+03:00`` / ``+02:00``)
still parses as one column of dates.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from analysis.errors import DataError, Problem

_UTC_OFFSET = r"(Z|[+-]\d\d:?\d\d)$"


def read_csv(path: str, **kwargs: Any) -> pd.DataFrame:
    """``pandas.read_csv`` (UTF-8, BOM allowed) with reading errors as DataError."""
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


def without_offset(labels: pd.Series) -> pd.Series:
    """Date-time text with any trailing UTC offset removed (the local time as written)."""
    return labels.astype("string").str.strip().str.replace(_UTC_OFFSET, "", regex=True)


def in_file(exc: DataError, path: str) -> DataError:
    """The same problems, naming the file instead of an in-memory table."""
    problems = [dataclasses.replace(p, file=path) for p in exc.problems]
    return DataError(problems, header=f"{len(problems)} problem(s) in {path}")
