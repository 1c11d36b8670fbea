"""Result objects of :func:`detect_changepoints` and :func:`changepoint_path`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis._results import Result, get_ax

if TYPE_CHECKING:
    from collections.abc import Callable


def _jsonable(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.bool_):
        return bool(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    # Period, Timedelta, datetime.date and other index labels: their text
    return str(value)


def _plot_x(value: Any) -> Any:
    """Index labels as matplotlib can place them: periods as their start, durations in days."""
    if isinstance(value, pd.PeriodIndex):
        return value.to_timestamp()
    if isinstance(value, pd.TimedeltaIndex):
        return value.total_seconds().to_numpy() / 86400.0
    if isinstance(value, pd.Period):
        return value.to_timestamp()
    if isinstance(value, pd.Timedelta):
        return value.total_seconds() / 86400.0
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): _jsonable(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
    ]


def _label(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    return str(value)


@dataclass(frozen=True)
class _Fit:
    data: pd.Series
    indices: np.ndarray
    segments: pd.DataFrame
    intervals: pd.DataFrame
    cost: float
    penalty: float
    penalty_name: str
    cost_name: str
    cost_detail: str
    method: str
    reason: str
    n_missing: int
    level: float
    min_size: int


class ChangepointResult(Result):
    """Change points of one series, their segments and location intervals.

    Attributes are read-only: ``changepoints`` (index labels where each new
    segment starts), ``indices`` (their 0-based positions in the input),
    ``segments`` (one row per segment: ``start, end, n`` and ``rate`` for
    counts or ``mean`` (and ``sd``) otherwise, with ``ci_low, ci_high``),
    ``intervals`` (location interval of each change: ``low, high`` labels
    and positions), ``cost`` (``-2 log L`` of the segmentation, without the
    penalty), ``penalty`` (per change, same units), ``cost_name``, ``method``,
    ``reason`` (why the cost was chosen), ``n_missing``.
    """

    def __init__(self, fit: _Fit):
        self._fit = fit

    # read-only attributes
    @property
    def changepoints(self) -> pd.Index:
        """Index labels of the first observation of each new segment."""
        return self._fit.data.index[self._fit.indices]

    @property
    def indices(self) -> np.ndarray:
        """0-based positions (in the input, missing values included) of the changes."""
        return self._fit.indices.copy()

    @property
    def n_changes(self) -> int:
        """Number of change points."""
        return int(self._fit.indices.size)

    @property
    def segments(self) -> pd.DataFrame:
        """One row per segment with its level and ``level`` confidence interval."""
        return self._fit.segments.copy()

    @property
    def intervals(self) -> pd.DataFrame:
        """Location interval of each change (first and last plausible start of the new segment)."""
        return self._fit.intervals.copy()

    @property
    def cost(self) -> float:
        """``-2 log-likelihood`` of the segmentation (penalty not included)."""
        return self._fit.cost

    @property
    def penalty(self) -> float:
        """Penalty per change, in ``-2 log-likelihood`` units."""
        return self._fit.penalty

    @property
    def penalty_name(self) -> str:
        """Name of the penalty rule (or ``"value"``)."""
        return self._fit.penalty_name

    @property
    def cost_name(self) -> str:
        """``poisson``, ``negbin``, ``normal`` or ``normal_meanvar``."""
        return self._fit.cost_name

    @property
    def method(self) -> str:
        """Search method used."""
        return self._fit.method

    @property
    def reason(self) -> str:
        """Why this cost (and method) was chosen."""
        return self._fit.reason

    @property
    def n_missing(self) -> int:
        """Number of missing values (NaN) in the input, skipped by the search."""
        return self._fit.n_missing

    @property
    def level(self) -> float:
        """Confidence level of the intervals."""
        return self._fit.level

    @property
    def data(self) -> pd.Series:
        """The input series (a copy)."""
        return self._fit.data.copy()

    # outputs
    def summary(self) -> str:
        """Plain-text summary."""
        f = self._fit
        n = int(f.data.notna().sum())
        lines = [
            f"Change points: {self.n_changes} in {n} observations"
            + (f" ({f.n_missing} missing, skipped)" if f.n_missing else ""),
            f"cost: {f.cost_detail}; method: {f.method}; "
            f"penalty: {f.penalty_name} = {f.penalty:.4g} per change",
            f"why: {f.reason}",
        ]
        iv = f.intervals
        for i in range(self.n_changes):
            lines.append(
                f"  change at {_label(self.changepoints[i])} "
                f"({f.level:.0%} location interval {_label(iv['low'].iloc[i])} "
                f"to {_label(iv['high'].iloc[i])})"
            )
        col = "rate" if "rate" in f.segments else "mean"
        lines.append(f"segments ({col} with {f.level:.0%} CI):")
        seg = f.segments
        for i in range(len(seg)):
            lines.append(
                f"  {_label(seg['start'].iloc[i])} to {_label(seg['end'].iloc[i])} "
                f"(n={int(seg['n'].iloc[i])}): {seg[col].iloc[i]:.4g} "
                f"({seg['ci_low'].iloc[i]:.4g}-{seg['ci_high'].iloc[i]:.4g})"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary of every statistic."""
        f = self._fit
        return {
            "changepoints": [_jsonable(v) for v in self.changepoints],
            "indices": [int(i) for i in f.indices],
            "intervals": _records(f.intervals),
            "segments": _records(f.segments),
            "cost": f.cost,
            "cost_name": f.cost_name,
            "cost_detail": f.cost_detail,
            "penalty": f.penalty,
            "penalty_name": f.penalty_name,
            "method": f.method,
            "reason": f.reason,
            "n": int(f.data.notna().sum()),
            "n_missing": f.n_missing,
            "level": f.level,
        }

    def to_frame(self) -> pd.DataFrame:
        """The segments table."""
        return self.segments

    def plot(self, ax: Any = None) -> Any:
        """Data, segment levels with CI bands, changes with shaded location intervals."""
        ax = get_ax(ax)
        f = self._fit
        x = _plot_x(f.data.index)
        ax.plot(x, f.data.to_numpy(), color="0.55", lw=0.8, label="data")
        col = "rate" if "rate" in f.segments else "mean"
        seg = f.segments
        for i in range(len(seg)):
            # draw each level up to where the next segment starts (a step plot)
            stop = seg["start"].iloc[i + 1] if i + 1 < len(seg) else seg["end"].iloc[i]
            xs = [_plot_x(seg["start"].iloc[i]), _plot_x(stop)]
            ax.plot(xs, [seg[col].iloc[i]] * 2, color="C0", lw=2, label=col if i == 0 else None)
            ax.fill_between(
                xs, seg["ci_low"].iloc[i], seg["ci_high"].iloc[i], color="C0", alpha=0.25, lw=0
            )
        for i in range(self.n_changes):
            ax.axvline(_plot_x(self.changepoints[i]), color="C3", lw=1, ls="--")
            ax.axvspan(
                _plot_x(f.intervals["low"].iloc[i]),
                _plot_x(f.intervals["high"].iloc[i]),
                color="C3",
                alpha=0.15,
            )
        ax.set_title(f"{self.n_changes} change point(s), {f.cost_name} cost")
        ax.legend(loc="best", fontsize="small")
        return ax


class ChangepointPath(Result):
    """Every optimal segmentation over a range of penalties (CROPS).

    ``to_frame()`` has one row per distinct segmentation: ``n_changes``,
    ``cost`` (``-2 log L``), ``penalty_low`` and ``penalty_high`` (the range of
    penalties per change for which it is optimal) and ``changepoints``.
    ``segmentation(penalty)`` returns the full :class:`ChangepointResult`.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        penalties: tuple[float, float],
        cost_name: str,
        method: str,
        refit: Callable[[float], ChangepointResult],
        complete: bool = True,
    ):
        self._complete = complete
        self._frame = frame
        self._penalties = penalties
        self._cost_name = cost_name
        self._method = method
        self._refit = refit

    @property
    def penalties(self) -> tuple[float, float]:
        """The penalty range searched."""
        return self._penalties

    @property
    def n_changes(self) -> np.ndarray:
        """Numbers of changes of the segmentations, largest first."""
        return self._frame["n_changes"].to_numpy()

    @property
    def cost_name(self) -> str:
        """Cost used."""
        return self._cost_name

    @property
    def complete(self) -> bool:
        """False when the search stopped at ``max_segmentations``."""
        return self._complete

    def to_frame(self) -> pd.DataFrame:
        """One row per segmentation."""
        return self._frame.copy()

    def segmentation(self, penalty: float) -> ChangepointResult:
        """The optimal segmentation (with segments and intervals) at ``penalty``."""
        return self._refit(float(penalty))

    def summary(self) -> str:
        """Plain-text table."""
        lines = [
            f"Penalty path ({self._cost_name} cost, {self._method}): "
            f"{len(self._frame)} segmentations for penalties "
            f"{self._penalties[0]:.4g} to {self._penalties[1]:.4g}",
            "  changes        cost   penalty range",
        ]
        if not self._complete:
            lines.insert(1, "  INCOMPLETE: stopped at max_segmentations; narrow the penalty range")
        for _, r in self._frame.iterrows():
            lines.append(
                f"  {int(r['n_changes']):7d} {r['cost']:11.2f}   "
                f"{r['penalty_low']:.4g} to {r['penalty_high']:.4g}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary."""
        fr = self._frame.copy()
        fr["changepoints"] = [[_jsonable(v) for v in c] for c in fr["changepoints"]]
        return {
            "cost_name": self._cost_name,
            "method": self._method,
            "penalties": list(self._penalties),
            "complete": self._complete,
            "path": _records(fr),
        }

    def plot(self, ax: Any = None) -> Any:
        """Cost against number of changes, each point labelled with its penalty range."""
        ax = get_ax(ax)
        fr = self._frame
        ax.plot(fr["n_changes"], fr["cost"], "o-", color="C0")
        for _, r in fr.iterrows():
            ax.annotate(
                f"{r['penalty_low']:.3g}-{r['penalty_high']:.3g}",
                (r["n_changes"], r["cost"]),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize="x-small",
            )
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("number of changes")
        ax.set_ylabel("-2 log-likelihood")
        ax.set_title("Penalty path (labels: penalty range per change)")
        return ax
