"""The result of a batch: one tidy table of results, one of per-series errors."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import pandas as pd

from analysis._draw import get_ax
from analysis._format import records
from analysis._results import Result

__all__ = ["BatchResult"]


class BatchResult(Result):
    """Results of one function mapped over many series (:func:`analysis.batch.run_many`).

    Attributes are read-only: ``results`` (the key columns, then the
    function's rows, ordered by key), ``errors`` (the key columns,
    ``error_type`` and ``message`` of each series whose function raised),
    ``by`` (the key column names), ``keys`` (every series' key, in order),
    ``engine``, ``workers``, ``n_tasks`` (chunks sent) and ``chunk_size``.
    """

    def __init__(
        self,
        *,
        results: pd.DataFrame,
        errors: pd.DataFrame,
        by: tuple[str, ...],
        keys: tuple[tuple[Hashable, ...], ...],
        engine: str,
        workers: int,
        n_tasks: int,
        chunk_size: int,
    ):
        self._results = results
        self._errors = errors
        self._by = by
        self._keys = keys
        self._engine = engine
        self._workers = workers
        self._n_tasks = n_tasks
        self._chunk_size = chunk_size

    @property
    def results(self) -> pd.DataFrame:
        """The key columns, then the function's rows (a copy)."""
        return self._results.copy()

    @property
    def errors(self) -> pd.DataFrame:
        """One row per series whose function raised: keys, ``error_type``, ``message``."""
        return self._errors.copy()

    @property
    def by(self) -> tuple[str, ...]:
        """The key column names."""
        return self._by

    @property
    def keys(self) -> tuple[tuple[Hashable, ...], ...]:
        """Every series' key (a tuple), in key order."""
        return self._keys

    @property
    def n_series(self) -> int:
        """Number of series."""
        return len(self._keys)

    @property
    def engine(self) -> str:
        """``"local"`` or ``"dask"``."""
        return self._engine

    @property
    def workers(self) -> int:
        """Processes (local) or worker threads of the Dask cluster."""
        return self._workers

    @property
    def n_tasks(self) -> int:
        """Tasks sent: chunks of consecutive series."""
        return self._n_tasks

    @property
    def chunk_size(self) -> int:
        """Series per task (the last may have fewer)."""
        return self._chunk_size

    def _head(self) -> list[str]:
        where = (
            "in this process"
            if self._workers == 1 and self._engine == "local"
            else (
                f"{self._workers} "
                f"{'processes' if self._engine == 'local' else 'Dask worker threads'}"
            )
        )
        return [
            f"{self.n_series} series by {', '.join(self._by)}: {len(self._results)} result rows, "
            f"{len(self._errors)} series with errors",
            f"engine: {self._engine} ({where}); {self._n_tasks} task(s) of up to "
            f"{self._chunk_size} series",
        ]

    def summary(self) -> str:
        """Plain-text summary: counts, the engine, and the first errors."""
        lines = self._head()
        if len(self._errors):
            lines.append("errors (first 5):")
            for row in self._errors.head(5).itertuples(index=False):
                key = ", ".join(str(v) for v in row[: len(self._by)])
                lines.append(f"  {key}: {row[-2]}: {row[-1]}")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The results table."""
        return self.results

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary: both tables as records and the run's settings."""
        return {
            "by": list(self._by),
            "n_series": self.n_series,
            "engine": self._engine,
            "workers": self._workers,
            "n_tasks": self._n_tasks,
            "chunk_size": self._chunk_size,
            "results": records(self._results),
            "errors": records(self._errors),
        }

    def plot(self, ax: Any = None) -> Any:
        """Bar chart: how many result rows each series gave (errors in red)."""
        ax = get_ax(ax)
        counts = (
            self._results.groupby(list(self._by), sort=True).size()
            if len(self._results)
            else pd.Series(dtype=int)
        )
        labels = [k if len(k) > 1 else k[0] for k in self._keys]
        sizes = [int(counts.get(lab, 0)) for lab in labels]
        failed = {tuple(r) for r in self._errors[list(self._by)].itertuples(index=False)}
        colors = ["C3" if k in failed else "C0" for k in self._keys]
        ax.bar(range(len(labels)), sizes, color=colors)
        ax.set_xlabel("series (red: error)")
        ax.set_ylabel("result rows")
        ax.set_title(f"{self.n_series} series, {len(self._errors)} with errors")
        return ax
