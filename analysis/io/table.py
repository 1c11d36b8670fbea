"""Any table of incidents (CSV, Excel, Parquet) with a mapping to the canonical columns.

A mapping says which of the user's columns is which canonical column, how
dates are written, and how the user's words for weapons and units map to
the controlled vocabularies (``data/vocabulary/``). It is a small TOML file
or the same content as keyword arguments of :func:`load_table`::

    # mapping.toml
    [columns]            # canonical column = the user's column
    start = "Date"
    actor = "Group"
    weapon = "Type"
    quantity = "Number"

    [values]             # canonical column = one value for every row
    unit = "claim"
    source_name = "Analyst spreadsheet, sheet 2024"

    [dates]
    dayfirst = true      # 04/11/2024 is 4 November; or: format = "%d/%m/%Y"

    [weapon]             # the user's word = a vocabulary term
    "Shahed" = "drone"
    "Katyusha" = "rocket"

    [unit]
    "attacks claimed" = "claim"

    [file]
    sheet = "2024"       # Excel only
    encoding = "utf-8"   # CSV only

A canonical column the file already has under its own name is used without
being mapped, so a file in the canonical shape needs no mapping at all.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from analysis.errors import DataError, Problem
from analysis.io._events import (
    CANONICAL_COLUMNS,
    PRECISIONS,
    Reasons,
    duplicates,
    finish,
    fold,
    parse_counts,
    parse_event_dates,
    read_source_csv,
    text_column,
    vocabulary_terms,
)
from analysis.io.csv import missing_column_message

__all__ = ["MAPPING_SECTIONS", "load_table", "read_mapping"]

MAPPING_SECTIONS: dict[str, tuple[str, ...] | None] = {
    "columns": CANONICAL_COLUMNS,
    "values": CANONICAL_COLUMNS,
    "dates": ("dayfirst", "format"),
    "weapon": None,  # any words
    "unit": None,
    "file": ("sheet", "encoding"),
}
"""The sections of a mapping and the keys each allows (None: any of the user's words)."""

_EXCEL = (".xlsx", ".xlsm", ".xls")
_PARQUET = (".parquet", ".pq", ".parq")


def read_mapping(mapping: str | Path | Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Read and check a mapping (a TOML file, or the same content as a dict).

    Parameters
    ----------
    mapping : str, Path, dict or None
        A path to a TOML file, or a dict with the sections of
        :data:`MAPPING_SECTIONS`; None gives an empty mapping.

    Returns
    -------
    dict
        One dict per section (every section present, possibly empty).

    Raises
    ------
    ValueError
        An unknown section or key, a value of the wrong type, a column both
        mapped and given a value, or a TOML syntax error (with its line).

    Examples
    --------
    >>> m = read_mapping({"columns": {"start": "Date"}, "values": {"unit": "claim"}})
    >>> m["columns"], m["values"], m["dates"]
    ({'start': 'Date'}, {'unit': 'claim'}, {})
    >>> read_mapping({"columns": {"when": "Date"}})
    Traceback (most recent call last):
    ...
    ValueError: mapping: [columns] has an unknown key 'when'; allowed: incident_id, start, ...
    """
    source = "mapping"
    if mapping is None:
        raw: dict[str, Any] = {}
    elif isinstance(mapping, str | Path):
        file = Path(mapping).expanduser()
        source = f"mapping file {file}"
        if not file.is_file():
            raise ValueError(f"mapping={str(mapping)!r}: no such file")
        try:
            raw = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{source} is not valid TOML: {exc}") from None
        except UnicodeDecodeError:
            raise ValueError(f"{source} is not UTF-8 text") from None
    elif isinstance(mapping, Mapping):
        raw = dict(mapping)
    else:
        raise TypeError(
            f"mapping must be a path to a TOML file or a dict, not {type(mapping).__name__}"
        )
    out: dict[str, dict[str, Any]] = {name: {} for name in MAPPING_SECTIONS}
    for section, content in raw.items():
        if section not in MAPPING_SECTIONS:
            raise ValueError(
                f"{source}: unknown section [{section}]; allowed: {', '.join(MAPPING_SECTIONS)}"
            )
        if not isinstance(content, Mapping):
            raise ValueError(f"{source}: [{section}] must be a table of key = value")
        allowed = MAPPING_SECTIONS[section]
        for key, value in content.items():
            if allowed is not None and key not in allowed:
                raise ValueError(
                    f"{source}: [{section}] has an unknown key {key!r}; "
                    f"allowed: {', '.join(allowed)}"
                )
            if section == "dates" and key == "dayfirst":
                if not isinstance(value, bool):
                    raise ValueError(f"{source}: [dates] dayfirst must be true or false")
            elif section == "values" and key == "quantity":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{source}: [values] quantity must be a whole number >= 0")
            elif not isinstance(value, str) or not value.strip():
                raise ValueError(f"{source}: [{section}] {key} must be non-empty text")
            out[section][key] = value
    both = set(out["columns"]) & set(out["values"])
    if both:
        raise ValueError(
            f"{source}: {', '.join(sorted(both))} given both as a column and as a value"
        )
    if "dayfirst" in out["dates"] and "format" in out["dates"]:
        raise ValueError(f"{source}: [dates] give dayfirst or format, not both")
    return out


@overload
def load_table(
    path: str | Path,
    mapping: str | Path | Mapping[str, Any] | None = ...,
    *,
    columns: Mapping[str, str] | None = ...,
    values: Mapping[str, Any] | None = ...,
    dayfirst: bool | None = ...,
    date_format: str | None = ...,
    weapons: Mapping[str, str] | None = ...,
    units: Mapping[str, str] | None = ...,
    sheet: str | int | None = ...,
    encoding: str | None = ...,
    return_rejects: Literal[False] = ...,
) -> pd.DataFrame: ...
@overload
def load_table(
    path: str | Path,
    mapping: str | Path | Mapping[str, Any] | None = ...,
    *,
    columns: Mapping[str, str] | None = ...,
    values: Mapping[str, Any] | None = ...,
    dayfirst: bool | None = ...,
    date_format: str | None = ...,
    weapons: Mapping[str, str] | None = ...,
    units: Mapping[str, str] | None = ...,
    sheet: str | int | None = ...,
    encoding: str | None = ...,
    return_rejects: Literal[True],
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
def load_table(
    path: str | Path,
    mapping: str | Path | Mapping[str, Any] | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    weapons: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    return_rejects: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    r"""Load any table of incidents (CSV, Excel, Parquet) as a canonical incident table.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (comma-separated), ``.xlsx``/``.xlsm``/``.xls`` (needs
        openpyxl) or ``.parquet`` file (needs pyarrow, or DuckDB: the
        ``large`` extra).
    mapping : str, Path or dict, optional
        A TOML mapping file or the same content as a dict (see the module
        docstring and :func:`read_mapping`).
    columns, values : dict, optional
        The ``[columns]`` and ``[values]`` sections as keyword arguments
        (``columns={"start": "Date"}``, ``values={"unit": "claim"}``); they
        are added to the mapping's, and win over them.
    dayfirst : bool, optional
        ``[dates] dayfirst``: how to read numeric dates (``04/11/2024``).
        Without it (and without ``date_format``) a numeric date is read only
        when the column settles the order, else its row is rejected as
        ambiguous. ISO dates and dates with month names need no option.
    date_format : str, optional
        ``[dates] format``: an explicit ``strftime`` format for every row.
    weapons, units : dict, optional
        ``[weapon]`` and ``[unit]``: the user's words -> vocabulary terms
        (case, spaces, hyphens and underscores do not matter). A word that is
        neither there nor a term or synonym of the vocabulary rejects its row.
    sheet : str or int, optional
        ``[file] sheet``: the Excel sheet (default the first).
    encoding : str, optional
        ``[file] encoding``: the CSV file's text encoding (default UTF-8).
    return_rejects : bool
        Also return the rejected rows (else a
        :class:`~analysis.io.oref.RejectedRowsWarning` reports them).

    Returns
    -------
    table : pandas.DataFrame
        One row per record, in file order: ``row`` (the file line for CSV
        and the sheet row for Excel, header = 1; the record number from 1
        for Parquet), the user's columns as read, and the canonical columns
        of ``ARCHITECTURE.md``. Defaults where neither a column nor a value
        is given: ``incident_id`` ``"<file stem>-<row>"``; ``weapon``
        ``"unknown"``; ``quantity`` 1; ``time_precision`` ``"day"`` for a
        date without a time, ``"minute"`` (``"second"`` when the seconds are
        not zero) for a time; ``source_name`` the file name and
        ``source_ref`` ``"row <row>"`` when no source column or value is
        given; with a ``source_name`` but neither ``source_url`` nor
        ``source_ref``, ``source_ref`` is ``"<file name>, row <row>"``.
        ``start`` is ``datetime64`` (the local time as written);
        ``quantity`` ``int64``.
    rejects : pandas.DataFrame
        Only with ``return_rejects=True``: ``file, row, column, reason`` and
        the user's columns as read; ``len(table) + len(rejects)`` is the
        number of records read.

    Raises
    ------
    ValueError
        A bad mapping (unknown section, key or column name; a mapped column
        the file does not have is a :class:`DataError`), no ``start``, no
        ``unit``, a constant value outside the vocabulary, or a file type
        that is not CSV, Excel or Parquet.
    ImportError
        Excel without openpyxl, Parquet without pyarrow or DuckDB; the
        message names what to install.
    DataError
        The file cannot be read (empty, not comma-separated, truncated in a
        quoted field, not the encoding given), a mapped column is missing,
        or (without ``return_rejects``) no row is usable.
    DataNotFoundError
        The file does not exist.

    Notes
    -----
    Rejected rows: an empty, unparseable, ambiguous or out-of-range date; a
    quantity that is not a whole number >= 0; a weapon or unit word outside
    the vocabulary and the mapping; a ``time_precision`` that is not one of
    second, minute, hour, day, week, month, year; a ``source_url`` that is
    not a web address; an empty or repeated ``incident_id``; records with
    the wrong number of fields or bytes that are not UTF-8.

    Examples
    --------
    >>> import tempfile, os
    >>> text = ("Date,Group,Type,Number\n"  # SIMULATED rows
    ...         "04/11/2024,Test actor A,Shahed,3\n"
    ...         "13/11/2024,Test actor A,UAV,-1\n")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "claims.csv")
    ...     _ = open(p, "w", encoding="utf-8").write(text)
    ...     table, rejects = load_table(p, columns={"start": "Date", "actor": "Group",
    ...         "weapon": "Type", "quantity": "Number"}, values={"unit": "claim"},
    ...         weapons={"Shahed": "drone"}, return_rejects=True)
    >>> table[["start", "weapon", "quantity", "unit"]].astype(str).to_dict("list")
    {'start': ['2024-11-04'], 'weapon': ['drone'], 'quantity': ['3'], 'unit': ['claim']}
    >>> rejects[["row", "column", "reason"]].to_dict("list")
    {'row': [3], 'column': ['Number'], 'reason': ['Number: negative count (-1)']}
    """
    spec = read_mapping(mapping)
    if columns is not None:
        spec["columns"].update(read_mapping({"columns": dict(columns)})["columns"])
        for key in columns:
            spec["values"].pop(key, None)
    if values is not None:
        spec["values"].update(read_mapping({"values": dict(values)})["values"])
        for key in values:
            spec["columns"].pop(key, None)
    if dayfirst is not None:
        if not isinstance(dayfirst, bool):
            raise TypeError(f"dayfirst must be True, False or None, not {dayfirst!r}")
        spec["dates"] = {"dayfirst": dayfirst}
    if date_format is not None:
        if not isinstance(date_format, str) or "%" not in date_format:
            raise ValueError(
                f"date_format={date_format!r} is not a strftime format like '%d/%m/%Y'"
            )
        spec["dates"] = {"format": date_format}
    for section, given in (("weapon", weapons), ("unit", units)):
        if given is not None:
            if not isinstance(given, Mapping):
                raise TypeError(f"{section}s must be a dict of word -> term")
            spec[section].update(read_mapping({section: dict(given)})[section])
    if sheet is not None:
        spec["file"]["sheet"] = sheet
    if encoding is not None:
        spec["file"]["encoding"] = encoding

    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a file path (str or Path), not {type(path).__name__}")
    file = Path(path).expanduser()
    read, malformed, reasons, name = _read(file, spec)
    available = [str(c) for c in read.columns]
    for key in CANONICAL_COLUMNS:  # a canonical column the file has is used as it is
        if key in available and key not in spec["columns"] and key not in spec["values"]:
            spec["columns"][key] = key
    for key, column in spec["columns"].items():
        if column != key and key in available:
            raise ValueError(
                f"the file has a column {key!r} and the mapping maps {key} to {column!r}: "
                f"map {key} to {key!r}, or rename one of them"
            )
    if "start" not in spec["columns"]:
        raise ValueError(
            "no start: map the date column, e.g. columns={'start': 'Date'} "
            f"(the file's columns: {', '.join(available[:12])})"
        )
    if "unit" not in spec["columns"] and "unit" not in spec["values"]:
        raise ValueError(
            "no unit: say what one row counts, e.g. values={'unit': 'claim'} (claim, launch, "
            "interception, alert or incident: never mixed)"
        )
    word_maps: dict[str, dict[str, str]] = {
        kind: {fold(k): str(v) for k, v in spec[kind].items()} for kind in ("weapon", "unit")
    }
    for kind in ("weapon", "unit"):  # the mapping's targets must be vocabulary terms
        terms = set(vocabulary_terms(kind).values())
        for word, term in spec[kind].items():
            if term not in terms:
                raise ValueError(
                    f"[{kind}] {word!r} = {term!r}: {term!r} is not a {kind} term "
                    f"(allowed: {', '.join(sorted(terms))})"
                )
    canonical: dict[str, Any] = {}
    for key in CANONICAL_COLUMNS:
        if key in spec["values"]:
            canonical[key] = _constant(key, spec["values"][key], word_maps)
    column_of = spec["columns"]

    start_col = column_of["start"]
    start = parse_event_dates(
        read[start_col],
        column=start_col,
        reasons=reasons,
        dayfirst=spec["dates"].get("dayfirst"),
        format=spec["dates"].get("format"),
    )
    canonical["start"] = start
    if "time_precision" in column_of:
        col = column_of["time_precision"]
        text = text_column(read[col])
        folded = text.map(lambda v: fold(str(v)) if v is not None else None)
        bad = (~folded.isin(PRECISIONS)).to_numpy(dtype=bool)
        reasons.add(
            bad,
            col,
            [f"time precision {v!r} is not one of {', '.join(PRECISIONS)}" for v in text.tolist()],
        )
        canonical["time_precision"] = folded.astype(object)
    elif "time_precision" not in canonical:
        canonical["time_precision"] = _precision_of(read[start_col], start)
    for kind in ("weapon", "unit"):
        if kind in column_of:
            col = column_of[kind]
            canonical[kind] = _terms(read[col], kind, col, word_maps[kind], reasons)
    canonical.setdefault("weapon", "unknown")
    if "quantity" in column_of:
        col = column_of["quantity"]
        canonical["quantity"] = parse_counts(read[col], column=col, reasons=reasons)
    canonical.setdefault("quantity", 1)
    if "source_url" in column_of:
        col = column_of["source_url"]
        url = text_column(read[col])
        is_url = url.astype("string").str.fullmatch(r"https?://[^\s/?#]+\.\S+", case=False)
        bad = (url.notna() & ~is_url.fillna(False)).to_numpy(dtype=bool)
        reasons.add(bad, col, "not a web address (https://...); never an invented one")
        canonical["source_url"] = url
    for key in ("actor", "origin", "target", "outcome", "source_name", "source_ref", "notes"):
        if key in column_of:
            canonical[key] = text_column(read[column_of[key]])
    rows = pd.Series(read.index.astype(str), index=read.index)
    cited = {k for k in ("source_url", "source_name", "source_ref") if k in canonical}
    if not cited & {"source_url", "source_name"}:
        canonical["source_name"] = name
        canonical.setdefault("source_ref", "row " + rows)
    elif not cited & {"source_url", "source_ref"}:  # a name needs an identifier
        canonical["source_ref"] = f"{Path(name).name}, row " + rows
    if "incident_id" in column_of:
        col = column_of["incident_id"]
        ids = text_column(read[col])
        reasons.add(ids.isna().to_numpy(), col, "empty incident_id")
        duplicates(ids, reasons.ok, col, reasons)
        canonical["incident_id"] = ids
    else:
        canonical["incident_id"] = f"{Path(name).stem}-" + rows
    frame = read.copy()
    return finish(
        file=name,
        frame=frame,
        canonical=canonical,
        reasons=reasons,
        malformed=malformed,
        return_rejects=return_rejects,
        read=read,
        what="table",
    )


def _constant(key: str, value: Any, words: dict[str, dict[str, str]]) -> Any:
    if key in ("weapon", "unit"):
        term = words[key].get(fold(value)) or vocabulary_terms(key).get(fold(value))
        if term is None:
            terms = ", ".join(sorted(set(vocabulary_terms(key).values())))
            raise ValueError(f"values: {key} = {value!r} is not a {key} term (allowed: {terms})")
        return term
    if key == "time_precision":
        if fold(value) not in PRECISIONS:
            raise ValueError(
                f"values: time_precision = {value!r} is not one of {', '.join(PRECISIONS)}"
            )
        return fold(value)
    if key == "start":
        raise ValueError("values: start cannot be one value for every row; map its column")
    if key == "source_url" and not str(value).lower().startswith(("http://", "https://")):
        raise ValueError(f"values: source_url = {value!r} is not a web address")
    return value


def _terms(
    values: pd.Series, kind: str, column: str, words: dict[str, str], reasons: Reasons
) -> pd.Series:
    """The vocabulary term of each cell (the mapping's words first); others get a reason."""
    vocabulary = vocabulary_terms(kind)
    text = text_column(values)
    out: list[Any] = []
    allowed = ", ".join(sorted(set(vocabulary.values())))
    for row, value in zip(text.index, text.tolist(), strict=True):
        if value is None:
            reasons.add_row(row, column, f"empty {kind}")
            out.append(None)
            continue
        key = fold(str(value))
        term = words.get(key) or vocabulary.get(key)
        if term is None:
            reasons.add_row(
                row,
                column,
                f"unknown {kind} {str(value)[:40]!r}; allowed: {allowed} "
                f"(or map the word in the mapping's [{kind}] section)",
            )
        out.append(term)
    return pd.Series(out, index=values.index, dtype=object)


def _precision_of(text: pd.Series, start: pd.Series) -> pd.Series:
    """``day`` for a date without a time, ``minute`` or ``second`` for a time.

    Text has a time when it holds a colon; a date-time value (Excel, Parquet)
    when it is not at midnight.
    """
    written = text.tolist()
    moment = start.tolist()
    has_time = np.array(
        [
            (":" in v) if isinstance(v, str) else (t is not pd.NaT and t != t.normalize())
            for v, t in zip(written, moment, strict=True)
        ],
        dtype=bool,
    )
    seconds = (start.dt.second.fillna(0) != 0).to_numpy(dtype=bool)
    words = np.where(has_time, np.where(seconds, "second", "minute"), "day")
    return pd.Series(words, index=text.index, dtype=object)


def _read(
    file: Path, spec: dict[str, dict[str, Any]]
) -> tuple[pd.DataFrame, pd.DataFrame | None, Reasons, str]:
    """The rows as read (index: row numbers), the malformed records, the reasons, the name."""
    name = str(file)
    suffix = file.suffix.lower()
    needed = sorted(set(spec["columns"].values()))
    if suffix in _EXCEL or suffix in _PARQUET:
        if file.is_dir() or not file.is_file():
            from analysis.io._events import read_bytes

            read_bytes(file, "a table")  # raises the clear error
        frame = _read_excel(file, spec["file"].get("sheet")) if suffix in _EXCEL else None
        if frame is None:
            frame = _read_parquet(file)
        first = 2 if suffix in _EXCEL else 1
        frame = frame.astype(object).where(frame.notna(), None)
        frame = frame.map(lambda v: (v.strip() or None) if isinstance(v, str) else v)
        frame.index = pd.Index(np.arange(first, first + len(frame)), dtype="int64", name="row")
        frame.columns = [str(c).strip() for c in frame.columns]
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise DataError(
                [
                    Problem(name, 1, c, None, missing_column_message(c, list(frame.columns)))
                    for c in missing
                ],
                header=f"cannot read {name}: a mapped column is missing",
            )
        return frame, None, Reasons(frame.index), name
    if suffix not in (".csv", ".txt"):
        raise ValueError(
            f"path={name!r}: not a CSV (.csv), Excel (.xlsx, .xls) or Parquet (.parquet) file"
        )
    raw, reasons = read_source_csv(
        file,
        required=needed,
        what="a table",
        encoding=spec["file"].get("encoding", "utf-8"),
    )
    return raw.frame.astype(object), raw.malformed, reasons, raw.file


def _read_excel(file: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "reading Excel files needs openpyxl, an optional dependency that is not "
            "installed: pip install openpyxl (or save the sheet as CSV)"
        ) from exc
    try:
        return pd.read_excel(file, sheet_name=0 if sheet is None else sheet, dtype=object)
    except ValueError as exc:
        raise DataError(
            Problem(str(file), None, None, None, f"cannot read the sheet {sheet!r}: {exc}"),
            header=f"cannot read {file}",
        ) from None


def _read_parquet(file: Path) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        try:
            import duckdb
        except ImportError as exc:
            raise ImportError(
                "reading Parquet files needs pyarrow or DuckDB, optional dependencies: "
                "pip install 'incident-trends[large]' (or pip install pyarrow)"
            ) from exc
        try:
            con = duckdb.connect()
            return con.execute("SELECT * FROM read_parquet(?)", [str(file)]).df()
        except duckdb.Error as exc:
            raise DataError(
                Problem(str(file), None, None, None, f"not a readable Parquet file ({exc})"),
                header=f"cannot read {file}",
            ) from None
    try:
        return pd.read_parquet(file)
    except (OSError, ValueError) as exc:
        raise DataError(
            Problem(str(file), None, None, None, f"not a readable Parquet file ({exc})"),
            header=f"cannot read {file}",
        ) from None
