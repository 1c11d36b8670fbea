"""The incident data of the alerts notebook: the alert history, or a user's incident file.

:func:`load_incident_data` reads the Home Front Command alert history (from
``../shared/data`` or the download cache, as :func:`analysis.load_oref_alerts`
does) and clusters it into incidents, or reads a user-supplied canonical
incident table (:func:`analysis.load_curated_incidents`) instead; when neither
is there it says so, and the caller renders what does not need it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from analysis.errors import DataNotFoundError

__all__ = ["IncidentData", "load_incident_data"]


@dataclass(frozen=True, repr=False)
class IncidentData:
    """Incidents for a window, where they came from, and what is missing.

    Attributes
    ----------
    available : bool
        False when there is no alert history (and no incident file was given).
    kind : str
        ``"alerts"`` (the alert history clustered into incidents),
        ``"incidents file"`` (a user's canonical table) or ``"none"``.
    message : str
        What was read, or why nothing was (with how to get the data).
    incidents : pandas.DataFrame or None
        The incidents of the window (and of ``weapons``).
    alerts : pandas.DataFrame or None
        The alert rows of the window (``kind == "alerts"`` only).
    rejects : pandas.DataFrame or None
        Rows of the input that could not be read, with the reason.
    start, end : pandas.Timestamp
        The window (inclusive local days).
    vintage : pandas.Timestamp or None
        The day the data were drawn (newest days provisional), or None.
    """

    available: bool
    kind: str
    message: str
    incidents: pd.DataFrame | None
    alerts: pd.DataFrame | None
    rejects: pd.DataFrame | None
    start: Any
    end: Any
    vintage: Any = None

    @property
    def default_by(self) -> str:
        """How to group the incidents: ``"region"`` for alerts, ``"unit"`` for a file.

        A canonical incident file can mix units (claims, launches, ...): grouping
        by unit keeps them apart.
        """
        return "region" if self.kind == "alerts" else "unit"

    def summary(self) -> str:
        """What was read, in one paragraph."""
        return self.message

    def __repr__(self) -> str:
        return f"<IncidentData {self.kind}>\n{self.message}"

    def _repr_html_(self) -> str:
        import html

        return f"<p>{html.escape(self.message)}</p>"


def load_incident_data(
    alerts_path: str | os.PathLike[str] | None = None,
    incidents_path: str | os.PathLike[str] | None = None,
    *,
    start: Any = None,
    end: Any = None,
    weapons: Sequence[str] | None = ("drone", "rocket"),
    gap: str = "10min",
    within: Literal["region", "country"] = "region",
    vintage: Any = None,
) -> IncidentData:
    """Read the incidents of a window from the alert history or from an incident file.

    Parameters
    ----------
    alerts_path : str or Path, optional
        An alert-history CSV; default ``../shared/data`` or the download cache.
    incidents_path : str or Path, optional
        A canonical incident table (``incident-trends validate`` shape); when
        given it is used instead of the alert history.
    start, end : date, optional
        Inclusive local days of the window.
    weapons : sequence of str or None
        Keep only these weapons (default drones and rockets); None keeps all.
    gap, within : str
        Clustering of alerts into incidents (:func:`analysis.alerts_to_incidents`).
    vintage : date, optional
        The day the data were drawn. For the alert history the default is the
        window's last day (the pinned copy ends on the day it was drawn); an
        incident file has none unless given.

    Returns
    -------
    IncidentData
        ``available`` False, with the reason in ``message``, when there is no
        alert history and no incident file.

    Raises
    ------
    analysis.errors.DataNotFoundError
        When ``incidents_path`` or ``alerts_path`` is given and does not exist.
    analysis.errors.DataError
        When a given file has problems (every one, with row and column).

    Examples
    --------
    >>> data = load_incident_data(incidents_path="data/curated/incidents.csv")  # doctest: +SKIP
    >>> data.kind  # doctest: +SKIP
    'incidents file'
    """
    from analysis.curation.clustering import alerts_to_incidents
    from analysis.curation.filters import filter_incidents
    from analysis.curation.tables import load_curated_incidents
    from analysis.io.oref import load_oref_alerts

    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    if isinstance(weapons, str):
        raise TypeError("weapons must be a list of weapon names, not one string")

    def window(table: pd.DataFrame) -> pd.DataFrame:
        out = filter_incidents(table, start=start, end=end)
        if weapons is not None:
            out = out[out["weapon"].isin(list(weapons))]
        return out

    if incidents_path is not None:
        table, rejects = load_curated_incidents(Path(incidents_path), return_rejects=True)
        incidents = window(table)
        first = lo if lo is not None else incidents["start"].min()
        last = hi if hi is not None else incidents["start"].max()
        message = (
            f"Incidents from the file {incidents_path}: {len(table):,} records read, "
            f"{len(rejects):,} rejected; {len(incidents):,} in the window"
            + (f" ({', '.join(weapons)})" if weapons is not None else "")
            + ". An incident file records no alert rows or localities, so the size "
            "columns are not recorded, and there is no map."
        )
        return IncidentData(
            True,
            "incidents file",
            message,
            incidents,
            None,
            rejects,
            pd.Timestamp(first),
            pd.Timestamp(last),
            pd.Timestamp(vintage) if vintage is not None else None,
        )
    try:
        alerts, rejects = load_oref_alerts(
            Path(alerts_path) if alerts_path is not None else None, return_rejects=True
        )
    except DataNotFoundError as exc:
        if alerts_path is not None:
            raise
        message = (
            "The alert history is not available on this machine, so the alert sections are "
            f"skipped. {exc}"
        )
        return IncidentData(
            False,
            "none",
            message,
            None,
            None,
            None,
            pd.Timestamp(lo) if lo is not None else pd.NaT,
            pd.Timestamp(hi) if hi is not None else pd.NaT,
        )
    in_window = window(alerts)
    incidents = alerts_to_incidents(in_window, gap=gap, within=within)
    # the window of the history itself (a day without the chosen weapons is a zero, not absent)
    first = lo if lo is not None else alerts["start"].min().tz_localize(None).normalize()
    last = hi if hi is not None else alerts["start"].max().tz_localize(None).normalize()
    message = (
        f"{len(alerts):,} alerts read, {len(rejects):,} rejected (every input row is in one or "
        f"the other); {len(in_window):,} alert rows in the window"
        + (f" ({', '.join(weapons)})" if weapons is not None else "")
        + f", clustered into {len(incidents):,} incidents (alerts of one kind within "
        f"{_spaced(gap)} "
        f"of each other, within one {within})."
    )
    drawn = pd.Timestamp(vintage) if vintage is not None else pd.Timestamp(last).normalize()
    return IncidentData(
        True,
        "alerts",
        message,
        incidents,
        in_window,
        rejects,
        pd.Timestamp(first),
        pd.Timestamp(last),
        drawn,
    )


def _spaced(duration: object) -> str:
    """A pandas duration string for a sentence: ``"10min"`` -> ``"10 min"``."""
    return re.sub(r"(\d)([A-Za-z])", r"\1 \2", str(duration))
