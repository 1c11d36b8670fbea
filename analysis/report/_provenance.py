"""The provenance table of the report: every data source, its licence, checksum, dates and rows.

Computed when the report is built, from three places:

* ``data/datapackage.json`` (the project's own tables: licence, title and date
  fields from the package), and any other data file under ``data/`` (listed,
  with the licence said to be undeclared);
* the registered third-party data sets of :mod:`analysis.datasets` (the shared
  folder or the download cache): the licence is read from the ``SOURCE.md``
  beside the file (its ``Licence:`` line, else the licence identifiers it
  names), the vintage from ``SOURCE.md`` ("version of ...") or from the
  download sidecar; a data set not found on this machine is listed as such;
* a user-supplied file (``incidents_path``).

The checksum is the sha256 of the file's bytes (:func:`hashlib.file_digest`).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis._git import git_output

__all__ = ["DataSource", "data_sources"]

_DATA_SUFFIXES = (".csv", ".tsv", ".json", ".parquet")
_SPDX = re.compile(r"\b(Apache-2\.0|MIT|CC-BY-(?:SA-)?4\.0|CC0-1\.0|ODbL-1\.0|BSD-[23]-Clause)\b")


@dataclass(frozen=True)
class DataSource:
    """One row of the provenance table.

    Attributes
    ----------
    name : str
        The data set's name (a datapackage resource or a registry key).
    title : str
        What it is.
    path : str
        Where it was read (relative to the project where it is inside it).
    origin : str
        ``project``, ``shared``, ``cache``, ``user`` or ``missing``.
    licence : str
        The licence, as declared.
    sha256 : str or None
        Checksum of the file's bytes, computed at build time.
    rows : int or None
        Data rows (CSV: lines after the header as parsed; JSON: items).
    first, last : str or None
        Date range of its date columns (ISO dates).
    vintage : str or None
        When the data were drawn or last changed, with how that is known.
    """

    name: str
    title: str
    path: str
    origin: str
    licence: str
    sha256: str | None = None
    rows: int | None = None
    first: str | None = None
    last: str | None = None
    vintage: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The row as a dictionary."""
        return asdict(self)


def sha256_of(path: Path) -> str:
    """The sha256 of a file's bytes.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "x.txt"
    ...     _ = p.write_bytes(b"abc")
    ...     sha256_of(p)[:16]
    'ba7816bf8f01cfea'
    """
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _read_table(path: Path) -> pd.DataFrame | None:
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            items = data if isinstance(data, list) else list(data.values())
            return pd.DataFrame(index=range(len(items)))
        sep = "\t" if path.suffix == ".tsv" else ","
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    except (OSError, ValueError, ImportError):
        return None


def _date_range(frame: pd.DataFrame, columns: list[str] | None) -> tuple[str | None, str | None]:
    """First and last ISO date over the date columns (named, else guessed by name)."""
    if columns is None:
        columns = [
            c for c in frame.columns if "date" in c.lower() or c.lower() in ("start", "end", "time")
        ]
    lows, highs = [], []
    for col in columns:
        if col not in frame.columns:
            continue
        # ISO only: a day-first column such as the alert file's "13.04.2024" is not a guess
        values = pd.to_datetime(frame[col], format="ISO8601", errors="coerce", utc=False)
        values = values.dropna()
        text = frame[col][frame[col].astype(str).str.strip() != ""]
        if not len(values) or len(values) < 0.9 * len(text):
            continue
        lows.append(str(pd.Timestamp(values.min()).date()))
        highs.append(str(pd.Timestamp(values.max()).date()))
    return (min(lows), max(highs)) if lows else (None, None)


def _git_date(path: Path, root: Path) -> str | None:
    """The date of the last commit that changed ``path`` (None outside a git checkout)."""
    return git_output(["log", "-1", "--format=%cs", "--", str(path)], root)


def _vintage_of_project_file(path: Path, frame: pd.DataFrame | None, root: Path) -> str:
    if frame is not None and "published" in frame.columns:
        published = pd.to_datetime(frame["published"], format="ISO8601", errors="coerce").dropna()
        if len(published):
            return f"figures published up to {pd.Timestamp(published.max()).date()}"
    changed = _git_date(path, root)
    if changed:
        return f"file last changed {changed} (git)"
    return f"file dated {_file_date(path)}"


def _file_date(path: Path) -> str:
    """The UTC date of a file's last modification."""
    return str(_dt.datetime.fromtimestamp(path.stat().st_mtime, _dt.UTC).date())


def _licence_names(licences: Any) -> str | None:
    if not isinstance(licences, list) or not licences:
        return None
    names = [str(x.get("name") or x.get("title") or "") for x in licences if isinstance(x, dict)]
    return ", ".join(n for n in names if n) or None


def _describe(
    *,
    name: str,
    title: str,
    path: Path,
    origin: str,
    licence: str,
    root: Path,
    date_fields: list[str] | None = None,
    vintage: str | None = None,
) -> DataSource:
    frame = _read_table(path)
    first, last = _date_range(frame, date_fields) if frame is not None else (None, None)
    if vintage is None:
        vintage = _vintage_of_project_file(path, frame, root)
    try:
        shown = str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        shown = str(path)
    return DataSource(
        name=name,
        title=title,
        path=shown,
        origin=origin,
        licence=licence,
        sha256=sha256_of(path),
        rows=None if frame is None else len(frame),
        first=first,
        last=last,
        vintage=vintage,
    )


def _package_sources(data: Path, root: Path) -> tuple[list[DataSource], set[Path]]:
    package_file = data / "datapackage.json"
    if not package_file.is_file():
        return [], set()
    package = json.loads(package_file.read_text(encoding="utf-8"))
    default_licence = _licence_names(package.get("licenses")) or "not declared"
    out, seen = [], set()
    for res in package.get("resources", []):
        path = data / res["path"]
        if not path.is_file():
            continue
        seen.add(path.resolve())
        fields = res.get("schema", {}).get("fields", [])
        date_fields = [f["name"] for f in fields if f.get("type") in ("date", "datetime")]
        out.append(
            _describe(
                name=res["name"],
                title=res.get("title", res["name"]),
                path=path,
                origin="project",
                licence=_licence_names(res.get("licenses")) or default_licence,
                root=root,
                date_fields=date_fields,
            )
        )
    return out, seen


def _source_note(path: Path) -> str | None:
    note = path.parent / "SOURCE.md"
    return note.read_text(encoding="utf-8") if note.is_file() else None


def _licence_from_note(note: str | None) -> str:
    if not note:
        return "not declared (no SOURCE.md beside the file)"
    line = re.search(r"Licen[cs]e:\s*([^\n(]+)", note)
    if line:
        return line.group(1).strip().rstrip(".")
    named = sorted(set(_SPDX.findall(note)))
    return ", ".join(named) if named else "see SOURCE.md"


def _vintage_from(path: Path, note: str | None) -> str:
    from analysis.io.fetch import read_sidecar

    sidecar = read_sidecar(path)
    if sidecar and sidecar.get("downloaded_utc"):
        return f"downloaded {sidecar['downloaded_utc']}"
    if note:
        version = re.search(r"version of\s+([0-9]{4}-[0-9]{2}-[0-9]{2}[^,;)\n]*)", note)
        if version:
            return f"version of {version.group(1).strip()} (SOURCE.md)"
        commit = re.search(r"at commit [0-9a-f]{7,40} \(([0-9]{4}-[0-9]{2}-[0-9]{2})\)", note)
        if commit:
            return f"upstream commit of {commit.group(1)} (SOURCE.md)"
    return f"file dated {_file_date(path)}"


def _registry_sources(root: Path, seen: set[Path]) -> list[DataSource]:
    from analysis.datasets import REGISTRY, cache_dir, shared_data_dir
    from analysis.errors import DataNotFoundError

    out = []
    for entry in REGISTRY.values():
        if entry.project:  # the project's own files are described by the data package
            continue
        try:
            from analysis.datasets import dataset_path

            path = dataset_path(entry.name)
        except DataNotFoundError:
            out.append(
                DataSource(
                    name=entry.name,
                    title=entry.description,
                    path=", ".join(str(p) for p in entry.candidates()),
                    origin="missing",
                    licence="-",
                    vintage="not found on this machine"
                    + (f" (get it with `{entry.fetch_hint}`)" if entry.fetch_hint else ""),
                )
            )
            continue
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        origin = "cache" if path.is_relative_to(cache_dir()) else "shared"
        note = _source_note(path)
        source = _describe(
            name=entry.name,
            title=entry.description,
            path=path,
            origin=origin,
            licence=_licence_from_note(note),
            root=root,
            vintage=_vintage_from(path, note),
        )
        if origin == "shared":
            try:
                shown = str(path.relative_to(shared_data_dir()))
                source = DataSource(**{**source.to_dict(), "path": f"../shared/data/{shown}"})
            except ValueError:
                pass
        out.append(source)
    return out


def data_sources(
    *, incidents_path: str | Path | None = None, root: Path | None = None
) -> list[DataSource]:
    """Every data source the report's notebooks may read, described at build time.

    Parameters
    ----------
    incidents_path : str or Path, optional
        A user-supplied canonical incidents file (listed first).
    root : Path, optional
        The project folder (default: the installed project's).

    Returns
    -------
    list of DataSource
        The project's tables (datapackage resources, then other data files
        under ``data/``), then the registered shared or downloaded data sets
        (found or not).

    Examples
    --------
    >>> rows = {s.name: s for s in data_sources()}
    >>> rows["reported_figures"].licence, len(rows["reported_figures"].sha256)
    ('CC-BY-4.0', 64)
    """
    from analysis.datasets import PROJECT_ROOT, data_dir

    root = root or PROJECT_ROOT
    out: list[DataSource] = []
    if incidents_path is not None:
        user = Path(incidents_path)
        out.append(
            _describe(
                name="incidents (user-supplied)",
                title="canonical incident table passed as incidents_path",
                path=user,
                origin="user",
                licence="as supplied by the user",
                root=root,
                date_fields=["start"],
                vintage=f"file dated {_file_date(user)}",
            )
        )
    data = data_dir()
    package, seen = _package_sources(data, root)
    out += package
    if data.is_dir():
        for path in sorted(p for p in data.rglob("*") if p.suffix in _DATA_SUFFIXES):
            if path.name == "datapackage.json" or path.resolve() in seen:
                continue
            seen.add(path.resolve())
            out.append(
                _describe(
                    name=path.stem,
                    title=f"data/{path.relative_to(data)}",
                    path=path,
                    origin="project",
                    licence="not declared in data/datapackage.json",
                    root=root,
                )
            )
    out += _registry_sources(root, seen)
    return out
