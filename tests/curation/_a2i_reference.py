"""FROZEN copy of analysis/curation/clustering.py at main 54234c3 (before the a2i2 speed-ups).

Tests only: the new ``alerts_to_incidents`` must give exactly this output. Do not edit.
"""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis._dates import to_day, to_timedelta
from analysis.curation.localities import (
    CodedTuples,
    LocalityMatch,
    default_coded_matches,
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


_Column = tuple[np.ndarray, CodedTuples, Sequence[Any] | None]
"""A tuple-valued column as records: row i holds tuple ``codes[i]`` of the coded tuples.

The third element is the tuples themselves when they were given (None for the default
locality records, which are kept as codes only).
"""


def _coded(values: pd.Series) -> tuple[np.ndarray, Sequence[Any]]:
    """A column of tuples as codes into its distinct tuples (each row its own if unhashable)."""
    seqs = values.to_numpy()
    try:
        codes, uniques = pd.factorize(seqs)
        if len(codes) and (codes < 0).any():  # a missing value: look at each row
            raise TypeError
        return np.asarray(codes, dtype=np.int64), list(uniques)
    except TypeError:
        return np.arange(len(seqs), dtype=np.int64), list(seqs)


def _column(values: pd.Series) -> _Column:
    codes, uniques = _coded(values)
    return codes, CodedTuples.from_tuples(uniques), uniques


def _locality_columns(
    alerts: pd.DataFrame, match: LocalityMatch | None
) -> tuple[_Column, _Column, _Column] | None:
    """Per-alert (localities incl. unmatched names, areas_he, areas_en), if known, coded.

    With the default tables (no ``match``, no joined columns) each distinct ``data``
    string is one record of :func:`~analysis.curation.localities.default_coded_matches`
    (matched once per version of the tables) and the three columns share its codes;
    otherwise each column is factorized on its own.
    """
    if match is None and not (
        {"localities", "unmatched_names", "areas_he", "areas_en"} <= set(alerts.columns)
    ):
        if "data" not in alerts.columns or not len(alerts):
            return None
        try:
            records, (loc, he, en) = default_coded_matches(alerts["data"])
        except DataNotFoundError:
            return None
        return (records, loc, None), (records, he, None), (records, en, None)
    if match is not None:
        rows = match.rows
        if not rows.index.equals(alerts.index):
            raise ValueError(
                "the locality match is for another table: its index differs from the alerts'"
            )
    else:
        rows = alerts
    places = rows["localities"] + rows["unmatched_names"]
    return _column(places), _column(rows["areas_he"]), _column(rows["areas_en"])


def _arrow_text(values: pd.Series) -> bool:
    """Whether a column is text held by pyarrow (pandas' default ``str`` dtype)."""
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def _expand_index(offsets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(o, o + l) for o, l in zip(offsets, lengths)])``, vectorised."""
    total = int(lengths.sum())
    shift = np.repeat(offsets - (np.cumsum(lengths) - lengths), lengths)
    return shift + np.arange(total, dtype=np.int64)


def _first_of_each(key: np.ndarray) -> np.ndarray:
    """``~pd.Index(key).duplicated(keep="first")`` of int64 keys by one stable sort (faster).

    The keys here are nearly sorted (incident-major), which numpy's stable sort exploits.
    """
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    new = np.ones(len(key), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    first = np.zeros(len(key), dtype=bool)
    first[order[new]] = True
    return first


def _stable_order(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` of non-negative integers, by 16-bit digits.

    numpy sorts 16-bit integers stably by radix sort, an order of magnitude faster
    than its stable sort of int64 in random order; one pass per 16 bits of the
    largest key (least significant digit first) gives the same order.
    """
    if not len(key):
        return np.zeros(0, dtype=np.int64)
    top = int(key.max())
    order = np.arange(len(key), dtype=np.int64)
    shift = 0
    while True:
        digit = ((key[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
        if top >> shift == 0:
            return order


def _dense(values: np.ndarray) -> np.ndarray:
    """Dense ranks (0, 1, ...) of integers, in their order."""
    _, inverse = np.unique(values, return_inverse=True)
    return np.asarray(inverse, dtype=np.int64).reshape(-1)


def _key_ranks(values: pd.Series) -> np.ndarray:
    """Ranks of a ``by`` column: in the order ``sort_values`` puts its values, missing last.

    Equal values (and all missing values) share a rank, as consecutive alerts of one
    chain must (the rule of :func:`alerts_to_incidents` before it sorted integers).
    """
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biu" and len(values):
        numbers = values.to_numpy()
        if dtype.kind == "b":
            return numbers.astype(np.int64)
        low = numbers.min()
        if int(numbers.max()) - int(low) < 2**40:  # integers are their own ranks, shifted
            return (numbers - low).astype(np.int64)
    fast = isinstance(dtype, pd.StringDtype) or (
        pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
    )
    if fast and not isinstance(dtype, pd.CategoricalDtype):
        codes, uniques = pd.factorize(values, sort=True)
        ranks = np.asarray(codes, dtype=np.int64)
        ranks[ranks < 0] = len(uniques)
        return ranks
    # other columns (objects, categoricals): sorted by value as a column of a table
    column = pd.Series(values.to_numpy())
    order = column.sort_values(kind="stable").index.to_numpy()
    ordered = column.to_numpy()[order]
    na = column.isna().to_numpy()[order]
    step = np.zeros(len(order), dtype=np.int64)
    if len(order) > 1:
        step[1:] = (ordered[1:] != ordered[:-1]) & ~(na[1:] & na[:-1])
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.cumsum(step)
    return ranks


def _unique_in_record(coded: CodedTuples) -> CodedTuples:
    """The coded tuples with repeated items of one tuple dropped (first kept, order kept)."""
    lengths = coded.lengths
    if not len(coded.items):
        return coded
    record = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    keep = _first_of_each(record * (len(coded.vocab) + 1) + coded.items + 1)
    if keep.all():
        return coded
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.bincount(record[keep], minlength=len(lengths)), out=offsets[1:])
    return CodedTuples(offsets, coded.items[keep], coded.vocab)


def _alert_regions(areas: _Column, table: pd.DataFrame) -> tuple[CodedTuples, np.ndarray]:
    """The distinct regions of each record of ``areas`` (the same record codes), coded.

    Also returns the region (a code into the same vocabulary) of each area of the
    areas' vocabulary, -1 for an area of no alert here that the table lacks. Each
    distinct tuple of areas is worked out once. Refuses an area of an alert that the
    table lacks.
    """
    region_of = dict(zip(table["area_he"], table["region"], strict=True))
    codes, coded, tuples = areas
    if tuples is not None:
        unknown = sorted({a for seq in tuples for a in seq if a not in region_of})
    else:  # the default records: only the areas of these alerts' records
        present = np.zeros(len(coded.offsets) - 1, dtype=bool)
        present[codes] = True
        used = np.unique(coded.items[np.repeat(present, coded.lengths)])
        unknown = sorted({a for a in coded.vocab[used[used >= 0]] if a not in region_of})
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
    # region of each area of the vocabulary (areas of no alert here may have none: -1)
    names = [region_of.get(a) for a in coded.vocab]
    region_code, region_names = pd.factorize(np.asarray(names, dtype=object))
    region_of_area = np.asarray(region_code, dtype=np.int64)
    items = region_of_area[coded.items] if len(names) else coded.items
    vocab = np.asarray(region_names, dtype=object)
    return _unique_in_record(CodedTuples(coded.offsets, items, vocab)), region_of_area


def _with_marker(coded: CodedTuples) -> CodedTuples:
    """The tuples with each empty one given one marker item (the last code of the vocabulary)."""
    lengths = coded.lengths
    empty = lengths == 0
    vocab = np.empty(len(coded.vocab) + 1, dtype=object)
    vocab[:-1] = coded.vocab
    if not empty.any():
        return CodedTuples(coded.offsets, coded.items, vocab)
    n_records = len(lengths)
    offsets = np.zeros(n_records + 1, dtype=np.int64)
    np.cumsum(np.where(empty, 1, lengths), out=offsets[1:])
    items = np.full(int(offsets[-1]), len(coded.vocab), dtype=np.int64)
    record = np.repeat(np.arange(n_records, dtype=np.int64), lengths)
    items[offsets[record] + np.arange(len(record)) - coded.offsets[record]] = coded.items
    return CodedTuples(offsets, items, vocab)


def _dedupe(
    groups: np.ndarray, items: np.ndarray, n_items: int, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """The first occurrence of each (incident, item) pair, order kept; counts per incident.

    ``groups`` is non-decreasing; items below 0 (none) are dropped.
    """
    if (items < 0).any():
        groups, items = groups[items >= 0], items[items >= 0]
    keep = _first_of_each(groups.astype(np.int64) * max(n_items, 1) + items)
    return np.bincount(groups[keep], minlength=n_groups).astype(np.int64), items[keep]


def _distinct_in_record(coded: CodedTuples) -> CodedTuples:
    """The tuples without missing items (-1) and without repeats (first kept)."""
    lengths = coded.lengths
    record = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    keep = coded.items >= 0
    kept = np.flatnonzero(keep)
    keep[kept] = _first_of_each(record[kept] * (len(coded.vocab) + 1) + coded.items[kept])
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.bincount(record[keep], minlength=len(lengths)), out=offsets[1:])
    return CodedTuples(offsets, coded.items[keep], coded.vocab)


_EN_OF_HE: list[tuple[CodedTuples, CodedTuples, np.ndarray | None]] = []


def _en_of_he(he: CodedTuples, en: CodedTuples) -> np.ndarray | None:
    """The English area of each Hebrew area, if it gives every record's English areas.

    Returns ``f`` (codes into ``en.vocab``, -1 for none) such that each record's
    distinct English areas are the distinct ``f`` of its Hebrew areas, checked on
    every record; None when no such ``f`` exists. Then an incident's English areas
    are ``f`` of its Hebrew areas, in order, without repeats: no second pass over
    the alerts. Kept for the last few record tables (the default records persist).
    """
    for known_he, known_en, found in _EN_OF_HE:
        if known_he is he and known_en is en:
            return found
    same = he.lengths == en.lengths  # records whose areas pair up by position
    h = he.items[np.repeat(same, he.lengths)]
    e = en.items[np.repeat(same, en.lengths)]
    present = h >= 0
    h, e = h[present], e[present]
    f: np.ndarray | None = np.full(len(he.vocab), -1, dtype=np.int64)
    order = np.argsort(h, kind="stable")
    h, e = h[order], e[order]
    if ((h[1:] == h[:-1]) & (e[1:] != e[:-1])).any():
        f = None  # one Hebrew area with two English names
    else:
        assert f is not None
        f[h] = e
        mapped = np.where(he.items >= 0, f[np.maximum(he.items, 0)], -1)
        got = _distinct_in_record(CodedTuples(he.offsets, mapped, en.vocab))
        want = _distinct_in_record(en)
        if not (
            np.array_equal(got.offsets, want.offsets) and np.array_equal(got.items, want.items)
        ):
            f = None
    _EN_OF_HE[:] = [*_EN_OF_HE[-3:], (he, en, f)]
    return f


def _chain_sets(regions: CodedTuples, within: Within) -> CodedTuples:
    """The regions each record is chained in: its regions, or one pseudo-region."""
    n_records = len(regions.offsets) - 1
    lengths = regions.lengths
    if within == "country":
        label = np.array(["country"], dtype=object)
        offsets = np.arange(n_records + 1, dtype=np.int64)
        return CodedTuples(offsets, np.zeros(n_records, dtype=np.int64), label)
    empty = lengths == 0
    if not empty.any():
        return regions
    vocab = list(regions.vocab)
    if _NO_REGION not in vocab:
        vocab.append(_NO_REGION)
    words = np.empty(len(vocab), dtype=object)
    words[:] = vocab
    new_lengths = np.where(empty, 1, lengths)
    offsets = np.zeros(n_records + 1, dtype=np.int64)
    np.cumsum(new_lengths, out=offsets[1:])
    items = np.full(int(offsets[-1]), vocab.index(_NO_REGION), dtype=np.int64)
    record = np.repeat(np.arange(n_records, dtype=np.int64), lengths)
    items[offsets[record] + np.arange(len(record)) - regions.offsets[record]] = regions.items
    return CodedTuples(offsets, items, words)


def _chain(t: np.ndarray, key: np.ndarray, gap: pd.Timedelta) -> tuple[np.ndarray, np.ndarray]:
    """Start-of-chain flags and chain ids of work rows sorted by key and time."""
    n = len(t)
    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = (np.diff(t) > gap.value) | (key[1:] != key[:-1])
    return new, np.cumsum(new) - 1


def _components(alert_pos: np.ndarray, chain: np.ndarray, n_alerts: int) -> np.ndarray:
    """Incident label of each alert: alerts sharing a chain, transitively, are one incident.

    ``alert_pos`` is non-decreasing (the work rows of each alert together) and
    ``chain`` the chain of each work row. Chains that share an alert are linked and
    the linked chains found by ``scipy``'s connected components; incidents are then
    numbered in the order of their first alert, the labels that a graph search over
    alerts and chains starting from alert 0 would give (as this function did before,
    on a graph of alerts and chains four times as large).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n_chains = int(chain.max()) + 1
    same = alert_pos[1:] == alert_pos[:-1]  # consecutive work rows of one alert
    edges = coo_matrix(
        (np.ones(int(same.sum()), dtype=np.int8), (chain[:-1][same], chain[1:][same])),
        shape=(n_chains, n_chains),
    )
    n_parts, part = connected_components(edges, directed=False)
    part_of_alert = np.empty(n_alerts, dtype=np.int64)
    part_of_alert[alert_pos] = part[chain]  # the chains of one alert are in one part
    first = np.full(n_parts, n_alerts, dtype=np.int64)
    np.minimum.at(first, part_of_alert, np.arange(n_alerts, dtype=np.int64))
    label = np.empty(n_parts, dtype=np.int64)
    label[np.argsort(first)] = np.arange(n_parts, dtype=np.int64)
    return label[part_of_alert]


class _PerIncident:
    """Distinct items of tuple-valued alert columns per incident (alerts in incident order).

    ``group`` is non-decreasing (alert ``i`` of the sorted alerts is in incident
    ``group[i]``). Items come in first-seen order; missing items are dropped (as
    ``explode`` and ``dropna`` would). A tuple repeated within an incident cannot
    bring an item earlier than its first occurrence, so only the first occurrence of
    each (incident, record) pair is taken apart, and found once for columns that share
    their record codes; the rest is integer work with numpy. Written so rather than
    with ``explode`` and ``drop_duplicates``, which gave the same table but spent most
    of :func:`alerts_to_incidents` in per-row Python objects (issue 10).
    """

    def __init__(self, group: np.ndarray, n_groups: int, order: np.ndarray) -> None:
        self.group = group
        self.n_groups = n_groups
        self.order = order
        self._firsts: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _first(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Records and incidents of the first occurrences of each (incident, record) pair."""
        known = self._firsts.get(id(codes))
        if known is None or known[0] is not codes:
            ordered = codes[self.order]
            key = self.group.astype(np.int64) * (int(ordered.max()) + 1 if len(ordered) else 1)
            first = np.flatnonzero(_first_of_each(key + ordered))
            known = self._firsts[id(codes)] = (codes, ordered[first], self.group[first])
        return known[1], known[2]

    def distinct(self, codes: np.ndarray, coded: CodedTuples) -> tuple[np.ndarray, np.ndarray]:
        """Per incident, the number of distinct items; and the items, incident after incident."""
        records, groups = self._first(codes)
        lengths = coded.lengths[records]
        item = coded.items[_expand_index(coded.offsets[records], lengths)]
        item_group = np.repeat(groups, lengths)
        present = item >= 0
        if not present.all():
            item, item_group = item[present], item_group[present]
        pair = item_group.astype(np.int64) * max(len(coded.vocab), 1) + item
        seen = _first_of_each(pair)
        counts = np.bincount(item_group[seen], minlength=self.n_groups).astype(np.int64)
        return counts, item[seen]


def _all_items(
    per: _PerIncident, codes: np.ndarray, coded: CodedTuples
) -> tuple[np.ndarray, np.ndarray]:
    """The items of every alert's tuple, alerts in incident order, and their incidents."""
    records = codes[per.order]
    lengths = coded.lengths[records]
    items = coded.items[_expand_index(coded.offsets[records], lengths)]
    return np.repeat(per.group, lengths), items


def _distinct_items(
    per: _PerIncident, codes: np.ndarray, coded: CodedTuples
) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`_PerIncident.distinct` from the items of every alert.

    For a column met once, finding each incident's distinct records first would cost
    more than it spares.
    """
    groups, items = _all_items(per, codes, coded)
    return _dedupe(groups, items, len(coded.vocab), per.n_groups)


def _count_distinct(per: _PerIncident, codes: np.ndarray, coded: CodedTuples) -> np.ndarray:
    """The number of distinct items of each incident (by hashing: no order is needed)."""
    groups, items = _all_items(per, codes, coded)
    present = items >= 0
    width = max(len(coded.vocab), 1)
    pairs = pd.unique(groups[present].astype(np.int64) * width + items[present])
    return np.bincount(pairs // width, minlength=per.n_groups).astype(np.int64)


def _objects(values: Iterable[Any], count: int) -> np.ndarray:
    """An object array of ``values`` (tuples stay cells: numpy does not unpack them)."""
    return np.fromiter(values, dtype=object, count=count)


def _split(values: list[Any], counts: np.ndarray) -> list[tuple[Any, ...]]:
    """``values`` cut into consecutive tuples of ``counts[i]`` items."""
    ends = np.cumsum(counts).tolist()
    return [tuple(values[a:b]) for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def _tuples(vocab: np.ndarray, counts: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Per incident, the tuple of its ``counts[i]`` items (codes into ``vocab``), as objects.

    Most incidents have no item or one: their tuples are made once per distinct item
    and shared (tuples are immutable, so sharing is invisible), which spares creating
    one Python tuple per incident; only incidents of several items get their own.
    """
    n_groups = len(counts)
    out = np.empty(n_groups, dtype=object)
    starts = np.cumsum(counts) - counts
    none = counts == 0
    if none.any():
        out[none] = _objects([()], 1)
    one = counts == 1
    if one.any():
        used, which = np.unique(items[starts[one]], return_inverse=True)
        words = vocab[used].tolist()
        out[one] = _objects(((w,) for w in words), len(words))[which.reshape(-1)]
    many = np.flatnonzero(counts > 1)
    if len(many):
        listed = vocab[items].tolist()
        bounds = zip(starts[many].tolist(), (starts + counts)[many].tolist(), strict=True)
        out[many] = _objects((tuple(listed[a:b]) for a, b in bounds), len(many))
    return out


def _joined(vocab: np.ndarray, counts: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Per incident, its items joined by ``" | "`` (one item: the item itself), as objects."""
    out = np.empty(len(counts), dtype=object)
    starts = np.cumsum(counts) - counts
    out[counts == 0] = ""
    one = counts == 1
    out[one] = vocab[items[starts[one]]]
    many = np.flatnonzero(counts > 1)
    if len(many):
        listed = vocab[items].tolist()
        bounds = zip(starts[many].tolist(), (starts + counts)[many].tolist(), strict=True)
        out[many] = _objects((" | ".join(listed[a:b]) for a, b in bounds), len(many))
    return out


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

    Notes
    -----
    With the default locality tables each distinct ``data`` string is matched once per
    version of the tables and kept (as integer codes, at most 200,000 strings), so a
    second call on the same or overlapping alerts matches nothing again. The tuple
    columns (``alert_ids``, ``areas``, ``areas_en``, ``regions``) are Python tuples by
    contract; making them, the alerts' ids as Python strings and the table takes about
    a third of the time on the 42,002 real alerts (issue 10).

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

    with _paused_gc():
        return _cluster(alerts, keys, gap_td, within, regions, match)


def _cluster(
    alerts: pd.DataFrame,
    keys: list[str],
    gap_td: pd.Timedelta,
    within: Within,
    regions: str | Path | pd.DataFrame | None,
    match: LocalityMatch | None,
) -> pd.DataFrame:
    """:func:`alerts_to_incidents` of checked arguments."""
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
    # the regions of each alert (also reported with within="country"), as records:
    # alert i has the regions of record region_code[i] (each record worked out once)
    if places is not None:
        region_code = places[1][0]
        region_sets, region_of_area = _alert_regions(places[1], load_area_regions(regions))
    else:
        region_code = np.zeros(n, dtype=np.int64)
        region_sets = CodedTuples(
            np.zeros(2, dtype=np.int64), np.zeros(0, np.int64), np.zeros(0, dtype=object)
        )
    chain_sets = _chain_sets(region_sets, within)

    # chain alerts of one kind within one region (an alert of several regions is in each
    # chain): work rows sorted by the keys, the region (as its rank among the region
    # names: sorted as the names are), the time and the alert's position
    counts = chain_sets.lengths[region_code]
    alert_pos = np.repeat(np.arange(n, dtype=np.int64), counts)
    rank = np.zeros(len(chain_sets.vocab), dtype=np.int64)
    rank[sorted(range(len(chain_sets.vocab)), key=chain_sets.vocab.__getitem__)] = np.arange(
        len(chain_sets.vocab)
    )
    chained = chain_sets.items[_expand_index(chain_sets.offsets[region_code], counts)]
    key = rank[chained] if len(chained) else np.zeros(0, dtype=np.int64)
    for column in reversed(keys):  # one integer key: (keys..., region) in their order
        ranks = _key_ranks(alerts[column])[alert_pos]
        if not len(key):
            continue
        if (int(ranks.max()) + 1) * (int(key.max()) + 1) >= 2**62:  # keep within int64
            ranks, key = _dense(ranks), _dense(key)
        key = ranks * (int(key.max()) + 1) + key
    t = nanos[alert_pos]
    by_time = np.argsort(t, kind="stable")  # the rows are in position order: ties keep it
    sort = by_time[_stable_order(key[by_time])]
    _, chain = _chain(t[sort], key[sort], gap_td)
    sorted_pos = alert_pos[sort]
    if n and (counts > 1).any():
        chain_of_row = np.empty(len(chain), dtype=np.int64)
        chain_of_row[sort] = chain
        label = _components(alert_pos, chain_of_row, n)
    else:
        label = np.empty(n, dtype=np.int64)
        label[sorted_pos] = chain

    # one row per incident, sorted by start (ties: by label), alerts in time order
    n_labels = int(label.max()) + 1 if n else 0
    start_of = np.full(n_labels, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(start_of, label, nanos)
    rank_of = np.empty(n_labels, dtype=np.int64)
    rank_of[np.argsort(start_of, kind="stable")] = np.arange(n_labels, dtype=np.int64)
    incident = rank_of[label]
    by_time = np.argsort(nanos, kind="stable")
    order = by_time[_stable_order(incident[by_time])]
    group = incident[order]
    new = _starts(group)
    n_groups = int(group[-1] + 1) if n else 0
    firsts = order[new]
    lasts = order[np.r_[new[1:], True]] if n else order

    def first_of(column: str, default: str) -> Any:
        if column in alerts.columns:
            values = alerts[column]
            if n and _arrow_text(values):  # taken as it is: no Python strings made
                return values.array.take(firsts)
            return values.to_numpy()[firsts]
        return default

    ids_column = alerts["incident_id"]
    ids_text = _arrow_text(ids_column) and not ids_column.hasnans
    if ids_text and n:  # (no alert: object columns, as the legacy code gave them)
        incident_ids: Any = "inc-" + ids_column.array.take(firsts)
    else:
        incident_ids = "inc-" + ids_column.astype(str).to_numpy()[firsts]
    start, end = times[firsts], times[lasts]
    columns: dict[str, Any] = {
        "incident_id": incident_ids,
        "start": start,
        "time_precision": first_of("time_precision", "minute"),
        "weapon": first_of("weapon", "unknown"),
        "unit": "incident",
        "quantity": np.ones(n_groups, dtype=np.int64),
        "source_name": first_of("source_name", ""),
        "source_url": first_of("source_url", ""),
        "end": end,
    }
    for column in keys:
        columns[column] = alerts[column].to_numpy()[firsts]

    per = _PerIncident(group, n_groups, order)
    columns["region"] = []
    columns["regions"] = []
    columns["alert_rows"] = np.bincount(group, minlength=n_groups).astype(np.int64)
    if places is None or n == 0:
        missing = pd.array([pd.NA] * n_groups, dtype="Int64")
        columns["n_localities"] = missing
        columns["n_areas"] = missing.copy()
        columns["areas"] = [()] * n_groups
        columns["areas_en"] = [()] * n_groups
        if n_groups:
            linked, chained_items = per.distinct(region_code, chain_sets)
            columns["region"] = _joined(chain_sets.vocab, linked, chained_items)
            columns["regions"] = _tuples(region_sets.vocab, *per.distinct(region_code, region_sets))
    else:
        (loc_codes, loc, _), (he_codes, he, _), (en_codes, en, _) = places
        # the Hebrew areas of each incident, with a marker where an alert has none: its
        # regions and chained regions follow from them in order (a region's first alert is
        # its first area's), without a pass over the alerts for each
        marked = _with_marker(he)
        found, found_items = _distinct_items(per, he_codes, marked)
        found_group = np.repeat(np.arange(n_groups, dtype=np.int64), found)
        is_area = found_items < len(he.vocab)
        area_group, area_items = found_group[is_area], found_items[is_area]
        n_areas = np.bincount(area_group, minlength=n_groups).astype(np.int64)
        n_regions = len(region_sets.vocab)
        columns["regions"] = _tuples(
            region_sets.vocab,
            *_dedupe(area_group, region_of_area[area_items], n_regions, n_groups),
        )
        if within == "country":
            linked, chained_items = np.ones(n_groups, dtype=np.int64), np.zeros(n_groups, np.int64)
        else:
            no_region = (
                list(chain_sets.vocab).index(_NO_REGION)
                if _NO_REGION in set(chain_sets.vocab)
                else -1
            )
            chained_of = np.append(region_of_area, no_region)  # the marker: no known area
            linked, chained_items = _dedupe(
                found_group, chained_of[found_items], len(chain_sets.vocab), n_groups
            )
        columns["region"] = _joined(chain_sets.vocab, linked, chained_items)
        columns["n_localities"] = pd.array(_count_distinct(per, loc_codes, loc), dtype="Int64")
        columns["n_areas"] = pd.array(n_areas, dtype="Int64")
        columns["areas"] = _tuples(he.vocab, n_areas, area_items)
        english = _en_of_he(he, en) if en_codes is he_codes else None
        if english is not None:
            en_found = _dedupe(area_group, english[area_items], len(en.vocab), n_groups)
        else:
            en_found = per.distinct(en_codes, en)
        columns["areas_en"] = _tuples(en.vocab, *en_found)
    duration = end - start
    columns["duration"] = duration
    columns["duration_min"] = np.asarray(duration).astype("timedelta64[m]").astype(np.int64)
    columns["gap"] = gap_td
    columns["within"] = within
    if ids_text:  # already text: no copy as str
        ids = ids_column.to_numpy()
    else:
        ids = ids_column.astype(str).to_numpy(dtype=object)
    columns["alert_ids"] = _split(ids[order].tolist(), columns["alert_rows"]) if n else []
    return pd.DataFrame(columns)


@contextlib.contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the incident table is built.

    The table's tuple columns are tens of thousands of new tuples, none of them in a
    reference cycle; while they are made, the collector would traverse them (and,
    every so often, every object of the process) again and again: 10-15% of the time
    of :func:`alerts_to_incidents` on the 42,002 real alerts (issue 10). Reference
    counting frees everything as usual; the collector is switched on again afterwards
    if it was on, and its next run sees the new objects once.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _starts(values: np.ndarray) -> np.ndarray:
    """Where a run of equal values starts."""
    new = np.ones(len(values), dtype=bool)
    new[1:] = values[1:] != values[:-1]
    return new


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
