"""Read the tables of the validation study back, for reports and notebooks.

:func:`load_results` reads the ``validation.json`` written by
:func:`analysis.validation.run` (``make validate``) and returns a
:class:`ValidationResults`: a summary line, counts of cells by function and
status, and the cells that miss their target, each with its Monte Carlo
standard error. Nothing is recomputed: the numbers are those of the run that
wrote the file, and :meth:`ValidationResults.summary` says when and how big
that run was.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis._results import Result

__all__ = ["DEFAULT_RESULTS", "ValidationResults", "load_results"]

#: where ``make validate`` writes the study's tables
DEFAULT_RESULTS = Path(__file__).resolve().parents[2] / "reports" / "validation" / "validation.json"

#: the columns of :meth:`ValidationResults.to_frame`, in order
COLUMNS = (
    "function",
    "estimand",
    "process",
    "settings",
    "estimate",
    "mc_se",
    "n_used",
    "target",
    "status",
)


def _status_word(status: str) -> str:
    """'pass (within 2 s.e.)' -> 'pass'."""
    return str(status).split(" (")[0]


def _settings_text(settings: Any) -> str:
    if isinstance(settings, dict):
        return ", ".join(f"{k}={v}" for k, v in settings.items())
    return str(settings)


@dataclass(frozen=True)
class ValidationResults(Result):
    """The cells of one run of the validation study (simulated series).

    Attributes
    ----------
    meta : dict
        What the run was: ``size``, ``cells``, ``seconds``, ``version``,
        ``summary`` and, when recorded, ``written`` and ``commit``.
    cells : pandas.DataFrame
        One row per cell with :data:`COLUMNS` (``settings`` as text).
    path : Path
        The file it was read from.
    """

    meta: dict[str, Any]
    cells: pd.DataFrame
    path: Path

    def status_counts(self) -> dict[str, int]:
        """Number of cells per status word (pass, fail, n/a, ...)."""
        words = self.cells["status"].map(_status_word)
        return {str(k): int(v) for k, v in words.value_counts().items()}

    def summary(self) -> str:
        """One paragraph: which run, how many cells, how many meet their targets."""
        counts = self.status_counts()
        parts = ", ".join(f"{counts[k]} {k}" for k in sorted(counts))
        when = self.meta.get("written")
        made = f", written {when}" if when else ""
        commit = self.meta.get("commit")
        at = f" at commit {commit}" if commit else ""
        return (
            f"Validation study on SIMULATED series ({self.meta.get('size', '?')} size, "
            f"{len(self.cells)} cells, {self.meta.get('seconds', '?')} s, incident-trends "
            f"{self.meta.get('version', '?')}{at}{made}): {parts}. A cell 'within 2 s.e.' "
            f"cannot be settled by its Monte Carlo error. Read from {self.path}."
        )

    def by_function(self) -> pd.DataFrame:
        """Cells per function (rows) and status (columns)."""
        frame = self.cells.assign(result=self.cells["status"].map(_status_word))
        table = pd.crosstab(frame["function"], frame["result"])
        table.columns.name = None
        return table

    def failures(self) -> pd.DataFrame:
        """The cells that miss their target, with their estimate and Monte Carlo s.e."""
        words = self.cells["status"].map(_status_word)
        return self.cells[words == "fail"].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """Every cell, one row each (:data:`COLUMNS`)."""
        return self.cells.copy()

    def to_dict(self) -> dict[str, Any]:
        """The run's description and the counts by status."""
        return {"meta": dict(self.meta), "status": self.status_counts(), "path": str(self.path)}

    def plot(self, ax: Any = None) -> Any:
        """Horizontal bars: cells per function, split by status."""
        from analysis._draw import get_ax

        ax = get_ax(ax)
        table = self.by_function()
        left = pd.Series(0.0, index=table.index)
        for status in table.columns:
            ax.barh(table.index, table[status], left=left, label=status)
            left = left + table[status]
        ax.set_xlabel("cells")
        ax.legend(frameon=False)
        return ax

    def _repr_html_(self) -> str:
        """The summary and the counts by function; every string escaped."""
        table = self.by_function().to_html(escape=True)
        return f"<p>{html.escape(self.summary())}</p>{table}"


def load_results(path: str | Path | None = None) -> ValidationResults:
    """Read the tables of the last validation run (``make validate``).

    Parameters
    ----------
    path : str or Path, optional
        A ``validation.json`` written by :func:`analysis.validation.run`;
        by default ``reports/validation/validation.json`` of the project.

    Returns
    -------
    ValidationResults

    Raises
    ------
    FileNotFoundError
        When there is no such file (run ``make validate``).
    ValueError
        When the file is not a table written by the study; the message names it.

    Examples
    --------
    >>> import tempfile, json, pathlib
    >>> cells = [{"function": "estimate_rate", "estimand": "coverage", "process": "poisson",
    ...           "settings": {"window": 7}, "estimate": 0.95, "mc_se": 0.01, "n_used": 400,
    ...           "target": "0.93-0.97", "status": "pass"}]
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "v.json").write_text(json.dumps({"meta": {"size": "small"}, "cells": cells}))
    >>> load_results(folder / "v.json").status_counts()
    {'pass': 1}
    """
    file = Path(path) if path is not None else DEFAULT_RESULTS
    if not file.is_file():
        raise FileNotFoundError(f"no validation results at {file}: run `make validate`")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"{file}: not a JSON file written by the validation study ({exc})"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError(f"{file}: expected an object with 'meta' and a list of 'cells'")
    rows = []
    for i, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict):
            raise ValueError(f"{file}: cell {i} is not an object")
        missing = [c for c in ("function", "estimand", "status") if c not in cell]
        if missing:
            raise ValueError(f"{file}: cell {i} lacks {', '.join(missing)}")
        row = {c: cell.get(c) for c in COLUMNS}
        row["settings"] = _settings_text(cell.get("settings", ""))
        rows.append(row)
    cells = pd.DataFrame(rows, columns=list(COLUMNS))
    meta = data.get("meta")
    return ValidationResults(
        meta=dict(meta) if isinstance(meta, dict) else {}, cells=cells, path=file
    )
