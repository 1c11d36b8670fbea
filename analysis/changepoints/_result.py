"""Result objects of :func:`detect_changepoints` and :func:`changepoint_path`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis._draw import get_ax, plot_x
from analysis._format import date_label, jsonable, records
from analysis._results import Result

if TYPE_CHECKING:
    from collections.abc import Callable


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
    #: likelihood-ratio statistic of each change given its neighbours, and the
    #: penalty, both over the cost's quasi-likelihood scale
    strength: np.ndarray | None = None
    scaled_penalty: float = float("nan")


#: a change whose statistic is below this multiple of the penalty is "near the threshold"
WEAK_MULTIPLE = 2.0

#: what the validation study measured about selection (SIMULATED Poisson series,
#: 365 days at 3 a day, one x1.5 change, 300 series per cell, s.e. in brackets),
#: for the costs whose intervals treat the segmentation as known
SELECTION_NOTE = (
    "Segment rates and their intervals are conditional on the detected segmentation, "
    "which was chosen from the same data: for a change near the detection threshold the "
    "rates either side are pulled apart (selection bias) and their intervals cover less "
    "than stated. Measured on simulated Poisson series of 365 days at 3 a day with one "
    "x1.5 change: mean estimated ratio 1.52 (0.01) mid-series but 1.64-1.72 (0.02) for a "
    "change 30 days from an end, where the 95% rate intervals cover 0.90-0.92 (0.014); "
    "changes of x2 or more: ratio within 0.04 of the truth, coverage 0.93-0.97."
)

#: the same for the Poisson costs, whose intervals and adjusted ratios allow for it
SELECTION_ADJUSTED_NOTE = (
    "Segment rates and their intervals are conditional on the detected segmentation, "
    "which was chosen from the same data. The rate intervals allow for that choice: each "
    "is conditional on its neighbours' totals and on every adjacent change having passed "
    "the penalty (a truncated Poisson law, see analysis.changepoints._selective), not on "
    "the choice of the location. The rates shown are the plain segment means, which a "
    "change near the threshold pulls apart; the selection-adjusted ratio (intervals "
    "column 'ratio_adjusted') is the jump of the conditional maximum-likelihood rates. "
    "Both kinds of interval also allow for the uncertainty of the estimated design effect "
    "(analysis.changepoints.intervals: the larger of two estimates, spread by a bootstrap "
    "of the estimator). Measured on simulated Poisson series of 365 days at 3 a day with "
    "one x1.5 change 30 days from an end: plain ratio 1.64-1.72 (0.02), adjusted 1.46 "
    "(0.02-0.03); the rate intervals cover 0.97-0.98 (0.007-0.009) of the mean true rate "
    "over each estimated segment, the location intervals 0.96-0.97 (0.013-0.017). Under "
    "strong autocorrelation (a latent AR(1) log-rate, phi 0.8, 3 a day) the rate "
    "intervals cover 0.96-0.97 (0.007-0.011) and the location intervals 0.94-0.98 "
    "(0.009-0.018), but 0.91 (0.034, 68 series) for a x1.5 change 30 days from the end; "
    "they are wide there (a mean of 114 days for a x1.5 change mid-series, 162 near the "
    "end): a year of days says little about so persistent a dependence."
)


class ChangepointResult(Result):
    """Change points of one series, their segments and location intervals.

    Attributes are read-only: ``changepoints`` (index labels where each new
    segment starts), ``indices`` (their 0-based positions in the input),
    ``segments`` (one row per segment: ``start, end, n`` and ``rate`` for
    counts or ``mean`` (and ``sd``) otherwise, with ``ci_low, ci_high``, the
    ``level`` confidence interval of that level, which for the Poisson costs
    allows for the selection of the adjacent changes, see
    :attr:`selection_adjusted`; a user's own cost gives the segment mean and
    no interval), ``intervals`` (the location interval of each change:
    ``changepoint``, ``low`` and ``high``, the first and last plausible first
    observation of the new segment, and the same as positions ``index``,
    ``index_low``, ``index_high``; ``ratio``, the rate after over the rate
    before, and ``ratio_adjusted``, the same for the selection-adjusted rates,
    NaN where not computed; a profile-likelihood
    interval for the location, see :mod:`analysis.changepoints.intervals`,
    not a confidence interval, hence not named ``ci_*``), ``cost`` (the
    cost's ``-2 log L`` of the segmentation, without the penalty; for a
    user's cost the sum of its segment errors), ``penalty`` (per change, same
    units), ``cost_name``, ``method``, ``reason`` (why the cost was chosen),
    ``n_missing``.
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
        """Location interval of each change: first and last plausible start of the new segment.

        A profile-likelihood interval (not a confidence interval): ``low`` and
        ``high`` as labels, ``index_low`` and ``index_high`` as positions.
        """
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
    @property
    def weak(self) -> np.ndarray:
        """Boolean per change: selected near the detection threshold (see :meth:`summary`).

        True when the change's likelihood-ratio statistic given its neighbours
        is below twice the penalty (both over the cost's quasi-likelihood
        scale): the segments either side are then likely pulled apart by the
        selection, and their rate ratio overstated.
        """
        st = self._fit.strength
        if st is None:
            return np.zeros(self.n_changes, dtype=bool)
        return np.asarray(st < WEAK_MULTIPLE * self._fit.scaled_penalty)

    @property
    def selection_adjusted(self) -> bool:
        """True when the segment-rate intervals allow for the selection of the changes.

        The Poisson costs (plain and seasonal) with a penalty per change (not
        ``"mbic"``): see :mod:`analysis.changepoints._selective`. Otherwise the
        intervals treat the segmentation as known, and the summary says so.
        """
        iv = self._fit.intervals
        return bool(
            self.n_changes
            and "ratio_adjusted" in iv
            and np.isfinite(iv["ratio_adjusted"].to_numpy(dtype=float)).any()
        )

    def _selection_lines(self) -> list[str]:
        if not self.n_changes:
            return []
        adjusted = self.selection_adjusted
        lines = ["note: " + (SELECTION_ADJUSTED_NOTE if adjusted else SELECTION_NOTE)]
        weak = self.weak
        if weak.any():
            what = (
                "their plain jump sizes are upper-biased; read the selection-adjusted ratio"
                if adjusted
                else "read their jump sizes as upper-biased"
            )
            lines.append(
                f"  {int(weak.sum())} of {self.n_changes} change(s) near the threshold "
                f"(likelihood ratio below {WEAK_MULTIPLE:g} x the penalty): {what}"
            )
        return lines

    def _ratio_words(self, i: int) -> str:
        iv = self._fit.intervals
        if "ratio" not in iv:
            return ""
        plain, adj = float(iv["ratio"].iloc[i]), float(iv["ratio_adjusted"].iloc[i])
        if not (np.isfinite(plain) and np.isfinite(adj)):
            return ""
        return f"; rate ratio x{plain:.3g}, selection-adjusted x{adj:.3g}"

    def summary(self) -> str:
        """Plain-text summary.

        Changes selected near the detection threshold are marked, and a note
        says that the segment intervals are conditional on the segmentation,
        with the selection bias the validation study measured.
        """
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
        weak = self.weak
        for i in range(self.n_changes):
            lines.append(
                f"  change at {date_label(self.changepoints[i])} "
                f"({f.level:.0%} location interval {date_label(iv['low'].iloc[i])} "
                f"to {date_label(iv['high'].iloc[i])}{self._ratio_words(i)})"
                + (" [near the detection threshold]" if weak[i] else "")
            )
        col = "rate" if "rate" in f.segments else "mean"
        seg = f.segments
        if "slope" in seg:  # the piecewise-linear cost: lines, not levels
            lines.append(
                f"segments (intercept at the start; slope per period with {f.level:.0%} CI):"
            )
            for i in range(len(seg)):
                lines.append(
                    f"  {date_label(seg['start'].iloc[i])} to {date_label(seg['end'].iloc[i])} "
                    f"(n={int(seg['n'].iloc[i])}): {seg['intercept'].iloc[i]:.4g}, slope "
                    f"{seg['slope'].iloc[i]:.4g} ({seg['slope_ci_low'].iloc[i]:.4g} to "
                    f"{seg['slope_ci_high'].iloc[i]:.4g})"
                )
            return "\n".join(lines + self._selection_lines())
        has_ci = "ci_low" in seg
        lines.append(f"segments ({col} with {f.level:.0%} CI):" if has_ci else f"segments ({col}):")
        for i in range(len(seg)):
            ci = f" ({seg['ci_low'].iloc[i]:.4g}-{seg['ci_high'].iloc[i]:.4g})" if has_ci else ""
            lines.append(
                f"  {date_label(seg['start'].iloc[i])} to {date_label(seg['end'].iloc[i])} "
                f"(n={int(seg['n'].iloc[i])}): {seg[col].iloc[i]:.4g}{ci}"
            )
        return "\n".join(lines + self._selection_lines())

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary of every statistic."""
        f = self._fit
        return {
            "changepoints": [jsonable(v) for v in self.changepoints],
            "indices": [int(i) for i in f.indices],
            "intervals": records(f.intervals),
            "segments": records(f.segments),
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
            "weak": [bool(w) for w in self.weak],
            "conditional_on_segmentation": bool(self.n_changes),
            "selection_adjusted": self.selection_adjusted,
        }

    def to_frame(self) -> pd.DataFrame:
        """The segments table."""
        return self.segments

    def plot(self, ax: Any = None) -> Any:
        """Data, segment levels with CI bands, changes with shaded location intervals."""
        ax = get_ax(ax)
        f = self._fit
        x = plot_x(f.data.index)
        ax.plot(x, f.data.to_numpy(), color="0.55", lw=0.8, label="data")
        col = "rate" if "rate" in f.segments else "mean"
        seg = f.segments
        for i in range(len(seg)):
            # draw each level up to where the next segment starts (a step plot)
            stop = seg["start"].iloc[i + 1] if i + 1 < len(seg) else seg["end"].iloc[i]
            xs = [plot_x(seg["start"].iloc[i]), plot_x(stop)]
            if "slope" in seg:  # a line per segment, from its first to its last period
                ends = [seg["start"].iloc[i], seg["end"].iloc[i]]
                a, b = seg["intercept"].iloc[i], seg["slope"].iloc[i]
                ys = [a, a + b * (int(seg["n"].iloc[i]) - 1)]
                ax.plot(
                    [plot_x(v) for v in ends], ys, color="C0", lw=2, label=None if i else "line"
                )
                continue
            ax.plot(xs, [seg[col].iloc[i]] * 2, color="C0", lw=2, label=col if i == 0 else None)
            if "ci_low" in seg:
                ax.fill_between(
                    xs,
                    seg["ci_low"].iloc[i],
                    seg["ci_high"].iloc[i],
                    color="C0",
                    alpha=0.25,
                    lw=0,
                    label=None if i else f"{f.level:.0%} interval of the {col}",
                )
        for i in range(self.n_changes):
            ax.axvline(
                plot_x(self.changepoints[i]),
                color="C3",
                lw=1,
                ls="--",
                label=None if i else "change (first day of the new segment)",
            )
            ax.axvspan(
                plot_x(f.intervals["low"].iloc[i]),
                plot_x(f.intervals["high"].iloc[i]),
                color="C3",
                alpha=0.15,
                label=None if i else f"{f.level:.0%} location interval",
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
        fr["changepoints"] = [[jsonable(v) for v in c] for c in fr["changepoints"]]
        return {
            "cost_name": self._cost_name,
            "method": self._method,
            "penalties": list(self._penalties),
            "complete": self._complete,
            "path": records(fr),
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
