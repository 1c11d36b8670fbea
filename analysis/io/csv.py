"""Strict CSV reading that reports every problem with its file line.

:func:`read_csv_checked` reads a comma-separated UTF-8 file into a table of
strings and reports what is wrong with the file itself, before any schema is
applied: an empty file, a header without data rows, bytes that are not UTF-8,
the wrong delimiter, a broken quote, duplicate or empty column names, and rows
with the wrong number of fields. Each problem is an
:class:`~analysis.errors.Problem` naming the file, the 1-based line (the
header is line 1) and, where it applies, the column.

Records are split by the standard library's :mod:`csv` module (strict mode),
not by pandas: ``csv.reader`` exposes the line number reached after each
record, which is what maps a record back to the line where it starts even
when a quoted field spans several lines. pandas' parser does not give that
mapping.

Damaged text is reported row by row, never as a traceback: a field longer
than :data:`MAX_FIELD_CHARS` (the csv module's own default limit, which this
reader lifts while it reads so that the row can be named), a NUL byte, and
bytes that are not UTF-8 each reject their row with its line and column, and
every other row is still read and checked.

Dates stay text in :class:`RawTable`; :func:`parse_date_column` reads a date
column with one rule for every row (day-first or month-first numeric dates
are never mixed; an ambiguous column is refused with the rows that show it)
and flags years no incident can have (:func:`implausible_years`).
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import dataclasses
import io
import itertools
import re
import sys
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis._dates import AmbiguousDatesError, parse_datetime_column
from analysis.errors import DataError, DataNotFoundError, Problem

__all__ = [
    "EARLIEST_YEAR",
    "LATEST_YEAR",
    "MAX_FIELD_CHARS",
    "DateColumn",
    "NotChunkable",
    "RawTable",
    "csv_chunks",
    "implausible_years",
    "missing_column_message",
    "parse_date_column",
    "read_csv_checked",
    "read_csv_text",
    "year_message",
]

#: Longest field accepted, in characters: the csv module's default ``field_size_limit``.
#: A longer field is almost always a quote left open or a file that is not text.
MAX_FIELD_CHARS = 131_072
#: Time columns read by io refuse years outside ``EARLIEST_YEAR``-``LATEST_YEAR`` (inclusive) by
#: default: a year such as 0001 or 9999 is a placeholder or a typing error, never an incident
#: time, and pandas reads both without complaint.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
_PREVIEW = 60  # characters of a value shown in a problem
_FIELD_LIMIT_LOCK = threading.Lock()

_BOM = "\ufeff"
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_OTHER_DELIMITERS = {";": "';' (semicolon)", "\t": "a tab", "|": "'|' (vertical bar)"}


@dataclass(frozen=True)
class RawTable:
    """A CSV file read as strings, with the problems found while reading it.

    Attributes
    ----------
    file : str
        The file name used in problems.
    columns : tuple of str
        The header, in file order.
    frame : pandas.DataFrame
        The well-formed data rows (one column per header field, every cell a
        string; empty or blank cells are missing, ``NA``), indexed by the file
        line where the row starts (index name ``"row"``).
    malformed : pandas.DataFrame
        Records that could not be split into the header's columns: columns
        ``row`` (file line where the record starts), ``raw`` (the record's
        fields joined by commas) and ``reason``.
    problems : tuple of Problem
        Every problem found, in file order.
    fatal : bool
        True when the file could not be read into rows at all (empty, wrong
        delimiter, broken quote, bad header, bytes that are not UTF-8 in the
        header); ``frame`` and ``malformed`` are then empty. Bytes that are
        not UTF-8 in data rows are reported one problem per line, and the
        rest of the file is still read (with U+FFFD for the bad bytes).
    header_row : int
        File line of the header (1 unless the file starts with blank lines).
    """

    file: str
    columns: tuple[str, ...]
    frame: pd.DataFrame
    malformed: pd.DataFrame
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    fatal: bool = False
    header_row: int = 1

    @property
    def n_rows(self) -> int:
        """Number of data records read: well-formed plus malformed."""
        return len(self.frame) + len(self.malformed)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def raise_if_problems(self) -> RawTable:
        """Raise :class:`~analysis.errors.DataError` with every problem, if any."""
        if self.problems:
            raise DataError(
                list(self.problems), header=f"{self.file}: {len(self.problems)} problem(s)"
            )
        return self


def read_csv_checked(
    path: str | Path,
    *,
    required: Sequence[str] | None = None,
    expected: Sequence[str] | None = None,
    file: str | None = None,
) -> RawTable:
    r"""Read a comma-separated UTF-8 file into strings, reporting every problem.

    Parameters
    ----------
    path : str or Path
        The CSV file. A UTF-8 byte-order mark is accepted and removed.
    required : sequence of str, optional
        Columns the table must have. A missing one is reported (at the header
        row, one problem per column); the names also help recognise a file that
        uses another delimiter.
    expected : sequence of str, optional
        Column names the file may have (not reported when missing); used only
        to recognise a file that uses another delimiter, together with
        ``required``.
    file : str, optional
        Name to use in problems (default: ``str(path)``).

    Returns
    -------
    RawTable
        The rows as strings plus the problems found. Nothing is dropped: every
        data record is in ``frame`` or in ``malformed``. Blank lines are not
        records and are skipped (their line numbers still count).

    Raises
    ------
    DataNotFoundError
        When ``path`` does not exist.
    DataError
        When ``path`` is a directory.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "t.csv")
    ...     with open(p, "w", encoding="utf-8") as f:
    ...         _ = f.write("id,n\na,1\nb,2,3\n")
    ...     t = read_csv_checked(p, file="t.csv")
    >>> t.n_rows, len(t.frame), len(t.malformed)
    (2, 1, 1)
    >>> p = t.problems[0]
    >>> p.row, p.column, p.message[:39]
    (3, 'n', 'expected 2 fields (as in the header), f')
    """
    path = Path(path)
    name = str(path) if file is None else file
    if path.is_dir():
        raise DataError(
            Problem(name, None, None, None, "is a directory, not a CSV file"),
            header=f"cannot read {name}",
        )
    if not path.exists():
        raise DataNotFoundError(f"{name}: no such file")
    return read_csv_text(path.read_bytes(), file=name, required=required, expected=expected)


def read_csv_text(
    data: bytes | str,
    *,
    file: str = "<text>",
    required: Sequence[str] | None = None,
    expected: Sequence[str] | None = None,
) -> RawTable:
    r"""Like :func:`read_csv_checked`, from bytes or text already in memory.

    Examples
    --------
    >>> t = read_csv_text(b"\xef\xbb\xbfid,n\na,1\n")
    >>> t.columns, t.frame.loc[2, "n"]
    (('id', 'n'), '1')
    """
    with _fields_of_any_length():
        return _read_text(data, file=file, required=required, expected=expected)


#: Lines per chunk read by :func:`csv_chunks` (a few tens of megabytes of strings).
CHUNK_LINES = 1 << 17


class NotChunkable(Exception):
    """A file that :func:`csv_chunks` cannot read chunk by chunk with the whole-file answer."""


def _chunk_bounds(data: bytes, lines: int) -> list[int] | None:
    r"""Byte offsets where chunks of about ``lines`` lines start, outside any quoted field.

    A boundary is placed after a line feed at which the number of double quotes
    so far is even (so no quoted field is open: a quote inside a field is
    doubled). None when the file has line breaks other than ``\n`` and
    ``\r\n`` (then lines cannot be counted by line feeds).
    """
    view = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(view == 10)
    if data.count(b"\r") != data.count(b"\r\n"):
        return None
    if b'"' in data:
        quotes = np.flatnonzero(view == 34)
        even = np.searchsorted(quotes, breaks) % 2 == 0
    else:
        even = np.ones(len(breaks), dtype=bool)
    bounds = [0]
    candidates = np.flatnonzero(even)
    target = lines - 1
    while True:
        k = np.searchsorted(candidates, target)
        if k >= len(candidates) or breaks[candidates[k]] + 1 >= len(data):
            break
        at = int(candidates[k])
        bounds.append(int(breaks[at]) + 1)
        target = at + lines
    bounds.append(len(data))
    return bounds


def csv_chunks(
    data: bytes,
    *,
    file: str,
    expected: Sequence[str] | None = None,
    lines: int | None = None,
    only: Collection[int] | None = None,
    header_row: int | None = None,
) -> Iterator[RawTable]:
    r"""The tables of :func:`read_csv_text` on successive chunks of a file's bytes.

    Each chunk holds about ``lines`` lines (default :data:`CHUNK_LINES`) and is
    read with the file's first lines up to its header in front of it, so it is
    read by the same code as the whole file; row numbers (index, ``malformed``
    rows and problems) are the lines of the whole file. Chunks hold the same
    rows, cells and row problems as :func:`read_csv_text` of the whole file,
    so only a few megabytes of strings exist at a time.

    ``only`` (chunk numbers, from 0) reads and yields only those chunks;
    with it, ``header_row`` (the table's, from an earlier pass) spares reading
    the first chunk when it is not wanted.

    Raises
    ------
    NotChunkable
        Before the first chunk or between chunks, when the file cannot be read
        that way with the same answer as the whole file: it is small, holds a
        NUL byte or line breaks other than ``\n``/``\r\n``, a chunk is not
        UTF-8, or a chunk has a problem about the file rather than its rows
        (empty, header, broken quote) or one that names another line. The
        caller then reads the whole file.

    Examples
    --------
    >>> data = b"id,n\n" + b"".join(b"r%d,%d\n" % (i, i) for i in range(5))
    >>> [list(t.frame.index) for t in csv_chunks(data, file="t.csv", lines=3)]
    [[2, 3], [4, 5, 6]]
    """
    step = CHUNK_LINES if lines is None else int(lines)
    if step < 2:
        raise ValueError(f"lines must be at least 2, not {lines!r}")
    if b"\x00" in data or data.count(b"\n") < 2 * step:
        raise NotChunkable("small, or holds a NUL byte")
    bounds = _chunk_bounds(data, step)
    if bounds is None or len(bounds) < 3:
        raise NotChunkable("line breaks other than \\n")
    prefix = b""
    header_lines = 0
    next_line = 1
    if only is not None and header_row is not None:
        header_lines = header_row
        prefix = data[: _after_lines(data, header_row)]
    for number, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        first_line = next_line
        next_line += data.count(b"\n", lo, hi)
        if only is not None and number not in only and (number or prefix):
            continue
        try:
            text = ((prefix if number else b"") + data[lo:hi]).decode("utf-8")
        except UnicodeDecodeError:
            raise NotChunkable("not UTF-8") from None
        with _fields_of_any_length():  # the lock is not held between chunks
            table = _read_text(text, file=file, required=None, expected=expected)
        if table.fatal or any(p.row is None or " on line " in p.message for p in table.problems):
            raise NotChunkable("a problem about the file")
        if number == 0:
            header_lines = table.header_row
            prefix = data[: _after_lines(data, header_lines)]
            if only is None or 0 in only:
                yield table
            continue
        if any(p.row is not None and p.row <= header_lines for p in table.problems):
            raise NotChunkable("a problem at the header")  # pragma: no cover
        yield _shifted(table, first_line - header_lines - 1)


def _after_lines(data: bytes, n: int) -> int:
    """Byte offset just after the first ``n`` lines of ``data``."""
    cut = 0
    for _ in range(n):
        cut = data.index(b"\n", cut) + 1
    return cut


def _shifted(table: RawTable, by: int) -> RawTable:
    """``table`` with every row number moved by ``by`` lines."""
    frame = table.frame
    frame.index = pd.Index(frame.index.to_numpy() + by, dtype="int64", name="row")
    malformed = table.malformed
    if len(malformed):
        malformed = malformed.assign(row=malformed["row"].to_numpy() + by)
    problems = tuple(
        p if p.row is None else dataclasses.replace(p, row=p.row + by) for p in table.problems
    )
    return dataclasses.replace(table, frame=frame, malformed=malformed, problems=problems)


def implausible_years(
    times: pd.Series, *, earliest: int = EARLIEST_YEAR, latest: int = LATEST_YEAR
) -> np.ndarray:
    """Which times have a year outside ``earliest``-``latest`` (missing times are not flagged).

    Parameters
    ----------
    times : pandas.Series
        Parsed times (``datetime64``, tz-aware, or ``Timestamp`` objects).
    earliest, latest : int
        The plausible years, inclusive; default :data:`EARLIEST_YEAR` (1900)
        and :data:`LATEST_YEAR` (2100).

    Returns
    -------
    numpy.ndarray of bool
        One flag per row.

    Examples
    --------
    >>> text = pd.Series(["0001-01-01", "2024-11-04", "9999-12-31", None])
    >>> t = pd.to_datetime(text, format="ISO8601")
    >>> implausible_years(t).tolist()
    [True, False, True, False]
    """
    if isinstance(times.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(times.dtype):
        years = times.dt.year.astype("Float64")
    else:  # Timestamps with different UTC offsets (object dtype)
        years = pd.Series([getattr(t, "year", None) for t in times], dtype="Float64")
    flags = (years < earliest) | (years > latest)
    return flags.fillna(False).to_numpy(dtype=bool)


def year_message(column: str, year: int, earliest: int, latest: int) -> str:
    """The problem text for a time whose year is not plausible.

    Examples
    --------
    >>> year_message("start", 1, 1900, 2100)
    "year 0001 in 'start' is outside 1900-2100: a placeholder or a typing error?"
    """
    return (
        f"year {year:04d} in {column!r} is outside {earliest}-{latest}: "
        "a placeholder or a typing error?"
    )


@dataclass(frozen=True)
class DateColumn:
    """A date column of a :class:`RawTable`, read with one rule for every row.

    Attributes
    ----------
    values : pandas.Series
        Parsed times on the table's index (the file line of each row);
        ``NaT`` where the cell is empty or has a problem.
    problems : tuple of Problem
        One per row whose value could not be read with the rule, or whose
        year is not plausible; for a column that day-first and month-first
        readings both fit, one per row that shows it.
    rule : str
        How the column was read (``"ISO dates"``, ``"day-first numeric
        dates"``, ``"format '%d.%m.%Y'"``), or why it was not.
    """

    values: pd.Series
    problems: tuple[Problem, ...]
    rule: str


def parse_date_column(
    table: RawTable,
    column: str,
    *,
    dayfirst: bool | None = None,
    format: str | None = None,
    earliest_year: int = EARLIEST_YEAR,
    latest_year: int = LATEST_YEAR,
) -> DateColumn:
    r"""Read a user's date column with one rule for every row, reporting each problem.

    The rule comes from :func:`analysis._dates.parse_datetime_column`: ISO
    dates as they are; numeric dates (``04/11/2024``) day-first or
    month-first for the whole column, from ``dayfirst`` or ``format`` when
    given, else from rows that settle it. A column that could be read
    either way, or that mixes both orders, is refused with the rows that show
    it; a day-first date is never read month-first on some rows.

    Parameters
    ----------
    table : RawTable
        A table read by :func:`read_csv_checked`.
    column : str
        The date column.
    dayfirst : bool, optional
        Read numeric dates day-first (``True``) or month-first (``False``).
    format : str, optional
        An explicit ``strftime`` format for every row (wins over ``dayfirst``).
    earliest_year, latest_year : int
        Plausible years (see :func:`implausible_years`).

    Returns
    -------
    DateColumn
        The values and the problems (file, row, column, value, message).

    Raises
    ------
    KeyError
        When the table has no such column.

    Examples
    --------
    >>> t = read_csv_text("id,day\na,13/11/2024\nb,04/11/2024\n", file="t.csv")
    >>> d = parse_date_column(t, "day")
    >>> d.rule, d.values.dt.strftime("%Y-%m-%d").tolist()
    ('day-first numeric dates', ['2024-11-13', '2024-11-04'])
    >>> t = read_csv_text("id,day\na,04/11/2024\n", file="t.csv")
    >>> print(parse_date_column(t, "day").problems[0])
    t.csv, row 2, column 'day': 04/11/2024 reads as 4 November or 11 April...
    >>> parse_date_column(t, "day", dayfirst=True).values.dt.month.tolist()
    [11]
    """
    if column not in table.frame.columns:
        raise KeyError(
            f"{table.file} has no column {column!r} (columns: {', '.join(table.columns)})"
        )
    raw = table.frame[column]
    rows = [int(r) for r in table.frame.index]
    try:
        parsed = parse_datetime_column(raw, column=column, dayfirst=dayfirst, format=format)
    except AmbiguousDatesError as exc:
        empty = pd.Series(pd.NaT, index=table.frame.index, dtype="datetime64[ns]", name=column)
        reason = str(exc).removeprefix(f"column {column!r}").lstrip(": ")  # the column is named
        shown = tuple(
            Problem(table.file, rows[pos], column, value, reason)
            for pos, value in zip(exc.rows, exc.values, strict=True)
        )
        return DateColumn(empty, shown, "refused: " + reason)
    values = parsed.values.copy()
    values.name = column
    problems: list[tuple[int, Problem]] = []
    for pos in parsed.bad:
        problems.append(
            (
                int(pos),
                Problem(
                    table.file,
                    rows[pos],
                    column,
                    _preview(str(raw.iloc[pos])),
                    f"not a date (the column is read as {parsed.rule})",
                ),
            )
        )
    far = implausible_years(values, earliest=earliest_year, latest=latest_year)
    for pos in np.flatnonzero(far):
        year = int(values.iloc[pos].year)
        message = year_message(column, year, earliest_year, latest_year)
        problems.append(
            (int(pos), Problem(table.file, rows[pos], column, str(raw.iloc[pos]), message))
        )
    if far.any():
        values = values.where(~far)
    ordered = tuple(p for _, p in sorted(problems, key=lambda item: item[0]))
    return DateColumn(values, ordered, parsed.rule)


# --------------------------------------------------------------------------- internals


@contextlib.contextmanager
def _fields_of_any_length() -> Iterator[None]:
    """Lift the csv module's field limit while reading, then restore it.

    The limit is process-wide; an over-long field is reported by this reader
    itself (:data:`MAX_FIELD_CHARS`), at its row and column, instead of
    stopping the whole file at the first one.
    """
    with _FIELD_LIMIT_LOCK:
        previous = csv.field_size_limit(sys.maxsize)
        try:
            yield
        finally:
            csv.field_size_limit(previous)


def _preview(value: str) -> str:
    """A value short enough for a message: long ones are cut, with their length."""
    if len(value) <= _PREVIEW:
        return value
    return f"{value[:_PREVIEW]}... ({len(value):,} characters)"


def _read_text(
    data: bytes | str,
    *,
    file: str,
    required: Sequence[str] | None,
    expected: Sequence[str] | None,
) -> RawTable:
    if isinstance(data, bytes):
        if not data.strip():
            what = "0 bytes" if not data else "only blank space"
            return _fatal(file, _empty_file_problem(file, f"the file is empty ({what})"))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            bad = _encoding_problems(file, data)
            text = data.decode("utf-8", errors="replace").removeprefix(_BOM)
            if not text.strip():  # pragma: no cover - a bad byte is not blank
                return _fatal(file, *bad)
            table = _parse(
                text, file=file, required=tuple(required or ()), expected=tuple(expected or ())
            )
            return _with_encoding_problems(table, bad)
    else:
        text = data
    if text.startswith(_BOM):
        text = text[1:]
    if not text.strip():
        return _fatal(file, _empty_file_problem(file, "the file is empty"))
    return _parse(text, file=file, required=tuple(required or ()), expected=tuple(expected or ()))


def _file_problem(
    file: str,
    message: str,
    *,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
) -> Problem:
    return Problem(file, row, column, value, message)


def _empty_file_problem(file: str, what: str) -> Problem:
    """An empty file: row 1 is where the header with the column names should be."""
    return _file_problem(
        file, f"{what}; expected a header line with the column names, then data rows", row=1
    )


def _empty(columns: Iterable[str] = ()) -> pd.DataFrame:
    cols = list(columns)
    return pd.DataFrame(
        {c: pd.Series([], dtype="str") for c in cols}, index=pd.Index([], dtype="int64", name="row")
    )


def _no_malformed() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": pd.Series([], dtype="int64"),
            "raw": pd.Series([], dtype="str"),
            "reason": pd.Series([], dtype="str"),
        }
    )


def _fatal(file: str, *problems: Problem, columns: Sequence[str] = ()) -> RawTable:
    return RawTable(
        file, tuple(columns), _empty(columns), _no_malformed(), tuple(problems), fatal=True
    )


def _encoding_problems(file: str, data: bytes) -> list[Problem]:
    """One problem per line holding bytes that are not UTF-8, at its first such byte.

    Each names the line, the column (from the header; none for the header
    itself), the cell as far as it can be read, the byte and its offset, and a
    guess at the file's real encoding.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        guess = "it looks like UTF-16"
    elif re.search(rb"[\xe0-\xfa]{2,}", data) and not re.search(rb"[\xc0-\xdf][\x80-\xbf]", data):
        guess = "it may be Windows-1255 (Hebrew) or Latin-1/Windows-1252"
    else:
        guess = "it may be Latin-1, Windows-1252 or Windows-1255"
    # the header is the first line that is not blank (blank lines before it are skipped)
    lines = _LINE_BREAK.split(data.removeprefix(_BOM.encode("utf-8")))
    header_line = next((i for i, raw in enumerate(lines, start=1) if raw.strip()), 1)
    header_text = lines[header_line - 1].decode("latin-1") if lines else ""
    head_fields = next(csv.reader([header_text]), [])
    problems: list[Problem] = []
    line, line_start = 1, 0
    # line breaks as the csv module counts them: \r\n, \r or \n
    for brk in [*_LINE_BREAK.finditer(data), None]:
        line_end = brk.start() if brk is not None else len(data)
        line_bytes = data[line_start:line_end]
        try:
            line_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            offset = line_start + exc.start
            problems.append(
                _bad_byte_problem(
                    file,
                    data,
                    offset,
                    line,
                    line_start,
                    line_bytes,
                    head_fields if line > header_line else [],
                    guess,
                )
            )
        if brk is not None:
            line, line_start = line + 1, brk.end()
    return problems


def _bad_byte_problem(
    file: str,
    data: bytes,
    offset: int,
    line: int,
    line_start: int,
    line_bytes: bytes,
    head_fields: list[str],
    guess: str,
) -> Problem:
    column = None
    value = line_bytes.decode("utf-8", errors="replace")
    if head_fields:  # a data line: name the column of the bad byte
        # latin-1 maps bytes to characters one to one, so offsets stay byte offsets
        prefix = data[line_start:offset].decode("latin-1")
        idx = len(next(csv.reader([prefix]), [""])) - 1
        cells = next(csv.reader([value]), [])
        if 0 <= idx < len(head_fields):
            column = head_fields[idx]
        if 0 <= idx < len(cells):
            value = cells[idx]
    bad = data[offset : offset + 1].hex().upper()
    message = (
        f"the file is not UTF-8: byte 0x{bad} at byte offset {offset} "
        f"(column {offset - line_start + 1} of line {line}) is not valid UTF-8; "
        f"{guess}. Re-save the file as UTF-8"
    )
    return Problem(file, line, column, _preview(value) if value else None, message)


def _with_encoding_problems(table: RawTable, problems: list[Problem]) -> RawTable:
    """Add the encoding problems to a table read from the text decoded with replacements.

    A bad byte in the header (or before it) makes the columns unknown: the
    table is then fatal. Otherwise the rows holding bad bytes are reported
    at the line where their record starts (so that they are rejected) and
    every other row is read and checked as usual.
    """
    if any(p.row is not None and p.row <= table.header_row for p in problems):
        # the columns are unknown: what else the garbled text seems to show is not reported
        return dataclasses.replace(_fatal(table.file, *problems), header_row=table.header_row)
    if table.fatal:
        return dataclasses.replace(table, problems=(*problems, *table.problems))
    starts = sorted([*map(int, table.frame.index), *map(int, table.malformed["row"])])
    moved = []
    for p in problems:
        at = bisect.bisect_right(starts, p.row or 0) - 1
        moved.append(dataclasses.replace(p, row=starts[at]) if at >= 0 else p)
    merged = sorted([*moved, *table.problems], key=lambda p: -1 if p.row is None else p.row)
    return dataclasses.replace(table, problems=tuple(merged))


def _wrong_delimiter(header_line: str, fields: list[str], known: set[str]) -> str | None:
    """Return the description of the delimiter the header uses, if not a comma.

    A header is taken to use ``delim`` when splitting on commas gives one
    field and splitting on ``delim`` gives several, or when splitting on
    ``delim`` finds more of the ``known`` column names (at least two, or all
    of them) than splitting on commas does.
    """
    by_comma = len(known & {f.strip() for f in fields})
    for delim, label in _OTHER_DELIMITERS.items():
        if delim not in header_line:
            continue
        alt = next(csv.reader([header_line], delimiter=delim), [])
        by_alt = len(known & {a.strip() for a in alt})
        enough = by_alt >= 2 or (known and by_alt == len(known))
        if (len(fields) == 1 and len(alt) > 1) or (enough and by_alt > by_comma):
            return label
    return None


def _quote_opening_line(lines: list[str], first: int, last: int) -> int:
    """Line (1-based) where the last still-open double quote of a record opened.

    ``lines`` holds the file's physical lines; the record spans ``first`` to
    ``last``. A quote is open after a line when the count of ``"`` characters
    so far is odd; the last line at which it turned from closed to open is
    where the offending quoted field started. A doubled quote (``""``) inside
    a field leaves the parity unchanged, so it does not mislead this count.
    """
    open_ = False
    opened_at = first
    for number in range(first, min(last, len(lines)) + 1):
        was_open = open_
        if lines[number - 1].count('"') % 2:
            open_ = not open_
        if open_ and not was_open:
            opened_at = number
    return opened_at


def _parse(
    text: str, *, file: str, required: tuple[str, ...], expected: tuple[str, ...]
) -> RawTable:
    # the same lines as splitting at \r\n, \r and \n (much faster without \r)
    lines = text.split("\n") if "\r" not in text else re.split(r"\r\n|\r|\n", text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        while not header:  # leading blank lines
            header = next(reader)
    except StopIteration:  # pragma: no cover - text.strip() is non-empty
        return _fatal(file, _file_problem(file, "the file is empty"))
    except csv.Error as exc:
        row = _quote_opening_line(lines, 1, reader.line_num)
        return _fatal(file, _broken_quote(file, row, reader.line_num, exc, None))
    header_row = reader.line_num
    header = [h.strip() for h in header]
    header_problems: list[Problem] = []
    delim = _wrong_delimiter(lines[header_row - 1], header, set(required) | set(expected))
    if delim is not None:
        return _fatal(
            file,
            _file_problem(
                file,
                f"the file is separated by {delim}, not commas, so the header was read as "
                f"{_fields(len(header))} instead of one per column; it must be comma-separated "
                "(re-save it as CSV with ',' as the delimiter)",
                row=header_row,
                column=header[0],
            ),
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        damage = _damaged(name)
        if damage:
            header_problems.append(
                _file_problem(
                    file, f"header field {i} {damage}", row=header_row, value=_preview(name)
                )
            )
        elif not name:
            header_problems.append(
                _file_problem(
                    file,
                    f"header field {i} is empty; every column needs a name (a trailing comma?)",
                    row=header_row,
                )
            )
        elif name in seen:
            header_problems.append(
                _file_problem(
                    file,
                    f"column name appears twice in the header (fields {seen[name]} and {i})",
                    row=header_row,
                    column=name,
                )
            )
        else:
            seen[name] = i
    if header_problems:
        return _fatal(file, *header_problems, columns=())

    problems: list[Problem] = []
    has_nul = "\x00" in text
    rows: list[list[str | None]] = []
    starts: list[int] = []
    bad: list[tuple[int, str, str]] = []
    previous = header_row
    fast = None if has_nul else _one_line_records(lines, header, header_row, file)
    if fast is not None:
        columns_fast, starts, bad, problems = fast
        return _raw_table(file, header, header_row, required, columns_fast, starts, bad, problems)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row = _quote_opening_line(lines, previous + 1, reader.line_num)
            index = _quote_field(lines, previous + 1, row)
            column = header[index] if index is not None and index < len(header) else None
            problem = _broken_quote(file, row, reader.line_num, exc, column)
            return _fatal(file, problem, columns=header)
        start = previous + 1
        previous = reader.line_num
        if not record or (len(record) == 1 and not record[0].strip() and len(header) > 1):
            continue  # a blank line is not a record
        suspect = has_nul or max(map(len, record), default=0) > MAX_FIELD_CHARS
        damaged = (
            [(i, why) for i, f in enumerate(record) if (why := _damaged(f))] if suspect else []
        )
        if damaged:
            for i, why in damaged:
                at = header[i] if i < len(header) else None
                problems.append(
                    _file_problem(
                        file,
                        f"the field {why}; the row is rejected",
                        row=start,
                        column=at,
                        value=_preview(record[i]),
                    )
                )
            raw = ",".join(record)
            bad.append((start, raw, "; ".join(f"field {i + 1} {why}" for i, why in damaged)))
            continue
        column = None
        if len(record) > 1 and not any(f.strip() for f in record):
            reason = "empty row (only commas): delete it or fill it in"
        elif len(record) != len(header):
            column = _count_column(header, len(record))
            reason = f"expected {len(header)} fields (as in the header), found {len(record)}; " + (
                f"the row ends before column {column!r}"
                if len(record) < len(header)
                else f"extra field(s) after the last column {column!r}"
            )
        else:
            reason = ""
        if reason:
            multiline = any("\n" in f or "\r" in f for f in record)
            if len(record) != len(header) and reader.line_num > start and multiline:
                opened = _quote_opening_line(lines, start, reader.line_num)
                reason += (
                    f"; a quoted field opened on line {opened} runs on to line {reader.line_num}: "
                    "check for a missing closing quote"
                )
            raw = ",".join(record)
            problems.append(
                _file_problem(file, reason, row=start, column=column, value=_preview(raw))
            )
            bad.append((start, raw, reason))
            continue
        rows.append([_cell(v) for v in record])
        starts.append(start)

    columns_slow = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    return _raw_table(file, header, header_row, required, columns_slow, starts, bad, problems)


def _raw_table(
    file: str,
    header: list[str],
    header_row: int,
    required: tuple[str, ...],
    columns: dict[str, list[str | None]],
    starts: list[int],
    bad: list[tuple[int, str, str]],
    problems: list[Problem],
) -> RawTable:
    """The table of the records read (cells stripped, blank ones None), or the fatal reason."""
    rows = starts
    if not rows and not bad:
        return _fatal(
            file,
            _file_problem(
                file, f"no data rows: the file has a header (line {header_row}) but no data rows"
            ),
            columns=header,
        )
    for name in required:
        if name not in header:
            problems.append(
                _file_problem(
                    file, missing_column_message(name, header), row=header_row, column=name
                )
            )
    frame = pd.DataFrame(
        {name: pd.array(columns[name], dtype="str") for name in header},
        index=pd.Index(starts, dtype="int64", name="row"),
        columns=header,
    )
    if not rows:
        frame = _empty(header)
    malformed = (
        pd.DataFrame(bad, columns=["row", "raw", "reason"]).astype(
            {"row": "int64", "raw": "str", "reason": "str"}
        )
        if bad
        else _no_malformed()
    )
    return RawTable(
        file, tuple(header), frame, malformed, tuple(problems), fatal=False, header_row=header_row
    )


def _shape_reason(record: list[str], header: list[str]) -> tuple[str, str | None]:
    """Why a record does not fit the header (``""`` when it does), and the column to name."""
    if len(record) > 1 and not any(f.strip() for f in record):
        return "empty row (only commas): delete it or fill it in", None
    if len(record) != len(header):
        column = _count_column(header, len(record))
        reason = f"expected {len(header)} fields (as in the header), found {len(record)}; " + (
            f"the row ends before column {column!r}"
            if len(record) < len(header)
            else f"extra field(s) after the last column {column!r}"
        )
        return reason, column
    return "", None


def _one_line_records(
    lines: list[str], header: list[str], header_row: int, file: str
) -> (
    tuple[dict[str, list[str | None]], list[int], list[tuple[int, str, str]], list[Problem]] | None
):
    """The records of a file in which every record is one line, split by pandas' C reader.

    The same records, cells, rejects and problems as the csv module's loop in
    :func:`_parse`, about ten times faster: it applies when no line is longer
    than :data:`MAX_FIELD_CHARS` and every line holds an even number of
    double quotes (so no quoted field runs on to the next line). Lines with
    quotes are split by the csv module one by one; a line it cannot split
    sends the whole file back to the loop (None), which reports it. Lines
    without quotes are split on commas by ``pandas.read_csv``.
    """
    body = lines[header_row:]
    if not body or max(map(len, body)) > MAX_FIELD_CHARS:
        return None
    width = len(header)
    whole = _plain_records(body, header)
    if whole is not None:
        by_column, n = whole
        return by_column, list(range(header_row + 1, header_row + 1 + n)), [], []
    commas = width - 1
    plain_pos: list[int] = []  # positions (in the kept records) of lines without quotes
    plain_lines: list[str] = []
    quoted: dict[int, list[str]] = {}
    starts: list[int] = []
    bad: list[tuple[int, str, str]] = []
    problems: list[Problem] = []
    for number, line in enumerate(body, start=header_row + 1):
        if not line:
            continue  # a blank line is not a record
        if '"' in line:
            if line.count('"') % 2:
                return None
            try:
                record = next(csv.reader([line], strict=True))
            except csv.Error:
                return None
        elif line.count(",") == commas and (commas or line.strip()):
            first = line[0]
            if commas and (first == "," or first.isspace()) and not line.replace(",", "").strip():
                record = line.split(",")  # only commas (and blanks): an empty row
            else:
                plain_pos.append(len(starts))
                plain_lines.append(line)
                starts.append(number)
                continue
        else:
            record = line.split(",")
        if len(record) == 1 and not record[0].strip() and width > 1:
            continue  # a line of blanks is not a record
        reason, column = _shape_reason(record, header)
        if reason:
            raw = ",".join(record)
            problems.append(
                _file_problem(file, reason, row=number, column=column, value=_preview(raw))
            )
            bad.append((number, raw, reason))
            continue
        quoted[len(starts)] = record
        starts.append(number)
    cells = np.empty((len(starts), width), dtype=object)
    if plain_lines:
        data = "\n".join(plain_lines).encode("utf-8")  # bytes: a StringIO would hold 4 per char
        plain_lines.clear()
        split = pd.read_csv(
            io.BytesIO(data),
            encoding="utf-8",
            header=None,
            names=list(range(width)),
            dtype=str,
            na_filter=False,
            quoting=csv.QUOTE_NONE,
            skip_blank_lines=False,
            engine="c",
        )
        del data
        if len(split) != len(plain_pos):  # pragma: no cover - one line, one row
            return None
        cells[np.asarray(plain_pos, dtype=np.intp)] = split.to_numpy(dtype=object)
    for pos, record in quoted.items():
        cells[pos] = record
    columns = {name: [v.strip() or None for v in cells[:, i]] for i, name in enumerate(header)}
    return columns, starts, bad, problems


_EDGE = np.zeros(256, dtype=bool)  # bytes that may need str.strip() at the edge of a cell
_EDGE[[9, 11, 12, 28, 29, 30, 31, 32]] = True  # ASCII blank space (line breaks split lines)
_EDGE[0x80:] = True  # any non-ASCII character: it may be blank space (U+00A0, U+3000, ...)


def _needs_cleaning(data: bytes) -> bool:
    """Whether some cell of comma-and-newline text is empty or may have blank space at an edge.

    Looks at the bytes next to each comma and line break with numpy, a few
    megabytes at a time.
    """
    view = np.frombuffer(data, dtype=np.uint8)
    step = 1 << 24
    for lo in range(0, len(view), step):
        chunk = view[max(lo - 1, 0) : lo + step + 1]
        bound = (chunk == 44) | (chunk == 10)
        edge = _EDGE[chunk]
        if (bound[1:] & bound[:-1]).any() or (bound[1:] & edge[:-1]).any():
            return True
        if (bound[:-1] & edge[1:]).any():
            return True
    ends = (view[0], view[-1]) if len(view) else ()
    return any(b in (44, 10) or _EDGE[b] for b in ends)


def _plain_records(body: list[str], header: list[str]) -> tuple[dict[str, Any], int] | None:
    """The cells (by column) and number of records of a body of plain, non-blank cells.

    Applies when no line has a double quote, no cell is empty or has blank
    space at its edges (so no cell needs stripping), and every line has as
    many fields as the header; then pandas' C reader splits the whole body
    at once and record ``i`` is the ``i``-th line after the header. None
    otherwise.
    """
    width = len(header)
    while body and not body[-1]:
        body = body[:-1]  # the final line break does not start a line
    if not body:
        return None
    data = "\n".join(body).encode("utf-8")
    if b'"' in data or _needs_cleaning(data):
        return None
    try:
        split = pd.read_csv(
            io.BytesIO(data),
            header=None,
            names=list(range(width)),
            dtype=str,
            na_filter=False,
            quoting=csv.QUOTE_NONE,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError:  # a line with too many fields
        return None
    del data
    if len(split) != len(body):  # pragma: no cover - one line, one row
        return None
    columns = {name: split[i].to_numpy(dtype=object) for i, name in enumerate(header)}
    if any((col == "").any() for col in columns.values()):  # a line with too few fields
        return None
    return columns, len(body)


def missing_column_message(name: str, columns: Sequence[str]) -> str:
    """Message for a missing required column, pointing at a near miss in case or spaces.

    Examples
    --------
    >>> missing_column_message("unit", ["Unit", "value"])
    "required column is missing (the header has: Unit, value); found 'Unit': column names are case-sensitive"
    """  # noqa: E501
    message = f"required column is missing (the header has: {', '.join(map(str, columns))})"
    folded = {str(c).strip().lower().replace(" ", "_"): str(c) for c in columns}
    near = folded.get(name.lower())
    if near is not None and near != name:
        message += f"; found {near!r}: column names are case-sensitive"
    return message


def _damaged(value: str) -> str:
    """Why a field cannot be text of a table (over-long, or a NUL byte), else ``""``."""
    if len(value) > MAX_FIELD_CHARS:
        return (
            f"is {len(value):,} characters long, more than the {MAX_FIELD_CHARS:,} a CSV field "
            "may have (a quote left open, or a file that is not text?)"
        )
    nul = value.find("\x00")
    if nul >= 0:
        return (
            f"contains a NUL byte (character {nul + 1}): the file is damaged or is not a text CSV"
        )
    return ""


def _cell(value: str) -> str | None:
    stripped = value.strip()
    return stripped if stripped else None


def _quote_field(lines: list[str], first: int, opened: int) -> int | None:
    """0-based field of the record (starting on line ``first``) where a broken quote is.

    Scans the record's text up to the end of line ``opened``: the field of the
    quote still open there, or else the field where a closing quote is
    followed by text other than a comma. None when neither is found.
    """
    text = "\n".join(lines[first - 1 : opened])
    in_quote, field, open_field, after_close = False, 0, None, None
    for i, ch in enumerate(text):
        if ch == '"':
            in_quote = not in_quote
            if in_quote:
                open_field = field
        elif in_quote:
            continue
        elif ch == ",":
            field += 1
        elif ch != "\n" and i > 0 and text[i - 1] == '"' and after_close is None:
            after_close = field
    return open_field if in_quote else after_close


def _count_column(header: Sequence[str], found: int) -> str:
    """The column where a record with ``found`` fields stops matching the header.

    Too few fields: the first column without a value. Too many: the last
    column, after which the extra fields come.
    """
    return header[found] if found < len(header) else header[-1]


def _fields(n: int) -> str:
    return "1 field" if n == 1 else f"{n} fields"


def _broken_quote(
    file: str, row: int, last: int, exc: csv.Error, column: str | None = None
) -> Problem:
    detail = str(exc)
    if "unexpected end of data" in detail:
        message = (
            f"broken quote: a quoted field opens on line {row} and is never closed "
            "(the rest of the file was read into it); add the closing '\"'"
        )
    else:
        message = (
            f"broken quote: a quoted field opens on line {row} and its closing quote "
            f"on line {last} is followed by more text instead of a comma or line end; "
            "quote the whole field and double any '\"' inside it"
        )
    return _file_problem(file, message, row=row, column=column)
