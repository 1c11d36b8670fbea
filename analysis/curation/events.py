"""Curated reference tables for drawing: known events and country outlines.

``data/curated/known_events.csv`` lists dated events (the 13-14 April 2024
Iranian attack, the 23 September 2024 escalation, ...) with a source address
on every row, to be marked on plots of incident counts.
``data/reference/country_outlines.csv`` holds Natural Earth 1:110m country
outlines (public domain), one row per vertex, drawn under the alert map so
that no map tile is ever fetched. Both are described in ``data/README.md`` and
``data/datapackage.json``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from analysis.datasets import data_dir
from analysis.errors import DataError, DataNotFoundError, Problem

__all__ = [
    "KNOWN_EVENT_COLUMNS",
    "OUTLINE_COLUMNS",
    "load_country_outlines",
    "load_known_events",
]

KNOWN_EVENT_COLUMNS: tuple[str, ...] = (
    "date",
    "end_date",
    "event",
    "source_name",
    "source_url",
    "checked",
    "notes",
)
OUTLINE_COLUMNS: tuple[str, ...] = ("iso_a3", "name", "polygon", "ring", "vertex", "lon", "lat")


def _read(
    path: str | os.PathLike[str] | None, default: Path, what: str
) -> tuple[pd.DataFrame, str]:
    if path is not None and not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a file path or None, not {type(path).__name__}")
    file = Path(path).expanduser() if path is not None else default
    if not file.is_file():
        raise DataNotFoundError(f"{what} not found: {file}")
    try:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(Problem(str(file), None, None, None, f"not UTF-8 text ({exc})")) from None
    return frame, str(file)


def _missing_columns(frame: pd.DataFrame, columns: tuple[str, ...], file: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            [Problem(file, 1, c, None, "required column missing") for c in missing],
            header=f"{file}: the header lacks {', '.join(missing)}",
        )


def load_known_events(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load the curated table of known events, validated and typed.

    Parameters
    ----------
    path : str or Path, optional
        A CSV file of the same shape; default the project's
        ``data/curated/known_events.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per event, in date order: ``date`` and ``end_date``
        (``datetime64``, inclusive local days), ``event``, ``source_name``,
        ``source_url``, ``checked`` (bool: True when the address is in the
        project's source list and supports the row, False when it is a known
        public page not verified offline) and ``notes``. Extra columns are kept.

    Raises
    ------
    DataError
        Listing every problem with file, row (line, header = 1) and column: a
        missing column, a date that is not ``YYYY-MM-DD``, an ``end_date``
        before ``date``, a row without an ``https://`` address or a source
        name, ``checked`` other than ``true``/``false``.
    DataNotFoundError
        When the file does not exist.

    Examples
    --------
    >>> events = load_known_events()
    >>> bool(events["source_url"].str.startswith("https://").all())
    True
    >>> april = events[events["date"] == "2024-04-13"]
    >>> print(april["end_date"].dt.strftime("%Y-%m-%d").iloc[0])
    2024-04-14
    """
    frame, file = _read(path, data_dir() / "curated" / "known_events.csv", "known-events table")
    _missing_columns(frame, KNOWN_EVENT_COLUMNS, file)
    problems: list[Problem] = []
    parsed: dict[str, pd.Series] = {}
    for column in ("date", "end_date"):
        values = frame[column].str.strip()
        ok = values.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
        dates = pd.to_datetime(values.where(ok), format="%Y-%m-%d", errors="coerce")
        for i in frame.index[dates.isna()]:
            problems.append(
                Problem(
                    file, int(i) + 2, column, str(frame.at[i, column]), "not a date (YYYY-MM-DD)"
                )
            )
        parsed[column] = dates
    both = parsed["date"].notna() & parsed["end_date"].notna()
    for i in frame.index[both & (parsed["end_date"] < parsed["date"])]:
        problems.append(
            Problem(file, int(i) + 2, "end_date", str(frame.at[i, "end_date"]), "before date")
        )
    for column in ("event", "source_name"):
        for i in frame.index[frame[column].str.strip() == ""]:
            problems.append(Problem(file, int(i) + 2, column, "", "required (empty)"))
    url_ok = frame["source_url"].str.fullmatch(r"https://\S+")
    for i in frame.index[~url_ok]:
        problems.append(
            Problem(
                file,
                int(i) + 2,
                "source_url",
                str(frame.at[i, "source_url"]),
                "every event needs a source address starting with https://",
            )
        )
    checked = frame["checked"].str.strip().str.lower()
    for i in frame.index[~checked.isin(["true", "false"])]:
        problems.append(
            Problem(
                file, int(i) + 2, "checked", str(frame.at[i, "checked"]), "must be true or false"
            )
        )
    if problems:
        raise DataError(problems, header=f"{file}: {len(problems)} problem(s) in the known events")
    out = frame.assign(
        date=parsed["date"],
        end_date=parsed["end_date"],
        checked=checked == "true",
        notes=frame["notes"].replace("", pd.NA),
    )
    return out.sort_values(["date", "end_date"], kind="stable").reset_index(drop=True)


def load_country_outlines(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load the bundled country outlines (Natural Earth 1:110m, public domain).

    Parameters
    ----------
    path : str or Path, optional
        A CSV file of the same shape; default the project's
        ``data/reference/country_outlines.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per vertex: ``iso_a3``, ``name``, ``polygon``, ``ring``,
        ``vertex`` (integers), ``lon`` and ``lat`` (degrees, WGS 84), sorted
        so that each ring's vertices are in drawing order.

    Raises
    ------
    DataError
        A missing column, a number that does not read or a coordinate out of
        range, with file, row and column.
    DataNotFoundError
        When the file does not exist.

    Examples
    --------
    >>> outlines = load_country_outlines()
    >>> "ISR" in set(outlines["iso_a3"])
    True
    >>> bool(outlines["lat"].between(-90, 90).all())
    True
    """
    frame, file = _read(
        path, data_dir() / "reference" / "country_outlines.csv", "country-outline table"
    )
    _missing_columns(frame, OUTLINE_COLUMNS, file)
    problems: list[Problem] = []
    out = frame.copy()
    limits = {"lon": 180.0, "lat": 90.0}
    for column in ("polygon", "ring", "vertex", "lon", "lat"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna()
        if column in limits:
            bad |= values.abs() > limits[column]
        else:
            bad |= (values < 0) | (values % 1 != 0)
        for i in frame.index[bad]:
            problems.append(
                Problem(file, int(i) + 2, column, str(frame.at[i, column]), "not a valid number")
            )
        out[column] = values if column in limits else values.astype("Int64")
    if problems:
        raise DataError(problems, header=f"{file}: {len(problems)} problem(s) in the outlines")
    return out.sort_values(["iso_a3", "polygon", "ring", "vertex"]).reset_index(drop=True)
