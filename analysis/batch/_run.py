"""run_many: a pure per-series function over the groups of a long table, in chunks of series.

The table is grouped by the key columns ``by`` (sorted by key; rows keep their
order inside a group), the groups are cut into chunks of consecutive series,
and each chunk is one task: the chunk's rows travel once, as one DataFrame,
and the worker runs the function on each of its groups. A function that raises
on one series gives a row of the errors table, never a failed batch. Because
every series is computed by the same function on the same rows, and the chunks
are put back in key order, the tables are the same whatever the engine, the
number of processes or the chunk size.
"""

from __future__ import annotations

import math
import os
import pickle
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis._progress import progress_bar
from analysis.batch._result import BatchResult
from analysis.errors import DataError, Problem

__all__ = ["DASK_HINT", "ENGINES", "run_many"]

ENGINES = ("local", "dask")
#: the message of an ImportError when Dask is missing
DASK_HINT = 'engine="dask" needs Dask and distributed: pip install "incident-trends[dask]"'
#: chunks per worker by default: enough to balance uneven series, few enough to stay cheap
CHUNKS_PER_WORKER = 4

ERROR_COLUMNS = ("error_type", "message")


@dataclass(frozen=True)
class _Chunk:
    """Consecutive series of the sorted table: their rows and ``(key, start, stop)`` spans."""

    frame: pd.DataFrame
    spans: tuple[tuple[tuple[Hashable, ...], int, int], ...]


def check_by(frame: Any, by: Any, time_col: str | None = None) -> list[str]:
    """The key columns as a list; raise naming ``frame`` or ``by`` on bad input."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"frame must be a pandas DataFrame (a long table), not {type(frame).__name__}"
        )
    keys = [by] if isinstance(by, str) else list(by) if isinstance(by, Sequence) else None
    if not keys or not all(isinstance(k, str) for k in keys):
        raise ValueError(
            f"by must be a column name or a non-empty list of column names, got {by!r}"
        )
    if len(set(keys)) != len(keys):
        raise ValueError(f"by names a column twice: {keys!r}")
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        raise ValueError(
            f"by names column(s) not in frame: {missing!r} (columns: {list(frame.columns)!r})"
        )
    if time_col is not None and time_col in keys:
        raise ValueError(f"time_col {time_col!r} is also in by")
    problems = []
    for k in keys:
        bad = np.flatnonzero(frame[k].isna().to_numpy())
        problems += [Problem("frame", int(i) + 2, k, None, "missing group value") for i in bad[:20]]
    if problems:
        raise DataError(problems, header="missing values in the group column(s) of by")
    return keys


def _sorted_groups(
    frame: pd.DataFrame, keys: list[str]
) -> tuple[pd.DataFrame, list[tuple[Hashable, ...]], np.ndarray]:
    """The table sorted by key (stable), the keys in order and the group boundaries."""
    try:
        number = frame.groupby(keys, sort=True, observed=True).ngroup().to_numpy()
    except TypeError as exc:
        raise ValueError(f"the group columns {keys!r} cannot be sorted: {exc}") from None
    order = np.argsort(number, kind="stable")
    ordered = frame.iloc[order]
    sizes = np.bincount(number, minlength=int(number.max()) + 1 if number.size else 0)
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    key_rows = ordered[keys].iloc[bounds[:-1]] if number.size else ordered[keys].iloc[:0]
    labels = [tuple(row) for row in key_rows.itertuples(index=False, name=None)]
    return ordered, labels, bounds


def _chunks(
    ordered: pd.DataFrame,
    labels: list[tuple[Hashable, ...]],
    bounds: np.ndarray,
    chunk_size: int,
) -> list[_Chunk]:
    out = []
    for first in range(0, len(labels), chunk_size):
        last = min(first + chunk_size, len(labels))
        a, b = int(bounds[first]), int(bounds[last])
        spans = tuple(
            (labels[i], int(bounds[i]) - a, int(bounds[i + 1]) - a) for i in range(first, last)
        )
        out.append(_Chunk(ordered.iloc[a:b], spans))
    return out


def _one_row(value: Any) -> dict[Hashable, Any] | None:
    """A one-row output (dict, Series, scalar) as a record; None for a table or None."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, pd.Series):
        return value.to_dict()
    if value is not None and not isinstance(value, pd.DataFrame) and np.isscalar(value):
        return {"value": value}
    return None


def _as_rows(value: Any) -> pd.DataFrame:
    """The function's output as a table of rows."""
    if value is None:
        return pd.DataFrame()
    if isinstance(value, pd.DataFrame):
        named = any(name is not None for name in value.index.names)
        return value.reset_index() if named else value.reset_index(drop=True)
    one = _one_row(value)
    if one is None:
        raise TypeError(
            "the per-series function must return a DataFrame, a Series, a dict, a scalar or "
            f"None, not {type(value).__name__}"
        )
    return pd.DataFrame([one])


def _drop_keys(rows: pd.DataFrame, keys: list[str], key: tuple[Hashable, ...]) -> pd.DataFrame:
    """Drop columns named like a key, which must repeat the key."""
    for name, k in zip(keys, key, strict=True):
        if name in rows.columns:
            if not (rows[name] == k).all():
                raise ValueError(
                    f"the function returned a column {name!r} that is not the group key"
                )
            rows = rows.drop(columns=name)
    return rows


def _with_keys(
    parts: list[pd.DataFrame], labels: list[tuple[Hashable, ...]], keys: list[str]
) -> pd.DataFrame:
    """The parts stacked, the key columns first (one per key, repeated over each part's rows)."""
    out = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    sizes = [len(p) for p in parts]
    for i, name in enumerate(keys):
        values = [lab[i] for lab, size in zip(labels, sizes, strict=True) for _ in range(size)]
        out.insert(i, name, _key_column(values))
    return out


def _key_column(values: list[Any]) -> Any:
    """A key column from its values (pandas infers the dtype, as a groupby key would)."""
    return pd.Series(values).to_numpy() if values else pd.Series([], dtype=object)


def _run_chunk(
    func: Callable[[pd.DataFrame], Any], keys: list[str], chunk: _Chunk
) -> tuple[pd.DataFrame | None, list[tuple[Any, ...]], int]:
    """Run ``func`` on each group of a chunk: (result rows with keys, error rows, series run)."""
    outputs: list[tuple[tuple[Hashable, ...], Any]] = []
    errors: list[tuple[Any, ...]] = []
    for key, a, b in chunk.spans:
        try:
            value = func(chunk.frame.iloc[a:b])
            one = _one_row(value)
            if one is not None:
                for name, k in zip(keys, key, strict=True):
                    if name in one and one.pop(name) != k:
                        raise ValueError(
                            f"the function returned a column {name!r} that is not the group key"
                        )
                outputs.append((key, one))
            else:
                outputs.append((key, _drop_keys(_as_rows(value), keys, key)))
        except Exception as exc:  # one bad series never stops the batch: recorded
            errors.append((*key, type(exc).__name__, str(exc)))
    if outputs and all(isinstance(v, dict) for _, v in outputs):  # one row each: one table
        table = pd.DataFrame([v for _, v in outputs])
        for i, name in enumerate(keys):
            table.insert(i, name, _key_column([k[i] for k, _ in outputs]))
        return table, errors, len(chunk.spans)
    frames = [(k, v if isinstance(v, pd.DataFrame) else pd.DataFrame([v])) for k, v in outputs]
    full = [(k, f) for k, f in frames if len(f)]
    if full:
        out = _with_keys([f for _, f in full], [k for k, _ in full], keys)
    elif frames:
        out = frames[0][1].iloc[:0].copy()
        for i, name in enumerate(keys):
            out.insert(i, name, pd.Series([], dtype=object))
    else:
        out = None
    return out, errors, len(chunk.spans)


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _check_int(name: str, value: Any, allow_none: bool = True) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be None or an integer >= 1, got {value!r}")
    return int(value)


def _progress_bar(progress: bool, total: int) -> Any:
    return progress_bar(total, enabled=progress, desc="series", unit="series", delay=0.0)


def _run_local(
    func: Callable[..., Any], keys: list[str], chunks: list[_Chunk], jobs: int, bar: Any
) -> list[Any]:
    if jobs == 1 or len(chunks) <= 1:
        done = []
        for c in chunks:
            done.append(_run_chunk(func, keys, c))
            bar.update(len(c.spans))
        return done
    from concurrent.futures import ProcessPoolExecutor, as_completed

    out: list[Any] = [None] * len(chunks)
    with ProcessPoolExecutor(max_workers=min(jobs, len(chunks))) as pool:
        futures = {pool.submit(_run_chunk, func, keys, c): i for i, c in enumerate(chunks)}
        for fut in as_completed(futures):
            out[futures[fut]] = fut.result()
            bar.update(out[futures[fut]][2])
    return out


def import_distributed() -> Any:
    """``distributed``, or an ImportError that says how to install the extra."""
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(DASK_HINT) from exc
    return distributed


def _dask_client(client: Any, jobs: int | None) -> tuple[Any, list[Any]]:
    """A distributed Client and the objects to close afterwards (those made here)."""
    distributed = import_distributed()
    if client is None:
        cluster = distributed.LocalCluster(
            n_workers=jobs or default_jobs(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        made = distributed.Client(cluster)
        return made, [made, cluster]
    if isinstance(client, str):
        made = distributed.Client(client)
        return made, [made]
    if isinstance(client, distributed.Client):
        return client, []
    raise TypeError(
        "client must be None, a distributed.Client or a scheduler address, "
        f"not {type(client).__name__}"
    )


def _dask_workers(client: Any) -> int:
    return max(1, sum(client.nthreads().values()))


def _run_dask(
    func: Callable[..., Any], keys: list[str], chunks: list[_Chunk], client: Any, bar: Any
) -> list[Any]:
    distributed = import_distributed()
    data = client.scatter([c for c in chunks], hash=False)
    futures = [client.submit(_run_chunk, func, keys, d, pure=False) for d in data]
    index = {f.key: i for i, f in enumerate(futures)}
    out: list[Any] = [None] * len(chunks)
    for fut in distributed.as_completed(futures):
        out[index[fut.key]] = fut.result()
        bar.update(out[index[fut.key]][2])
    return out


def run_many(
    frame: pd.DataFrame,
    func: Callable[[pd.DataFrame], Any],
    *,
    by: str | list[str],
    time_col: str = "start",
    engine: str = "local",
    client: Any = None,
    n_jobs: int | None = None,
    progress: bool = False,
    chunk_size: int | None = None,
) -> BatchResult:
    """Apply a pure per-series function to every group of a long table.

    Parameters
    ----------
    frame : pandas.DataFrame
        A long table: one row per event, or per period and series.
    func : callable
        ``func(group) -> DataFrame | Series | dict | scalar | None``, called
        with the rows of one series (every column of ``frame``, in their order
        in ``frame``). It must be pure (its output depends only on its input)
        and, for more than one process or for Dask, picklable: a function
        defined at module level (or a :func:`functools.partial` of one), not a
        lambda. A DataFrame gives one result row per row (a named index
        becomes columns, an unnamed one is dropped), a Series or a dict one
        row, a scalar a ``value`` column, None no row. Columns named like a
        key must repeat the key (they are dropped).
    by : str or list of str
        The key column(s) that name a series (e.g. ``["country", "actor"]``).
        Missing key values are an error.
    time_col : str, default "start"
        The time column (checked not to be a key; ``func`` reads it).
    engine : {"local", "dask"}, default "local"
        ``"local"``: processes on this machine
        (:class:`concurrent.futures.ProcessPoolExecutor`); ``"dask"``: a
        ``distributed.Client`` (``pip install "incident-trends[dask]"``).
    client : distributed.Client or str, optional
        For ``engine="dask"``: a client, or a scheduler address such as
        ``"tcp://scheduler:8786"``; default a ``LocalCluster`` of ``n_jobs``
        single-threaded worker processes, closed afterwards.
    n_jobs : int, optional
        Processes (local engine) or workers of the default ``LocalCluster``;
        default every core this process may use. ``n_jobs=1`` runs in this
        process.
    progress : bool, default False
        Show a progress bar (``tqdm.auto``: a widget in notebooks, text in terminals).
    chunk_size : int, optional
        Series per task; default ``ceil(series / (4 * workers))``, so that
        10,000 small series are a few tasks, not 10,000.

    Returns
    -------
    BatchResult
        ``results``: the key columns, then the function's rows, ordered by key;
        ``errors``: the key columns, ``error_type`` and ``message`` of each
        series whose function raised. The same tables for every engine,
        ``n_jobs`` and ``chunk_size``.

    Raises
    ------
    ImportError
        ``engine="dask"`` without Dask installed (the message names the extra).
    TypeError, ValueError
        A bad argument, named.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.batch import run_many
    >>> events = pd.DataFrame({"start": pd.date_range("2024-01-01", periods=6),
    ...                        "actor": ["a", "b", "a", "b", "a", "a"]})
    >>> res = run_many(events, len, by="actor", n_jobs=1)
    >>> res.results.to_dict("list")
    {'actor': ['a', 'b'], 'value': [4, 2]}
    """
    keys = check_by(frame, by, time_col)
    if not callable(func):
        raise TypeError(f"func must be callable, not {type(func).__name__}")
    if time_col not in frame.columns:
        raise ValueError(f"time_col {time_col!r} is not a column of frame")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}, not {engine!r}")
    jobs = _check_int("n_jobs", n_jobs)
    size = _check_int("chunk_size", chunk_size)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, not {progress!r}")
    close: list[Any] = []
    dask_client = None
    if engine == "dask":
        dask_client, close = _dask_client(client, jobs)
        workers = _dask_workers(dask_client)
    else:
        if client is not None:
            raise ValueError('client is for engine="dask"; the local engine takes n_jobs')
        workers = jobs or default_jobs()
    if engine == "dask" or workers > 1:
        try:
            pickle.dumps(func)
        except Exception as exc:
            for obj in close:
                obj.close()
            raise TypeError(
                "func must be picklable to run in other processes: define it at module level "
                f"(not a lambda or a nested function), or use n_jobs=1 ({exc})"
            ) from None
    try:
        ordered, labels, bounds = _sorted_groups(frame, keys)
        if size is None:
            size = max(1, math.ceil(len(labels) / (CHUNKS_PER_WORKER * workers)))
        chunks = _chunks(ordered, labels, bounds, size)
        bar = _progress_bar(progress, len(labels))
        try:
            if engine == "dask":
                done = _run_dask(func, keys, chunks, dask_client, bar)
            else:
                done = _run_local(func, keys, chunks, workers, bar)
        finally:
            bar.close()
    finally:
        for obj in close:
            obj.close()
    results = _combine([d[0] for d in done], keys)
    errors = pd.DataFrame(
        [e for d in done for e in d[1]], columns=[*keys, *ERROR_COLUMNS]
    ).reset_index(drop=True)
    return BatchResult(
        results=results,
        errors=errors,
        by=tuple(keys),
        keys=tuple(labels),
        engine=engine,
        workers=workers,
        n_tasks=len(chunks),
        chunk_size=int(size),
    )


def _combine(parts: list[pd.DataFrame | None], keys: list[str]) -> pd.DataFrame:
    full = [p for p in parts if p is not None and len(p)]
    if full:
        return (
            pd.concat(full, ignore_index=True) if len(full) > 1 else full[0].reset_index(drop=True)
        )
    empty = [p for p in parts if p is not None]
    if empty:
        return empty[0].reset_index(drop=True)
    return pd.DataFrame({k: pd.Series([], dtype=object) for k in keys})
