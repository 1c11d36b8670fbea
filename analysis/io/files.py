"""Incident tables in Parquet or CSV files read by DuckDB, for inputs larger than memory.

:func:`resolve_files` turns a path, a glob (``data/*.parquet``) or a list of
paths into the list of files and their format; :func:`connect` opens an
embedded DuckDB connection (no server) that scans them without loading them.
DuckDB is an optional dependency: ``pip install 'incident-trends[large]'``.
:func:`analysis.counts.count_incidents` uses both when given a path.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.errors import DataNotFoundError

__all__ = ["FileSource", "connect", "resolve_files"]

_PARQUET = (".parquet", ".pq", ".parq")
_CSV = (".csv", ".csv.gz", ".tsv")

#: a path, a glob, or several of them
FileSource = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


def _kind(path: str) -> str | None:
    low = path.lower()
    if low.endswith(_PARQUET):
        return "parquet"
    if low.endswith(_CSV):
        return "csv"
    return None


def resolve_files(source: FileSource) -> tuple[list[str], str]:
    r"""The files named by a path, a glob or a list of them, and their format.

    Parameters
    ----------
    source : str, path or sequence of them
        A ``.parquet`` or ``.csv`` file, a glob such as ``"data/2024-*.parquet"``,
        a directory (its ``*.parquet`` files, else its ``*.csv`` files) or a list of those.

    Returns
    -------
    files : list of str
        The files, sorted within each glob.
    kind : str
        ``"parquet"`` or ``"csv"`` (one format for all files).

    Raises
    ------
    DataNotFoundError
        No file matches (the message names the path or glob).
    ValueError
        A file is neither Parquet nor CSV, or the files mix the two.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     for name in ("a.csv", "b.csv"):
    ...         _ = open(os.path.join(d, name), "w").write("start\n2024-01-01\n")
    ...     files, kind = resolve_files(os.path.join(d, "*.csv"))
    >>> [os.path.basename(f) for f in files], kind
    (['a.csv', 'b.csv'], 'csv')
    """
    items = [source] if isinstance(source, str | os.PathLike) else list(source)
    if not items:
        raise ValueError("no file given: pass a path, a glob such as 'data/*.parquet', or a list")
    files: list[str] = []
    for item in items:
        text = os.path.expanduser(os.fspath(item))
        if Path(text).is_dir():
            found = sorted(glob.glob(os.path.join(glob.escape(text), "*.parquet")))
            found = found or sorted(glob.glob(os.path.join(glob.escape(text), "*.csv")))
        elif glob.has_magic(text):
            found = sorted(glob.glob(text, recursive=True))
        else:
            found = [text] if Path(text).is_file() else []
        if not found:
            raise DataNotFoundError(
                f"no file matches {text!r} (give a Parquet or CSV file or glob)"
            )
        files.extend(found)
    kinds = {f: _kind(f) for f in files}
    unknown = [f for f, k in kinds.items() if k is None]
    if unknown:
        raise ValueError(
            f"{unknown[0]!r} is neither Parquet (.parquet) nor CSV (.csv): name the files by "
            "their format"
        )
    if len(set(kinds.values())) > 1:
        raise ValueError("the files mix Parquet and CSV: count each format on its own")
    return files, str(next(iter(kinds.values())))


def connect() -> Any:
    """An in-memory DuckDB connection in UTC (DuckDB imported here, an optional extra).

    Raises
    ------
    ImportError
        When DuckDB is not installed; the message names the extra to install.

    Examples
    --------
    >>> con = connect()  # doctest: +SKIP
    >>> con.sql("SELECT 1").fetchall()  # doctest: +SKIP
    [(1,)]
    """
    try:
        import duckdb
    except ImportError as exc:
        raise ImportError(
            "counting incident files (Parquet or CSV) needs DuckDB, an optional dependency: "
            "pip install 'incident-trends[large]' (or pip install duckdb)"
        ) from exc
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def sql_list(files: Sequence[str]) -> str:
    """The files as a SQL list literal (quotes doubled)."""
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
