"""The day-level claims of the Islamic Resistance in Iraq, validated and typed.

:func:`load_iri_claims_daily` reads ``data/curated/iri_claims_daily.csv`` (or
any file in the same shape): one row per (date, source) of the project's
day-level source list ``../shared/sources/iri-claims-daily.md``, with the
attacks the IRI claimed (unit ``claim``) and, beside them, Israeli counts of
launches and interceptions from the east (units ``launch`` and
``interception``). Rows of one day repeat, overlap or contradict each other:
they are kept side by side and must never be summed, and a day with no row
is unknown, not zero (see ``data/README.md``).

The table is checked as the other curated tables are
(:mod:`analysis.curation.tables`): the same strict CSV reader, the same
column checks (:func:`analysis.curation.schema.check_table`, here with the
table's own :data:`IRI_CLAIMS_DAILY` spec), the same provenance rule (a row
cites ``source_url``, or ``source_name`` with ``source_ref``) and the same
:class:`~analysis.curation.validate.ValidationReport`, plus the rules of
this table: units are only ``claim``, ``launch`` and ``interception``; a
claim row is a ``daily_tally`` or a ``single_claim``, an Israeli count an
``official_count``; a single claim is a lower bound (``at_least``).
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Literal, overload

import pandas as pd

from analysis.curation.schema import ColumnSpec, TableSpec, check_table
from analysis.curation.validate import ValidationReport, _from_raw, _sorted
from analysis.curation.vocabulary import load_vocabulary
from analysis.datasets import data_dir
from analysis.errors import DataNotFoundError, Problem
from analysis.io.csv import read_csv_text

__all__ = [
    "IRI_CLAIMS_DAILY",
    "IRI_KINDS",
    "IRI_UNITS",
    "load_iri_claims_daily",
    "validate_iri_claims_daily",
]

IRI_UNITS: tuple[str, ...] = ("claim", "launch", "interception")
"""Units of the day-level table: claims, and Israeli counts of launches and interceptions."""

IRI_KINDS: tuple[str, ...] = ("daily_tally", "single_claim", "official_count")
"""``daily_tally`` (the day's claims counted), ``single_claim`` (one claim), ``official_count``."""

_CLAIM_KINDS = frozenset({"daily_tally", "single_claim"})

IRI_CLAIMS_DAILY = TableSpec(
    "iri_claims_daily",
    "row_id",
    (
        ColumnSpec("row_id", "id", required=True),
        ColumnSpec("date", "date", required=True),
        ColumnSpec("date_inferred", "enum", required=True, allowed=("true", "false")),
        ColumnSpec("value", "count"),
        ColumnSpec("qualifier", "enum", required=True, allowed=("exact", "at_least")),
        ColumnSpec("value_as_written", "text", required=True),
        ColumnSpec("kind", "enum", required=True, allowed=IRI_KINDS),
        ColumnSpec("unit", "text", required=True, allowed=IRI_UNITS, vocabulary="unit"),
        ColumnSpec("actor", "text"),
        ColumnSpec("origin", "text"),
        ColumnSpec("weapons", "text"),
        ColumnSpec("targets", "text"),
        ColumnSpec("source_name", "text", required=True),
        ColumnSpec("source_url", "address"),
        ColumnSpec("source_ref", "text"),
        ColumnSpec("published", "text", required=True),
        ColumnSpec("source_note", "text"),
        ColumnSpec("notes", "text"),
    ),
)
"""The day-level IRI table (``data/curated/iri_claims_daily.csv``; ``data/README.md``)."""

_PUBLISHED = r"\d{4}-\d{2}(?:-\d{2})?"


def _path(path: str | os.PathLike[str] | None) -> Path:
    if path is None:
        return data_dir() / "curated" / "iri_claims_daily.csv"
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a file path (str or Path), not {type(path).__name__}")
    return Path(path)


def _table_rules(frame: pd.DataFrame, rows: list[int], file: str) -> list[Problem]:
    """Problems with the rules of this table that the column checks do not cover.

    Only rows whose cells passed the column checks are judged here: a missing
    or unknown value is already a problem of its own.
    """
    units = load_vocabulary("unit")
    problems: list[Problem] = []

    def column(name: str) -> list[object]:
        return frame[name].tolist() if name in frame else [None] * len(frame)

    for line, unit, kind, qualifier, published in zip(
        rows,
        column("unit"),
        column("kind"),
        column("qualifier"),
        column("published"),
        strict=True,
    ):
        term = units.normalise(unit) if isinstance(unit, str) else None
        if term is not None and term not in IRI_UNITS:
            problems.append(
                Problem(
                    file,
                    line,
                    "unit",
                    str(unit),
                    f"this table counts only {', '.join(IRI_UNITS)} (got {term!r})",
                )
            )
        elif term is not None and kind in IRI_KINDS:
            if (kind in _CLAIM_KINDS) != (term == "claim"):
                wanted = "unit claim" if kind in _CLAIM_KINDS else "unit launch or interception"
                problems.append(
                    Problem(
                        file,
                        line,
                        "kind",
                        str(kind),
                        f"a {kind} row needs {wanted}, not {term!r}: units are never mixed",
                    )
                )
        if kind == "single_claim" and qualifier == "exact":
            problems.append(
                Problem(
                    file,
                    line,
                    "qualifier",
                    str(qualifier),
                    "a single_claim is a lower bound for its day: qualifier at_least",
                )
            )
        if isinstance(published, str) and not re.fullmatch(_PUBLISHED, published):
            problems.append(
                Problem(
                    file,
                    line,
                    "published",
                    published,
                    "write the publication date as YYYY-MM-DD or YYYY-MM (remarks go in notes)",
                )
            )
    return problems


def validate_iri_claims_daily(path: str | os.PathLike[str] | None = None) -> ValidationReport:
    """Validate the day-level IRI table and report every problem at once.

    Parameters
    ----------
    path : str or Path, optional
        A CSV file in the shape of ``data/curated/iri_claims_daily.csv``
        (the default).

    Returns
    -------
    ValidationReport
        Problems with file line and column, the typed valid rows and the
        rejects with their reasons (``len(valid) + len(rejects) == n_rows``).

    Raises
    ------
    TypeError
        When ``path`` is not a file path.
    DataNotFoundError
        When the file does not exist.

    Examples
    --------
    >>> report = validate_iri_claims_daily()
    >>> report.ok, report.n_rows
    (True, 219)
    """
    source = _path(path)
    name = str(source)
    if not source.is_file():
        raise DataNotFoundError(f"{name}: no such file")
    spec = IRI_CLAIMS_DAILY
    raw = read_csv_text(source.read_bytes(), file=name, expected=spec.names)
    if raw.fatal:
        return _from_raw(raw, None, list(raw.problems), kind=spec.name)
    rows = [int(r) for r in raw.frame.index]
    checked = [
        replace(p, row=raw.header_row) if p.row is None else p
        for p in check_table(raw.frame, spec, file=name, rows=rows)
    ]
    reported = {(p.row, p.column) for p in raw.problems if p.row is not None and p.column}
    checked = [p for p in checked if (p.row, p.column) not in reported]
    flagged = {p.row for p in checked} | {p.row for p in raw.problems}
    keep = [i for i, r in enumerate(rows) if r not in flagged]
    rules = _table_rules(raw.frame.iloc[keep], [rows[i] for i in keep], name)
    problems = _sorted(list(raw.problems) + checked + rules)
    return _from_raw(raw, spec, problems, kind=spec.name)


@overload
def load_iri_claims_daily(
    path: str | os.PathLike[str] | None = None, *, return_rejects: Literal[False] = False
) -> pd.DataFrame: ...


@overload
def load_iri_claims_daily(
    path: str | os.PathLike[str] | None = None, *, return_rejects: Literal[True]
) -> tuple[pd.DataFrame, pd.DataFrame]: ...


def load_iri_claims_daily(
    path: str | os.PathLike[str] | None = None, *, return_rejects: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load the day-level claims of the Islamic Resistance in Iraq, validated and typed.

    One row per (date, source): claims (unit ``claim``: a ``daily_tally`` is
    the source's count of the day's claims, a ``single_claim`` a lower bound
    for the day) and Israeli counts of launches and interceptions
    (``official_count``, units ``launch`` and ``interception``). Conflicting
    sources are separate rows: select by ``unit`` and never sum the rows of a
    day. A day with no row is unknown, not zero.

    Parameters
    ----------
    path : str or Path, optional
        A CSV file in the same shape; default: the project's
        ``data/curated/iri_claims_daily.csv``.
    return_rejects : bool
        False (default): raise :class:`~analysis.errors.DataError` if any row
        has a problem. True: return ``(table, rejects)``; ``rejects`` holds the
        bad rows as read with their file line (``row``) and ``reason``.
        Problems with the whole file (not UTF-8, missing required column, ...)
        raise in both cases.

    Returns
    -------
    pandas.DataFrame or tuple of DataFrame
        Index 0..n-1, columns as in the file: ``date`` ``datetime64`` (the
        report's local calendar day), ``date_inferred`` ``bool``, ``value``
        ``Int64`` (a count of ``unit``, read through ``qualifier``:
        ``exact`` or ``at_least``), ``unit`` a canonical vocabulary term, the
        rest text (missing cells are NA). Extra columns are kept.

    Raises
    ------
    DataError
        Listing every problem with file, row and column.
    DataNotFoundError
        When the file does not exist.
    TypeError
        When ``path`` is not a file path or ``return_rejects`` not a bool.

    See Also
    --------
    load_reported_figures : the period totals (monthly, weekly, "since October").

    Examples
    --------
    >>> days = load_iri_claims_daily()
    >>> len(days), sorted(days["unit"].unique())
    (219, ['claim', 'interception', 'launch'])
    >>> nov11 = days[(days["date"] == "2024-11-11") & (days["unit"] == "claim")]
    >>> print(nov11[["source_name", "value", "qualifier"]].to_string(index=False))
                source_name  value qualifier
    Al-Ahed News (English)      3  at_least
      MENAFN (IANS/Xinhua)      6     exact
               Shafaq News      4     exact
      Yeni Safak (Anadolu)      5     exact

    Four sources, four counts for one day: kept side by side, never summed.
    """
    if not isinstance(return_rejects, bool):
        raise TypeError(f"return_rejects must be True or False, not {return_rejects!r}")
    report = validate_iri_claims_daily(path)
    # problems with the whole file cannot be rejected rows: they raise even with return_rejects
    if report.file_problems or not return_rejects:
        report.raise_if_invalid()
    table = report.valid.reset_index(drop=True)
    if "value" in table:
        table["value"] = table["value"].astype("Int64")
    if "date_inferred" in table:
        table["date_inferred"] = table["date_inferred"].eq("true").astype(bool)
    return (table, report.rejects) if return_rejects else table
