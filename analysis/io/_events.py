"""Shared pieces of the event-data loaders (ACLED, UCDP, GDELT, any table).

Every loader reads its file into strings, marks each data row with the
reasons it cannot be used (:class:`Reasons`), converts the columns that
passed, and ends with :func:`finish`, which splits the rows into the table
and the rejects so that ``len(table) + len(rejects)`` is always the number of
data records read. A reject names its file, its row (the 1-based file line,
header = 1; for a file without a header, the line itself), the column(s) at
fault and the reason.

The canonical columns added to every table are those of the incident table
in ``ARCHITECTURE.md``: ``incident_id, start, time_precision, actor, origin,
target, weapon, quantity, outcome, unit, source_name, source_url,
source_ref, notes``.

**Date precision.** ``time_precision`` holds a word: ``second``,
``minute``, ``hour``, ``day``, ``week``, ``month`` or ``year`` (the
schema's :data:`analysis.curation.schema.TIME_PRECISIONS`); ``week``
comes from ACLED (``time_precision`` 2) and UCDP (``date_prec`` 2 and 3),
and turning a week into a day or a month would claim a precision the
source does not have. A record is never moved
to the first day of its period: ``start`` is the date the source gives.

**Vocabulary.** io sits below curation, whose
:mod:`analysis.curation.vocabulary` must not be imported here (the layering
of ``tests/test_package.py``). :func:`vocabulary_terms` therefore reads the
same shipped files (``data/vocabulary/<name>.csv``) with the same folding
rule; a test keeps the two readings equal.
"""

from __future__ import annotations

import dataclasses
import os
import re
import warnings
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.datasets import data_dir
from analysis.errors import DataError, DataNotFoundError, Problem, RejectedRowsWarning
from analysis.io.csv import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    RawTable,
    read_csv_text,
)

__all__ = [
    "CANONICAL_COLUMNS",
    "PRECISIONS",
    "Reasons",
    "finish",
    "parse_counts",
    "parse_event_dates",
    "read_source_csv",
    "vocabulary_terms",
]

CANONICAL_COLUMNS: tuple[str, ...] = (
    "incident_id",
    "start",
    "time_precision",
    "actor",
    "origin",
    "target",
    "weapon",
    "quantity",
    "outcome",
    "unit",
    "source_name",
    "source_url",
    "source_ref",
    "notes",
)
"""The canonical incident columns every loader adds (see ``ARCHITECTURE.md``)."""

PRECISIONS: tuple[str, ...] = ("second", "minute", "hour", "day", "week", "month", "year")
"""Words a loader writes in ``time_precision`` (``week`` included, see the module docstring)."""


class Reasons:
    """The reasons each data row is rejected, by column.

    Parameters
    ----------
    index : pandas.Index
        The rows (file lines).

    Examples
    --------
    >>> r = Reasons(pd.Index([2, 3, 4]))
    >>> r.add(np.array([False, True, False]), "fatalities", "negative count")
    >>> r.ok.tolist()
    [True, False, True]
    >>> r.columns_of(3), r.reason_of(3)
    ('fatalities', 'fatalities: negative count')
    """

    def __init__(self, index: pd.Index):
        self.index = index
        self._items: dict[int, list[tuple[str | None, str]]] = {}

    def add(self, mask: Any, column: str | None, text: str | Sequence[str]) -> None:
        """Add ``text`` (one string, or one per row) for the rows where ``mask`` is true."""
        flags = np.asarray(mask, dtype=bool)
        positions = np.flatnonzero(flags)
        if positions.size == 0:
            return
        rows = self.index.to_numpy()[positions]
        many = not isinstance(text, str)
        for pos, row in zip(positions.tolist(), rows.tolist(), strict=True):
            item = str(text[pos] if many else text)  # type: ignore[index]
            self._items.setdefault(int(row), []).append((column, item))

    def add_row(self, row: int, column: str | None, text: str) -> None:
        """Add ``text`` for one row (a file line)."""
        self._items.setdefault(int(row), []).append((column, text))

    @property
    def ok(self) -> np.ndarray:
        """One flag per row: True when the row has no reason."""
        if not self._items:
            return np.ones(len(self.index), dtype=bool)
        bad = np.fromiter(self._items, dtype=np.int64, count=len(self._items))
        return ~np.isin(self.index.to_numpy(dtype=np.int64), bad)

    def columns_of(self, row: int) -> str:
        """The columns at fault in ``row``, comma-separated (empty for a whole-row reason)."""
        names: list[str] = []
        for column, _ in self._items.get(int(row), []):
            if column is not None and column not in names:
                names.append(column)
        return ", ".join(names)

    def reason_of(self, row: int) -> str:
        """Every reason of ``row``, each prefixed by its column, joined by ``"; "``."""
        return "; ".join(
            f"{column}: {text}" if column is not None else text
            for column, text in self._items.get(int(row), [])
        )


# --------------------------------------------------------------------------- reading


def read_bytes(path: str | Path, what: str) -> tuple[Path, bytes]:
    """The bytes of ``path``, with clear errors for a missing file or a directory."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a file path (str or Path), not {type(path).__name__}")
    file = Path(path).expanduser()
    if file.is_dir():
        raise DataError(
            Problem(str(file), None, None, None, f"is a directory, not {what}"),
            header=f"cannot read {file}",
        )
    if not file.is_file():
        raise DataNotFoundError(f"{file}: no such file")
    return file, file.read_bytes()


_BINARY = {
    b"PK\x03\x04": "an Excel workbook or a zip archive",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) workbook",
    b"PAR1": "a Parquet file",
}


def refuse_binary(data: bytes, file: str, what: str) -> None:
    """Raise a clear error for a workbook, archive or Parquet file given as CSV."""
    for magic, kind in _BINARY.items():
        if data.startswith(magic):
            raise DataError(
                Problem(
                    file,
                    None,
                    None,
                    None,
                    f"this is {kind}, not a CSV file: save or extract it as CSV, or read it "
                    "with load_table",
                ),
                header=f"cannot read {file} as {what}",
            )


def decode(data: bytes, encoding: str, file: str) -> bytes | str:
    """``data`` as given for UTF-8 (the reader reports bad bytes row by row), else decoded.

    Raises
    ------
    ValueError
        When ``encoding`` is not a known codec (names the parameter).
    DataError
        When the bytes are not in ``encoding``.
    """
    import codecs

    try:
        name = codecs.lookup(encoding).name
    except (LookupError, TypeError):
        raise ValueError(f"encoding={encoding!r} is not a known text encoding") from None
    if name == "utf-8":
        return data
    try:
        return data.decode(name)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            Problem(file, line, None, repr(data[exc.start : exc.start + 8]), f"not {encoding}"),
            header=f"cannot read {file} as {encoding}",
        ) from None


def read_source_csv(
    path: str | Path,
    *,
    required: Sequence[str],
    expected: Sequence[str] = (),
    what: str,
    encoding: str = "utf-8",
) -> tuple[RawTable, Reasons]:
    r"""Read a comma-separated export into strings; raise on a file that cannot be read.

    Problems with the whole file (empty, not comma-separated, a quote left
    open, a broken header, a missing required column) raise
    :class:`~analysis.errors.DataError` naming the file, line and column;
    problems of single rows (bytes that are not UTF-8, a wrong number of
    fields) become reasons of their rows.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "t.csv")
    ...     _ = open(p, "w", encoding="utf-8").write("id,n\na,1\nb,2,3\n")
    ...     raw, reasons = read_source_csv(p, required=["id"], what="a test file")
    >>> len(raw.frame), len(raw.malformed)
    (1, 1)
    """
    file, data = read_bytes(path, what)
    refuse_binary(data, str(file), what)
    text = decode(data, encoding, str(file))
    raw = read_table_text(text, file=str(file), required=required, expected=expected)
    return raw, check_raw(raw, required=required, what=what)


def read_table_text(
    data: bytes | str, *, file: str, required: Sequence[str], expected: Sequence[str] = ()
) -> RawTable:
    r""":func:`~analysis.io.csv.read_csv_text`, keeping the rows of a file cut inside a quote.

    A file that ends inside a quoted field (a download cut short in the
    middle of a quoted ``notes`` cell, say) cannot be split by the csv
    module, which refuses the whole file. When the rest of the file reads
    without a problem of its own, it is read, and the last record (from the
    line where it starts to the end of the file) becomes a malformed record
    with the reason that the file ends inside a quoted field.

    Examples
    --------
    >>> raw = read_table_text('id,note\na,"x"\nb,"cut', file="t.csv", required=["id"])
    >>> len(raw.frame), raw.malformed[["row", "raw"]].to_dict("list")
    (1, {'row': [3], 'raw': ['b,"cut']})
    """
    raw = read_csv_text(data, file=file, required=required, expected=expected)
    if not raw.fatal:
        return raw
    cut = _open_quote_at_end(data)
    if cut is None:
        return raw
    head, tail, line = cut
    first = read_csv_text(head, file=file, required=required, expected=expected)
    no_rows = (
        first.fatal
        and len(first.columns) > 0
        and all("no data rows" in p.message for p in first.problems)
    )
    if first.fatal and not no_rows:
        return raw
    shown = tail.decode("utf-8", errors="replace") if isinstance(tail, bytes) else tail
    reason = (
        "the file ends inside a quoted field that starts on this row: the file looks "
        "truncated (or a closing quote is missing)"
    )
    bad = pd.DataFrame({"row": [line], "raw": [shown.rstrip("\r\n")], "reason": [reason]})
    problem = Problem(file, line, None, shown[:60], reason)
    if no_rows:
        frame = pd.DataFrame(
            {c: pd.Series([], dtype="str") for c in first.columns},
            index=pd.Index([], dtype="int64", name="row"),
        )
        return RawTable(file, first.columns, frame, bad, (problem,), False, first.header_row)
    malformed = pd.concat([first.malformed, bad], ignore_index=True)
    return dataclasses.replace(first, malformed=malformed, problems=(*first.problems, problem))


def _open_quote_at_end(data: bytes | str) -> tuple[bytes | str, bytes | str, int] | None:
    """``(head, tail, first line of tail)`` when ``data`` ends inside a quoted field."""
    quote: Any = b'"' if isinstance(data, bytes) else '"'
    if data.count(quote) % 2 == 0:
        return None
    pattern: Any = re.compile(rb'["\n]') if isinstance(data, bytes) else re.compile(r'["\n]')
    inside = False
    last_break = -1
    for match in pattern.finditer(data):
        if match.group() in (b'"', '"'):
            inside = not inside
        elif not inside:
            last_break = match.start()
    if not inside or last_break < 0:
        return None
    newline: Any = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(newline, 0, last_break + 1) + 1
    return data[: last_break + 1], data[last_break + 1 :], line


def check_raw(raw: RawTable, *, required: Sequence[str], what: str) -> Reasons:
    """Raise on a file that cannot be read; else the reasons of the rows read with a problem."""
    missing = [p for p in raw.problems if p.column in required and p.row == raw.header_row]
    missing = [p for p in missing if "missing" in p.message or "no column" in p.message]
    if raw.fatal or missing:
        problems = list(raw.problems) if raw.fatal else missing
        raise DataError(problems, header=f"cannot read {raw.file} as {what}")
    reasons = Reasons(raw.frame.index)
    malformed_rows = set(raw.malformed["row"].tolist())
    for problem in raw.problems:  # bytes that are not UTF-8 in a well-formed row
        if problem.row is not None and problem.row not in malformed_rows:
            if problem.row in raw.frame.index:
                reasons.add_row(problem.row, problem.column, problem.message)
    return reasons


# --------------------------------------------------------------------------- values

_ISO_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
# 04 November 2024, 4-Nov-2024, 04/November/2024; November 4, 2024
_NAMED_DATE = re.compile(r"^(\d{1,2})[ \-/]([A-Za-z]{3,})\.?[ \-/](\d{4})$")
_NAMED_MONTH_FIRST = re.compile(r"^([A-Za-z]{3,})\.? (\d{1,2}),? (\d{4})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_MONTH_NUMBER = (
    {m.casefold(): i for i, m in enumerate(_MONTHS, start=1)}
    | {m[:3].casefold(): i for i, m in enumerate(_MONTHS, start=1)}
    | {"sept": 9}
)
_NAT = np.datetime64("NaT", "us")


def _cell_text(v: Any) -> str | None:
    if v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp | np.datetime64) or hasattr(v, "isoformat"):
        return pd.Timestamp(v).isoformat(sep=" ")
    stripped = str(v).strip()
    return stripped or None


def parse_event_dates(
    values: pd.Series,
    *,
    column: str,
    reasons: Reasons,
    dayfirst: bool | None = None,
    format: str | None = None,
    required: bool = True,
) -> pd.Series:
    """Read a date column row by row with one rule; unreadable rows get a reason.

    Accepted without any option: ISO dates (``2024-11-04``, optionally with a
    time ``2024-11-04 21:30:00``) and dates with the month's name
    (``04 November 2024``, ``4-Nov-2024``, ``November 4, 2024``). Numeric
    dates (``04/11/2024``, ``04.11.2024``, ``04-11-2024``) are read day-first
    or month-first for the whole column: by ``dayfirst`` when given, else
    from the rows that settle it (a first part above 12 means day-first). A
    numeric date that could be read either way and that nothing settles, or
    one in a column that mixes both orders, is rejected as ambiguous, never
    guessed. An explicit ``format`` (``strftime`` codes) is used for every
    row instead. Years outside 1900-2100 are rejected as placeholders. A
    time with a UTC offset keeps its wall-clock time (the source's day).

    The common forms (ISO days, day-first month names) are read by
    :func:`pandas.to_datetime` for the whole column at once; the rest row by
    row, which is where the reasons are written.

    Parameters
    ----------
    values : pandas.Series
        The column as read (text; datetime values are accepted as they are).
    column : str
        Its name, for the reasons.
    reasons : Reasons
        Where the rejected rows get their reason.
    dayfirst : bool, optional
        Read numeric dates day-first (True) or month-first (False).
    format : str, optional
        An explicit format for every row.
    required : bool
        Whether an empty cell is a reason.

    Returns
    -------
    pandas.Series
        ``datetime64[us]`` on the index of ``values``, ``NaT`` where rejected.

    Examples
    --------
    >>> s = pd.Series(["2024-11-04", "04 November 2024", "04/11/2024", "soon"], index=[2, 3, 4, 5])
    >>> r = Reasons(s.index)
    >>> parse_event_dates(s, column="event_date", reasons=r).dt.strftime("%Y-%m-%d").tolist()
    ['2024-11-04', '2024-11-04', nan, nan]
    >>> r.reason_of(4)[:40]
    'event_date: ambiguous date: 04/11/2024 r'
    """
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise TypeError(f"dayfirst must be True, False or None, not {dayfirst!r}")
    index = values.index
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        dates = pd.to_datetime(values)
        if isinstance(dates.dtype, pd.DatetimeTZDtype):
            dates = dates.dt.tz_localize(None)
        out = dates.astype("datetime64[us]")
        if required:
            reasons.add(out.isna().to_numpy(), column, "empty date")
        return _plausible(out, column, reasons)
    if pd.api.types.is_string_dtype(values.dtype) and not pd.api.types.is_object_dtype(
        values.dtype
    ):  # text as read: stripped, blanks missing
        text = values.astype(object).where(values.notna(), None).tolist()
        text = [t if t else None for t in text]
    else:
        text = [_cell_text(v) for v in values.tolist()]
    n = len(text)
    present = np.array([t is not None for t in text], dtype=bool)
    if required:
        reasons.add(~present, column, "empty date")
    parsed = np.full(n, _NAT, dtype="datetime64[us]")
    done = ~present
    as_series = pd.Series(text, index=index, dtype=object)
    if format is not None:
        got = pd.to_datetime(as_series, format=format, errors="coerce")
        if isinstance(got.dtype, pd.DatetimeTZDtype):
            got = got.dt.tz_localize(None)
        ok = got.notna().to_numpy()
        parsed[ok] = got[ok].to_numpy(dtype="datetime64[us]")
        bad = present & ~ok
        reasons.add(bad, column, f"not a date in the format {format!r}")
        return _plausible(pd.Series(parsed, index=index), column, reasons)
    strings = as_series.astype("string")
    for pattern, fmt in (
        (r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d"),
        (r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?", "ISO8601"),
        (r"\d{2} [A-Za-z]+ \d{4}", "%d %B %Y"),
    ):
        hit = strings.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool) & ~done
        if hit.any():
            got = pd.to_datetime(as_series[hit], format=fmt, errors="coerce")
            ok = got.notna().to_numpy()
            where = np.flatnonzero(hit)[ok]
            parsed[where] = got[ok].to_numpy(dtype="datetime64[us]")
            done[where] = True
    numeric: dict[int, tuple[int, int, int]] = {}
    for i in np.flatnonzero(~done).tolist():
        t = text[i]
        assert t is not None
        row = index[i]
        if _ISO_DATE.match(t):
            try:
                ts = pd.Timestamp(t.replace(" ", "T"))
            except ValueError:
                reasons.add_row(row, column, _not_a_date(t))
                continue
            parsed[i] = (
                ts.tz_localize(None).as_unit("us").to_datetime64()
                if ts.tzinfo
                else (ts.as_unit("us").to_datetime64())
            )
        elif (m := _NAMED_DATE.match(t) or _NAMED_MONTH_FIRST.match(t)) is not None:
            if m.re is _NAMED_DATE:
                day, name, year = int(m.group(1)), m.group(2), int(m.group(3))
            else:
                name, day, year = m.group(1), int(m.group(2)), int(m.group(3))
            month = _MONTH_NUMBER.get(name.casefold().rstrip("."))
            try:
                if month is None:
                    raise ValueError(name)
                parsed[i] = np.datetime64(pd.Timestamp(year=year, month=month, day=day), "us")
            except ValueError:
                reasons.add_row(row, column, _not_a_date(t))
        elif m3 := _NUMERIC.match(t):
            numeric[i] = (int(m3.group(1)), int(m3.group(2)), int(m3.group(3)))
        else:
            reasons.add_row(row, column, _not_a_date(t))
    if numeric:
        _numeric_dates(numeric, text, index, parsed, column, reasons, dayfirst)
    return _plausible(pd.Series(parsed, index=index), column, reasons)


def _numeric_dates(
    numeric: dict[int, tuple[int, int, int]],
    text: list[str | None],
    index: pd.Index,
    parsed: np.ndarray,
    column: str,
    reasons: Reasons,
    dayfirst: bool | None,
) -> None:
    """Numeric dates with one rule for the column (see :func:`parse_event_dates`)."""
    rule = dayfirst
    if rule is None:
        day_first = any(a > 12 >= b for a, b, _ in numeric.values())
        month_first = any(b > 12 >= a for a, b, _ in numeric.values())
        if day_first and not month_first:
            rule = True
        elif month_first and not day_first:
            rule = False
    for i, (a, b, year) in numeric.items():
        row = index[i]
        if rule is None and a != b and a <= 12 and b <= 12:
            reasons.add_row(
                row,
                column,
                f"ambiguous date: {text[i]} reads as {a} {_MONTHS[b - 1]} or "
                f"{b} {_MONTHS[a - 1]}; pass dayfirst=True or dayfirst=False",
            )
            continue
        if rule is None and a != b and (a > 12 and b > 12):
            reasons.add_row(row, column, _not_a_date(str(text[i])))
            continue
        if rule is None and a != b:  # the column mixes both orders
            reasons.add_row(
                row,
                column,
                f"ambiguous date: {text[i]}: the column mixes day-first and month-first "
                "dates; pass dayfirst=True or dayfirst=False",
            )
            continue
        day, month = (a, b) if (rule is None or rule) else (b, a)
        try:
            parsed[i] = np.datetime64(pd.Timestamp(year=year, month=month, day=day), "us")
        except ValueError:
            how = "day-first" if (rule is None or rule) else "month-first"
            reasons.add_row(row, column, f"not a date read {how}: {text[i]}")


def _not_a_date(text: str) -> str:
    return f"not a date: {text[:40]!r} (write 2024-11-04 or 04 November 2024)"


def _plausible(out: pd.Series, column: str, reasons: Reasons) -> pd.Series:
    years = out.dt.year
    far = ((years < EARLIEST_YEAR) | (years > LATEST_YEAR)).fillna(False).to_numpy(dtype=bool)
    if far.any():
        reasons.add(
            far,
            column,
            [
                f"year {int(y):04d} is outside {EARLIEST_YEAR}-{LATEST_YEAR}: "
                "a placeholder or a typing error?"
                if f
                else ""
                for y, f in zip(years.fillna(0).tolist(), far, strict=True)
            ],
        )
        out = out.where(~far)
    return out


def parse_counts(
    values: pd.Series, *, column: str, reasons: Reasons, required: bool = True
) -> pd.Series:
    """Read a column of counts (whole numbers >= 0); other values get a reason.

    ``3`` and ``3.0`` are 3; ``-1``, ``2.5``, ``two`` and (when ``required``)
    an empty cell are rejected with the value in the reason. Cells that
    :func:`pandas.to_numeric` reads as whole numbers below 2**53 (where
    floats are exact) are taken from it at once; the others one by one.

    Returns
    -------
    pandas.Series
        ``Int64`` on the index of ``values`` (``<NA>`` where rejected or empty).

    Examples
    --------
    >>> s = pd.Series(["3", "-1", "2.5", "4.0", None], index=[2, 3, 4, 5, 6])
    >>> r = Reasons(s.index)
    >>> parse_counts(s, column="fatalities", reasons=r).tolist()
    [3, <NA>, <NA>, 4, <NA>]
    >>> r.reason_of(3), r.reason_of(4)
    ('fatalities: negative count (-1)', 'fatalities: not a whole number (2.5)')
    """
    items = values.astype(object).tolist()
    if pd.api.types.is_string_dtype(values.dtype) and not pd.api.types.is_object_dtype(
        values.dtype
    ):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    else:
        cells = pd.Series(
            [None if isinstance(v, bool | np.bool_) else v for v in items], dtype=object
        )  # True is not a count
        numbers = pd.to_numeric(cells, errors="coerce").astype("float64").to_numpy()
    with np.errstate(invalid="ignore"):
        fast = np.isfinite(numbers) & (numbers >= 0) & (numbers < 2**53)
        fast &= numbers == np.floor(numbers)
    out = np.zeros(len(items), dtype=np.int64)
    out[fast] = numbers[fast].astype(np.int64)
    mask = ~fast
    for pos in np.flatnonzero(mask).tolist():
        row = values.index[pos]
        value = items[pos]
        text = None if value is None or _missing(value) else str(value).strip()
        if isinstance(value, bool | np.bool_):
            reasons.add_row(row, column, f"not a number ({value})")
            continue
        if text is None or text == "":
            if required:
                reasons.add_row(row, column, "empty count")
            continue
        try:
            number = float(text)
        except ValueError:
            reasons.add_row(row, column, f"not a number ({text[:40]})")
            continue
        if not np.isfinite(number) or not number.is_integer():
            reasons.add_row(row, column, f"not a whole number ({text[:40]})")
        elif number < 0:
            reasons.add_row(row, column, f"negative count ({text[:40]})")
        elif text.isdigit() and int(text) < 2**63:
            out[pos], mask[pos] = int(text), False
        else:
            reasons.add_row(row, column, f"too large to be a count ({text[:40]})")
    return pd.Series(pd.arrays.IntegerArray(out, mask), index=values.index, dtype="Int64")


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def parse_numbers(values: pd.Series, *, column: str, reasons: Reasons) -> pd.Series:
    """Read an optional column of real numbers; a cell that is not a number gets a reason.

    Examples
    --------
    >>> r = Reasons(pd.Index([2, 3, 4]))
    >>> parse_numbers(pd.Series(["1.5", None, "north"], index=[2, 3, 4]), column="x", reasons=r)
    2    1.5
    3    NaN
    4    NaN
    dtype: float64
    >>> r.reason_of(4)
    'x: not a number (north)'
    """
    cells = values.astype(object)
    cells = cells.where(~cells.map(lambda v: isinstance(v, bool | np.bool_)), None)
    numbers = pd.to_numeric(cells, errors="coerce").astype("float64")
    present = values.notna().to_numpy(dtype=bool)
    bad = present & numbers.isna().to_numpy(dtype=bool)
    for pos in np.flatnonzero(bad).tolist():
        text = str(values.iat[pos]).strip()
        if text:
            reasons.add_row(values.index[pos], column, f"not a number ({text[:40]})")
    return pd.Series(numbers.to_numpy(), index=values.index, dtype="float64")


def duplicates(ids: pd.Series, ok: np.ndarray, column: str, reasons: Reasons) -> None:
    """Reject every later row whose id repeats an earlier usable row's id."""
    usable = pd.Series(ids.to_numpy(dtype=object), index=ids.index)[ok & ids.notna().to_numpy()]
    repeated = usable.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return
    first = (
        pd.Series(usable.index, index=usable.index).groupby(usable.to_numpy()).transform("first")
    )
    for row, value, at in zip(
        usable.index[repeated].tolist(),
        usable[repeated].tolist(),
        first[repeated].tolist(),
        strict=True,
    ):
        reasons.add_row(row, column, f"duplicate id {value!r} (first at row {at})")


# --------------------------------------------------------------------------- vocabulary


def fold(value: str) -> str:
    """Fold a word as :func:`analysis.curation.vocabulary.fold_term` does."""
    return re.sub(r"[\s_-]+", " ", value.strip().casefold()).strip()


@cache
def vocabulary_terms(name: str) -> dict[str, str]:
    """Folded term or synonym -> canonical term, from ``data/vocabulary/<name>.csv``.

    Examples
    --------
    >>> vocabulary_terms("weapon")["uav"], vocabulary_terms("unit")["claims"]
    ('drone', 'claim')
    """
    path = data_dir() / "vocabulary" / f"{name}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    lookup: dict[str, str] = {}
    for term, synonyms in zip(frame["term"], frame["synonyms"], strict=True):
        term = term.strip()
        for spelling in [term, *synonyms.split("|")]:
            if spelling.strip():
                lookup[fold(spelling)] = term
    return lookup


# --------------------------------------------------------------------------- the end


def finish(
    *,
    file: str,
    frame: pd.DataFrame,
    canonical: dict[str, Any],
    reasons: Reasons,
    malformed: pd.DataFrame | None,
    return_rejects: bool,
    what: str,
    read: pd.DataFrame | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into the table and the rejects; warn or raise as the loaders document.

    ``frame`` holds the source columns (converted where they passed),
    indexed by file line; ``canonical`` the canonical columns (Series on the
    same index, or scalars); ``read`` the source columns as read, for the
    rejects (default ``frame``). The table has ``row`` (the file line), the
    source columns, then the canonical ones; the rejects have ``file, row,
    column, reason`` and the source columns as read (``raw`` for a record
    that could not be split into columns). A source column with one of these
    names is kept as ``<name>_source``.
    """
    ok = reasons.ok
    table = frame.loc[ok].copy()
    if "row" in table.columns:
        table = table.rename(columns={"row": "row_source"})
    for name in CANONICAL_COLUMNS:
        value = canonical.get(name, pd.NA)
        if isinstance(value, pd.Series):
            table[name] = value.loc[ok].to_numpy() if len(value) else value
        else:
            table[name] = pd.Series([value] * int(ok.sum()), index=table.index, dtype=object)
    rows = table.index.to_numpy(dtype=np.int64)
    table = table.reset_index(drop=True)
    table.insert(0, "row", rows)
    for name in CANONICAL_COLUMNS:
        if name == "start":
            continue
        if name == "quantity":
            table[name] = table[name].astype("int64")
        elif table[name].dtype == object:
            table[name] = table[name].astype(object).where(table[name].notna(), None)
    table["start"] = pd.to_datetime(table["start"]).astype("datetime64[us]")

    bad_rows = frame.index[~ok]
    source = frame if read is None else read
    rejects = source.loc[bad_rows].astype(object).reset_index(drop=True)
    meta = ("file", "row", "column", "reason", "raw")
    rejects = rejects.rename(columns={c: f"{c}_source" for c in rejects.columns if c in meta})
    rejects.insert(0, "reason", [reasons.reason_of(r) for r in bad_rows])
    rejects.insert(0, "column", [reasons.columns_of(r) for r in bad_rows])
    rejects.insert(0, "row", np.asarray(bad_rows, dtype=np.int64))
    rejects.insert(0, "file", file)
    if malformed is not None and len(malformed):
        extra = pd.DataFrame(
            {
                "file": file,
                "row": malformed["row"].astype("int64").to_numpy(),
                "column": (
                    malformed["column"].astype(str).to_numpy()
                    if "column" in malformed
                    else [_column_in(r) for r in malformed["reason"].tolist()]
                ),
                "reason": malformed["reason"].astype(str).to_numpy(),
                "raw": malformed["raw"].astype(str).to_numpy(),
            }
        )
        rejects = pd.concat([rejects, extra], ignore_index=True)
    rejects = rejects.sort_values("row", kind="stable").reset_index(drop=True)
    rejects["row"] = rejects["row"].astype("int64")
    for name in ("file", "column", "reason"):
        rejects[name] = rejects[name].astype("str")
    if not return_rejects:
        if len(rejects) and len(table) == 0:
            problems = [
                Problem(file, int(r), c or None, None, str(m))
                for r, c, m in zip(
                    rejects["row"], rejects["column"], rejects["reason"], strict=True
                )
            ]
            raise DataError(problems, header=f"no usable row in {file} ({what})")
        if len(rejects):
            counts = rejects["reason"].value_counts()
            detail = "; ".join(f"{n} x {reason}" for reason, n in counts.head(5).items())
            warnings.warn(
                f"{len(rejects)} of {len(table) + len(rejects)} rows of {file} rejected "
                f"({detail}); pass return_rejects=True to get them",
                RejectedRowsWarning,
                stacklevel=3,
            )
        return table
    return table, rejects


_QUOTED = re.compile(r"column '([^']+)'")


def _column_in(reason: str) -> str:
    found = _QUOTED.search(reason)
    return found.group(1) if found else ""


def shown(values: pd.Series) -> list[str]:
    """Each cell as it reads in a reason: its text, or ``empty``."""
    return [str(v) if v is not None else "empty" for v in text_column(values).tolist()]


def text_column(values: pd.Series) -> pd.Series:
    """Text with empty cells as ``None`` (object dtype); cells are already stripped."""
    out = values.astype(object)
    keep = np.array(values.notna().to_numpy(dtype=bool))
    if keep.any():
        keep &= (values.astype("string") != "").fillna(False).to_numpy(dtype=bool)
    return out.where(keep, None)
