"""Download third-party data files into the user's cache, with checksums.

Large third-party files (the Home Front Command alert history, the locality
list) are never committed; they are read from the shared data folder or from
the download cache (:func:`analysis.datasets.cache_dir`). :func:`fetch`
downloads the newest upstream version into that cache:

* the upstream base URL can be replaced by a **mirror**: a local directory
  holding the file under its upstream name, a base URL (``http://``,
  ``https://`` or ``file://``) that serves it under that name, or the path or
  address of the file itself, given as an argument or in the environment
  variable ``INCIDENT_TRENDS_MIRROR``. The file is found **by name only**:
  other files in the mirror (dated copies, samples) are never picked instead;
* the download goes to a temporary file beside the target and replaces it
  **atomically** only after every check has passed: the byte count against
  the announced ``Content-Length`` (a truncated download is refused), an
  optional expected sha256, the expected header, a full parse (the alert
  history is read with :func:`analysis.io.oref.load_oref_alerts`) and a
  plausible number of rows (at least :data:`MIN_ROW_FRACTION` of the cached
  copy's rows). The temporary file is removed whatever happens (error,
  ``KeyboardInterrupt``); one left by a killed process is removed by the next
  fetch once it is older than :data:`STALE_PART_SECONDS`;
* an overall **deadline** (:data:`DEFAULT_DEADLINE` seconds, on top of the
  per-read ``timeout``) and a **size cap** (:data:`DEFAULT_MAX_BYTES`) bound
  every download;
* a JSON **sidecar** ``<file>.json`` records the sha256, size, number of data
  rows, source URL and UTC download time; :func:`verify_cache` rechecks it;
* without ``force``, an HTTP download is conditional on the sidecar's
  ``ETag``/``Last-Modified``: an unchanged upstream file is not downloaded again.

HTTP transfers use pooch's :class:`pooch.HTTPDownloader` (over ``requests``),
with a tqdm progress bar on a terminal; pooch's own cache management is not
used because it cannot hold a download back for the checks above.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from analysis.datasets import REGISTRY, cache_dir, shared_data_dir
from analysis.errors import DataError, IncidentTrendsError

MIRROR_ENV = "INCIDENT_TRENDS_MIRROR"
#: Default overall time limit of one download, in seconds (connection, headers and body).
DEFAULT_DEADLINE = 1800.0
#: Default per-read time limit, in seconds (how long the server may stay silent).
DEFAULT_TIMEOUT = 120.0
#: Default size cap of one download, in bytes (1 GiB; the 2014-2024 alert history is 4 MB).
DEFAULT_MAX_BYTES = 1 << 30
#: A new download with fewer data rows than this fraction of the cached copy's is refused.
MIN_ROW_FRACTION = 0.9
#: A temporary ``.part`` file older than this (seconds) was left by a killed fetch.
STALE_PART_SECONDS = 24 * 3600.0
_CHUNK = 1 << 16
_PROGRESS_DELAY = 0.5  # seconds before the progress bar appears (none for quick downloads)


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
        ``"alerts"`` (the alert history CSV: parsed by
        :func:`~analysis.io.oref.load_oref_alerts`, rows = data records) or
        ``"json"`` (rows = items of the top-level list).
    """

    key: str
    filename: str
    base_url: str
    cache: str
    home: str
    header: str | None = None
    kind: str = "alerts"


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
            cache="oref-localities/cities.json",  # registered as the data set oref_cities
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
        ``rejected_rows`` (alert history rows the loader rejects),
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
    """The sha256 of a file (read in chunks by :func:`pooch.file_hash`).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "x.txt"
    ...     _ = p.write_bytes(b"abc")
    ...     sha256_file(p)[:16]
    'ba7816bf8f01cfea'
    """
    import pooch

    return str(pooch.file_hash(str(path), alg="sha256"))


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
    """Where ``source`` is downloaded from: an URL, or a local path.

    The file is looked for under its upstream name (``source.filename``)
    only, unless the mirror names the file itself.

    Parameters
    ----------
    source : Source
        The upstream file.
    mirror : str or path, optional
        A directory holding the file, a base URL, or the path or address of
        the file itself; defaults to the environment variable
        ``INCIDENT_TRENDS_MIRROR``, else upstream.

    Examples
    --------
    >>> resolve_location(SOURCES["oref"], "http://127.0.0.1:8000/files/")
    'http://127.0.0.1:8000/files/israel-alerts.csv'
    >>> resolve_location(SOURCES["oref"], "http://127.0.0.1:8000/files/copy.csv")
    'http://127.0.0.1:8000/files/copy.csv'
    """
    chosen = mirror if mirror not in (None, "") else os.environ.get(MIRROR_ENV) or None
    if chosen is None:
        return f"{source.base_url}/{source.filename}"
    text = os.fspath(chosen)
    parts = urllib.parse.urlsplit(text)
    if parts.scheme in {"http", "https", "file"}:
        last = parts.path.rstrip("/").rsplit("/", 1)[-1]
        if not text.endswith("/") and last.endswith(Path(source.filename).suffix):
            return text  # the address of the file itself
        return text.rstrip("/") + "/" + urllib.parse.quote(source.filename)
    path = Path(text).expanduser()
    return str(path if path.is_file() else path / source.filename)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _mb(n: int) -> str:
    return f"{n:,} bytes" if n < 1 << 20 else f"{n:,} bytes ({n / (1 << 20):.1f} MiB)"


class _Budget:
    """The overall deadline and size cap of one download, checked as bytes arrive.

    :meth:`write` wraps the temporary file: it hashes and counts the bytes and
    raises :class:`FetchError` past the cap or the deadline. A blocked read
    never reaches :meth:`write`, so for HTTP a timer also shuts the connection
    down at the deadline (:meth:`watch`), which ends the read at once.
    """

    def __init__(self, out: BinaryIO, location: str, deadline: float, max_bytes: int) -> None:
        self.out = out
        self.location = location
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.ends = time.monotonic() + deadline
        self.digest = hashlib.sha256()
        self.size = 0
        self.expired = False
        self._response: Any = None
        self._timer: threading.Timer | None = None

    def remaining(self) -> float:
        return max(self.ends - time.monotonic(), 0.001)

    def deadline_error(self) -> FetchError:
        return FetchError(
            f"{self.location}: the download did not finish within the deadline of "
            f"{self.deadline:g} s ({_mb(self.size)} received); nothing was saved "
            "(pass a larger deadline=, or use a mirror)"
        )

    def check_announced(self, announced: int | None) -> None:
        if announced is not None and announced > self.max_bytes:
            raise FetchError(
                f"{self.location}: the server announces {_mb(announced)}, more than the size "
                f"cap of {_mb(self.max_bytes)}; nothing was saved (raise max_bytes= if the "
                "file really is that large)"
            )

    def write(self, chunk: bytes) -> int:
        if time.monotonic() > self.ends:
            self.expired = True
            raise self.deadline_error()
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise FetchError(
                f"{self.location}: the download passed the size cap of "
                f"{_mb(self.max_bytes)}; nothing was saved (raise max_bytes= if the file "
                "really is that large)"
            )
        self.digest.update(chunk)
        return self.out.write(chunk)

    def flush(self) -> None:
        self.out.flush()

    def watch(self, response: Any) -> None:
        """Shut ``response``'s connection down when the deadline passes."""
        self.stop()
        self._response = response
        self._timer = threading.Timer(self.remaining(), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self.expired = True
        try:
            fd = self._response.raw.fileno()  # the connection's socket (also for HTTPS)
            # a duplicate of the descriptor: shutting it down ends the blocked read at once
            with socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM) as dup:
                dup.shutdown(socket.SHUT_RDWR)
        except (AttributeError, OSError, ValueError):
            pass  # already closed: the read has ended anyway

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


@dataclass
class _Download:
    sha256: str
    size: int
    etag: str | None
    last_modified: str | None


def _progress_bar(show: bool | None, name: str) -> Any:
    """A tqdm bar on stderr for pooch (shown after half a second), or ``False``."""
    if show is None:
        show = sys.stderr.isatty()
    if not show:
        return False
    from tqdm.auto import tqdm

    # pooch tests the bar's truth, which tqdm takes from its total: start at 1, pooch sets it
    return tqdm(total=1, unit="B", unit_scale=True, desc=name, delay=_PROGRESS_DELAY, leave=False)


def _copy_local(location: str, budget: _Budget) -> _Download:
    parts = urllib.parse.urlsplit(location)
    src = (
        Path(urllib.request.url2pathname(parts.path)) if parts.scheme == "file" else Path(location)
    )
    if not src.is_file():
        raise FetchError(f"{src}: no such file in the mirror directory{_mirror_hint(src)}")
    budget.check_announced(src.stat().st_size)
    with src.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            budget.write(chunk)
    return _Download(budget.digest.hexdigest(), budget.size, None, None)


def _mirror_hint(missing: Path) -> str:
    """Name the look-alike files in a mirror directory: they are never used in its place."""
    folder = missing.parent
    if not folder.is_dir():
        return ""
    stem, suffix = missing.stem, missing.suffix
    near = sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file() and p.name.startswith(stem) and p.suffix == suffix
    )
    if not near:
        return f" ({missing.name} is looked for by that name only)"
    return (
        f" ({missing.name} is looked for by that name only; the folder holds "
        f"{', '.join(near)}: to use one of them, pass its own path as the mirror)"
    )


def _download_http(
    location: str, budget: _Budget, headers: dict[str, str], timeout: float, progress: Any
) -> _Download | None:
    """Stream ``location`` through pooch into ``budget``; ``None`` on 304 Not Modified."""
    import pooch
    import requests

    seen: dict[str, Any] = {}

    def on_response(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        seen["response"] = response
        if response.is_redirect or response.status_code == 304 or response.status_code >= 400:
            return  # no body to receive
        length = response.headers.get("Content-Length")
        seen["announced"] = int(length) if length and length.isdigit() else None
        budget.check_announced(seen["announced"])
        budget.watch(response)

    per_read = min(timeout, budget.remaining())
    downloader = pooch.HTTPDownloader(
        progressbar=progress,
        chunk_size=_CHUNK,
        timeout=(per_read, per_read),
        headers={"User-Agent": "incident-trends", **headers},
        hooks={"response": on_response},
    )
    try:
        downloader(location, budget, None)
    except requests.HTTPError as exc:
        code = exc.response.status_code if exc.response is not None else "?"
        reason = exc.response.reason if exc.response is not None else exc
        raise FetchError(
            f"{location}: HTTP {code} {reason}; nothing was saved (check the address or the "
            "mirror: a mirror must serve the file under its upstream name, or be given the "
            "address of the file itself)"
        ) from None
    except requests.RequestException as exc:
        if budget.expired:
            raise budget.deadline_error() from None
        announced = seen.get("announced")
        if announced is not None and budget.size < announced:
            raise _truncated(location, _received(exc, budget.size), announced) from None
        raise FetchError(f"{location}: download failed ({exc}); nothing was saved") from None
    finally:
        budget.stop()
    response = seen.get("response")
    if response is not None and response.status_code == 304:
        return None
    if budget.expired:
        raise budget.deadline_error()
    announced = seen.get("announced")
    # bytes read off the wire (compressed ones when the server compresses)
    wire = int(response.raw.tell()) if response is not None else budget.size
    if announced is not None and wire != announced:
        raise _truncated(location, wire, announced)
    etag = response.headers.get("ETag") if response is not None else None
    modified = response.headers.get("Last-Modified") if response is not None else None
    return _Download(budget.digest.hexdigest(), budget.size, etag, modified)


def _received(exc: BaseException, written: int) -> int:
    """Bytes that arrived before a cut connection (urllib3's ``IncompleteRead`` counts them)."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        partial = getattr(item, "partial", None)
        if isinstance(partial, int):
            return max(partial, written)
        if isinstance(item, BaseException):
            stack.extend([item.__cause__, item.__context__, *item.args])
    return written


def _truncated(location: str, got: int, announced: int) -> FetchError:
    return FetchError(
        f"{location}: truncated download: {got:,} of the {announced:,} bytes announced "
        "(Content-Length) arrived; nothing was saved and the cache is as it was"
    )


def _check_content(path: Path, source: Source, location: str) -> tuple[int, int]:
    """Parse the download as the file it should be: (data rows, rejected rows)."""
    with path.open("rb") as fh:
        head = fh.read(len(source.header or "") + 3).decode("utf-8", errors="replace")
    head = head.removeprefix("\ufeff")
    if source.header and not head.startswith(source.header):
        raise FetchError(
            f"the downloaded file does not start with {source.header!r} "
            f"(it starts with {head[:40]!r}); nothing was saved"
        )
    if source.kind == "json":
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise FetchError(f"the downloaded file is not valid json: {exc}") from None
        return (len(items) if isinstance(items, list) else 1), 0
    from analysis.io.oref import load_oref_alerts

    try:
        table, rejects = load_oref_alerts(path, return_rejects=True)
    except DataError as exc:
        first = exc.problems[0] if exc.problems else None
        where = f" (line {first.row}: {first.message})" if first is not None else ""
        raise FetchError(
            f"{location}: the download is not a readable alert history{where}; nothing was saved"
        ) from None
    except (csv.Error, ValueError) as exc:  # pragma: no cover - the loader reports these
        raise FetchError(f"{location}: the download cannot be parsed ({exc})") from None
    if len(table) == 0:
        raise FetchError(
            f"{location}: none of the {len(rejects):,} rows of the download is a readable "
            "alert; nothing was saved"
        )
    return len(table) + len(rejects), len(rejects)


def _check_rows(
    rows: int, previous_rows: int | None, min_row_fraction: float, location: str, dest: Path
) -> None:
    if previous_rows is None or previous_rows <= 0:
        return
    if rows < min_row_fraction * previous_rows:
        raise FetchError(
            f"{location}: the download has {rows:,} data rows, fewer than "
            f"{min_row_fraction:.0%} of the {previous_rows:,} rows of the cached copy "
            f"{dest}; it is not plausibly a newer version, so nothing was saved and the "
            "cached copy is kept (check the mirror; pass min_row_fraction=0 to accept it)"
        )


def _cached_rows(dest: Path, previous: dict[str, Any] | None, source: Source) -> int | None:
    """Data rows of the cached copy: from its sidecar when it matches, else counted."""
    if not dest.is_file():
        return None
    if previous is not None and isinstance(previous.get("rows"), int):
        if previous.get("size") == dest.stat().st_size:
            return int(previous["rows"])
    try:
        if source.kind == "json":
            items = json.loads(dest.read_text(encoding="utf-8"))
            return len(items) if isinstance(items, list) else 1
        with dest.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            return max(sum(1 for line in fh if line.strip()) - 1, 0)
    except (OSError, ValueError):
        return None


def _remove_stale_parts(dest: Path) -> None:
    """Remove temporary files that a killed fetch left beside ``dest``."""
    now = time.time()
    for part in dest.parent.glob(f".{dest.name}.*.part"):
        try:
            if now - part.stat().st_mtime > STALE_PART_SECONDS:
                part.unlink()
        except OSError:
            pass


def _write_json(path: Path, record: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh, indent=2, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def fetch(
    key: str = "oref",
    *,
    mirror: str | os.PathLike[str] | None = None,
    force: bool = False,
    expected_sha256: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    deadline: float = DEFAULT_DEADLINE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    min_row_fraction: float = MIN_ROW_FRACTION,
    progress: bool | None = None,
) -> FetchResult:
    """Download the newest version of a third-party file into the user's cache.

    Parameters
    ----------
    key : str
        A key of :data:`SOURCES`: ``"oref"`` (alert history
        ``israel-alerts.csv``) or ``"oref-cities"`` (locality list ``cities.json``).
    mirror : str or path, optional
        A local directory holding the file under its upstream name, a base
        URL serving it under that name, or the path or address of the file
        itself; default ``$INCIDENT_TRENDS_MIRROR``, else upstream. Other
        files in a mirror directory (dated copies, samples) are never used in
        its place: to use ``israel-alerts_2014-07-24_to_2024-10-12.csv``,
        pass its own path.
    force : bool
        Download even when the server says the cached copy is current.
    expected_sha256 : str, optional
        Refuse (and keep nothing) unless the download has this sha256.
    timeout : float
        Seconds the server may stay silent (per read); default 120.
    deadline : float
        Seconds the whole download may take, connection to last byte;
        default :data:`DEFAULT_DEADLINE` (1800, half an hour).
    max_bytes : int
        Size cap in bytes; default :data:`DEFAULT_MAX_BYTES` (1 GiB). A
        larger announced size is refused before the body is read.
    min_row_fraction : float
        Refuse a download with fewer data rows than this fraction of the
        cached copy's (default :data:`MIN_ROW_FRACTION`, 0.9): a sample or a
        cut file never replaces a full one. 0 accepts any row count.
    progress : bool, optional
        Show a progress bar on stderr; default: when stderr is a terminal.

    Returns
    -------
    FetchResult
        The cached path, what happened, and the sidecar record.

    Raises
    ------
    FetchError
        HTTP error (e.g. 404), network failure, truncated download, deadline
        or size cap passed, missing mirror file, checksum mismatch, content
        that is not the expected file, or too few rows. The cache is left as
        it was and no temporary file remains.
    ValueError
        ``timeout``, ``deadline`` or ``max_bytes`` is not positive, or
        ``min_row_fraction`` is outside 0-1.

    Examples
    --------
    >>> fetch("oref", mirror="/path/to/mirror")  # doctest: +SKIP
    """
    try:
        source = SOURCES[key]
    except KeyError:
        raise FetchError(f"unknown source {key!r}; known: {', '.join(SOURCES)}") from None
    _positive("timeout", timeout)
    _positive("deadline", deadline)
    _positive("max_bytes", max_bytes)
    if not 0 <= min_row_fraction <= 1:
        raise ValueError(f"min_row_fraction must be between 0 and 1, got {min_row_fraction!r}")
    location = resolve_location(source, mirror)
    dest = cache_dir() / source.cache
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(dest)
    previous = read_sidecar(dest) if dest.is_file() else None

    headers: dict[str, str] = {}
    if previous and not force and previous.get("source_url") == location:
        if previous.get("etag"):
            headers["If-None-Match"] = str(previous["etag"])
        if previous.get("last_modified"):
            headers["If-Modified-Since"] = str(previous["last_modified"])
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    bar = None
    try:
        with os.fdopen(fd, "wb") as out:
            budget = _Budget(out, location, deadline, max_bytes)
            if urllib.parse.urlsplit(location).scheme in {"http", "https"}:
                bar = _progress_bar(progress, source.filename)
                got = _download_http(location, budget, headers, timeout, bar)
            else:
                got = _copy_local(location, budget)
        if got is None:
            if previous is None:  # pragma: no cover - a conditional request needs a sidecar
                raise FetchError(f"{location}: 304 Not Modified without a cached copy")
            record = {**previous, "checked_utc": _now()}
            _write_json(sidecar_path(dest), record)
            return FetchResult(dest, "up to date", record)
        if expected_sha256 and got.sha256 != expected_sha256.lower():
            raise FetchError(
                f"{location}: checksum mismatch: expected sha256 {expected_sha256.lower()}, "
                f"got {got.sha256}; nothing was saved"
            )
        rows, rejected = _check_content(tmp, source, location)
        _check_rows(rows, _cached_rows(dest, previous, source), min_row_fraction, location, dest)
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
            "rejected_rows": rejected,
            "downloaded_utc": now,
            "checked_utc": now,
            "etag": got.etag,
            "last_modified": got.last_modified,
        }
        os.replace(tmp, dest)
    finally:
        if bar:
            bar.close()
        tmp.unlink(missing_ok=True)
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
