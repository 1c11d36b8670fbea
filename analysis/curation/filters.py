"""Filters on any loaded incident table: actor, country, event type, weapon words, dates.

The tables of every loader (:func:`~analysis.io.acled.load_acled`,
:func:`~analysis.io.ucdp.load_ucdp_ged`, :func:`~analysis.io.gdelt.load_gdelt`,
:func:`~analysis.io.table.load_table`, :func:`~analysis.io.oref.load_oref_alerts`,
the curated tables) share the canonical columns, and the event loaders add
``country`` and ``event_type``; :func:`filter_incidents` works on all of
them, looking in the columns that exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis._dates import to_day
from analysis.curation.vocabulary import fold_term, load_vocabulary
from analysis.io._events import PRECISIONS  # the loaders' words, finest to coarsest

__all__ = [
    "ACTOR_COLUMNS",
    "EVENT_TYPE_COLUMNS",
    "WEAPON_TEXT_COLUMNS",
    "filter_incidents",
]

ACTOR_COLUMNS: tuple[str, ...] = (
    "actor",
    "target",
    "actor1",
    "actor2",
    "assoc_actor_1",
    "assoc_actor_2",
    "side_a",
    "side_b",
    "Actor1Name",
    "Actor2Name",
)
"""Columns searched by ``actor=`` (those present): an event *involving* the actor."""

EVENT_TYPE_COLUMNS: tuple[str, ...] = ("event_type", "sub_event_type", "disorder_type")
"""Columns matched by ``event_type=`` (those present)."""

WEAPON_TEXT_COLUMNS: tuple[str, ...] = ("weapon", "sub_event_type", "notes", "tags")
"""Columns searched for ``weapon=`` words (those present)."""


def _words(value: str | Iterable[str] | None, name: str) -> list[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    if not items:
        raise ValueError(f"{name} is empty: give at least one word, or None for no filter")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise TypeError(f"{name} must be text or a list of texts, not {item!r}")
    return [item.strip() for item in items]


def _present(table: pd.DataFrame, names: Sequence[str], parameter: str) -> list[str]:
    found = [c for c in names if c in table.columns]
    if not found:
        raise KeyError(
            f"{parameter}: the table has none of the columns {', '.join(names)} "
            f"(its columns: {', '.join(map(str, table.columns[:15]))}); "
            f"pass {parameter}_columns=[...] to name the columns to search"
        )
    return found


def _folded(values: pd.Series) -> pd.Series:
    text = values.astype("string")
    folded = text.map(lambda v: fold_term(v) if isinstance(v, str) else None, na_action="ignore")
    # an all-missing column maps to an untyped array; keep it a string column so
    # that ``.str`` works whichever string storage pandas uses (python or pyarrow)
    return folded.astype("string")


def filter_incidents(
    table: pd.DataFrame,
    *,
    actor: str | Iterable[str] | None = None,
    country: str | Iterable[str] | None = None,
    event_type: str | Iterable[str] | None = None,
    weapon: str | Iterable[str] | None = None,
    start: Any = None,
    end: Any = None,
    precise_to: str | None = None,
    actor_columns: Sequence[str] | None = None,
    event_type_columns: Sequence[str] | None = None,
    weapon_columns: Sequence[str] | None = None,
    time_col: str = "start",
) -> pd.DataFrame:
    """The rows of an incident table that pass every filter given.

    Each filter is one word or a list of words (a row passes when it matches
    any of them); filters combine with AND. Text is compared without regard
    to case, surrounding spaces, runs of spaces, hyphens or underscores.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from any loader of :mod:`analysis.io` (or any table with
        the columns searched).
    actor : str or list of str, optional
        Part of an actor's name (``"Test actor"`` matches ``"Test actor A
        (2024-)"``), looked for in every column of :data:`ACTOR_COLUMNS`
        the table has (or ``actor_columns``): the events involving the
        actor, whatever its role.
    country : str or list of str, optional
        The whole value of ``country`` (ACLED and UCDP names; for GDELT the
        ``ActionGeo_CountryCode`` FIPS code): ``"Niger"`` does not match
        ``"Nigeria"``.
    event_type : str or list of str, optional
        The whole value of a column of :data:`EVENT_TYPE_COLUMNS` (or
        ``event_type_columns``): ACLED ``event_type`` or ``sub_event_type``
        (``"Air/drone strike"``), UCDP's ``"one-sided violence"``, GDELT's
        CAMEO ``EventCode``.
    weapon : str or list of str, optional
        Weapon words, looked for as the start of a word in every column of
        :data:`WEAPON_TEXT_COLUMNS` (or ``weapon_columns``): ``"drone"``
        matches "drones" and "Air/drone strike". A word of the weapon
        vocabulary (a term or a synonym) also matches the term and all its
        synonyms (``"drone"`` matches "UAV" and "unmanned aerial vehicle").
    start, end : date, optional
        The first and last day kept, both included (``time_col`` read as
        the local calendar day; a tz-aware column is compared in its own
        time zone). A record of week or month precision is kept or dropped
        by the date its source gives (``start``), which is not moved; its
        ``time_precision`` says how exact that date is.
    precise_to : str, optional
        Keep only records whose ``time_precision`` is this precise or finer:
        ``"day"`` keeps second, minute, hour and day records and drops week,
        month and year ones (with ``start``/``end``, the records whose date
        is surely inside the range). A record without ``time_precision`` is
        dropped.
    actor_columns, event_type_columns, weapon_columns : list of str, optional
        The columns to search instead of the defaults.
    time_col : str
        The time column for ``start``/``end`` (default ``"start"``).

    Returns
    -------
    pandas.DataFrame
        The rows kept, a copy, with the index and columns of ``table``.

    Raises
    ------
    KeyError
        The table has none of the columns a filter needs (the message names
        the parameter and how to choose columns).
    ValueError, TypeError
        A filter is empty or not text, a date is not a date, or
        ``start`` is after ``end``.

    Examples
    --------
    >>> t = pd.DataFrame({  # SIMULATED rows
    ...     "start": pd.to_datetime(["2024-10-30", "2024-11-04", "2024-11-20"]),
    ...     "actor": ["Test actor A", "Test actor B", "Test actor A"],
    ...     "country": ["Testland", "Testland", "Otherland"],
    ...     "notes": ["two UAVs launched", "a rocket", "one drone"],
    ...     "weapon": ["unknown", "unknown", "unknown"]})
    >>> filter_incidents(t, actor="actor a", weapon="drone")["notes"].tolist()
    ['two UAVs launched', 'one drone']
    >>> filter_incidents(t, country="Testland", start="2024-11-01", end="2024-11-04").index.tolist()
    [1]
    >>> t["time_precision"] = ["day", "month", "day"]
    >>> filter_incidents(t, precise_to="day").index.tolist()
    [0, 2]
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame, not {type(table).__name__}")
    keep = np.ones(len(table), dtype=bool)

    actors = _words(actor, "actor")
    if actors is not None:
        names = _present(table, actor_columns or ACTOR_COLUMNS, "actor")
        wanted = [fold_term(a) for a in actors]
        hit = np.zeros(len(table), dtype=bool)
        for column in names:
            folded = _folded(table[column])
            for word in wanted:
                hit |= folded.str.contains(word, regex=False).fillna(False).to_numpy(bool)
        keep &= hit

    countries = _words(country, "country")
    if countries is not None:
        if "country" not in table.columns:
            raise KeyError(
                "country: the table has no 'country' column (the ACLED, UCDP and GDELT "
                "loaders add one); filter your own column with table[...]"
            )
        wanted_set = {fold_term(c) for c in countries}
        keep &= _folded(table["country"]).isin(wanted_set).fillna(False).to_numpy(dtype=bool)

    kinds = _words(event_type, "event_type")
    if kinds is not None:
        names = _present(table, event_type_columns or EVENT_TYPE_COLUMNS, "event_type")
        wanted_set = {fold_term(k) for k in kinds}
        hit = np.zeros(len(table), dtype=bool)
        for column in names:
            hit |= _folded(table[column]).isin(wanted_set).fillna(False).to_numpy(dtype=bool)
        keep &= hit

    weapons = _words(weapon, "weapon")
    if weapons is not None:
        names = _present(table, weapon_columns or WEAPON_TEXT_COLUMNS, "weapon")
        pattern = _weapon_pattern(weapons)
        hit = np.zeros(len(table), dtype=bool)
        for column in names:
            text = table[column].astype("string")
            hit |= text.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)
        keep &= hit

    if start is not None or end is not None:
        if time_col not in table.columns:
            raise KeyError(f"time_col={time_col!r} is not a column of the table")
        times = table[time_col]
        if not pd.api.types.is_datetime64_any_dtype(times.dtype):
            raise TypeError(
                f"{time_col!r} must hold dates (datetime64), not {times.dtype}: load the "
                "table with a loader of analysis.io"
            )
        tz = getattr(times.dt, "tz", None)
        local = times.dt.tz_localize(None) if tz is not None else times
        first = to_day(start, "start", tz) if start is not None else None
        last = to_day(end, "end", tz) if end is not None else None
        if first is not None and last is not None and first > last:
            raise ValueError(f"start ({first.date()}) is after end ({last.date()})")
        inside = np.array(local.notna().to_numpy(dtype=bool))
        if first is not None:
            inside &= (local >= first).to_numpy(dtype=bool)
        if last is not None:
            inside &= (local < last + pd.Timedelta(days=1)).to_numpy(dtype=bool)
        keep &= inside
    if precise_to is not None:
        if precise_to not in PRECISIONS:
            raise ValueError(
                f"precise_to must be one of {', '.join(PRECISIONS)}, not {precise_to!r}"
            )
        if "time_precision" not in table.columns:
            raise KeyError("precise_to: the table has no 'time_precision' column")
        fine = PRECISIONS[: PRECISIONS.index(precise_to) + 1]
        keep &= table["time_precision"].isin(fine).fillna(False).to_numpy(dtype=bool)
    return table.loc[keep].copy()


def _weapon_pattern(words: list[str]) -> re.Pattern[str]:
    """The words (and the vocabulary synonyms of a term) as the start of a word."""
    vocabulary = load_vocabulary("weapon")
    spellings: set[str] = set()
    for word in words:
        spellings.add(word)
        term = vocabulary.normalise(word)
        if term is not None:
            spellings.add(term)
            spellings.update(k for k, v in vocabulary.lookup.items() if v == term)
    parts = sorted(
        (r"[\s_-]+".join(re.escape(p) for p in fold_term(s).split(" ")) for s in spellings),
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(parts) + ")", re.IGNORECASE)
