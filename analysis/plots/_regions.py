"""Change points and a trend model for each of several count series (one per region).

:func:`fit_regions` runs :func:`analysis.detect_changepoints` and
:func:`analysis.fit_trend` (with the change points as level shifts) on each
column of a table of daily counts and returns one result with a table, a text
summary and a figure with known events marked. It sits in the plots layer
because it combines the change-point and trend siblings, which never import
each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis._draw import (
    OKABE_ITO,
    add_source_line,
    concise_dates,
    finish_figure,
    require_matplotlib,
)
from analysis._format import format_interval
from analysis._progress import progress_bar
from analysis._results import Result

__all__ = ["RegionFits", "fit_regions"]


def _day(ts: Any) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def _segment_rates(seg: pd.DataFrame, col: str) -> str:
    """``"2.31 (2.10-2.53) -> 4.02 (3.71-4.35)"``: each segment's rate with its interval."""
    values = seg[col].to_numpy(dtype=float)
    if "ci_low" not in seg:
        return " -> ".join(f"{v:.2f}" for v in values)
    low, high = seg["ci_low"].to_numpy(dtype=float), seg["ci_high"].to_numpy(dtype=float)
    return " -> ".join(
        format_interval(v, lo, hi, digits=2) for v, lo, hi in zip(values, low, high, strict=True)
    )


@dataclass(frozen=True, repr=False)
class RegionFits(Result):
    """Change points and trend fits per series (see :func:`fit_regions`).

    Attributes
    ----------
    changepoints : dict
        Series name -> :class:`~analysis.changepoints.ChangepointResult`
        (on the complete days: the provisional tail before the vintage is left out).
    trends : dict
        Series name -> trend result of :func:`analysis.fit_trend`.
    unit : str
        What is counted ("incidents").
    complete_end : pandas.Timestamp or None
        Last day the change points use (None: every day).
    """

    changepoints: dict[str, Any]
    trends: dict[str, Any]
    unit: str
    complete_end: pd.Timestamp | None
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per series: days, total, changes (all dates), segment rates, trend slope."""
        rows = []
        for name, cp in self.changepoints.items():
            seg = cp.segments
            col = "rate" if "rate" in seg else "mean"
            trend = self.trends.get(name)
            rows.append(
                {
                    "series": name,
                    "days": len(cp.data),
                    self.unit: int(cp.data.sum()),
                    "changes": int(cp.n_changes),
                    "change_dates": ", ".join(_day(c) for c in cp.changepoints) or "none",
                    f"{self.unit}_per_day_by_segment": _segment_rates(seg, col),
                    "trend_within_segments": trend.slope_text if trend is not None else None,
                }
            )
        columns = [
            "series",
            "days",
            self.unit,
            "changes",
            "change_dates",
            f"{self.unit}_per_day_by_segment",
            "trend_within_segments",
        ]
        return pd.DataFrame(rows, columns=columns).set_index("series")

    def summary(self) -> str:
        """Per series: the change dates in full, the segment rates and the trend."""
        lines = []
        for name, row in self.to_frame().iterrows():
            lines.append(
                f"{name}: {row[self.unit]:,} {self.unit} in {row['days']} days; "
                f"{row['changes']} change(s): {row['change_dates']}; "
                f"{self.unit} per day by segment {row[f'{self.unit}_per_day_by_segment']}; "
                f"trend within segments {row['trend_within_segments']}"
            )
        levels = sorted({float(cp.level) for cp in self.changepoints.values()})
        if levels:
            lines.append(
                f"Segment rates are shown with their {', '.join(f'{v:.0%}' for v in levels)} "
                "intervals, conditional on the detected change dates (see each series' "
                "change-point summary for what that means)."
            )
        lines.extend(self.notes)
        if self.complete_end is not None:
            lines.append(
                f"Change points use the complete days to {_day(self.complete_end)} "
                "(the provisional days before the data vintage are left out)."
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The table as records, with the unit."""
        frame = self.to_frame().reset_index()
        return {"unit": self.unit, "series": frame.to_dict(orient="records")}

    def plot(
        self,
        ax: Any = None,
        *,
        events: pd.DataFrame | None = None,
        title: str | None = None,
        source: str | None = None,
    ) -> Any:
        """One panel per series: counts, segment rates, change dates, fitted trend, events.

        Parameters
        ----------
        ax : ignored
            Multi-panel: a new Figure is always drawn (kept for the common signature).
        events : pandas.DataFrame, optional
            Known events to mark (:func:`analysis.load_known_events`).
        title, source : str, optional
            Figure title and source line.

        Returns
        -------
        matplotlib.figure.Figure
        """
        plt = require_matplotlib()
        from analysis.plots._alerts import mark_events

        names = list(self.changepoints)
        if not names:
            fig, empty = plt.subplots(figsize=(8, 1.5))
            empty.axis("off")
            empty.text(
                0.5,
                0.5,
                "no series long enough to fit: " + " ".join(self.notes),
                ha="center",
                va="center",
                wrap=True,
            )
            empty.set_title(title or "No change points or trends", loc="left")
            if source:
                add_source_line(fig, source)
            return fig
        fig, axes = plt.subplots(
            len(names), 1, figsize=(10, 2.4 * len(names) + 0.8), sharex=True, squeeze=False
        )
        for ax_i, name in zip(axes[:, 0], names, strict=True):
            cp = self.changepoints[name]
            data = cp.data
            x = data.index.tz_localize(None) if getattr(data.index, "tz", None) else data.index
            edges = pd.DatetimeIndex(x).append(pd.DatetimeIndex([x[-1] + pd.Timedelta(days=1)]))
            ax_i.stairs(
                data.to_numpy(dtype=float),
                edges,
                fill=True,
                color="0.75",
                label=f"{self.unit} per day",
            )
            trend = self.trends.get(name)
            if trend is not None:
                fitted = trend.fitted
                fx = fitted.index.tz_localize(None) if fitted.index.tz is not None else fitted.index
                ax_i.plot(fx, fitted["rate"], color=OKABE_ITO[0], lw=1.2, label="trend model")
            seg = cp.segments
            col = "rate" if "rate" in seg else "mean"
            r: Any
            for k, r in enumerate(seg.itertuples()):
                a = pd.Timestamp(r.start).tz_localize(None)
                b = pd.Timestamp(r.end).tz_localize(None) + pd.Timedelta(days=1)
                ax_i.hlines(
                    getattr(r, col),
                    a,
                    b,
                    color=OKABE_ITO[1],
                    lw=2,
                    label="segment rate" if k == 0 else None,
                )
            for k, c in enumerate(cp.changepoints):
                ax_i.axvline(
                    pd.Timestamp(c).tz_localize(None),
                    color=OKABE_ITO[1],
                    lw=1,
                    ls="--",
                    label="change point" if k == 0 else None,
                )
            ax_i.set_ylabel(f"{self.unit} per day")
            dates = ", ".join(_day(c) for c in cp.changepoints)
            heading = f"{name}: changes {dates}" if dates else f"{name}: no change found"
            ax_i.set_title(heading, loc="left", fontsize="medium")
            concise_dates(ax_i)
        first = min(
            pd.Timestamp(c.data.index[0]).tz_localize(None) for c in self.changepoints.values()
        )
        last = max(pd.Timestamp(t.counts.index[-1]).tz_localize(None) for t in self.trends.values())
        for ax_i in axes[:, 0]:
            ax_i.set_xlim(first - pd.Timedelta(days=1), last + pd.Timedelta(days=1))
            if events is not None:
                mark_events(ax_i, events, labels=True)
        axes[0, 0].legend(loc="upper left", fontsize="x-small", ncol=4)
        axes[-1, 0].set_xlabel("local day (Israel)")
        return finish_figure(
            fig,
            title or f"{self.unit.capitalize()} per day: change points and trend by series",
            source,
        )


def fit_regions(
    counts: pd.DataFrame,
    *,
    unit: str = "incidents",
    weekly: bool = True,
    vintage: Any = None,
    provisional: str = "3D",
    level: float = 0.95,
    min_days: int = 28,
    progress: bool = False,
) -> RegionFits:
    """Detect change points and fit a trend model in each column of a table of daily counts.

    Parameters
    ----------
    counts : pandas.DataFrame
        Zero-filled daily counts, one column per series (region), a
        ``DatetimeIndex`` (e.g. the ``incidents`` of
        :func:`analysis.daily_incident_sizes` by region).
    unit : str, default "incidents"
        What is counted, for the labels.
    weekly : bool, default True
        Day-of-week effects in the trend model.
    vintage : date, optional
        The day the data were drawn: the last ``provisional`` days up to it
        are left out of the change points and of the trend fit
        (see :func:`analysis.fit_trend`).
    provisional : str, default "3D"
        Length of the provisional tail.
    level : float, default 0.95
        Confidence level of the intervals.
    min_days : int, default 28
        Series with fewer complete days are not fitted (said in ``notes``).
    progress : bool, default False
        Show a progress bar over the series (it appears after two seconds).

    Returns
    -------
    RegionFits

    Raises
    ------
    TypeError, ValueError
        When ``counts`` is not a DataFrame of counts with columns.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> idx = pd.date_range("2024-01-01", periods=120)
    >>> y = np.r_[rng.poisson(2, 60), rng.poisson(8, 60)]  # SIMULATED
    >>> c = pd.DataFrame({"A": y}, index=idx)
    >>> fits = fit_regions(c)
    >>> fits.to_frame()["changes"].item()
    1
    """
    import analysis as it

    if not isinstance(counts, pd.DataFrame) or counts.shape[1] == 0:
        raise TypeError("counts must be a DataFrame with one column of daily counts per series")
    complete_end = None
    data = counts
    if vintage is not None:
        complete_end = pd.Timestamp(vintage).normalize() - pd.Timedelta(provisional)
        index = pd.DatetimeIndex(counts.index)
        idx = index.tz_localize(None) if index.tz is not None else index
        data = counts[idx <= complete_end]
    from analysis.errors import IncidentTrendsError

    cps: dict[str, Any] = {}
    trends: dict[str, Any] = {}
    notes: list[str] = []
    with progress_bar(counts.shape[1], enabled=progress, desc="series", unit="series") as bar:
        for name in counts.columns:
            bar.update(1)
            series = data[name].rename(f"{name} {unit}")
            if len(series) < min_days:
                notes.append(
                    f"{name}: only {len(series)} complete days, fewer than {min_days}: "
                    "no change points or trend fitted."
                )
                continue
            cps[str(name)] = it.detect_changepoints(series, level=level)
            try:
                trends[str(name)] = it.fit_trend(
                    counts[name].rename(f"{name} {unit}"),
                    family="auto",
                    weekly=weekly,
                    breaks=cps[str(name)],
                    vintage=vintage,
                    provisional=provisional,
                    level=level,
                )
            except (IncidentTrendsError, ValueError) as exc:  # said, not hidden
                notes.append(f"{name}: no trend model ({exc})")
    return RegionFits(cps, trends, unit, complete_end, tuple(notes))
