"""pandera schemas for the two canonical tables, and plain-language problems.

The incident table and the reported-figures table (see the project's
``ARCHITECTURE.md``) are described once, as :class:`TableSpec` objects
(:data:`INCIDENTS`, :data:`FIGURES`), from which three things are derived:

* a pandera :class:`~pandera.api.pandas.container.DataFrameSchema`
  (:func:`incident_schema`, :func:`figure_schema`) that checks a table of
  strings as read from CSV, or an already typed table;
* :func:`check_table`, which runs that schema with ``lazy=True`` so that every
  failure is collected, and translates pandera's failure cases into
  :class:`~analysis.errors.Problem` items with the file line, the column, the
  value as written and a message that says what is wrong and what is allowed;
* :func:`parse_table`, which converts rows that passed into typed columns
  (datetimes, integers, floats).

Extra columns are allowed and kept (``strict=False``); optional columns may
be absent.

**Provenance.** A row cites its source either by address (``source_url``)
or, where the record has no web address, by name and identifier:
``source_name`` plus ``source_ref`` (a channel and post number, "Telegram
@channel, post 4512"; a statement and its date, "IDF statement,
2024-11-04"). Never an invented address. A row with no source at all, or with
a name but neither an identifier nor an address, is refused.

**Vocabulary.** ``weapon`` and ``unit`` are read through the controlled
vocabularies of ``data/vocabulary/`` (:mod:`analysis.curation.vocabulary`):
``UAV``, ``Drone`` and ``drone`` are all ``drone`` after :func:`parse_table`,
and a value that is neither a term nor a synonym is a problem with its row
and column, never a new group.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, partial
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from analysis.curation._fast import exact_map, is_text, iso_times, web_addresses, whole_numbers
from analysis.curation.vocabulary import load_vocabulary
from analysis.errors import Problem
from analysis.io.csv import EARLIEST_YEAR, LATEST_YEAR, missing_column_message

if TYPE_CHECKING:  # pragma: no cover
    import pandera.pandas as pa

__all__ = [
    "FIGURES",
    "INCIDENTS",
    "MEASURES",
    "QUALIFIERS",
    "SOURCE_COLUMNS",
    "TIME_PRECISIONS",
    "UNITS",
    "ColumnSpec",
    "TableSpec",
    "blanks_to_na",
    "build_schema",
    "check_table",
    "figure_schema",
    "incident_schema",
    "parse_table",
    "parse_timestamp",
    "parse_whole_number",
]

UNITS: tuple[str, ...] = ("claim", "launch", "interception", "alert", "incident")
"""Allowed values of ``unit``: what one counted item is."""

QUALIFIERS: tuple[str, ...] = ("exact", "at_least", "about")
"""Allowed values of ``qualifier`` in reported figures."""

TIME_PRECISIONS: tuple[str, ...] = ("second", "minute", "hour", "day", "week", "month", "year")
"""Allowed values of ``time_precision`` in incidents."""

MEASURES: tuple[str, ...] = ("count", "rate_per_day", "max_per_day")
"""Allowed values of ``measure`` in reported figures (default ``count``)."""

SOURCE_COLUMNS: tuple[str, ...] = ("source_name", "source_url", "source_ref")
"""Provenance columns: a row needs ``source_url``, or ``source_name`` with ``source_ref``."""

Kind = Literal["id", "text", "datetime", "date", "count", "number", "enum", "address"]


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a canonical table.

    Parameters
    ----------
    name : str
        Column name.
    kind : str
        ``"id"`` (unique text), ``"text"``, ``"datetime"`` (ISO 8601 date or
        date-time, optionally with a UTC offset), ``"date"`` (same syntax,
        read as a calendar date), ``"count"`` (whole number >= 0),
        ``"number"`` (real number >= 0), ``"enum"`` (one of ``allowed``) or
        ``"address"`` (a web address).
    required : bool
        Whether the column must be present and every cell non-empty.
    allowed : tuple of str
        Allowed values for ``kind="enum"``.
    default : str, optional
        Value used by :func:`parse_table` for empty cells, and for the whole
        column when it is absent.
    vocabulary : str, optional
        Name of the controlled vocabulary (``data/vocabulary/<name>.csv``)
        the values must belong to; :func:`parse_table` replaces each by its
        canonical term.
    """

    name: str
    kind: Kind
    required: bool = False
    allowed: tuple[str, ...] = ()
    default: str | None = None
    vocabulary: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its columns and the column holding the row key."""

    name: str
    id_column: str
    columns: tuple[ColumnSpec, ...]

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the required columns, in table order."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        """Names of all canonical columns, in table order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> ColumnSpec | None:
        """The spec of column ``name``, or None for an extra column."""
        return next((c for c in self.columns if c.name == name), None)


INCIDENTS = TableSpec(
    "incidents",
    "incident_id",
    (
        ColumnSpec("incident_id", "id", required=True),
        ColumnSpec("start", "datetime", required=True),
        ColumnSpec("time_precision", "enum", allowed=TIME_PRECISIONS),
        ColumnSpec("actor", "text"),
        ColumnSpec("origin", "text"),
        ColumnSpec("target", "text"),
        ColumnSpec("weapon", "text", required=True, vocabulary="weapon"),
        ColumnSpec("quantity", "count", required=True),
        ColumnSpec("outcome", "text"),
        ColumnSpec("unit", "text", required=True, allowed=UNITS, vocabulary="unit"),
        ColumnSpec("source_name", "text"),
        ColumnSpec("source_url", "address"),
        ColumnSpec("source_ref", "text"),
        ColumnSpec("notes", "text"),
    ),
)
"""The canonical incident table: one row per incident or per record of one."""

FIGURES = TableSpec(
    "figures",
    "figure_id",
    (
        ColumnSpec("figure_id", "id", required=True),
        ColumnSpec("period_start", "date", required=True),
        ColumnSpec("period_end", "date", required=True),
        ColumnSpec("value", "number", required=True),
        ColumnSpec("qualifier", "enum", required=True, allowed=QUALIFIERS),
        ColumnSpec("unit", "text", required=True, allowed=UNITS, vocabulary="unit"),
        ColumnSpec("actor", "text"),
        ColumnSpec("origin", "text"),
        ColumnSpec("target", "text"),
        ColumnSpec("weapon", "text", vocabulary="weapon"),
        ColumnSpec("source_name", "text"),
        ColumnSpec("source_url", "address"),
        ColumnSpec("source_ref", "text"),
        ColumnSpec("published", "date"),
        ColumnSpec("measure", "enum", allowed=MEASURES, default="count"),
        ColumnSpec("notes", "text"),
    ),
)
"""The reported-figures table: published aggregates over a period."""


# --------------------------------------------------------------------------- value parsers

_WHOLE = re.compile(r"[+-]?\d+")
_URL = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?", re.IGNORECASE)
_BARE_ADDRESS = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(/\S*)?")


def _is_na(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def parse_timestamp(value: Any) -> pd.Timestamp | None:
    """Parse an ISO 8601 date or date-time; None when it is not one.

    Accepts ``2024-11-04``, ``2024-11-04T21:30``, ``2024-11-04 21:30:00``,
    ``2024-11-04T21:30:00+02:00`` and ``...Z``, as well as datetime objects.
    Uses :meth:`datetime.datetime.fromisoformat`, which rejects impossible
    dates such as ``2024-02-30``.

    Examples
    --------
    >>> parse_timestamp("2024-11-04T21:30:00+02:00")
    Timestamp('2024-11-04 21:30:00+0200', tz='UTC+02:00')
    >>> parse_timestamp("04/11/2024") is None
    True
    """
    if isinstance(value, pd.Timestamp):
        return None if value is pd.NaT else value
    if isinstance(value, datetime | date | np.datetime64):
        ts = pd.Timestamp(value)
        return None if ts is pd.NaT else ts
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) < 10 or not text[:4].isdigit():
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return pd.Timestamp(parsed)


_INT64_MAX = int(np.iinfo(np.int64).max)


def parse_whole_number(value: Any) -> int | None:
    """Parse a whole number written as digits (or an integral number); None otherwise.

    Examples
    --------
    >>> parse_whole_number("12"), parse_whole_number("2.5"), parse_whole_number("two")
    (12, None, None)
    """
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return int(value) if math.isfinite(value) and float(value).is_integer() else None
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _parse_number(value: Any) -> float | None:
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _is_address(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip()
    return bool(_URL.fullmatch(text) or _BARE_ADDRESS.fullmatch(text))


# --------------------------------------------------------------------------- checks


def _plausible_year(value: Any) -> bool:
    """True unless ``value`` is a date whose year is outside the plausible range (see io.csv)."""
    ts = parse_timestamp(value)
    return ts is None or EARLIEST_YEAR <= ts.year <= LATEST_YEAR


# check name -> message; ``{col}``, ``{allowed}`` are filled in per column
_MESSAGES: dict[str, str] = {
    "not_nullable": "empty cell: '{col}' is required",
    "iso_datetime": (
        "not an ISO 8601 date or date-time (write e.g. 2024-11-04 or 2024-11-04T21:30:00+02:00)"
    ),
    "plausible_year": (
        f"the year is outside {EARLIEST_YEAR}-{LATEST_YEAR}: a placeholder or a typing error?"
    ),
    "whole_number": "'{col}' must be a whole number (0, 1, 2, ...)",
    "number": "'{col}' must be a number (digits, optionally with a decimal point)",
    "non_negative": "'{col}' must not be negative",
    "int64_range": "'{col}' is too large to store (more than 9223372036854775807)",
    "allowed_values": "unknown {col}; allowed: {allowed}",
    "web_address": "not a web address; give the source's address (e.g. https://example.org/page)",
    "period_order": "period_start is after period_end",
    "count_is_whole": (
        "a figure with measure 'count' must be a whole number "
        "(use measure 'rate_per_day' or 'max_per_day' for rates)"
    ),
    "vocabulary": "unknown {col}; allowed: {allowed}",
    "has_source": (
        "no source: give source_url, or source_name with source_ref (an identifier such as "
        "a channel and post number, or a statement and its date); never an invented address"
    ),
    "name_has_reference": (
        "source_name without an identifier or address: add source_ref (e.g. a channel and "
        "post number, or a statement and its date) or source_url"
    ),
}


def _element_checks(spec: ColumnSpec) -> list[pa.Check]:
    """The pandera checks of one column (see :func:`_column_checks`)."""
    import pandera.pandas as pa

    def check(fn: Callable[[pd.Series], np.ndarray], name: str) -> pa.Check:
        def run(values: pd.Series) -> pd.Series:
            return pd.Series(fn(values) | _missing(values), index=values.index)

        return pa.Check(run, element_wise=False, name=name, ignore_na=True)

    return [check(fn, name) for name, fn in _column_checks(spec)]


def _column_checks(spec: ColumnSpec) -> list[tuple[str, Callable[[pd.Series], np.ndarray]]]:
    """The checks of one column: a name and a function of the whole column.

    Each function gives, for every cell, the answer of the one-value function
    named in it (:func:`parse_timestamp`, :func:`parse_whole_number`, ...):
    text in a form that :mod:`analysis.curation._fast` can certify is read
    with numpy, every other value by the one-value function (see that module).
    """
    if spec.vocabulary is not None:
        vocabulary = load_vocabulary(spec.vocabulary)
        return [("vocabulary", _each(lambda v: vocabulary.normalise(v) is not None))]
    if spec.kind in ("datetime", "date"):
        return [("iso_datetime", _iso_ok), ("plausible_year", _year_ok)]
    if spec.kind == "count":
        return [
            ("whole_number", _whole(_true, lambda v: parse_whole_number(v) is not None)),
            ("non_negative", _whole(lambda n: n >= 0, lambda v: (parse_whole_number(v) or 0) >= 0)),
            ("int64_range", _whole(_true, lambda v: (parse_whole_number(v) or 0) <= _INT64_MAX)),
        ]
    if spec.kind == "number":
        return [
            ("number", _each(lambda v: _parse_number(v) is not None)),
            ("non_negative", _each(lambda v: (_parse_number(v) or 0.0) >= 0)),
        ]
    if spec.kind == "enum":
        return [("allowed_values", _enum(frozenset(spec.allowed)))]
    if spec.kind == "address":
        return [("web_address", _addresses)]
    return []


def _true(numbers: np.ndarray) -> np.ndarray:
    return np.ones(len(numbers), dtype=bool)


def _each(fn: Callable[[Any], bool]) -> Callable[[pd.Series], np.ndarray]:
    """``fn`` of every present cell (once per distinct value of a text column)."""

    def run(values: pd.Series) -> np.ndarray:
        out = np.ones(len(values), dtype=bool)
        present = ~_missing(values)
        if present.any():
            answers = exact_map(values[present], fn, by_value=is_text(values))
            out[present] = answers.to_numpy(dtype=bool)
        return out

    return run


def _completed(
    values: pd.Series, certain: np.ndarray, ok: np.ndarray, fn: Callable[[Any], bool]
) -> np.ndarray:
    """``ok`` where ``certain``; ``fn`` of the other present cells."""
    out = np.where(certain, ok, True)
    rest = ~certain & ~_missing(values)
    if rest.any():
        out[rest] = exact_map(values[rest], fn, by_value=True).to_numpy(dtype=bool)
    return out


_CACHE: dict[str, Any] = {"column": None}


def _cached(values: pd.Series, key: str, fn: Callable[[pd.Series], Any]) -> Any:
    """``fn(values)``, kept for the next check of the same column (checks run column by column)."""
    if _CACHE["column"] is not values:
        _CACHE.clear()
        _CACHE["column"] = values
    if key not in _CACHE:
        _CACHE[key] = fn(values)
    return _CACHE[key]


def _missing(values: pd.Series) -> np.ndarray:
    return _cached(values, "missing", lambda v: v.isna().to_numpy())


def _iso(values: pd.Series) -> dict[str, np.ndarray]:
    return _cached(values, "iso", iso_times)


def _iso_ok(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return np.ones(len(values), dtype=bool)
    if not is_text(values):
        return _each(lambda v: parse_timestamp(v) is not None)(values)
    found = _iso(values)
    return _completed(
        values, found["certain"], found["certain"], lambda v: parse_timestamp(v) is not None
    )


def _year_ok(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        years = values.dt.year.to_numpy(dtype=float, na_value=np.nan)
        return ~((years < EARLIEST_YEAR) | (years > LATEST_YEAR))
    if not is_text(values):
        return _each(_plausible_year)(values)
    found = _iso(values)
    year = found["year"]
    return _completed(
        values, found["certain"], (year >= EARLIEST_YEAR) & (year <= LATEST_YEAR), _plausible_year
    )


def _whole(
    fast: Callable[[np.ndarray], np.ndarray], fn: Callable[[Any], bool]
) -> Callable[[pd.Series], np.ndarray]:
    """A check of whole numbers: ``fast`` of the certified numbers, ``fn`` of other cells."""

    def run(values: pd.Series) -> np.ndarray:
        if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":
            return np.asarray(fast(values.to_numpy().astype(np.int64)), dtype=bool)
        if not is_text(values):
            return _each(fn)(values)
        found = _cached(values, "whole", whole_numbers)
        return _completed(values, found["certain"], fast(found["value"]), fn)

    return run


def _enum(allowed: frozenset[str]) -> Callable[[pd.Series], np.ndarray]:
    def run(values: pd.Series) -> np.ndarray:
        if is_text(values):
            return values.isin(list(allowed)).to_numpy(dtype=bool)
        return _each(lambda v: isinstance(v, str) and v in allowed)(values)

    return run


def _addresses(values: pd.Series) -> np.ndarray:
    if not is_text(values):
        return _each(_is_address)(values)
    # web addresses certified from the bytes (_fast.web_addresses); every other present
    # value (a bare address, white space, non-ASCII, not an address) is checked by _is_address
    found = _cached(values, "address", web_addresses)
    ok = found["certain"] & found["ok"]
    rest = ~ok & ~_missing(values)
    if rest.any():
        ok[rest] = exact_map(values[rest], _is_address, by_value=True).to_numpy(dtype=bool)
    return ok


def _period_order(df: pd.DataFrame) -> pd.Series | bool:
    if "period_start" not in df or "period_end" not in df:
        return True
    # lists, not Series.map: map would turn the None of an unparseable date into NaT,
    # and any comparison with NaT is False, which reported a spurious order problem
    start = [parse_timestamp(v) for v in df["period_start"]]
    end = [parse_timestamp(v) for v in df["period_end"]]
    out = [
        s is None or e is None or _naive(s) <= _naive(e) for s, e in zip(start, end, strict=True)
    ]
    return pd.Series(out, index=df.index, dtype=bool)


def _present(df: pd.DataFrame, column: str) -> pd.Series:
    """Whether each row has a non-empty cell in ``column`` (all False when absent)."""
    if column not in df:
        return pd.Series(False, index=df.index, dtype=bool)
    return df[column].notna().astype(bool)


def _has_source(df: pd.DataFrame) -> pd.Series | bool:
    if "source_url" not in df and "source_ref" not in df:
        return True  # reported once, as a missing column
    ok = _present(df, "source_url") | (_present(df, "source_name") & _present(df, "source_ref"))
    # a name alone is the next check's problem; a reference alone has no name
    return ok | (_present(df, "source_name") & ~_present(df, "source_ref"))


def _name_has_reference(df: pd.DataFrame) -> pd.Series | bool:
    named = _present(df, "source_name")
    return ~named | _present(df, "source_url") | _present(df, "source_ref")


def _count_is_whole(df: pd.DataFrame) -> pd.Series | bool:
    if "value" not in df:
        return True
    measure = df["measure"] if "measure" in df else pd.Series("count", index=df.index)
    out = []
    for m, v in zip(measure, df["value"], strict=True):
        number = _parse_number(v)
        is_count = _is_na(m) or m == "count"
        out.append(not is_count or number is None or float(number).is_integer())
    return pd.Series(out, index=df.index, dtype=bool)


# dataframe-level checks: name -> (function, column the problem is reported in)
_FRAME_CHECKS: dict[str, tuple[Callable[[pd.DataFrame], pd.Series | bool], str]] = {
    "period_order": (_period_order, "period_start"),
    "count_is_whole": (_count_is_whole, "value"),
    "has_source": (_has_source, "source_url"),
    "name_has_reference": (_name_has_reference, "source_ref"),
}
_TABLE_FRAME_CHECKS: dict[str, tuple[str, ...]] = {
    "incidents": ("has_source", "name_has_reference"),
    "figures": ("period_order", "count_is_whole", "has_source", "name_has_reference"),
    # the day-level IRI table cites its sources as the incident table does
    "iri_claims_daily": ("has_source", "name_has_reference"),
}


def _naive(ts: pd.Timestamp) -> pd.Timestamp:
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def build_schema(spec: TableSpec) -> pa.DataFrameSchema:
    """Build the pandera schema of a :class:`TableSpec` (no dtype coercion).

    Every column is checked on its values as written, so the same schema
    validates a table of strings read from CSV and an already typed table.
    """
    import pandera.pandas as pa

    columns = {
        c.name: pa.Column(
            None,
            checks=_element_checks(c),
            nullable=not c.required,
            required=c.required,
            unique=c.kind == "id",
            report_duplicates="all",
            name=c.name,
        )
        for c in spec.columns
    }
    frame_checks = [
        pa.Check(_FRAME_CHECKS[name][0], name=name) for name in _TABLE_FRAME_CHECKS[spec.name]
    ]
    return pa.DataFrameSchema(columns, checks=frame_checks, strict=False, name=spec.name)


@cache
def incident_schema() -> pa.DataFrameSchema:
    """The pandera schema of the canonical incident table.

    Required columns: ``incident_id, start, weapon, quantity, unit``, and a
    source: ``source_url`` (a web address) or ``source_name`` with
    ``source_ref``. ``incident_id`` is unique, ``start`` an ISO 8601 date or
    date-time, ``quantity`` a whole number >= 0, ``weapon`` and ``unit``
    terms or synonyms of their vocabularies (``unit``: one of :data:`UNITS`),
    ``time_precision`` (optional) one of :data:`TIME_PRECISIONS`.

    Examples
    --------
    >>> schema = incident_schema()
    >>> schema.columns["unit"].required, schema.strict
    (True, False)
    >>> sorted(c.name for c in schema.checks)
    ['has_source', 'name_has_reference']
    """
    return build_schema(INCIDENTS)


@cache
def figure_schema() -> pa.DataFrameSchema:
    """The pandera schema of the reported-figures table.

    Required columns: ``figure_id, period_start, period_end, value,
    qualifier, unit``, and a source as for :func:`incident_schema`.
    ``figure_id`` is unique, ``value`` a number
    >= 0 (a whole number when ``measure`` is ``count``), ``qualifier`` one of
    :data:`QUALIFIERS`, ``period_start <= period_end``, ``measure``
    (optional) one of :data:`MEASURES`.

    Examples
    --------
    >>> sorted(c.name for c in figure_schema().checks)
    ['count_is_whole', 'has_source', 'name_has_reference', 'period_order']
    """
    return build_schema(FIGURES)


_SCHEMAS: dict[str, Callable[[], pa.DataFrameSchema]] = {
    "incidents": incident_schema,
    "figures": figure_schema,
}


# --------------------------------------------------------------------------- translation


def blanks_to_na(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` in which empty or blank text cells are missing.

    A cell holding ``""`` or only spaces counts as empty, as it does when the
    table is read from CSV by :func:`analysis.io.csv.read_csv_checked`.

    Examples
    --------
    >>> blanks_to_na(pd.DataFrame({"a": ["x", " ", ""]}))["a"].isna().tolist()
    [False, True, True]
    """
    out = frame.copy()
    for name in out.columns:
        values = out[name]
        if is_text(values):  # every present value is a str: blank when empty or all spaces
            # a blank value is empty or starts with blank space: only those are looked at
            first = values.to_numpy(dtype=object, na_value="x").astype("U1")
            maybe = np.flatnonzero((first == "") | np.char.isspace(first))
            empty = np.zeros(len(values), dtype=bool)
            empty[maybe] = [not str(values.iat[i]).strip() for i in maybe.tolist()]
            if empty.any():
                out[name] = values.where(~empty, None)
        elif values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            blank = values.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
            if blank.any():
                out[name] = values.where(~blank, None)
    return out


def _display(value: Any) -> str | None:
    if _is_na(value):
        return None
    return value if isinstance(value, str) else str(value)


def check_table(
    frame: pd.DataFrame,
    spec: TableSpec,
    *,
    file: str = "<table>",
    rows: Sequence[int] | None = None,
) -> list[Problem]:
    """Validate ``frame`` against ``spec`` and return every problem found.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, as strings read from CSV or already typed.
    spec : TableSpec
        :data:`INCIDENTS` or :data:`FIGURES`.
    file : str
        File name used in the problems.
    rows : sequence of int, optional
        The file line of each row of ``frame`` (same order). Default: the line
        each row would have in a CSV written with a header, i.e. its position
        plus 2.

    Returns
    -------
    list of Problem
        Sorted by row (whole-table problems first), then by column order.
        Problems about a whole column (a missing required column) have row
        ``None``.

    Examples
    --------
    >>> df = pd.DataFrame({"incident_id": ["a", "b"], "start": ["2024-11-04", "2024-13-01"],
    ...                    "weapon": ["drone", "drone"], "quantity": ["2", "-1"],
    ...                    "unit": ["launch", "launch"], "source_url": ["https://x.org/a"] * 2})
    >>> for p in check_table(df, INCIDENTS, file="t.csv"):
    ...     print(p)
    t.csv, row 3, column 'start': not an ISO 8601 date or date-time (write e.g. 2024-11-04 or 2024-11-04T21:30:00+02:00) (value '2024-13-01')
    t.csv, row 3, column 'quantity': 'quantity' must not be negative (value '-1')
    """  # noqa: E501
    return _check_table(frame, spec, file=file, rows=rows)


def _check_table(
    frame: pd.DataFrame,
    spec: TableSpec,
    *,
    file: str,
    rows: Sequence[int] | np.ndarray | None,
    unique: bool = True,
    extra: Sequence[Problem] = (),
    blanks: bool = True,
    keep: dict[str, dict[str, dict[str, np.ndarray]]] | None = None,
) -> list[Problem]:
    """:func:`check_table`, optionally without the uniqueness of the id column.

    A file validated in chunks (:func:`analysis.curation.validate.validate_file`)
    checks uniqueness over the whole file (:func:`_duplicate_problems`) and
    passes each chunk's share of those problems as ``extra``; they are sorted
    in with the others exactly where :func:`check_table` would have put them
    (in a row and column, uniqueness comes before any other check).
    ``blanks=False`` says that no cell is blank (a frame of
    :func:`analysis.io.csv.read_csv_text`, whose blank cells are already
    missing), which spares :func:`blanks_to_na`.
    """
    line = list(range(2, len(frame) + 2)) if rows is None else _lines(rows)
    if len(line) != len(frame):
        raise ValueError("rows must give one line number per row of frame")
    columns = list(frame.columns)
    if len(set(columns)) != len(columns):
        dup = sorted({str(c) for c in columns if columns.count(c) > 1})
        return [Problem(file, None, c, None, "column name appears more than once") for c in dup]
    work = blanks_to_na(frame.reset_index(drop=True)) if blanks else frame.reset_index(drop=True)
    header: list[Problem] = []
    if "source_url" not in work and "source_ref" not in work:
        message = "required column is missing: give source_url, or source_name with source_ref"
        header.append(Problem(file, None, "source_url", None, message))
    # check, column, index, failure_case; ``keep`` gets the vectorised reads (see _failure_cases)
    cases: Any = _failure_cases(work, spec, unique=unique, keep=keep)
    if cases.empty and not extra:
        return header

    problems: list[Problem] = []
    seen: set[tuple[str, int | None, str | None]] = set()
    as_lists: dict[str, list[Any]] = {}
    occurrences: dict[str, dict[Any, list[int]]] = {}

    looked: dict[str, int] = {}

    def cell(name: str, pos: int) -> Any:
        # a few cells are read one by one; a column with many problems is listed once
        if name not in as_lists:
            looked[name] = looked.get(name, 0) + 1
            if looked[name] <= 64 and is_text(work[name]):  # the same str either way
                return work[name].iat[pos]
            as_lists[name] = work[name].tolist()
        return as_lists[name][pos]

    problems.extend(extra)  # before the others: a stable sort keeps them first in their cell
    for case in cases.itertuples(index=False):
        check = str(case.check)
        column = None if _is_na(case.column) else str(case.column)
        pos = None if _is_na(case.index) else int(case.index)
        if check == "column_in_dataframe":
            missing = str(case.failure_case)
            message = missing_column_message(missing, columns)
            problems.append(Problem(file, None, missing, None, message))
            continue
        if check in _FRAME_CHECKS:
            column = _FRAME_CHECKS[check][1]
        key = (check, pos, column)
        if key in seen:
            continue
        seen.add(key)
        if pos is None:
            message = _MESSAGES.get(check, f"failed the check {check!r}").format(
                col=column, allowed=""
            )
            problems.append(Problem(file, None, column, _display(case.failure_case), message))
            continue
        value = _display(cell(column, pos)) if column is not None and column in work else None
        if check == "field_uniqueness" and column is not None:
            if column not in occurrences:
                occurrences[column] = _positions_by_value(work[column])
            positions = occurrences[column].get(cell(column, pos), [pos])
            problems.append(_duplicate_problem(positions, column, pos, line, file, value))
            continue
        problems.append(
            Problem(file, line[pos], column, value, _message(check, column, spec, work, pos))
        )
    problems.extend(header)
    order = {name: i for i, name in enumerate(columns)}
    problems.sort(key=lambda p: (-1 if p.row is None else p.row, order.get(p.column or "", -1)))
    return problems


def _failure_cases(
    work: pd.DataFrame,
    spec: TableSpec,
    *,
    unique: bool = True,
    keep: dict[str, dict[str, dict[str, np.ndarray]]] | None = None,
) -> pd.DataFrame:
    """The failure cases of the schema of ``spec`` on ``work``, as pandera reports them.

    The same checks as ``build_schema(spec).validate(work, lazy=True)`` (each
    check's function is the one in the schema), with pandera's rules for
    missing values (a check ignores missing cells; a table check ignores rows
    that are missing in every column), run here without pandera's per-check
    bookkeeping, which on two million rows cost more than the checks
    themselves. :func:`_pandera_failure_cases` runs pandera itself; a test
    keeps the two equal. ``keep``, if given, receives each column's vectorised reads
    (``iso_times``, ``whole_numbers``; aligned with the rows of ``work``) for
    :func:`_parse_table` to reuse.
    """
    cases: list[tuple[str, str | None, int | None, Any]] = []
    try:
        for col in spec.columns:
            if col.name not in work:
                if col.required:
                    cases.append(("column_in_dataframe", None, None, col.name))
                continue
            values = work[col.name]
            missing = _missing(values)
            if col.required:
                cases.extend(
                    ("not_nullable", col.name, int(i), None) for i in np.flatnonzero(missing)
                )
            if col.kind == "id" and unique:
                dup = values.duplicated(keep=False).to_numpy() & ~missing
                cases.extend(
                    ("field_uniqueness", col.name, i, values.iat[i])
                    for i in np.flatnonzero(dup).tolist()
                )
            for name, fn in _column_checks(col):
                ok = np.asarray(fn(values), dtype=bool) | missing
                cases.extend(
                    (name, col.name, i, values.iat[i]) for i in np.flatnonzero(~ok).tolist()
                )
            if keep is not None and _CACHE["column"] is values:
                keep[col.name] = {k: _CACHE[k] for k in ("iso", "whole") if k in _CACHE}
    finally:
        _CACHE.clear()
        _CACHE["column"] = None
    empty_rows = work.isna().all(axis="columns").to_numpy() if len(work.columns) else None
    for name in _TABLE_FRAME_CHECKS[spec.name]:
        result = _FRAME_CHECKS[name][0](work)
        if isinstance(result, bool):
            continue
        failed = ~np.asarray(result, dtype=bool)
        if empty_rows is not None:
            failed &= ~empty_rows
        cases.extend((name, None, int(i), None) for i in np.flatnonzero(failed))
    return pd.DataFrame(cases, columns=["check", "column", "index", "failure_case"], dtype=object)


def _pandera_failure_cases(work: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """The failure cases of ``build_schema(spec).validate(work, lazy=True)`` (pandera itself)."""
    import pandera.pandas as pa

    try:
        _SCHEMAS[spec.name]().validate(work, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    finally:
        _CACHE.clear()
        _CACHE["column"] = None
    return pd.DataFrame(columns=["check", "column", "index", "failure_case"])


def _lines(rows: Sequence[int] | np.ndarray) -> list[int]:
    """File lines as a list of int (an integer array is converted at once)."""
    if isinstance(rows, np.ndarray) and rows.dtype.kind in "iu":
        return rows.astype(np.int64).tolist()
    return [int(r) for r in rows]


def _duplicate_problems(
    values: pd.Series,
    rows: Sequence[int] | np.ndarray,
    column: str,
    file: str,
    *,
    blanks: bool = True,
    hashes: np.ndarray | None = None,
) -> list[Problem]:
    """The uniqueness problems of an id column, as :func:`check_table` reports them.

    ``values`` is the column of every well-formed row of a file (in file
    order) and ``rows`` their file lines; the result is in row order. ``hashes``
    (:func:`id_hashes` of ``values``, without ``blanks``) may be given to save
    hashing them again.

    Examples
    --------
    >>> ids = pd.Series(["a", "b", "a"], dtype="str")
    >>> [p.row for p in _duplicate_problems(ids, [2, 3, 9], "incident_id", "t.csv")]
    [2, 9]
    """
    line = _lines(rows)
    work = values.reset_index(drop=True)
    if blanks:  # see _check_table
        work = blanks_to_na(pd.DataFrame({column: work}))[column]
    dup = _duplicated(work, None if blanks else hashes) & ~work.isna().to_numpy()
    at = np.flatnonzero(dup).tolist()
    if not at:
        return []
    cells = work.tolist()
    occurrences = _positions_by_value(work[dup])
    found = {v: [at[i] for i in pos] for v, pos in occurrences.items()}
    return [
        _duplicate_problem(found[cells[pos]], column, pos, line, file, _display(cells[pos]))
        for pos in at
    ]


def id_hashes(values: pd.Series) -> np.ndarray | None:
    """64-bit hashes of a text column (``pandas.util.hash_array``), or None if not text.

    Examples
    --------
    >>> h = id_hashes(pd.Series(["a", "b", "a"], dtype="str"))
    >>> bool(h[0] == h[2]), bool(h[0] == h[1])
    (True, False)
    """
    if not is_text(values):  # mixed objects (1 == 1.0 == True): compared by pandas
        return None
    try:
        return np.asarray(
            pd.util.hash_array(values.to_numpy(dtype=object), categorize=False), dtype=np.uint64
        )
    except (TypeError, ValueError, UnicodeError):
        return None


def _duplicated(values: pd.Series, hashes: np.ndarray | None = None) -> np.ndarray:
    """``values.duplicated(keep=False)``, found first among 64-bit hashes of the values.

    Only values whose hash (:func:`id_hashes`, vectorised; given, or computed here)
    occurs more than once are compared as values, so the answer is exact while
    millions of distinct ids cost one hash and one sort instead of a hash table of
    Python strings. Columns that are not text, or whose values cannot be hashed that
    way, are compared directly.
    """
    n = len(values)
    if n < 2:
        return np.zeros(n, dtype=bool)
    if hashes is None:
        hashes = id_hashes(values)
    if hashes is None or len(hashes) != n:
        return np.asarray(values.duplicated(keep=False).to_numpy(), dtype=bool)
    ordered = np.sort(hashes)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    del ordered
    out = np.zeros(n, dtype=bool)
    if len(repeated):
        candidates = np.flatnonzero(np.isin(hashes, repeated))
        exact = values.iloc[candidates].duplicated(keep=False).to_numpy()
        out[candidates[exact]] = True
    return out


def _positions_by_value(values: pd.Series) -> dict[Any, list[int]]:
    out: dict[Any, list[int]] = {}
    for i, v in enumerate(values.tolist()):
        out.setdefault(v, []).append(i)
    return out


def _message(check: str, column: str | None, spec: TableSpec, work: pd.DataFrame, pos: int) -> str:
    col_spec = spec.column(column) if column else None
    allowed = ", ".join(col_spec.allowed) if col_spec else ""
    if col_spec is not None and col_spec.vocabulary is not None:
        vocabulary = load_vocabulary(col_spec.vocabulary)
        allowed = ", ".join(vocabulary.terms)
    template = _MESSAGES.get(check, f"failed the check {check!r}")
    message = template.format(col=column, allowed=allowed)
    if check == "period_order":
        message += f" ({_display(work['period_end'].iat[pos])})"
    return message


def _duplicate_problem(
    positions: list[int], column: str, pos: int, line: list[int], file: str, value: str | None
) -> Problem:
    """Problem for one occurrence of a duplicated id; ``positions`` are all its occurrences."""
    first = positions[0]
    if pos == first:
        others = [str(line[i]) for i in positions[1:]]
        shown = ", ".join(others[:10]) + (
            f" and {len(others) - 10} more" if len(others) > 10 else ""
        )
        message = f"duplicate {column}: the same id is used again on row(s) {shown}"
    else:
        message = f"duplicate {column}: the same id is first used on row {line[first]}"
    return Problem(file, line[pos], column, value, message)


# --------------------------------------------------------------------------- parsing


def _datetime_column(
    values: pd.Series, found: dict[str, np.ndarray] | None = None
) -> tuple[pd.Series, pd.Series | None]:
    """Local wall-clock timestamps, and the UTC instants where an offset was given.

    A value such as ``2024-11-04T01:00+02:00`` becomes ``2024-11-04 01:00``
    (no time zone): the calendar day the source gave is kept, so counting by
    day uses the source's local date, even when the offset changes with
    daylight saving time. When any value carries an offset, the second item
    holds the same instants in UTC (``NaT`` where no offset was given), so no
    information is lost. A column that is already ``datetime64`` is kept as
    it is.
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values, None
    fast = _certain_times(values, found)
    if fast is not None:
        written, found = fast
        if not found["has_offset"].any():
            return written, None
        at = np.where(
            found["has_offset"],
            written.to_numpy() - found["offset_us"].astype("timedelta64[us]"),
            np.datetime64("NaT", "us"),
        )
        return written, pd.Series(pd.DatetimeIndex(at).tz_localize("UTC"), index=values.index)
    parsed = [parse_timestamp(v) if not _is_na(v) else None for v in values]
    local: list[Any] = [_naive(p) if p is not None else pd.NaT for p in parsed]
    out = pd.Series(pd.to_datetime(local), index=values.index, name=values.name)
    if not any(p is not None and p.tzinfo is not None for p in parsed):
        return out, None
    instants: list[Any] = [
        p.tz_convert("UTC") if p is not None and p.tzinfo is not None else pd.NaT for p in parsed
    ]
    utc = pd.Series(pd.to_datetime(instants, utc=True), index=values.index)
    return out, utc


def _certain_times(
    values: pd.Series, found: dict[str, np.ndarray] | None = None
) -> tuple[pd.Series, dict[str, np.ndarray]] | None:
    """The local times of a text column, read by :func:`iso_times` where it can.

    The values it cannot certify are read by :func:`parse_timestamp`; None
    when it certifies none (then the one-value parser reads the column).
    ``found``: :func:`iso_times` of these values, already computed (copied, not changed).
    """
    if not is_text(values):
        return None
    present = values.notna().to_numpy()
    if not present.any():
        return None
    found = iso_times(values) if found is None else {k: v.copy() for k, v in found.items()}
    certain = found["certain"] & present
    if not certain.any():
        return None
    local = np.where(certain, found["local"], np.datetime64("NaT", "us"))
    rest = np.flatnonzero(present & ~certain)  # parsed one by one (text parses to microseconds)
    for pos in rest.tolist():
        ts = parse_timestamp(values.iat[pos])
        if ts is None:
            continue
        offset = ts.utcoffset()
        if offset is not None:
            found["has_offset"][pos] = True
            found["offset_us"][pos] = int(offset.total_seconds() * 1_000_000)
            ts = ts.tz_localize(None)
        local[pos] = ts.as_unit("us").to_datetime64()
    return pd.Series(local, index=values.index, name=values.name), found


def _date_column(values: pd.Series, found: dict[str, np.ndarray] | None = None) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    fast = _certain_times(values, found)
    if fast is not None:
        return fast[0]
    parsed = [parse_timestamp(v) if not _is_na(v) else None for v in values]
    items: list[Any] = [_naive(p) if p is not None else pd.NaT for p in parsed]
    out = pd.to_datetime(items)
    return pd.Series(out, index=values.index, name=values.name)


def _term(vocabulary: Any, value: Any) -> Any:
    """The canonical term of ``value``, or the value itself when it is not in the vocabulary."""
    return vocabulary.normalise(value) or value


def _certain_whole(
    values: pd.Series, found: dict[str, np.ndarray] | None = None
) -> pd.Series | None:
    """A text column of certified whole numbers as int64 (Int64 with gaps); else None.

    ``found``: :func:`whole_numbers` of these values, if already computed.
    """
    if not is_text(values):
        return None
    present = values.notna().to_numpy()
    found = whole_numbers(values) if found is None else found
    if not present.any() or not found["certain"][present].all():
        return None
    if present.all():
        return pd.Series(found["value"], index=values.index, dtype="int64")
    array = pd.arrays.IntegerArray(found["value"], ~present)
    return pd.Series(array, index=values.index, dtype="Int64")


def parse_table(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Convert a table that passed :func:`check_table` to typed columns.

    ``datetime`` columns become ``datetime64`` holding the local wall-clock
    time as written (a UTC offset, if given, is not applied, so the source's
    calendar day is kept) and, when any value has an offset, an extra column
    ``<name>_utc`` holds the UTC instants (``NaT`` where no offset was given);
    ``date`` columns
    ``datetime64`` without time zone, ``count`` columns ``int64`` (``Int64``
    when optional and empty somewhere), ``number`` columns ``float64``; text
    stays text. Columns with a default are filled (and created when absent).
    The index and extra columns are kept.

    Examples
    --------
    >>> df = pd.DataFrame({"figure_id": ["f1"], "period_start": ["2024-10-29"],
    ...     "period_end": ["2024-11-04"], "value": ["41"], "qualifier": ["exact"],
    ...     "unit": ["claim"], "source_url": ["https://example.org/a"]})
    >>> out = parse_table(df, FIGURES)
    >>> out["value"].dtype, str(out["period_end"].iloc[0].date()), out["measure"].iloc[0]
    (dtype('float64'), '2024-11-04', 'count')
    """
    return _parse_table(frame, spec)


def _parse_table(
    frame: pd.DataFrame,
    spec: TableSpec,
    *,
    blanks: bool = True,
    known: dict[str, dict[str, dict[str, np.ndarray]]] | None = None,
) -> pd.DataFrame:
    """:func:`parse_table`; ``blanks=False`` for a frame without blank cells (see _check_table).

    ``known``: per column, the vectorised reads of its values made by the checks
    (:func:`_failure_cases` ``keep=``), aligned with the rows of ``frame``.
    """
    known = known or {}
    out = blanks_to_na(frame) if blanks else frame.copy()
    for col in spec.columns:
        if col.name not in out:
            if col.default is not None:
                out[col.name] = pd.Series(col.default, index=out.index, dtype="str")
            continue
        values = out[col.name]
        reads = known.get(col.name, {})
        if col.kind == "datetime":
            out[col.name], utc = _datetime_column(values, reads.get("iso"))
            if utc is not None:
                out[f"{col.name}_utc"] = utc
        elif col.kind == "date":
            out[col.name] = _date_column(values, reads.get("iso"))
        elif col.kind == "count" and (
            (whole := _certain_whole(values, reads.get("whole"))) is not None
        ):
            out[col.name] = whole
        elif col.kind == "count":
            numbers = [None if _is_na(v) else parse_whole_number(v) for v in values]
            dtype = "Int64" if any(n is None for n in numbers) else "int64"
            out[col.name] = pd.Series(numbers, index=out.index, dtype=dtype)
        elif col.kind == "number":
            floats = [np.nan if _is_na(v) else _parse_number(v) for v in values]
            out[col.name] = pd.Series(floats, index=out.index, dtype="float64")
        elif col.vocabulary is not None:
            vocabulary = load_vocabulary(col.vocabulary)
            present = values.notna().to_numpy()
            terms = np.full(len(values), None, dtype=object)
            if present.any():
                found = exact_map(
                    values[present],
                    partial(_term, vocabulary),
                    by_value=is_text(values),
                )
                terms[present] = found.to_numpy(dtype=object)
            out[col.name] = pd.Series(terms, index=out.index, dtype=object)
        elif col.default is not None:
            out[col.name] = values.astype("str").where(values.notna(), col.default)
    return out
