"""Cluster alerts into incidents: alerts of one kind, close in time and place, are one event.

One Home Front Command alert row is one siren for one locality (or a short
list) at one minute. A single drone or salvo sets off many of them, so counting
rows counts sirens, not events. :func:`alerts_to_incidents` chains alerts of
the same category **within one region**: an alert starts a new incident when
more than ``gap`` has passed since the previous alert of that category in that
region, otherwise it joins the current one (so an incident can last longer
than ``gap``). Regions come from an area-to-region table
(:mod:`analysis.curation.regions`); ``within="country"`` chains alerts
country-wide, as this function did before.

An incident is not a unit of size: a salvo of hundreds of alert rows and a
single siren are both one incident. Every incident therefore keeps its size
(``alert_rows``, ``n_localities``, ``n_areas``, ``duration_min``), and counts
can be made of any of them, e.g. ``count_incidents(incidents, weight="alert_rows")``.

The gap and the grouping are curation choices, not facts of the data: a
shorter gap splits long barrages, a longer one merges separate attacks, and
clustering per region splits a barrage that crosses regions. Report both with
every count; :func:`incident_count_sensitivity` gives the table. On the shared
2014-2024 history, between 2023-10-07 and 2024-10-12 (Israel local days;
5,174 drone and 22,059 rocket alert rows), with the shipped table (each Home
Front Command alert area its own region):

======  ==============  ===============  ===============  ================
gap     drone, region   drone, country   rocket, region   rocket, country
======  ==============  ===============  ===============  ================
5 min              599              492            3,843             2,734
10 min             563              465            3,527             2,441
30 min             512              416            2,935             1,827
======  ==============  ===============  ===============  ================

Clustering per region adds 21-23% drone and 41-61% rocket incidents: alerts
in different areas within the gap are one incident country-wide. The 13-14 April
2024 Iranian attack (696 alert rows, 18:00-06:00 Israel time) is 5 incidents
country-wide, one of them of 688 alert rows in 164 localities and 10 areas
over 15 minutes; per region it is 16 incidents, the largest of 229 alert rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis._dates import to_day, to_timedelta
from analysis.curation.localities import (
    LocalityMatch,
    default_distinct_matches,
)
from analysis.curation.regions import load_area_regions
from analysis.errors import DataError, DataNotFoundError, Problem

__all__ = ["INCIDENT_SIZE_COLUMNS", "alerts_to_incidents", "incident_count_sensitivity"]

INCIDENT_SIZE_COLUMNS: tuple[str, ...] = ("alert_rows", "n_localities", "n_areas", "duration_min")
"""Columns of the incident table that measure an incident's size (usable as ``weight=``)."""

Within = Literal["region", "country"]
_WITHIN: tuple[Within, ...] = ("region", "country")
_NO_REGION = "(no known area)"


def _keys(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _check(alerts: pd.DataFrame, keys: list[str]) -> None:
    missing = [c for c in ("start", "incident_id", *keys) if c not in alerts.columns]
    if missing:
        raise DataError(
            [Problem("<table>", None, c, None, "required column is missing") for c in missing],
            header="cannot cluster alerts",
        )
    bad = alerts.index[alerts["start"].isna().to_numpy()]
    if len(bad):
        raise DataError(
            [
                Problem("<table>", None, "start", None, f"missing alert time (index {i!r})")
                for i in bad
            ],
            header="cannot cluster alerts with missing times",
        )


_Coded = tuple[np.ndarray, Sequence[Any]]
"""Values of a column as codes into its distinct values: row i holds ``uniques[codes[i]]``."""


def _coded(values: pd.Series) -> _Coded:
    """A column of tuples as codes into its distinct tuples (each row its own if unhashable)."""
    seqs = values.to_numpy()
    try:
        codes, uniques = pd.factorize(seqs)
        if len(codes) and (codes < 0).any():  # a missing value: look at each row
            raise TypeError
        return np.asarray(codes, dtype=np.int64), list(uniques)
    except TypeError:
        return np.arange(len(seqs), dtype=np.int64), list(seqs)


def _locality_columns(
    alerts: pd.DataFrame, match: LocalityMatch | None
) -> tuple[_Coded, _Coded, _Coded] | None:
    """Per-alert (localities incl. unmatched names, areas_he, areas_en), if known, coded.

    With the default tables (no ``match``, no joined columns) each distinct ``data``
    string is matched once and the three columns share its codes; otherwise each
    column is factorized on its own.
    """
    if match is None and not (
        {"localities", "unmatched_names", "areas_he", "areas_en"} <= set(alerts.columns)
    ):
        if "data" not in alerts.columns or not len(alerts):
            return None
        try:
            codes, results = _distinct_matches(alerts["data"])
        except DataNotFoundError:
            return None
        # results: (names, localities, unmatched_names, areas_he, areas_en, lat, lng)
        return (
            (codes, [r[1] + r[2] for r in results]),
            (codes, [r[3] for r in results]),
            (codes, [r[4] for r in results]),
        )
    if match is not None:
        rows = match.rows
        if not rows.index.equals(alerts.index):
            raise ValueError(
                "the locality match is for another table: its index differs from the alerts'"
            )
    else:
        rows = alerts
    places = rows["localities"] + rows["unmatched_names"]
    return _coded(places), _coded(rows["areas_he"]), _coded(rows["areas_en"])


def _arrow_text(values: pd.Series) -> bool:
    """Whether a column is text held by pyarrow (pandas' default ``str`` dtype)."""
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def _distinct_matches(data: pd.Series) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """:func:`~analysis.curation.localities.default_distinct_matches` of ``data``, the same.

    A text column held by pyarrow is factorized as it is (missing values as ``""``,
    as that function reads them) and only its distinct strings are passed on: the
    same codes (first-seen order) and results, without turning 42,002 strings into
    Python objects and hashing them (two thirds of the time of the locality step).
    Other columns are passed on whole.
    """
    if not _arrow_text(data):
        return default_distinct_matches(data)
    codes, distinct = pd.factorize(data.fillna(""))
    inner, results = default_distinct_matches(pd.Series(np.asarray(distinct, dtype=object)))
    if len(inner) != len(distinct) or (np.asarray(inner) != np.arange(len(distinct))).any():
        return default_distinct_matches(data)  # pragma: no cover - distinct strings stay so
    return np.asarray(codes, dtype=np.int64), results


def _distinct_coded(
    codes: np.ndarray,
    uniques: Sequence[Any] | np.ndarray,
    group: np.ndarray,
    n_groups: int,
    *,
    items: bool = True,
    first_seen: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] | None = None,
) -> pd.DataFrame:
    """Distinct items of the tuples ``uniques[codes[i]]`` per group: count and tuple.

    ``group`` is non-decreasing (the alerts are in incident order); items are in
    first-seen order, missing items are dropped (as ``explode`` and ``dropna`` would).
    A tuple repeated within a group cannot bring an item earlier than its first
    occurrence, so only the first occurrence of each (group, code) pair is taken
    apart, and each distinct tuple's items are factorized once; the rest is integer
    work with numpy. Written so rather than with ``explode`` and ``drop_duplicates``,
    which gave the same table but spent most of :func:`alerts_to_incidents` in per-row
    Python objects (issue 10). With ``items=False`` only the counts are made (``items``
    is then empty tuples). ``first_seen``: a dictionary shared by calls with the same
    ``group``, which keeps the first occurrences found for each ``codes`` array (the
    columns of one table of alerts usually share their codes: they are found once).
    """
    if n_groups == 0:
        return pd.DataFrame({"n": np.zeros(0, dtype=np.int64), "items": []})
    first = None
    if first_seen is not None:
        known = first_seen.get((id(codes), len(uniques)))
        if known is not None and known[0] is codes:
            first = known[1]
    if first is None:
        key = group.astype(np.int64) * max(len(uniques), 1) + codes
        first = np.flatnonzero(_first_of_each(key))
        if first_seen is not None:
            first_seen[(id(codes), len(uniques))] = (codes, first)
    # the items of the distinct tuples as integer codes (missing items: -1, dropped)
    lengths_u = np.fromiter(map(len, uniques), dtype=np.int64, count=len(uniques))
    flat_u = np.empty(int(lengths_u.sum()), dtype=object)
    flat_u[:] = [item for seq in uniques for item in seq]
    item_u, values = pd.factorize(flat_u)
    index, lengths = _expand_index(codes[first], lengths_u)
    item = item_u[index]
    item_group = np.repeat(group[first], lengths)
    present = item >= 0
    item, item_group = item[present], item_group[present]
    pair = item_group.astype(np.int64) * max(len(values), 1) + item
    seen = _first_of_each(pair)
    counts = np.bincount(item_group[seen], minlength=n_groups).astype(np.int64)
    if not items:
        return pd.DataFrame({"n": counts, "items": [()] * n_groups})
    listed = np.asarray(values, dtype=object)[item[seen]].tolist()
    ends = np.cumsum(counts).tolist()
    starts = [0, *ends[:-1]]
    found = [tuple(listed[a:b]) for a, b in zip(starts, ends, strict=True)]
    return pd.DataFrame({"n": counts, "items": found})


def _first_of_each(key: np.ndarray) -> np.ndarray:
    """``~pd.Index(key).duplicated(keep="first")`` of int64 keys by one stable sort (faster)."""
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    new = np.ones(len(key), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    first = np.zeros(len(key), dtype=bool)
    first[order[new]] = True
    return first


def _expand_index(codes: np.ndarray, lengths_u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions, in the concatenated items of the distinct tuples, of ``uniques[codes[i]]``."""
    offsets = np.cumsum(lengths_u) - lengths_u
    lengths = lengths_u[codes]
    total = int(lengths.sum())
    shift = np.repeat(offsets[codes] - (np.cumsum(lengths) - lengths), lengths)
    return shift + np.arange(total, dtype=np.int64), lengths


def _expand(
    codes: np.ndarray, uniques: Sequence[Any] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The items of ``uniques[codes[i]]`` for each i, one after the other, and their counts."""
    lengths_u = np.fromiter(map(len, uniques), dtype=np.int64, count=len(uniques))
    flat_u = np.empty(int(lengths_u.sum()), dtype=object)
    flat_u[:] = [item for seq in uniques for item in seq]
    index, lengths = _expand_index(codes, lengths_u)
    return flat_u[index], lengths


def _alert_regions(
    areas_he: _Coded, table: pd.DataFrame
) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """The distinct regions of each alert's areas, as codes into a list of region tuples.

    Alert ``i`` has the regions ``regions[codes[i]]`` (the codes of ``areas_he``). Each
    distinct tuple of areas is worked out once. Refuses an area the table lacks.
    """
    region_of = dict(zip(table["area_he"], table["region"], strict=True))
    codes, distinct = areas_he
    unknown = sorted({a for areas in distinct for a in areas if a not in region_of})
    if unknown:
        raise DataError(
            [
                Problem(
                    "<regions>",
                    None,
                    "area_he",
                    area,
                    "alert area missing from the area-to-region table: add it, with the "
                    "region its source puts it in, or pass a table that has it (regions=)",
                )
                for area in unknown
            ],
            header=f"{len(unknown)} alert area(s) have no region",
        )
    regions = [tuple(dict.fromkeys(region_of[a] for a in areas)) for areas in distinct]
    return np.asarray(codes, dtype=np.int64), regions


def _chain(
    work: pd.DataFrame, key_cols: list[str], gap: pd.Timedelta
) -> tuple[np.ndarray, np.ndarray]:
    """Sort ``work`` by keys and time; the start-of-chain flags and chain ids (sorted order)."""
    n = len(work)
    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = np.diff(work["t"].to_numpy()) > gap.value
        for col in key_cols:
            values = work[col]
            na = values.isna().to_numpy()
            new[1:] |= (values.to_numpy()[1:] != values.to_numpy()[:-1]) & ~(na[1:] & na[:-1])
    return new, np.cumsum(new) - 1


def _components(alert_pos: np.ndarray, chain: np.ndarray, n_alerts: int) -> np.ndarray:
    """Incident label of each alert: alerts sharing a chain, transitively, are one incident."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n_chains = int(chain.max()) + 1
    edges = coo_matrix(
        (np.ones(len(chain), dtype=np.int8), (alert_pos, n_alerts + chain)),
        shape=(n_alerts + n_chains, n_alerts + n_chains),
    )
    _, labels = connected_components(edges, directed=False)
    return np.asarray(labels[:n_alerts])


def alerts_to_incidents(
    alerts: pd.DataFrame,
    *,
    gap: str | pd.Timedelta = "10min",
    by: str | Sequence[str] | None = "category",
    within: Within = "region",
    regions: str | Path | pd.DataFrame | None = None,
    match: LocalityMatch | None = None,
) -> pd.DataFrame:
    """Cluster alerts of one category, within ``gap`` of each other in one region, into incidents.

    Parameters
    ----------
    alerts : pandas.DataFrame
        Canonical alert table, e.g. from
        :func:`~analysis.io.oref.load_oref_alerts`: needs ``start``,
        ``incident_id`` and the ``by`` columns; ``weapon``,
        ``time_precision``, ``source_name``, ``source_url`` are carried over
        when present.
    gap : str or pandas.Timedelta
        Largest time between consecutive alerts of one incident (inclusive);
        ``"10min"`` by default. A curation choice: see
        :func:`incident_count_sensitivity` for how counts change with it.
    by : str, list of str or None
        Columns whose values must agree within an incident (default
        ``"category"``); ``None`` clusters all kinds together.
    within : {"region", "country"}
        ``"region"`` (default): alerts are chained only with alerts of the
        same region, so simultaneous alerts far apart are separate incidents;
        an alert whose localities lie in several regions links the chains of
        those regions into one incident (every alert is in exactly one
        incident). Alerts with no known area are chained among themselves
        (region ``"(no known area)"``). Needs the alerts' areas (see
        ``match``). ``"country"``: chained country-wide.
    regions : str, Path, pandas.DataFrame or None
        Area-to-region table (columns ``area_he``, ``region``), which must
        list every area of the alerts; default the shipped
        ``data/regions/hfc_area_regions.csv``, where each Home Front Command
        alert area is its own region (see :mod:`analysis.curation.regions`).
    match : LocalityMatch, optional
        Locality matches of these alerts (same index), from
        :func:`~analysis.curation.localities.match_localities`. Without it,
        locality columns already joined to ``alerts`` (``localities``,
        ``unmatched_names``, ``areas_he``, ``areas_en``) are used if present;
        otherwise the source column ``data`` is matched with the default
        locality tables (shared copy or download cache). With
        ``within="country"`` and none of these, ``n_localities`` and
        ``n_areas`` are ``<NA>`` and the areas empty.

    Returns
    -------
    pandas.DataFrame
        One row per incident, sorted by ``start``. Canonical columns:
        ``incident_id`` (``"inc-"`` + the first alert's id), ``start`` (first
        alert time), ``time_precision``, ``weapon``, ``unit``
        (``"incident"``), ``quantity`` (1: one incident, whatever its size),
        ``source_name``, ``source_url``; then the ``by`` columns and:

        ``end``
            last alert time.
        ``region``
            the region the incident was chained in (regions joined by
            ``" | "`` when an alert linked several; ``"country"`` with
            ``within="country"``); ``regions`` the tuple of distinct regions
            of its alerts (empty without area information).
        ``alert_rows``
            number of alert rows (``int64``).
        ``n_localities``
            distinct localities, unmatched names counted by their spelling
            (``Int64``; ``<NA>`` without locality information).
        ``n_areas``
            distinct alert areas (``Int64``; ``<NA>`` without it).
        ``duration`` and ``duration_min``
            last minus first alert time, as a Timedelta and in whole minutes
            (``int64``; alert times have minute resolution, a single alert
            lasts 0 minutes).
        ``areas``, ``areas_en``
            tuples of distinct alert areas, in Hebrew and English.
        ``gap``, ``within``
            the clustering choices, repeated on each row.
        ``alert_ids``
            tuple of the alerts' ``incident_id``.

        Every alert is in exactly one incident, so ``alert_rows`` sums to the
        number of alerts. Any of ``alert_rows``, ``n_localities``,
        ``n_areas`` and ``duration_min`` can weight a count:
        ``count_incidents(incidents, weight="alert_rows")``.

    Raises
    ------
    DataError
        A required column is missing, an alert has no time, an alert area is
        missing from the region table, or ``within="region"`` without any
        locality information.
    ValueError
        ``gap`` is negative or a number without a unit, or ``within`` is not
        one of the allowed values.
    TypeError
        ``alerts`` is not a DataFrame.

    See Also
    --------
    incident_count_sensitivity : incident counts for several gaps and groupings.

    Examples
    --------
    Synthetic alerts (made up for illustration): rockets at 0, 5, 12 and 30
    minutes, one drone alert at 6 minutes, all in Eilat (areas given as
    columns, as :meth:`LocalityMatch.to_frame` would join them).

    >>> t0 = pd.Timestamp("2024-01-01 08:00", tz="Asia/Jerusalem")
    >>> alerts = pd.DataFrame({
    ...     "incident_id": ["a1", "a2", "a3", "a4", "a5"],
    ...     "start": t0 + pd.to_timedelta([0, 5, 12, 30, 6], unit="min"),
    ...     "category": [1, 1, 1, 1, 2],
    ...     "weapon": ["rocket"] * 4 + ["drone"],
    ...     "localities": [("אילת",)] * 5, "unmatched_names": [()] * 5,
    ...     "areas_he": [("אילת",)] * 5, "areas_en": [("Eilat",)] * 5,
    ... })
    >>> inc = alerts_to_incidents(alerts, gap="10min")
    >>> inc[["incident_id", "weapon", "region", "alert_rows", "duration_min"]].values.tolist()
    [['inc-a1', 'rocket', 'אילת', 3, 12], ['inc-a5', 'drone', 'אילת', 1, 0], ['inc-a4', 'rocket', 'אילת', 1, 0]]
    >>> [len(alerts_to_incidents(alerts, gap=g)) for g in ("1min", "5min", "10min", "30min")]
    [5, 4, 3, 2]
    """  # noqa: E501
    if not isinstance(alerts, pd.DataFrame):
        raise TypeError(f"alerts must be a pandas DataFrame, not {type(alerts).__name__}")
    keys = _keys(by)
    _check(alerts, keys)
    gap_td = to_timedelta(gap, "gap", positive=False)
    if gap_td < pd.Timedelta(0):
        raise ValueError(f"gap must not be negative, got {gap!r}")
    if within not in _WITHIN:
        raise ValueError(f"within must be 'region' or 'country', not {within!r}")

    n = len(alerts)
    # times as int64 nanoseconds: a tz-aware column is never turned into Python objects
    times = pd.DatetimeIndex(alerts["start"])
    nanos = times.as_unit("ns").asi8
    places = _locality_columns(alerts, match) if n else None
    if within == "region" and n and places is None:
        raise DataError(
            Problem(
                "<table>",
                None,
                "data",
                None,
                "clustering within regions needs each alert's areas: pass match= "
                "(match_localities), join the locality columns, or make the locality tables "
                "available (incident-trends data fetch oref); or cluster with within='country'",
            ),
            header="cannot cluster alerts within regions",
        )
    # the regions of each alert (also reported with within="country")
    # alert i has the regions region_sets[region_code[i]] (distinct tuples worked out once)
    if places is not None:
        region_code, region_sets = _alert_regions(places[1], load_area_regions(regions))
    else:
        region_code, region_sets = np.zeros(n, dtype=np.int64), [()]
    if within == "region":
        chain_sets = [r if r else (_NO_REGION,) for r in region_sets]
    else:
        chain_sets = [("country",)] * len(region_sets)

    # chain alerts of one kind within one region (an alert of several regions is in each chain)
    # regions as their rank among the distinct names: sorted and compared as the names are
    names = {r for regions_ in chain_sets for r in regions_}
    if all(isinstance(r, str) for r in names):
        rank = {r: i for i, r in enumerate(sorted(names))}
        ranked = [tuple(rank[r] for r in regions_) for regions_ in chain_sets]
        chain_regions, counts = _expand(region_code, ranked)
        chain_regions = chain_regions.astype(np.int64)
    else:  # pragma: no cover - region names are text
        chain_regions, counts = _expand(region_code, chain_sets)
    alert_pos = np.repeat(np.arange(n), counts)
    work = pd.DataFrame(
        {
            "pos": alert_pos,
            "t": nanos[alert_pos],
            "region": chain_regions if chain_regions.dtype != object else chain_regions.tolist(),
        }
    )
    for i, key in enumerate(keys):
        work[f"k{i}"] = alerts[key].to_numpy()[alert_pos]
    key_cols = [*(f"k{i}" for i in range(len(keys))), "region"]
    work = work.sort_values([*key_cols, "t", "pos"], kind="stable").reset_index(drop=True)
    _, chain = _chain(work, key_cols, gap_td)
    sorted_pos = work["pos"].to_numpy()
    if n and (counts > 1).any():
        label = _components(sorted_pos, chain, n)
    else:
        label = np.empty(n, dtype=np.int64)
        label[sorted_pos] = chain

    # one row per incident, alerts of an incident in time order
    order = np.lexsort((np.arange(n), nanos, label))
    sorted_label = label[order]
    new = np.ones(n, dtype=bool)
    new[1:] = sorted_label[1:] != sorted_label[:-1]
    group = np.cumsum(new) - 1
    n_groups = int(group[-1] + 1) if n else 0
    firsts = order[new]
    lasts = order[np.r_[new[1:], True]] if n else order

    def first_of(column: str, default: Any) -> Any:
        if column in alerts.columns:
            values = alerts[column]
            if _arrow_text(values):  # taken as it is: no Python strings made
                return values.array.take(firsts)
            return values.to_numpy()[firsts]
        return default

    ids_column = alerts["incident_id"]
    if _arrow_text(ids_column) and not ids_column.hasnans:
        incident_ids: Any = "inc-" + ids_column.array.take(firsts)
    else:
        incident_ids = "inc-" + ids_column.astype(str).to_numpy()[firsts]
    out = pd.DataFrame(
        {
            "incident_id": incident_ids,
            "start": times[firsts],
            "time_precision": first_of("time_precision", "minute"),
            "weapon": first_of("weapon", "unknown"),
            "unit": "incident",
            "quantity": np.ones(n_groups, dtype=np.int64),
            "source_name": first_of("source_name", ""),
            "source_url": first_of("source_url", ""),
        }
    )
    out["end"] = times[lasts]
    for key in keys:
        out[key] = alerts[key].to_numpy()[firsts]

    # the columns' codes in incident order; codes shared by columns are ordered once
    in_order: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def ordered(codes: np.ndarray) -> np.ndarray:
        if id(codes) not in in_order:
            in_order[id(codes)] = (codes, codes[order])
        return in_order[id(codes)][1]

    seen: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    ordered_code = ordered(region_code)
    linked = _distinct_coded(ordered_code, chain_sets, group, n_groups, first_seen=seen)
    out["region"] = [" | ".join(items) for items in linked["items"]]
    if chain_sets == region_sets:  # every alert has a region: the same tuples
        regions_of = linked
    else:
        regions_of = _distinct_coded(ordered_code, region_sets, group, n_groups, first_seen=seen)
    out["regions"] = regions_of["items"]
    out["alert_rows"] = np.bincount(group, minlength=n_groups).astype(np.int64)

    if places is None or n == 0:
        missing = pd.array([pd.NA] * n_groups, dtype="Int64")
        out["n_localities"] = missing
        out["n_areas"] = missing.copy()
        out["areas"] = [()] * n_groups
        out["areas_en"] = [()] * n_groups
    else:
        (loc_codes, loc_u), (he_codes, he_u), (en_codes, en_u) = places
        distinct = _distinct_coded(
            ordered(loc_codes), loc_u, group, n_groups, items=False, first_seen=seen
        )
        areas = _distinct_coded(ordered(he_codes), he_u, group, n_groups, first_seen=seen)
        out["n_localities"] = distinct["n"].astype("Int64")
        out["n_areas"] = areas["n"].astype("Int64")
        out["areas"] = areas["items"]
        out["areas_en"] = _distinct_coded(
            ordered(en_codes), en_u, group, n_groups, first_seen=seen
        )["items"]
    out["duration"] = out["end"] - out["start"]
    minutes = out["duration"].to_numpy().astype("timedelta64[m]").astype(np.int64)
    out["duration_min"] = minutes
    out["gap"] = gap_td
    out["within"] = within
    cuts = np.flatnonzero(new)[1:]
    if _arrow_text(ids_column) and not ids_column.hasnans:  # already text: no copy as str
        ids_list = ids_column.array.take(order).tolist()
    else:
        ids_list = ids_column.astype(str).to_numpy(dtype=object)[order].tolist()
    bounds = [0, *cuts.tolist(), n]
    out["alert_ids"] = [tuple(ids_list[a:b]) for a, b in itertools.pairwise(bounds)] if n else []
    return out.sort_values("start", kind="stable").reset_index(drop=True)


def incident_count_sensitivity(
    alerts: pd.DataFrame,
    *,
    gaps: Sequence[str | pd.Timedelta] = ("5min", "10min", "30min"),
    within: Sequence[Within] = _WITHIN,
    by: str = "weapon",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    regions: str | Path | pd.DataFrame | None = None,
    match: LocalityMatch | None = None,
) -> pd.DataFrame:
    """How the number of incidents depends on the gap and on the grouping.

    Clusters ``alerts`` with :func:`alerts_to_incidents` once per gap and
    grouping and counts the incidents that start in ``[start, end]`` (whole
    days, inclusive, in the time zone of ``start``), by ``by``.

    Parameters
    ----------
    alerts : pandas.DataFrame
        Alert table, as for :func:`alerts_to_incidents`.
    gaps : sequence of str or Timedelta
        Gaps to try (default 5, 10 and 30 minutes).
    within : sequence of {"region", "country"}
        Groupings to try (default both).
    by : str
        Incident column to count by (default ``"weapon"``).
    start, end : str or Timestamp, optional
        First and last day counted; default all.
    regions, match
        Passed to :func:`alerts_to_incidents`.

    Returns
    -------
    pandas.DataFrame
        Index ``gap`` (Timedelta), columns a MultiIndex (``by`` value,
        ``within``), values the number of incidents (``int64``). The alert
        rows of each ``by`` value are the same in every column.

    Examples
    --------
    Synthetic alerts (made up): two rocket alerts 8 minutes apart in Eilat
    and Metula, areas given as columns.

    >>> t0 = pd.Timestamp("2024-01-01 08:00", tz="Asia/Jerusalem")
    >>> alerts = pd.DataFrame({
    ...     "incident_id": ["a1", "a2"], "start": [t0, t0 + pd.Timedelta("8min")],
    ...     "category": [1, 1], "weapon": ["rocket", "rocket"],
    ...     "localities": [("אילת",), ("מטולה",)], "unmatched_names": [(), ()],
    ...     "areas_he": [("אילת",), ("קו העימות",)], "areas_en": [("Eilat",), ("Confrontation Line",)],
    ... })
    >>> incident_count_sensitivity(alerts, gaps=("5min", "10min"))["rocket"].to_dict("list")
    {'region': [2, 2], 'country': [2, 1]}
    """  # noqa: E501
    first = None if start is None else to_day(start, "start")
    stop = None if end is None else to_day(end, "end") + pd.Timedelta(days=1)
    steps = [to_timedelta(g, "gaps", positive=False) for g in gaps]
    counted: dict[tuple[str, pd.Timedelta], pd.Series] = {}
    values: dict[str, None] = {}
    for how in within:
        for gap in steps:
            inc = alerts_to_incidents(alerts, gap=gap, within=how, regions=regions, match=match)
            if by not in inc.columns:
                raise KeyError(f"by={by!r} is not a column of the incident table")
            times = inc["start"]
            keep = np.ones(len(inc), dtype=bool)
            if first is not None:
                keep &= (times >= _localize(first, times)).to_numpy()
            if stop is not None:
                keep &= (times < _localize(stop, times)).to_numpy()
            counts = inc.loc[keep, by].value_counts()
            counted[(how, gap)] = counts
            values.update(dict.fromkeys(sorted(str(v) for v in inc[by].dropna().unique())))
    index = pd.Index(steps, name="gap")
    pairs = [(value, how) for value in values for how in within]
    data = {pair: [int(counted[(pair[1], g)].get(pair[0], 0)) for g in index] for pair in pairs}
    frame = pd.DataFrame(data, index=index)
    frame.columns = pd.MultiIndex.from_tuples(pairs, names=[by, "within"])
    return frame


def _localize(day: pd.Timestamp, times: pd.Series) -> pd.Timestamp:
    """A naive local midnight in the time zone of ``times`` (naive when they are)."""
    tz = times.dt.tz
    return day.tz_localize(tz) if tz is not None else day
