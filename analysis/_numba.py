"""numba for the package: one on-disk cache keyed on the source of every compiled function.

numba's own cache index stamps only the file of the cached function, so a
cached function that calls a compiled function of another file (a search
entry point calling a cost's kernel, the ``ENTRIES`` of
:mod:`analysis.changepoints.search._pelt` and its siblings) would keep stale machine code
after that other file is edited. Every compiled function of the package is
therefore declared with :func:`njit` from this module, which stores its cache
in a folder named after :func:`source_hash`, the hash of every source file of
the package that uses numba: an edit to any of them moves the whole cache to
a new folder, and nothing compiled from the old sources is ever loaded again.

Where the cache lives (:func:`cache_dir`), first match:

1. ``$NUMBA_CACHE_DIR/incident-trends/<hash>`` when numba's own variable is set;
2. ``<package>/__pycache__/numba/<hash>`` when the installed package folder is
   writable: the cache then ships inside the environment (``make venv`` fills it
   with ``python -m analysis.changepoints._warm``);
3. the user's cache, ``$INCIDENT_TRENDS_CACHE`` or ``$XDG_CACHE_HOME/incident-trends``
   (``~/.cache/incident-trends``), then ``numba/<hash>``.

When none is writable the package's functions are compiled in each process
(``cache=False``), never cached elsewhere. numba's global cache setting is
changed only while one of the package's functions is being declared, so other
libraries' caches stay where numba puts them.

The hash covers every file whose text mentions numba, so a compiled
function's compiled callees, and the constants numba freezes into it, must
come from such files (``tests/changepoints/test_kernels.py`` checks it, and
checks end to end that an edited kernel is never served from a stale cache).
The warm-up removes the package's older folders; folders elsewhere may be
shared by other installations and stay.

Hand-written because numba offers no per-package cache folder nor a cache key
over several files.

Examples
--------
>>> len(source_hash())
16
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "jitted_sources", "njit", "source_hash"]

PACKAGE = Path(__file__).resolve().parent

#: a source file of the package is hashed when its text contains this
MARKER = b"numba"


def jitted_sources(root: Path = PACKAGE) -> list[Path]:
    """Every ``.py`` file under ``root`` (the package) whose text mentions numba, sorted."""
    out = []
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        if MARKER in path.read_bytes():
            out.append(path)
    return out


@functools.cache
def source_hash(root: Path = PACKAGE) -> str:
    """16 hex digits of SHA-256 over the path and bytes of every :func:`jitted_sources` file."""
    h = hashlib.sha256()
    for path in jitted_sources(root):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def candidate_dirs() -> list[Path]:
    """The cache folders :func:`cache_dir` tries, in order (see the module notes)."""
    digest = source_hash()
    env = os.environ.get("NUMBA_CACHE_DIR")
    if env:
        return [Path(env) / "incident-trends" / digest]
    user = os.environ.get("INCIDENT_TRENDS_CACHE")
    if user:
        base = Path(user)
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "incident-trends"
    return [PACKAGE / "__pycache__" / "numba" / digest, base / "numba" / digest]


@functools.cache
def cache_dir() -> Path | None:
    """The first writable folder of :func:`candidate_dirs` (created), or None."""
    for path in candidate_dirs():
        if _writable(path):
            return path
    return None


@contextlib.contextmanager
def _numba_cache_dir(path: Path) -> Iterator[None]:
    from numba.core import config as numba_config

    config: Any = numba_config  # (its settings are set at run time: no stubs)
    saved = (config.CACHE_DIR, config.CACHE_LOCATOR_CLASSES)
    config.CACHE_DIR = str(path)
    config.CACHE_LOCATOR_CLASSES = ""  # numba's user-provided-folder locator first
    try:
        yield
    finally:
        config.CACHE_DIR, config.CACHE_LOCATOR_CLASSES = saved


def njit(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``numba.njit(**options)``, caching (``cache=True``) into :func:`cache_dir`.

    Parameters
    ----------
    **options
        Passed to :func:`numba.njit`; ``cache=True`` stores the compiled code
        under :func:`cache_dir` (or compiles per process when no folder is
        writable).

    Returns
    -------
    callable
        The decorator.

    Examples
    --------
    >>> @njit(error_model="numpy")  # (cache=True needs a function in a file)
    ... def twice(x):
    ...     return 2 * x
    >>> twice(21)
    42
    """
    import numba

    target = cache_dir() if options.get("cache") else None
    if options.get("cache") and target is None:
        options = {**options, "cache": False}
    decorate = numba.njit(**options)
    if target is None:
        return decorate  # type: ignore[no-any-return]

    def declare(fn: Callable[..., Any]) -> Any:
        with _numba_cache_dir(target):
            return decorate(fn)

    return declare
