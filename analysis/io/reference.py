"""Reference data sets shipped in ``data/reference/``.

The British coal-mining disasters 1851-1962 (Jarrett 1979) are the classic
test case for Poisson rate and change-point methods: the literature places one
change around 1890-1891, from about 3 to about 1 disaster a year.

The decimal years of the source encode days in Julian years of 365.25 days
counted from the start of 1851: ``decimal_year = 1851 + n / 365.25`` where day
``n = 1`` is 1 January 1851 (the source was built from Jarrett's intervals in
days). :func:`decimal_year_to_date` inverts that; unlike reading the fraction
as a share of the calendar year, it reproduces the recorded dates of the
well-known disasters (Lundhill 19 Feb 1857, Blantyre 22 Oct 1877, Senghenydd
14 Oct 1913, Gresford 22 Sep 1934), which the other reading shifts by a day in
about half of the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.datasets import dataset_path
from analysis.errors import DataError, Problem

COAL_COLUMNS: tuple[str, ...] = ("disaster_id", "decimal_year", "date")
_EPOCH_YEAR = 1851
_JULIAN_YEAR_DAYS = 365.25
#: Largest distance of ``(decimal_year - 1851) * 365.25`` from a whole day
#: accepted as an exact encoding (the source has 11 significant digits).
_DAY_TOLERANCE = 1e-4


def decimal_year_to_date(decimal_year: float | Iterable[float]) -> pd.DatetimeIndex:
    """Convert the coal data's decimal years to calendar dates.

    Hand-written because the encoding (days since 31 Dec 1850 in Julian years
    of 365.25 days) is particular to this data set; no library reads it.

    Parameters
    ----------
    decimal_year : float or iterable of float
        Decimal years as in the source, e.g. ``1851.20260095825``.

    Returns
    -------
    pandas.DatetimeIndex
        One date per value (day resolution).

    Raises
    ------
    ValueError
        If a value does not encode a whole day in this scheme (more than
        ``1e-4`` day away), i.e. the input is not from this encoding.

    Examples
    --------
    >>> decimal_year_to_date([1851.20260095825, 1962.21971252567]).strftime("%Y-%m-%d").tolist()
    ['1851-03-15', '1962-03-22']
    """
    values = np.atleast_1d(np.asarray(decimal_year, dtype=float))
    days = (values - _EPOCH_YEAR) * _JULIAN_YEAR_DAYS
    whole = np.round(days)
    off = np.abs(days - whole)
    if np.any(~np.isfinite(days)) or np.any(off > _DAY_TOLERANCE):
        bad = values[~np.isfinite(days) | (off > _DAY_TOLERANCE)]
        raise ValueError(
            f"not a whole day in Julian years from 1851: {bad[:5].tolist()} "
            "(expected values like 1851.20260095825)"
        )
    epoch = pd.Timestamp(f"{_EPOCH_YEAR - 1}-12-31")
    return pd.DatetimeIndex(epoch + pd.to_timedelta(whole, unit="D"))


def load_coal_mining_disasters(*, as_counts: bool = False) -> pd.DataFrame | pd.Series:
    """Load the 191 British coal-mining disasters of 1851-1962.

    Explosions in UK coal mines that killed ten or more people, from Jarrett
    (1979), "A note on the intervals between coal-mining disasters",
    Biometrika 66:191-193. The file is ``data/reference/coal_mining_disasters.csv``
    (see ``data/README.md``); every row is checked on reading.

    Parameters
    ----------
    as_counts : bool, default False
        Return the number of disasters per calendar year instead of the table.

    Returns
    -------
    pandas.DataFrame or pandas.Series
        With ``as_counts=False``: columns ``disaster_id`` (int), ``decimal_year``
        (float, years) and ``date`` (datetime64), one row per disaster in date
        order. With ``as_counts=True``: a Series named ``disasters`` of counts
        per year (disasters per year), indexed by the start of each year
        (annual ``DatetimeIndex``, frequency ``YS``) from the first to the last
        year of the data, years without a disaster as zeros. The observation
        window is 15 Mar 1851 to 22 Mar 1962, so the first and last years are
        only partly observed.

    Raises
    ------
    analysis.errors.DataError
        If the file has other columns or a value does not parse (every
        problem, with its row and column).
    analysis.errors.DataNotFoundError
        If the file is missing.

    Examples
    --------
    >>> table = load_coal_mining_disasters()
    >>> len(table), table["date"].min().date().isoformat()
    (191, '1851-03-15')
    >>> counts = load_coal_mining_disasters(as_counts=True)
    >>> len(counts), int(counts.sum()), int(counts.loc["1855-01-01"])
    (112, 191, 0)
    """
    path = dataset_path("coal_mining_disasters")
    table = _read_coal_table(path)
    if not as_counts:
        return table
    years = table["date"].dt.year
    first, last = int(years.min()), int(years.max())
    counts = years.value_counts().reindex(range(first, last + 1), fill_value=0).sort_index()
    index = pd.date_range(f"{first}-01-01", periods=len(counts), freq="YS", name="year")
    return pd.Series(counts.to_numpy(dtype="int64"), index=index, name="disasters")


def _read_coal_table(path: Path) -> pd.DataFrame:
    """Read and check the reference CSV; raise :class:`DataError` with every problem."""
    file = str(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if tuple(raw.columns) != COAL_COLUMNS:
        found = ",".join(map(str, raw.columns))
        raise DataError(Problem(file, 1, None, found, f"expected columns {COAL_COLUMNS}"))
    ids = pd.to_numeric(raw["disaster_id"], errors="coerce")
    years = pd.to_numeric(raw["decimal_year"], errors="coerce")
    dates = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    failures = {
        "disaster_id": (ids.isna() | (ids != ids.round()), "not an integer"),
        "decimal_year": (years.isna(), "not a number"),
        "date": (dates.isna(), "not an ISO date YYYY-MM-DD"),
    }
    problems: list[Problem] = []
    for pos in range(len(raw)):
        for column, (failed, message) in failures.items():
            if failed.iloc[pos]:
                # rows are 1-based with the header as row 1
                problems.append(Problem(file, pos + 2, column, raw[column].iloc[pos], message))
    duplicated = ids.duplicated() & ids.notna()
    for pos in range(len(raw)):
        if duplicated.iloc[pos]:
            problems.append(
                Problem(file, pos + 2, "disaster_id", raw["disaster_id"].iloc[pos], "duplicate id")
            )
    if problems:
        raise DataError(problems, header=f"{len(problems)} problem(s) in {file}")
    table = pd.DataFrame(
        {
            "disaster_id": ids.astype("int64"),
            "decimal_year": years.astype("float64"),
            "date": dates,
        }
    )
    return table.sort_values("date", kind="stable").reset_index(drop=True)
