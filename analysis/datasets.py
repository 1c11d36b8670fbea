"""Data registry: where the project's data files are.

Three places are searched, in this order:

1. ``data/`` in the project (curated tables and reference data shipped with it;
   override with ``INCIDENT_TRENDS_DATA``);
2. the shared data folder beside the project, ``../shared/data`` (override with
   ``INCIDENT_TRENDS_SHARED``), which holds large third-party files that must
   not be committed (the Home Front Command alert history, localities);
3. the user's download cache (``INCIDENT_TRENDS_CACHE``, else
   ``$XDG_CACHE_HOME/incident-trends`` or ``~/.cache/incident-trends``), filled
   by ``incident-trends data fetch``.

This module only resolves paths; reading and validating are done by the io and
curation layers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import DataNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """The project's own ``data/`` folder."""
    return Path(os.environ.get("INCIDENT_TRENDS_DATA", PROJECT_ROOT / "data"))


def shared_data_dir() -> Path:
    """The shared data folder beside the project (may not exist)."""
    env = os.environ.get("INCIDENT_TRENDS_SHARED")
    return Path(env) if env else PROJECT_ROOT.parent / "shared" / "data"


def cache_dir() -> Path:
    """The user's download cache (created on demand by the fetchers)."""
    env = os.environ.get("INCIDENT_TRENDS_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "incident-trends"


@dataclass(frozen=True)
class Dataset:
    """A named data file and where it may be found.

    ``project`` is relative to ``data/``, ``shared`` to the shared data folder
    and ``cache`` to the download cache; any of them may be ``None``.
    """

    name: str
    description: str
    project: str | None = None
    shared: str | None = None
    cache: str | None = None
    fetch_hint: str | None = None

    def candidates(self) -> list[Path]:
        """Every path this data set may be at, in search order."""
        out: list[Path] = []
        if self.project:
            out.append(data_dir() / self.project)
        if self.shared:
            out.append(shared_data_dir() / self.shared)
        if self.cache:
            out.append(cache_dir() / self.cache)
        return out


REGISTRY: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "reported_figures",
            "published aggregate figures (claims, launches, interceptions) with sources",
            project="curated/reported_figures.csv",
        ),
        Dataset(
            "incidents",
            "curated incidents at day resolution from published sources",
            project="curated/incidents.csv",
        ),
        Dataset(
            "coal_mining_disasters",
            "191 British coal-mining disasters 1851-1962 (Jarrett 1979)",
            project="reference/coal_mining_disasters.csv",
        ),
        Dataset(
            "oref_alerts",
            "Israel Home Front Command alert history (dleshem/israel-alerts-data)",
            shared="oref-alerts/israel-alerts_2014-07-24_to_2024-10-12.csv",
            cache="oref/israel-alerts.csv",
            fetch_hint="incident-trends data fetch oref",
        ),
        Dataset(
            "oref_localities",
            "alert locality -> area, coordinates, shelter time",
            shared="oref-localities/oref_localities_merged.csv",
            cache="oref-localities/oref_localities_merged.csv",
        ),
        Dataset(
            "oref_cities",
            "current alert localities, downloaded (eladnava/pikud-haoref-api cities.json)",
            cache="oref-localities/cities.json",
            fetch_hint="incident-trends data fetch oref-cities",
        ),
        Dataset(
            "oref_old_zones",
            "numbered alert zones used 2014-2019 -> modern area",
            shared="oref-localities/oref_old_zone_codes_2014-2019.csv",
            cache="oref-localities/oref_old_zone_codes_2014-2019.csv",
        ),
        Dataset(
            "oref_name_aliases",
            "hand-made spelling aliases for alert locality names",
            shared="oref-localities/oref_name_aliases.csv",
            cache="oref-localities/oref_name_aliases.csv",
        ),
    ]
}


def dataset_path(name: str, *, must_exist: bool = True) -> Path:
    """Return the path of a registered data set.

    Parameters
    ----------
    name : str
        A key of :data:`REGISTRY`, e.g. ``"oref_alerts"``.
    must_exist : bool
        Raise :class:`~analysis.errors.DataNotFoundError` when no candidate
        exists (default); otherwise return the first candidate.

    Examples
    --------
    >>> dataset_path("reported_figures").name
    'reported_figures.csv'
    """
    try:
        entry = REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise DataNotFoundError(f"unknown data set {name!r}; known: {known}") from None
    candidates = entry.candidates()
    for path in candidates:
        if path.is_file():
            return path
    if not must_exist:
        return candidates[0]
    tried = "\n  ".join(str(p) for p in candidates)
    hint = f"\nGet it with: {entry.fetch_hint}" if entry.fetch_hint else ""
    raise DataNotFoundError(
        f"data set {name!r} ({entry.description}) not found; tried:\n  {tried}{hint}"
    )
