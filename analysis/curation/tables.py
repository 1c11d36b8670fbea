"""Loaders of the project's curated tables, validated and typed.

:func:`load_curated_incidents` and :func:`load_reported_figures` read
``data/curated/incidents.csv`` and ``data/curated/reported_figures.csv`` (or
any file in the same shape), check every row against the schema
(:mod:`analysis.curation.schema`) and return typed tables. A bad row is never
dropped silently: by default any problem raises
:class:`~analysis.errors.DataError` listing every problem with its file line
and column; with ``return_rejects=True`` the bad rows come back in a second
table with their reasons.

``weapon`` and ``unit`` come back as canonical terms of the controlled
vocabularies (``data/vocabulary/``: ``UAV`` and ``Drone`` are ``drone``); a
value outside them rejects its row, naming the file, row and column. A row
must cite its source: ``source_url``, or ``source_name`` with ``source_ref``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, overload

import pandas as pd

from analysis.curation.validate import ValidationReport, validate_file
from analysis.datasets import dataset_path

__all__ = ["figure_exposure_days", "load_curated_incidents", "load_reported_figures"]


def _load(
    path: str | Path | None, dataset: str, kind: str, return_rejects: bool
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    source = dataset_path(dataset) if path is None else Path(path)
    report: ValidationReport = validate_file(source, kind=kind)
    # problems with the whole file (unreadable, missing column) cannot be
    # represented as rejected rows: they raise even with return_rejects
    if report.file_problems or not return_rejects:
        report.raise_if_invalid()
    table = report.valid.reset_index(drop=True)
    return (table, report.rejects) if return_rejects else table


@overload
def load_curated_incidents(
    path: str | Path | None = None, *, return_rejects: Literal[False] = False
) -> pd.DataFrame: ...


@overload
def load_curated_incidents(
    path: str | Path | None = None, *, return_rejects: Literal[True]
) -> tuple[pd.DataFrame, pd.DataFrame]: ...


def load_curated_incidents(
    path: str | Path | None = None, *, return_rejects: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load the curated incident table, validated and typed.

    Parameters
    ----------
    path : str or Path, optional
        A CSV file in the canonical incident shape; default: the project's
        ``data/curated/incidents.csv`` (``dataset_path("incidents")``).
    return_rejects : bool
        False (default): raise :class:`~analysis.errors.DataError` if any row
        has a problem. True: return ``(table, rejects)``, where ``rejects``
        holds the bad rows as read with their file line (``row``) and
        ``reason``; ``len(table) + len(rejects)`` is the number of data rows.
        Problems with the whole file (not UTF-8, missing required column, ...)
        raise in both cases.

    Returns
    -------
    pandas.DataFrame or tuple of DataFrame
        One row per incident record, index 0..n-1, columns as in the file:
        ``start`` is ``datetime64``, the local wall-clock time as written
        (days are the source's calendar days; when some values carry a UTC
        offset, ``start_utc`` gives the UTC instants), ``quantity`` ``int64``,
        ``weapon`` and ``unit`` canonical vocabulary terms, the rest text
        (missing cells are NA). Extra columns are kept.

    Raises
    ------
    DataError
        Listing every problem with file, row and column.
    DataNotFoundError
        When the file does not exist.

    Examples
    --------
    >>> incidents = load_curated_incidents()
    >>> {"incident_id", "start", "quantity", "unit"} <= set(incidents.columns)
    True
    >>> str(incidents["quantity"].dtype)
    'int64'
    """
    return _load(path, "incidents", "incidents", return_rejects)


@overload
def load_reported_figures(
    path: str | Path | None = None, *, return_rejects: Literal[False] = False
) -> pd.DataFrame: ...


@overload
def load_reported_figures(
    path: str | Path | None = None, *, return_rejects: Literal[True]
) -> tuple[pd.DataFrame, pd.DataFrame]: ...


def load_reported_figures(
    path: str | Path | None = None, *, return_rejects: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load the table of published figures, validated and typed.

    Parameters
    ----------
    path : str or Path, optional
        A CSV file in the reported-figures shape; default: the project's
        ``data/curated/reported_figures.csv``
        (``dataset_path("reported_figures")``).
    return_rejects : bool
        As in :func:`load_curated_incidents`.

    Returns
    -------
    pandas.DataFrame or tuple of DataFrame
        One row per figure, index 0..n-1: ``period_start``, ``period_end``
        and ``published`` are ``datetime64`` dates, ``value`` ``float64``
        (a count, or a rate per day when ``measure`` says so), ``measure``
        filled with ``"count"`` where empty or absent; ``weapon`` and ``unit``
        canonical vocabulary terms; the rest text.

    Raises
    ------
    DataError
        Listing every problem with file, row and column.
    DataNotFoundError
        When the file does not exist.

    See Also
    --------
    figure_exposure_days : length of each figure's period in days.

    Examples
    --------
    >>> figures = load_reported_figures()
    >>> set(figures["qualifier"]) <= {"exact", "at_least", "about"}
    True
    >>> bool((figures["period_start"] <= figures["period_end"]).all())
    True
    """
    return _load(path, "reported_figures", "figures", return_rejects)


def figure_exposure_days(figures: pd.DataFrame) -> pd.Series:
    """Length of each figure's period in days, counting both end days.

    A figure for 2024-10-29 .. 2024-11-04 covers 7 days: the exposure is
    ``period_end - period_start + 1`` day, since both dates name whole
    calendar days included in the period. This is the exposure to divide a
    count by to get a rate per day.

    Parameters
    ----------
    figures : pandas.DataFrame
        A table with ``period_start`` and ``period_end`` (datetimes, or ISO
        date strings), as returned by :func:`load_reported_figures`.

    Returns
    -------
    pandas.Series
        Days (``int64``; ``Int64`` with NA where a date is missing), named
        ``exposure_days``, with the index of ``figures``.

    Examples
    --------
    >>> df = pd.DataFrame({"period_start": ["2024-10-29", "2024-11-04"],
    ...                    "period_end": ["2024-11-04", "2024-11-04"]})
    >>> figure_exposure_days(df).tolist()
    [7, 1]
    """
    missing = {"period_start", "period_end"} - set(figures.columns)
    if missing:
        raise KeyError(f"figures needs the columns {sorted(missing)}")
    start = pd.to_datetime(figures["period_start"], format="ISO8601").dt.normalize()
    end = pd.to_datetime(figures["period_end"], format="ISO8601").dt.normalize()
    if start.dt.tz is not None:
        start = start.dt.tz_localize(None)
    if end.dt.tz is not None:
        end = end.dt.tz_localize(None)
    days = (end - start).dt.days + 1
    out = days.astype("Int64") if days.isna().any() else days.astype("int64")
    return out.rename("exposure_days")
