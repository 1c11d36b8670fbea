"""The table that groups Home Front Command alert areas into regions.

:func:`alerts_to_incidents <analysis.curation.clustering.alerts_to_incidents>`
clusters alerts within a region by default, so that alerts of one kind far
apart in the country are separate incidents. Which areas form one region is
read from a table, never guessed: ``data/regions/hfc_area_regions.csv``
(``area_he, area_en, region, region_en, in_modern_30, n_localities``).

The shipped table lists every alert area of the shared locality table
(``../shared/data/oref-localities/oref_localities_merged.csv``, column
``area_he``): the Home Front Command's own grouping of alert localities
("zone" in eladnava/pikud-haoref-api, "district" in amitfin/oref_alert). That
locality data carries no coarser Home Front Command grouping, so each area is
its own region; a user with a citable coarser grouping passes their own table
(same columns) as ``regions=``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.datasets import data_dir
from analysis.errors import DataError, DataNotFoundError, Problem

__all__ = ["REGION_COLUMNS", "default_regions_path", "load_area_regions"]

REGION_COLUMNS: tuple[str, ...] = ("area_he", "region")
"""Required columns of an area-to-region table (``area_en``, ``region_en`` optional)."""


def default_regions_path() -> Path:
    """Path of the shipped area-to-region table, ``data/regions/hfc_area_regions.csv``.

    Examples
    --------
    >>> default_regions_path().name
    'hfc_area_regions.csv'
    """
    return data_dir() / "regions" / "hfc_area_regions.csv"


_READ: dict[tuple[str, int, int], pd.DataFrame] = {}
"""Tables read from files, by path, size and modification time (a changed file is read again)."""


def load_area_regions(regions: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and check an area-to-region table.

    Parameters
    ----------
    regions : str, Path, pandas.DataFrame or None
        A CSV file or a table with columns ``area_he`` (an alert area as named
        in the locality table) and ``region``; optional ``area_en`` and
        ``region_en``. None (default): the shipped table
        (:func:`default_regions_path`).

    Returns
    -------
    pandas.DataFrame
        The table with text columns, one row per area, index 0..n-1;
        ``region_en`` is filled from ``region`` where absent.

    Raises
    ------
    DataError
        A required column is missing, a cell of ``area_he`` or ``region`` is
        empty, or an area appears twice; every problem with its row and column.
    DataNotFoundError
        The file does not exist.

    Examples
    --------
    >>> table = load_area_regions()
    >>> table.loc[table["area_en"] == "Eilat", "region_en"].item()
    'Eilat'
    >>> bool(table["area_he"].is_unique)
    True
    """
    if regions is None or isinstance(regions, str | Path):
        path = default_regions_path() if regions is None else Path(regions).expanduser()
        if not path.is_file():
            raise DataNotFoundError(f"area-to-region table not found: {path}")
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        cached = _READ.get(key)
        if cached is not None:  # the same file, already checked: a copy of the table
            return cached.copy()
        file = str(path)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    elif isinstance(regions, pd.DataFrame):
        file = "<regions>"
        frame = regions.copy()
    else:
        raise TypeError(
            f"regions must be a path, a DataFrame or None, not {type(regions).__name__}"
        )
    problems = [
        Problem(file, 1, c, None, "required column is missing (area_he and region are needed)")
        for c in REGION_COLUMNS
        if c not in frame.columns
    ]
    if problems:
        raise DataError(problems, header=f"{file}: not an area-to-region table")
    frame = frame.reset_index(drop=True)
    for column in REGION_COLUMNS:
        text = frame[column].astype("string").str.strip()
        for pos in text.index[text.isna() | (text == "")]:
            problems.append(Problem(file, int(pos) + 2, column, None, f"empty {column}"))
        frame[column] = text
    repeated = frame["area_he"].duplicated(keep="first") & frame["area_he"].notna()
    for pos in frame.index[repeated]:
        first = int(frame.index[frame["area_he"] == frame.at[pos, "area_he"]][0]) + 2
        problems.append(
            Problem(
                file,
                int(pos) + 2,
                "area_he",
                str(frame.at[pos, "area_he"]),
                f"area listed twice (first on row {first}): an area belongs to one region",
            )
        )
    if problems:
        raise DataError(sorted(problems, key=lambda p: p.row or 0), header=f"{file}: bad rows")
    if "region_en" not in frame.columns:
        frame["region_en"] = frame["region"]
    else:
        english = frame["region_en"].astype("string").str.strip()
        frame["region_en"] = english.where(english.notna() & (english != ""), frame["region"])
    if file != "<regions>":  # read from a file: kept for the next call with the same file
        if len(_READ) > 16:
            _READ.clear()
        _READ[(str(Path(file).resolve()), stat.st_size, stat.st_mtime_ns)] = frame.copy()
    return frame
