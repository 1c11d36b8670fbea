"""Incident tables summarised with their size: alert rows and localities beside the counts.

An incident of :func:`analysis.alerts_to_incidents` is one cluster of alerts;
a salvo of hundreds of alert rows and a single siren are both one incident.
These summaries never show an incident count without the size behind it
(``alert_rows``, ``localities``), so that "a 696-alert salvo shown as 6
incidents with no sign of its size" cannot happen.

An incident that touched several regions counts once in each of them (its
``regions``), so the per-region incident counts can add up to more than the
number of incidents; the alert rows and localities are those of the whole
incident (the alert table does not split an alert row's localities by region
in ``alerts_to_incidents``' output). Both are said in the returned table's
``attrs["note"]``.

Written with pandas group-bys (no statistics here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["alert_locality_counts", "daily_incident_sizes", "incident_sizes"]

_NOTE = (
    "An incident that touched several regions counts once in each (regions overlap); "
    "alert_rows and localities are those of the whole incident."
)


def _check_incidents(incidents: Any, name: str = "incidents") -> pd.DataFrame:
    """The table, with ``alert_rows`` and ``n_localities`` as NA where it does not record them.

    A canonical incident table from another source (``load_curated_incidents``)
    has no alert sizes: its incidents are counted and their size is shown as
    not recorded (NA), never as zero.
    """
    if not isinstance(incidents, pd.DataFrame):
        raise TypeError(
            f"{name} must be a DataFrame from analysis.alerts_to_incidents or a canonical "
            f"incident table, not {type(incidents).__name__}"
        )
    if "start" not in incidents.columns:
        raise ValueError(f"{name} lacks the column 'start' (the incident's time)")
    if not pd.api.types.is_datetime64_any_dtype(incidents["start"]):
        raise ValueError(f"{name}['start'] must be datetimes, not {incidents['start'].dtype}")
    out = incidents
    for column in ("alert_rows", "n_localities"):
        if column not in out.columns:
            out = out.assign(**{column: pd.array([pd.NA] * len(out), dtype="Int64")})
    return out


def _window(frame: pd.DataFrame, start: Any, end: Any) -> tuple[pd.DataFrame, Any, Any]:
    """Rows whose local calendar day of ``start`` is in ``start..end`` (inclusive days)."""
    days = frame["start"].dt.normalize()
    tz = days.dt.tz
    lo = None if start is None else pd.Timestamp(start)
    hi = None if end is None else pd.Timestamp(end)
    for label, value in (("start", lo), ("end", hi)):
        if value is not None and pd.isna(value):
            raise ValueError(f"{label} must be a date, not {value!r}")
    if tz is not None:
        lo = None if lo is None else (lo.tz_convert(tz) if lo.tzinfo else lo.tz_localize(tz))
        hi = None if hi is None else (hi.tz_convert(tz) if hi.tzinfo else hi.tz_localize(tz))
    if lo is not None and hi is not None and hi < lo:
        raise ValueError(f"end ({end}) is before start ({start})")
    keep = pd.Series(True, index=frame.index)
    if lo is not None:
        keep &= days >= lo.normalize()
    if hi is not None:
        keep &= days <= hi.normalize()
    return frame[keep], lo, hi


def _region_names(regions: Any) -> dict[str, str]:
    from analysis.curation.regions import load_area_regions

    table = load_area_regions(regions)
    return dict(zip(table["region"], table["region_en"], strict=True))


def _exploded(frame: pd.DataFrame, by: str, regions: Any) -> pd.DataFrame:
    if by != "region":
        if by not in frame.columns:
            raise ValueError(f"by must be 'region' or a column of incidents, not {by!r}")
        return frame.assign(group=frame[by].astype("string").fillna("unknown"))
    if "regions" not in frame.columns:
        raise ValueError("by='region' needs the 'regions' column of alerts_to_incidents")
    names = _region_names(regions)
    out = frame.assign(group=frame["regions"].map(lambda r: tuple(r) if r else ("unknown",)))
    out = out.explode("group")
    out["group"] = out["group"].map(lambda r: names.get(r, r))
    return out


def incident_sizes(
    incidents: pd.DataFrame,
    *,
    by: str = "region",
    start: Any = None,
    end: Any = None,
    regions: Any = None,
) -> pd.DataFrame:
    """Incidents per group with their size: alert rows, localities, the largest incident.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The table of :func:`analysis.alerts_to_incidents` (columns ``start``,
        ``alert_rows``, ``n_localities``, and ``regions`` for ``by="region"``),
        or any canonical incident table (its sizes are then NA: not recorded).
    by : str, default "region"
        ``"region"``: the regions each incident touched, by their English
        names (``region_en`` of the area-to-region table); or any column of
        ``incidents`` (``"weapon"``).
    start, end : date, optional
        Inclusive local calendar days; default the whole table.
    regions : optional
        The area-to-region table used by ``alerts_to_incidents``
        (see :func:`analysis.curation.regions.load_area_regions`) for the
        English names; default the shipped one.

    Returns
    -------
    pandas.DataFrame
        Index: the groups, most incidents first. Columns ``incidents``,
        ``alert_rows`` (sum over its incidents), ``localities`` (sum of
        ``n_localities``), ``largest_incident_alert_rows``,
        ``alert_rows_per_incident``, ``days`` (the window's length in days),
        ``incidents_per_day``, ``first`` and ``last`` (local days of the
        first and last incident). ``attrs["note"]`` says how multi-region
        incidents are counted.

    Raises
    ------
    TypeError, ValueError
        When ``incidents`` is not such a table, ``by`` is not a column, or
        ``start``/``end`` are not dates in order; the message names the parameter.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({  # SIMULATED incidents
    ...     "start": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 12:00", "2024-01-03 09:00"]),
    ...     "weapon": ["drone", "rocket", "rocket"],
    ...     "alert_rows": [1, 696, 3], "n_localities": [1, 250, 2]})
    >>> incident_sizes(t, by="weapon")[["incidents", "alert_rows", "largest_incident_alert_rows"]]
            incidents  alert_rows  largest_incident_alert_rows
    weapon
    rocket          2         699                          696
    drone           1           1                            1
    """
    frame = _check_incidents(incidents)
    frame, lo, hi = _window(frame, start, end)
    first_day = lo.normalize() if lo is not None else frame["start"].min().normalize()
    last_day = hi.normalize() if hi is not None else frame["start"].max().normalize()
    n_days = int((last_day - first_day).days) + 1 if len(frame) or lo is not None else 0
    long = _exploded(frame, by, regions)
    long = long.assign(
        alert_rows=long["alert_rows"].astype("Int64"),
        n_localities=long["n_localities"].astype("Int64"),
        day=long["start"].dt.tz_localize(None).dt.normalize()
        if long["start"].dt.tz is not None
        else long["start"].dt.normalize(),
    )
    grouped = long.groupby("group", sort=False)
    table = pd.DataFrame(
        {
            "incidents": grouped.size(),
            "alert_rows": grouped["alert_rows"].sum(min_count=1),
            "localities": grouped["n_localities"].sum(min_count=1),
            "largest_incident_alert_rows": grouped["alert_rows"].max(),
        }
    )
    table["alert_rows_per_incident"] = table["alert_rows"] / table["incidents"]
    table["days"] = n_days
    table["incidents_per_day"] = table["incidents"] / n_days if n_days else float("nan")
    table["first"] = grouped["day"].min()
    table["last"] = grouped["day"].max()
    table.index.name = by
    table = table.sort_values(["incidents", "alert_rows"], ascending=False, kind="stable")
    table.attrs["note"] = _NOTE if by == "region" else f"Each incident counts once, in its {by}."
    return table


def daily_incident_sizes(
    incidents: pd.DataFrame,
    *,
    start: Any = None,
    end: Any = None,
    by: str | None = None,
    groups: Sequence[str] | None = None,
    regions: Any = None,
) -> pd.DataFrame:
    """Incidents per local day with their size (alert rows, localities), zero-filled.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The table of :func:`analysis.alerts_to_incidents`.
    start, end : date, optional
        Inclusive local days; default the first and last incident's day.
    by : str, optional
        None: one series for the whole table; ``"region"`` or a column: one
        block of columns per group (see :func:`incident_sizes`).
    groups : sequence of str, optional
        With ``by``, only these groups (in this order); default all.
    regions : optional
        The area-to-region table, for English region names.

    Returns
    -------
    pandas.DataFrame
        Index: every local day of the window (``DatetimeIndex``, daily, in the
        incidents' time zone). Without ``by``: columns ``incidents``,
        ``alert_rows``, ``localities`` (integers). With ``by``: a column
        MultiIndex ``(group, measure)`` with those three measures.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({  # SIMULATED incidents
    ...     "start": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 12:00", "2024-01-03 09:00"]),
    ...     "alert_rows": [1, 696, 3], "n_localities": [1, 250, 2]})
    >>> daily_incident_sizes(t)
                incidents  alert_rows  localities
    2024-01-01          2         697         251
    2024-01-02          0           0           0
    2024-01-03          1           3           2
    """
    frame = _check_incidents(incidents)
    frame, lo, hi = _window(frame, start, end)
    tz = frame["start"].dt.tz
    first = lo if lo is not None else frame["start"].min()
    last = hi if hi is not None else frame["start"].max()
    if pd.isna(first) or pd.isna(last):
        raise ValueError("no incidents in the window and no start/end to define it")
    days = pd.date_range(first.normalize(), last.normalize(), freq="D", tz=tz)
    if by is None:
        long = frame.assign(group="all")
    else:
        long = _exploded(frame, by, regions)
    recorded = bool(long["alert_rows"].notna().any())
    long = long.assign(
        day=long["start"].dt.normalize(),
        alert_rows=long["alert_rows"].astype("Int64").fillna(0),
        localities=long["n_localities"].astype("Int64").fillna(0),
    )
    if groups is not None:
        if isinstance(groups, str):
            raise TypeError("groups must be a list of group names, not one string")
        long = long[long["group"].isin(list(groups))]
    agg = long.groupby(["day", "group"]).agg(
        incidents=("alert_rows", "size"),
        alert_rows=("alert_rows", "sum"),
        localities=("localities", "sum"),
    )
    wide: Any = pd.DataFrame(agg.unstack("group")).reindex(days).fillna(0).astype("int64")
    wide = wide.swaplevel(axis=1).sort_index(axis=1, level=0, sort_remaining=False)
    # every requested group is kept (zeros when it had no incident), in the order asked
    order = list(groups) if groups is not None else list(dict.fromkeys(long["group"]))
    measures = ["incidents", "alert_rows", "localities"]
    wide = wide.reindex(columns=pd.MultiIndex.from_product([order, measures]), fill_value=0)
    wide.index.name = None
    if not recorded:  # a table without alert sizes: not recorded, not zero
        sizes = wide.columns.get_level_values(1) != "incidents"
        wide = wide.astype("Int64")
        wide.loc[:, sizes] = pd.NA
    wide.attrs["sizes_recorded"] = recorded
    if by is None:
        out: pd.DataFrame = wide["all"]
        out.columns.name = None
        out.attrs["sizes_recorded"] = recorded
        return out
    wide.columns.names = [by, "measure"]
    return pd.DataFrame(wide)


def alert_locality_counts(match: Any) -> pd.DataFrame:
    """Alert rows per matched locality, with its coordinates: the data of an alert map.

    Parameters
    ----------
    match : LocalityMatch
        The result of :func:`analysis.match_localities` on the alerts to map
        (select the window before matching).

    Returns
    -------
    pandas.DataFrame
        One row per locality with coordinates, most alerts first:
        ``locality``, ``area_en``, ``lat``, ``lng`` (degrees), ``alert_rows``
        (rows naming it). ``attrs["unplaced"]`` is the number of name
        occurrences without coordinates (unmatched names or localities with
        no coordinates), which a map cannot show.

    Examples
    --------
    >>> import analysis as it  # doctest: +SKIP
    >>> alerts = it.load_oref_alerts()  # doctest: +SKIP
    >>> alert_locality_counts(it.match_localities(alerts)).head(3)  # doctest: +SKIP
    """
    names = getattr(match, "names", None)
    if not isinstance(names, pd.DataFrame) or "n_occurrences" not in names.columns:
        raise TypeError(
            "match must be the LocalityMatch of analysis.match_localities, "
            f"not {type(match).__name__}"
        )
    placed = names.dropna(subset=["lat", "lng"])
    placed = placed[placed["locality"].notna()]
    unplaced = int(names["n_occurrences"].sum() - placed["n_occurrences"].sum())
    grouped = placed.groupby("locality", sort=False)
    out = pd.DataFrame(
        {
            "area_en": grouped["area_en"].first(),
            "lat": grouped["lat"].mean(),
            "lng": grouped["lng"].mean(),
            "alert_rows": grouped["n_occurrences"].sum().astype("int64"),
        }
    )
    out = out.sort_values("alert_rows", ascending=False, kind="stable").reset_index()
    out.attrs["unplaced"] = unplaced
    return out
