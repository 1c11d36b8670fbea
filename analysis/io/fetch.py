"""Download third-party data files into the user's cache, with checksums.

Large third-party files (the Home Front Command alert history, the locality
list) are never committed; they are read from the shared data folder or from
the download cache (:func:`analysis.datasets.cache_dir`). :func:`fetch`
downloads the newest upstream version into that cache:

* the upstream base URL can be replaced by a **mirror**: a local directory
  holding the file under its upstream name, or a base URL (``http://``,
  ``https://`` or ``file://``), given as an argument or in the environment
  variable ``INCIDENT_TRENDS_MIRROR``;
* the file is written **atomically**: downloaded to a temporary file beside
  the target, checked (an optional expected sha256, the expected header), then
  renamed over the target, so an interrupted or failed download never leaves a
  partial file;
* a JSON **sidecar** ``<file>.json`` records the sha256, size, number of data
  rows, source URL and UTC download time; :func:`verify_cache` rechecks it;
* without ``force``, an HTTP download is conditional on the sidecar's
  ``ETag``/``Last-Modified``: an unchanged upstream file is not downloaded again.

Only the standard library (``urllib``) is used: one GET per file needs nothing more.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from analysis.datasets import REGISTRY, cache_dir, shared_data_dir
from analysis.errors import IncidentTrendsError

MIRROR_ENV = "INCIDENT_TRENDS_MIRROR"
_CHUNK = 1 << 16


class FetchError(IncidentTrendsError):
    """A download failed; nothing was written to the cache."""


@dataclass(frozen=True)
class Source:
    """An upstream file that :func:`fetch` can download.

    Attributes
    ----------
    key : str
        Name used on the command line (``incident-trends data fetch KEY``).
    filename : str
        File name upstream and in a mirror.
    base_url : str
        Upstream base URL (the raw file is ``base_url/filename``).
    cache : str
        Target path relative to the download cache.
    home : str
        Human-facing address of the upstream project.
    header : str or None
        Expected start of the first line (guards against caching an error page).
    kind : str
        ``"csv"`` (rows = data records) or ``"json"`` (rows = items of the top-level list).
    """

    key: str
    filename: str
    base_url: str
    cache: str
    home: str
    header: str | None = None
    kind: str = "csv"


SOURCES: dict[str, Source] = {
    s.key: s
    for s in [
        Source(
            key="oref",
            filename="israel-alerts.csv",
            # HEAD is the repository's default branch
            base_url="https://raw.githubusercontent.com/dleshem/israel-alerts-data/HEAD",
            cache="oref/israel-alerts.csv",
            home="https://github.com/dleshem/israel-alerts-data",
            header="data,date,time,alertDate,category,category_desc,matrix_id,rid",
        ),
        Source(
            key="oref-cities",
            filename="cities.json",
            base_url="https://raw.githubusercontent.com/eladnava/pikud-haoref-api/HEAD",
            cache="oref-localities/cities.json",
            home="https://github.com/eladnava/pikud-haoref-api",
            header="[",
            kind="json",
        ),
    ]
}

#: Published sha256 of the shared files (from their SOURCE.md), checked by :func:`verify_cache`.
KNOWN_SHA256: dict[str, str] = {
    "oref-alerts/israel-alerts_2014-07-24_to_2024-10-12.csv": (
        "f9aa455dee24c8eb50cc53e60af579f78b27744f59a06dce5ba0d3c6bfc28fa8"
    ),
}


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` did.

    Attributes
    ----------
    path : Path
        The cached file.
    status : str
        ``"downloaded"`` (new content), ``"unchanged"`` (downloaded, same
        sha256 as the cached copy) or ``"up to date"`` (the server said the
        cached copy is current; nothing downloaded).
    record : dict
        The sidecar: ``source_url``, ``sha256``, ``size`` (bytes), ``rows``,
        ``downloaded_utc``, ``checked_utc``, ``etag``, ``last_modified``.
    """

    path: Path
    status: str
    record: dict[str, Any]

    def summary(self) -> str:
        """One line for the command line."""
        r = self.record
        return (
            f"{self.status}: {r['source_url']} -> {self.path} "
            f"({r['rows']:,} rows, {r['size']:,} bytes, sha256 {r['sha256']})"
        )


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in chunks.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "x.txt"
    ...     _ = p.write_bytes(b"abc")
    ...     sha256_file(p)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sidecar_path(path: Path) -> Path:
    """The JSON sidecar of a cached file (``<file>.json``)."""
    return path.with_name(path.name + ".json")


def read_sidecar(path: Path) -> dict[str, Any] | None:
    """The sidecar record of a cached file, or ``None`` when there is none or it is unreadable."""
    side = sidecar_path(path)
    if not side.is_file():
        return None
    try:
        record = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def resolve_location(source: Source, mirror: str | os.PathLike[str] | None = None) -> str:
    """Where ``source`` is downloaded from: an URL, or a local path inside a mirror directory.

    Parameters
    ----------
    source : Source
        The upstream file.
    mirror : str or path, optional
        A directory holding the file, or a base URL; defaults to the
        environment variable ``INCIDENT_TRENDS_MIRROR``, else upstream.

    Examples
    --------
    >>> resolve_location(SOURCES["oref"], "http://127.0.0.1:8000/files/")
    'http://127.0.0.1:8000/files/israel-alerts.csv'
    """
    chosen = mirror if mirror not in (None, "") else os.environ.get(MIRROR_ENV) or None
    if chosen is None:
        return f"{source.base_url}/{source.filename}"
    text = os.fspath(chosen)
    if urllib.parse.urlsplit(text).scheme in {"http", "https", "file"}:
        last = urllib.parse.urlsplit(text).path.rstrip("/").rsplit("/", 1)[-1]
        if not text.endswith("/") and last.endswith(Path(source.filename).suffix):
            return text  # the address of the file itself
        return text.rstrip("/") + "/" + urllib.parse.quote(source.filename)
    path = Path(text).expanduser()
    return str(path if path.is_file() else path / source.filename)


def _mirror_copy(location: str, source: Source, timeout: float) -> str:
    """The mirror's copy of ``source``, also when it is kept under a dated name.

    A mirror may hold the file as published upstream (``israel-alerts.csv``)
    or under a longer name with the same start and extension, as in the shared
    data folder (``israel-alerts_2014-07-24_to_2024-10-12.csv``). When the
    upstream name is not there, the directory (or, over HTTP, its listing
    page) is searched for such names and the last one in sorted order (the
    newest, for dated names) is used. Otherwise ``location`` is returned
    unchanged, and the download reports what is missing.
    """
    stem, suffix = Path(source.filename).stem, Path(source.filename).suffix
    pattern = re.compile(rf"{re.escape(stem)}[^/\\]*{re.escape(suffix)}")
    parts = urllib.parse.urlsplit(location)
    if parts.scheme in {"http", "https"}:
        if _http_exists(location, timeout) is not False:
            return location
        base = location.rsplit("/", 1)[0] + "/"
        names = _http_listing(base, timeout)
    else:
        local = Path(urllib.request.url2pathname(parts.path)) if parts.scheme == "file" else None
        path = local if local is not None else Path(location)
        if path.is_file() or not path.parent.is_dir():
            return location
        base = location[: len(location) - len(path.name)]
        names = [p.name for p in path.parent.iterdir() if p.is_file()]
    matches = sorted(n for n in names if pattern.fullmatch(n))
    if not matches:
        return location
    chosen = matches[-1]
    return base + (urllib.parse.quote(chosen) if parts.scheme else chosen)


def _http_exists(url: str, timeout: float) -> bool | None:
    """True/False when a HEAD request says the file is there or is not (404); else None."""
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "incident-trends"})
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return True
    except urllib.error.HTTPError as exc:
        return False if exc.code == 404 else None
    except (urllib.error.URLError, OSError):
        return None


def _http_listing(url: str, timeout: float) -> list[str]:
    """File names linked from a directory listing page (empty when there is none)."""
    request = urllib.request.Request(url, headers={"User-Agent": "incident-trends"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if "html" not in str(response.headers.get("Content-Type", "")):
                return []
            page = response.read(1 << 20).decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError, ValueError):
        return []
    links = re.findall(r'href="([^"?#]+)"', page)
    return [urllib.parse.unquote(link.rstrip("/").rsplit("/", 1)[-1]) for link in links]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Download:
    tmp: Path
    sha256: str
    size: int
    etag: str | None
    last_modified: str | None


def _copy_stream(stream: BinaryIO, directory: Path, name: str) -> tuple[Path, str, int]:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=directory)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, digest.hexdigest(), size


def _download(
    location: str, directory: Path, name: str, headers: dict[str, str], timeout: float
) -> _Download | None:
    """Download to a temporary file; ``None`` when the server answers 304 Not Modified."""
    scheme = urllib.parse.urlsplit(location).scheme
    if scheme not in {"http", "https", "file"}:
        src = Path(location)
        if not src.is_file():
            raise FetchError(f"{src}: no such file in the mirror directory")
        with src.open("rb") as fh:
            tmp, sha, size = _copy_stream(fh, directory, name)
        return _Download(tmp, sha, size, None, None)
    request = urllib.request.Request(location, headers={"User-Agent": "incident-trends", **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            tmp, sha, size = _copy_stream(response, directory, name)
            etag = response.headers.get("ETag")
            modified = response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return None
        raise FetchError(
            f"{location}: HTTP {exc.code} {exc.reason}; nothing was saved "
            "(check the address or the mirror)"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{location}: download failed ({reason}); nothing was saved") from None
    return _Download(tmp, sha, size, etag, modified)


def _count_rows(path: Path, source: Source) -> int:
    with path.open("rb") as fh:
        head = fh.read(len(source.header or "") + 3).decode("utf-8", errors="replace")
    head = head.removeprefix("\ufeff")
    if source.header and not head.startswith(source.header):
        raise FetchError(
            f"the downloaded file does not start with {source.header!r} "
            f"(it starts with {head[:40]!r}); nothing was saved"
        )
    try:
        if source.kind == "json":
            items = json.loads(path.read_text(encoding="utf-8"))
            return len(items) if isinstance(items, list) else 1
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return max(sum(1 for row in csv.reader(fh) if row) - 1, 0)
    except (UnicodeDecodeError, ValueError, csv.Error) as exc:
        raise FetchError(f"the downloaded file is not valid {source.kind}: {exc}") from None


def _write_json(path: Path, record: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=2, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path)


def fetch(
    key: str = "oref",
    *,
    mirror: str | os.PathLike[str] | None = None,
    force: bool = False,
    expected_sha256: str | None = None,
    timeout: float = 120.0,
) -> FetchResult:
    """Download the newest version of a third-party file into the user's cache.

    Parameters
    ----------
    key : str
        A key of :data:`SOURCES`: ``"oref"`` (alert history
        ``israel-alerts.csv``) or ``"oref-cities"`` (locality list ``cities.json``).
    mirror : str or path, optional
        A local directory holding the file, or a base URL replacing the
        upstream base (or the address of the file itself); default
        ``$INCIDENT_TRENDS_MIRROR``, else upstream. The file may be kept
        there under its upstream name or a dated one with the same start and
        extension (``israel-alerts_2014-07-24_to_2024-10-12.csv``, as in the
        shared data folder): the newest such name is used.
    force : bool
        Download even when the server says the cached copy is current.
    expected_sha256 : str, optional
        Refuse (and keep nothing) unless the download has this sha256.
    timeout : float
        Seconds to wait for the server.

    Returns
    -------
    FetchResult
        The cached path, what happened, and the sidecar record.

    Raises
    ------
    FetchError
        HTTP error (e.g. 404), network failure, missing mirror file, checksum
        mismatch, or content that is not the expected file. The cache is left
        as it was.

    Examples
    --------
    >>> fetch("oref", mirror="/path/to/mirror")  # doctest: +SKIP
    """
    try:
        source = SOURCES[key]
    except KeyError:
        raise FetchError(f"unknown source {key!r}; known: {', '.join(SOURCES)}") from None
    location = resolve_location(source, mirror)
    if mirror not in (None, "") or os.environ.get(MIRROR_ENV):
        location = _mirror_copy(location, source, timeout)
    dest = cache_dir() / source.cache
    dest.parent.mkdir(parents=True, exist_ok=True)
    previous = read_sidecar(dest) if dest.is_file() else None

    headers: dict[str, str] = {}
    if previous and not force and previous.get("source_url") == location:
        if previous.get("etag"):
            headers["If-None-Match"] = str(previous["etag"])
        if previous.get("last_modified"):
            headers["If-Modified-Since"] = str(previous["last_modified"])
    got = _download(location, dest.parent, dest.name, headers, timeout)
    if got is None:
        assert previous is not None  # a conditional request was sent
        record = {**previous, "checked_utc": _now()}
        _write_json(sidecar_path(dest), record)
        return FetchResult(dest, "up to date", record)
    try:
        if expected_sha256 and got.sha256 != expected_sha256.lower():
            raise FetchError(
                f"{location}: checksum mismatch: expected sha256 {expected_sha256.lower()}, "
                f"got {got.sha256}; nothing was saved"
            )
        rows = _count_rows(got.tmp, source)
        unchanged = dest.is_file() and previous is not None and previous.get("sha256") == got.sha256
        now = _now()
        record = {
            "source": source.key,
            "file": source.filename,
            "home": source.home,
            "source_url": location,
            "sha256": got.sha256,
            "size": got.size,
            "rows": rows,
            "downloaded_utc": now,
            "checked_utc": now,
            "etag": got.etag,
            "last_modified": got.last_modified,
        }
        os.replace(got.tmp, dest)
    finally:
        got.tmp.unlink(missing_ok=True)
    _write_json(sidecar_path(dest), record)
    return FetchResult(dest, "unchanged" if unchanged else "downloaded", record)


def _where(path: Path) -> str:
    from analysis.datasets import data_dir

    for label, base in (
        ("project", data_dir()),
        ("shared", shared_data_dir()),
        ("cache", cache_dir()),
    ):
        if path.is_relative_to(base):
            return label
    return "other"


def list_datasets(*, checksums: bool = True) -> list[dict[str, Any]]:
    """Every registered data set: where it was found, its size and (cached files) sha256.

    Parameters
    ----------
    checksums : bool
        Compute the sha256 of files found in the download cache.

    Returns
    -------
    list of dict
        ``name``, ``description``, ``location`` (``project``, ``shared``,
        ``cache`` or ``missing``), ``path``, ``size`` (bytes), ``sha256``
        (cached files only) and ``fetch`` (how to get a missing one).

    Examples
    --------
    >>> "oref_alerts" in {d["name"] for d in list_datasets(checksums=False)}
    True
    """
    out: list[dict[str, Any]] = []
    for entry in REGISTRY.values():
        found = next((p for p in entry.candidates() if p.is_file()), None)
        row: dict[str, Any] = {
            "name": entry.name,
            "description": entry.description,
            "location": _where(found) if found else "missing",
            "path": str(found) if found else None,
            "size": found.stat().st_size if found else None,
            "sha256": None,
            "fetch": entry.fetch_hint,
        }
        if found and checksums and row["location"] == "cache":
            row["sha256"] = sha256_file(found)
        out.append(row)
    return out


def _cached_files() -> Iterator[Path]:
    root = cache_dir()
    if not root.is_dir():
        return
    for side in sorted(root.rglob("*.json")):
        target = side.with_name(side.name[: -len(".json")])
        if target.is_file() and read_sidecar(target) is not None:
            yield target


def verify_cache() -> list[dict[str, Any]]:
    """Recheck the sha256 of every downloaded file against its sidecar.

    The shared files with a published checksum (:data:`KNOWN_SHA256`) are
    checked too.

    Returns
    -------
    list of dict
        ``path``, ``expected``, ``actual`` and ``ok`` per file.

    Examples
    --------
    >>> all(r["ok"] for r in verify_cache())  # doctest: +SKIP
    True
    """
    results: list[dict[str, Any]] = []
    for path in _cached_files():
        record = read_sidecar(path) or {}
        expected = str(record.get("sha256", ""))
        actual = sha256_file(path)
        results.append(
            {"path": str(path), "expected": expected, "actual": actual, "ok": actual == expected}
        )
    for rel, expected in KNOWN_SHA256.items():
        path = shared_data_dir() / rel
        if path.is_file():
            actual = sha256_file(path)
            results.append(
                {
                    "path": str(path),
                    "expected": expected,
                    "actual": actual,
                    "ok": actual == expected,
                }
            )
    return results
