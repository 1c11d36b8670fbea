"""Cluster alerts into incidents: alerts of one kind close in time are one event.

One Home Front Command alert row is one siren for one locality (or a short
list) at one minute. A single drone or salvo sets off many of them, so counting
rows counts sirens, not events. :func:`alerts_to_incidents` chains alerts of
the same category: an alert starts a new incident when more than ``gap`` has
passed since the previous alert of that category, otherwise it joins the
current one (so an incident can last longer than ``gap``).

The gap is a curation choice, not a fact of the data: a shorter gap splits
long barrages, a longer one merges separate attacks. Report it with every
count, and check how counts move with it. On the 2014-2024 history, between
2023-10-07 and 2024-10-12 (Israel time), the incidents are:

==========  ======  ======
gap         drone   rocket
==========  ======  ======
1 min         642   3,197
5 min         492   2,734
10 min        465   2,441
30 min        416   1,827
==========  ======  ======

(from 5,174 drone and 22,059 rocket alert rows in that window).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.curation.localities import LocalityMatch, match_localities
from analysis.errors import DataError, DataNotFoundError, Problem


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


def _locality_columns(
    alerts: pd.DataFrame, match: LocalityMatch | None
) -> tuple[pd.Series, pd.Series, pd.Series] | None:
    """Per-alert (localities incl. unmatched names, areas_he, areas_en), if known."""
    if match is not None:
        rows = match.rows
        if not rows.index.equals(alerts.index):
            raise ValueError(
                "the locality match is for another table: its index differs from the alerts'"
            )
    elif {"localities", "unmatched_names", "areas_he", "areas_en"} <= set(alerts.columns):
        rows = alerts
    elif "data" in alerts.columns and len(alerts):
        auto = _default_match(alerts)
        if auto is None:
            return None
        rows = auto.rows
    else:
        return None
    places = rows["localities"] + rows["unmatched_names"]
    return places, rows["areas_he"], rows["areas_en"]


def _default_match(alerts: pd.DataFrame) -> LocalityMatch | None:
    """Match the alerts' ``data`` names with the default locality tables, if available."""
    try:
        return match_localities(alerts)
    except DataNotFoundError:
        return None


def _distinct_per_group(values: pd.Series, group: np.ndarray, n_groups: int) -> pd.DataFrame:
    """Distinct items of tuple-valued ``values`` per group: count and tuple (first-seen order)."""
    flat = pd.DataFrame({"g": group, "v": values.to_numpy()}).explode("v").dropna()
    flat = flat.drop_duplicates()
    counts = flat.groupby("g").size().reindex(range(n_groups), fill_value=0)
    cuts = np.searchsorted(flat["g"].to_numpy(), np.arange(1, n_groups))
    items = [tuple(a) for a in np.split(flat["v"].to_numpy(dtype=object), cuts)]
    return pd.DataFrame({"n": counts.to_numpy(), "items": items})


def alerts_to_incidents(
    alerts: pd.DataFrame,
    *,
    gap: str | pd.Timedelta = "10min",
    by: str | Sequence[str] | None = "category",
    match: LocalityMatch | None = None,
) -> pd.DataFrame:
    """Cluster alerts of one category within ``gap`` of each other into incidents.

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
        ``"10min"`` by default. A tunable curation choice: see the module
        docstring for how counts change with it.
    by : str, list of str or None
        Columns whose values must agree within an incident (default
        ``"category"``); ``None`` clusters all alerts together.
    match : LocalityMatch, optional
        Locality matches of these alerts (same index), from
        :func:`~analysis.curation.localities.match_localities`. Without it,
        locality columns already joined to ``alerts`` (``localities``,
        ``unmatched_names``, ``areas_he``, ``areas_en``) are used if present;
        otherwise the source column ``data`` is matched with the default
        locality tables (shared copy or download cache). When none of these
        is available, ``n_localities`` is ``<NA>`` and the areas are empty.

    Returns
    -------
    pandas.DataFrame
        One row per incident, sorted by ``start``: ``incident_id``
        (``"inc-"`` + the first alert's id), ``start`` and ``end`` (first and
        last alert time), ``time_precision``, ``weapon``, ``unit``
        (``"incident"``), ``quantity`` (1), ``source_name``, ``source_url``,
        the ``by`` columns, ``n_alerts``, ``n_localities`` (distinct
        localities, unmatched names counted by their spelling; ``<NA>``
        without locality information), ``areas`` and ``areas_en`` (tuples of
        distinct alert areas, empty without locality information), ``gap`` and
        ``alert_ids`` (tuple of the alerts' ``incident_id``). Every alert is in
        exactly one incident.

    Raises
    ------
    DataError
        A required column is missing or an alert has no time.

    Examples
    --------
    Synthetic alerts (made up for illustration): rockets at 0, 5, 12 and 30
    minutes, one drone alert at 6 minutes.

    >>> t0 = pd.Timestamp("2024-01-01 08:00", tz="Asia/Jerusalem")
    >>> alerts = pd.DataFrame({
    ...     "incident_id": ["a1", "a2", "a3", "a4", "a5"],
    ...     "start": t0 + pd.to_timedelta([0, 5, 12, 30, 6], unit="min"),
    ...     "category": [1, 1, 1, 1, 2],
    ...     "weapon": ["rocket"] * 4 + ["drone"],
    ... })
    >>> inc = alerts_to_incidents(alerts, gap="10min")
    >>> inc[["incident_id", "weapon", "n_alerts"]].values.tolist()
    [['inc-a1', 'rocket', 3], ['inc-a5', 'drone', 1], ['inc-a4', 'rocket', 1]]
    >>> [len(alerts_to_incidents(alerts, gap=g)) for g in ("1min", "5min", "10min", "30min")]
    [5, 4, 3, 2]
    """
    keys = _keys(by)
    _check(alerts, keys)
    gap_td = pd.Timedelta(gap)
    if gap_td < pd.Timedelta(0):
        raise ValueError(f"gap must not be negative, got {gap!r}")

    n = len(alerts)
    position = np.arange(n)
    work = pd.DataFrame({"pos": position, "start": alerts["start"].to_numpy()})
    for i, key in enumerate(keys):
        work[f"k{i}"] = alerts[key].to_numpy()
    key_cols = [f"k{i}" for i in range(len(keys))]
    work = work.sort_values([*key_cols, "start", "pos"], kind="stable").reset_index(drop=True)

    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = (work["start"].diff().iloc[1:] > gap_td).to_numpy()
        for col in key_cols:
            values = work[col]
            new[1:] |= (values.to_numpy()[1:] != values.to_numpy()[:-1]) & ~(
                values.isna().to_numpy()[1:] & values.isna().to_numpy()[:-1]
            )
    group = np.cumsum(new) - 1
    n_groups = int(group[-1] + 1) if n else 0
    order = work["pos"].to_numpy()
    firsts = order[new]

    def first_of(column: str, default: Any) -> Any:
        if column in alerts.columns:
            return alerts[column].to_numpy()[firsts]
        return default

    starts = work.groupby(group)["start"]
    out = pd.DataFrame(
        {
            "incident_id": "inc-" + alerts["incident_id"].astype(str).to_numpy()[firsts],
            "start": starts.min().to_numpy(),
            "end": starts.max().to_numpy(),
            "time_precision": first_of("time_precision", "minute"),
            "weapon": first_of("weapon", "other"),
            "unit": "incident",
            "quantity": np.ones(n_groups, dtype=np.int64),
            "source_name": first_of("source_name", ""),
            "source_url": first_of("source_url", ""),
        }
    )
    if len(out) == 0:
        out["start"] = alerts["start"].iloc[:0].reset_index(drop=True)  # keeps the time zone
        out["end"] = out["start"]
    for key in keys:
        out[key] = alerts[key].to_numpy()[firsts]
    out["n_alerts"] = np.bincount(group, minlength=n_groups).astype(np.int64)

    places = _locality_columns(alerts, match)
    if places is None or n == 0:
        out["n_localities"] = pd.array([pd.NA] * n_groups, dtype="Int64")
        out["areas"] = [()] * n_groups
        out["areas_en"] = [()] * n_groups
    else:
        localities, areas_he, areas_en = (s.to_numpy()[order] for s in places)
        distinct = _distinct_per_group(pd.Series(localities), group, n_groups)
        out["n_localities"] = distinct["n"].astype("Int64")
        out["areas"] = _distinct_per_group(pd.Series(areas_he), group, n_groups)["items"]
        out["areas_en"] = _distinct_per_group(pd.Series(areas_en), group, n_groups)["items"]
    out["gap"] = gap_td
    cuts = np.flatnonzero(new)[1:]
    ids = alerts["incident_id"].astype(str).to_numpy(dtype=object)[order]
    out["alert_ids"] = [tuple(a) for a in np.split(ids, cuts)] if n else []
    return out.sort_values("start", kind="stable").reset_index(drop=True)
