"""detect_many and fit_many: change points and trend models of many series, and their heat-map.

Both map a pure per-series function (:func:`detect_one`, :func:`fit_one`)
with :func:`analysis.batch.run_many`; the same function serves a Spark
``applyInPandas`` (see the README, "Many series"). With ``value_col=None``
the rows are events and are counted per day by the package's own counting
(:func:`analysis.counts.count_incidents` with ``by``): every series is
zero-filled over one common window, from the first to the last event of the
whole table (or ``start``/``end``), so that a series without events in a
month has zeros there, not a gap.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from analysis._draw import concise_dates, get_ax
from analysis.batch._result import BatchResult
from analysis.batch._run import check_by, run_many
from analysis.errors import DataError, Problem

__all__ = [
    "ManyResult",
    "detect_many",
    "detect_one",
    "draw_heatmap",
    "fit_many",
    "fit_one",
    "series_of",
]

#: the value column of the long table made from counted events
COUNT_COL = "count"
#: the time column of that table
DATE_COL = "date"

#: columns of detect_one's rows
DETECT_COLUMNS = (
    "changepoint",
    "low",
    "high",
    "before",
    "after",
    "ratio",
    "ratio_adjusted",
    "weak",
    "cost",
)


def series_of(group: pd.DataFrame, time_col: str, value_col: str) -> pd.Series:
    """One series' daily values from its rows, on a daily DatetimeIndex.

    Rows may come in any order. Missing days are NaN for float values
    (skipped by the change-point search) and an error for whole numbers
    (counts need a value, 0 included, for every day).

    Examples
    --------
    >>> g = pd.DataFrame({"day": ["2024-01-02", "2024-01-01"], "n": [3, 1]})
    >>> series_of(g, "day", "n").tolist()
    [1, 3]
    """
    if time_col not in group or value_col not in group:
        raise ValueError(f"the rows need the columns {time_col!r} and {value_col!r}")
    t = pd.DatetimeIndex(pd.to_datetime(group[time_col]))
    s = pd.Series(group[value_col].to_numpy(), index=t, name=value_col).sort_index()
    idx = pd.DatetimeIndex(s.index)
    if idx.has_duplicates:
        raise ValueError(f"more than one row for a day in {time_col!r}")
    if (idx != idx.normalize()).any():
        raise ValueError(f"{time_col!r} has times of day: give one row per day")
    full = pd.date_range(idx[0], idx[-1], freq="D", tz=idx.tz) if len(idx) else idx
    if len(full) != len(s):
        if pd.api.types.is_float_dtype(s.dtype):
            return s.reindex(full).asfreq("D")
        raise ValueError(
            f"{len(full) - len(s)} day(s) missing between {s.index[0].date()} and "
            f"{s.index[-1].date()}: counts need a row for every day (0 for none)"
        )
    return s.asfreq("D")


def detect_one(
    group: pd.DataFrame, *, time_col: str = DATE_COL, value_col: str = COUNT_COL, **kwargs: Any
) -> pd.DataFrame:
    """Change points of one series from its rows: one row per change (none without a change).

    The per-series function of :func:`detect_many` (and of a Spark
    ``applyInPandas``): :func:`analysis.detect_changepoints` with ``kwargs``
    on :func:`series_of` the rows.

    Returns
    -------
    pandas.DataFrame
        ``changepoint`` (first day of the new segment), ``low``, ``high`` (its
        location interval), ``before``, ``after`` (the segment rates per day for
        counts, means for measurements), ``ratio`` and ``ratio_adjusted``
        (after over before, plain and selection-adjusted; NaN where not
        computed), ``weak`` (near the detection threshold), ``cost``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)  # SIMULATED counts
    >>> g = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=300),
    ...                   "count": np.r_[rng.poisson(2, 150), rng.poisson(6, 150)]})
    >>> detect_one(g)[["changepoint", "cost"]].to_dict("records")
    [{'changepoint': Timestamp('2024-05-30 00:00:00'), 'cost': 'poisson'}]
    """
    from analysis.changepoints import detect_changepoints

    res = detect_changepoints(series_of(group, time_col, value_col), **kwargs)
    seg = res.segments
    col = "rate" if "rate" in seg else "mean"
    iv = res.intervals
    k = res.n_changes
    level = seg[col].to_numpy(dtype=float) if col in seg else np.full(k + 1, np.nan)
    return pd.DataFrame(
        {
            "changepoint": pd.DatetimeIndex(res.changepoints),
            "low": pd.DatetimeIndex(iv["low"]),
            "high": pd.DatetimeIndex(iv["high"]),
            "before": level[:-1],
            "after": level[1:],
            "ratio": iv["ratio"].to_numpy(dtype=float) if "ratio" in iv else np.full(k, np.nan),
            "ratio_adjusted": (
                iv["ratio_adjusted"].to_numpy(dtype=float)
                if "ratio_adjusted" in iv
                else np.full(k, np.nan)
            ),
            "weak": res.weak.astype(bool),
            "cost": [res.cost_name] * k,
        },
        columns=list(DETECT_COLUMNS),
    )


def fit_one(
    group: pd.DataFrame, *, time_col: str = DATE_COL, value_col: str = COUNT_COL, **kwargs: Any
) -> pd.DataFrame:
    """Coefficients of one series' trend model from its rows: one row per term.

    The per-series function of :func:`fit_many`: :func:`analysis.fit_trend`
    with ``kwargs``; its ``params`` (``term, estimate, se, ci_low, ci_high,
    p_value, rr, rr_low, rr_high``) and the ``family`` chosen.

    Examples
    --------
    >>> rng = np.random.default_rng(2)  # SIMULATED counts
    >>> g = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=120),
    ...                   "count": rng.poisson(4, 120)})
    >>> fit_one(g, weekly=False)["term"].tolist()
    ['intercept', 'trend']
    """
    from analysis.trend import fit_trend

    fit = fit_trend(series_of(group, time_col, value_col), **kwargs)
    params = fit.params.reset_index()
    params["family"] = fit.family
    return params


class ManyResult(BatchResult):
    """Change points (:func:`detect_many`) or trend coefficients (:func:`fit_many`) of many series.

    As :class:`BatchResult` (``results``, ``errors``, ...), with ``panel``:
    the daily values of every series (a column per series, in key order), and
    :meth:`plot`, a heat-map of their rates with the change points marked.
    """

    def __init__(self, base: BatchResult, table: pd.DataFrame, columns: tuple[str, str], what: str):
        super().__init__(
            results=base._results,
            errors=base._errors,
            by=base._by,
            keys=base._keys,
            engine=base._engine,
            workers=base._workers,
            n_tasks=base._n_tasks,
            chunk_size=base._chunk_size,
        )
        self._table = table
        self._columns = columns
        self._panel_cache: pd.DataFrame | None = None
        self._what = what

    @property
    def _panel(self) -> pd.DataFrame:
        # made on first use: a wide copy of 10,000 series is not paid for unless asked
        if self._panel_cache is None:
            self._panel_cache = _panel(self._table, list(self._by), *self._columns)
        return self._panel_cache

    @property
    def panel(self) -> pd.DataFrame:
        """Daily values: one column per series (labelled by key), one row per day (a copy)."""
        return self._panel.copy()

    def summary(self) -> str:
        """Plain-text summary: what was run, counts of rows and errors, the first errors."""
        lines = super().summary().splitlines()
        if self._what == "changepoints" and len(self._results):
            per = self._results.groupby(list(self._by), sort=False).size()
            lines.insert(
                1,
                f"change points: {len(self._results)} in {per.size} of {self.n_series} series "
                f"(at most {int(per.max())} in one)",
            )
        elif self._what == "changepoints":
            lines.insert(1, "change points: none in any series")
        else:
            lines.insert(1, f"trend coefficients of {self.n_series - len(self._errors)} series")
        return "\n".join(lines)

    def plot(self, ax: Any = None, *, window: int = 7, max_series: int = 2000) -> Any:
        """Heat-map of daily rates: a row per series, time across, change points marked.

        Colour: the centred ``window``-day rolling mean (per day) on a log
        scale (days with a mean of 0 are blank). Change points are white
        diamonds on their series' row. Only the first ``max_series`` series
        (in key order) are drawn; the title says so.
        """
        panel = self._panel.iloc[:, :max_series]
        marks: list[tuple[Any, int]] = []
        if self._what == "changepoints" and len(self._results):
            row = {col: i for i, col in enumerate(panel.columns)}
            res = self._results
            labels = [
                tuple(v) if len(self._by) > 1 else v[0]
                for v in res[list(self._by)].itertuples(index=False, name=None)
            ]
            marks = [
                (t, row[lab])
                for t, lab in zip(res["changepoint"], labels, strict=True)
                if lab in row
            ]
        ax = draw_heatmap(ax, panel, marks, window, "change point")
        shown = "" if self._panel.shape[1] <= max_series else f" (first {max_series} shown)"
        ax.set_title(f"{self._panel.shape[1]} series{shown}")
        return ax


def draw_heatmap(
    ax: Any, panel: pd.DataFrame, marks: list[tuple[Any, int]], window: int, label: str
) -> Any:
    """Rows = series, columns = days: the ``window``-day mean on a log colour scale, marks drawn.

    ``marks``: ``(date, row)`` pairs, drawn as white diamonds. Returns the Axes.
    """
    import matplotlib.dates as mdates
    from matplotlib.colors import LogNorm

    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be an integer >= 1, got {window!r}")
    values = panel.astype(float)
    ax = get_ax(ax, figsize=(10, max(3.0, min(12.0, 0.25 * values.shape[1] + 1.5))))
    rolled = values.rolling(window, center=True, min_periods=1).mean()
    z = np.ma.masked_invalid(np.ma.masked_less_equal(rolled.to_numpy().T, 0.0))
    x0, x1 = mdates.date2num(values.index[0]), mdates.date2num(values.index[-1])
    positive = z.compressed()
    vmin = float(positive.min()) if positive.size else 1e-3
    vmax = float(positive.max()) if positive.size else 1.0
    im = ax.imshow(
        z,
        aspect="auto",
        interpolation="nearest",
        origin="upper",
        extent=(x0 - 0.5, x1 + 0.5, values.shape[1] - 0.5, -0.5),
        norm=LogNorm(vmin=vmin, vmax=max(vmax, vmin * 1.0001)),
        cmap="viridis",
    )
    ax.figure.colorbar(im, ax=ax, label=f"{window}-day mean per day", pad=0.01)
    if marks:
        ax.scatter(
            mdates.date2num(pd.DatetimeIndex([t for t, _ in marks])),
            [r for _, r in marks],
            marker="D",
            s=18,
            facecolor="white",
            edgecolor="black",
            linewidth=0.6,
            label=label,
            zorder=3,
        )
        ax.legend(loc="upper right", fontsize="small")
    ax.xaxis_date()
    concise_dates(ax)
    if values.shape[1] <= 40:
        ax.set_yticks(range(values.shape[1]))
        ax.set_yticklabels([str(c) for c in values.columns], fontsize="small")
    ax.set_ylabel("series")
    return ax


def _long_table(
    frame: pd.DataFrame,
    keys: list[str],
    time_col: str,
    value_col: str | None,
    start: Any,
    end: Any,
) -> tuple[pd.DataFrame, str, str]:
    """A long table of daily values per series: counted events, or the given values checked."""
    if value_col is None:
        from analysis.counts import count_incidents

        counts = count_incidents(frame, by=keys, time_col=time_col, start=start, end=end)
        if isinstance(counts, pd.Series):  # pragma: no cover - by is given, so a frame
            counts = counts.to_frame()
        counts.columns.names = keys
        counts.index.name = DATE_COL
        long = counts.stack(list(range(len(keys))), future_stack=True)
        table = pd.Series(long, name=COUNT_COL).reset_index()[[*keys, DATE_COL, COUNT_COL]]
        return table, DATE_COL, COUNT_COL
    if value_col not in frame.columns:
        raise ValueError(f"value_col {value_col!r} is not a column of frame")
    if start is not None or end is not None:
        raise ValueError("start and end are for events (value_col=None); subset the table instead")
    dup = frame.duplicated([*keys, time_col], keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)[:20]
        problems = [
            Problem(
                "frame",
                int(i) + 2,
                time_col,
                str(frame[time_col].iloc[i]),
                "more than one row for this day in the series "
                + ", ".join(f"{k}={frame[k].iloc[i]!r}" for k in keys),
            )
            for i in rows
        ]
        raise DataError(
            problems,
            header=f"{int(dup.sum())} rows repeat a day of their series (value_col holds one value "
            "per day per series)",
        )
    return frame[[*keys, time_col, value_col]], time_col, value_col


def _panel(table: pd.DataFrame, keys: list[str], time_col: str, value_col: str) -> pd.DataFrame:
    """The long table as a wide panel (a column per series, in key order) for the heat-map."""
    t = pd.to_datetime(table[time_col])
    wide = (
        table.assign(**{time_col: t})
        .set_index([time_col, *keys])[value_col]
        .unstack(list(range(1, len(keys) + 1)))
    )
    wide = wide.sort_index(axis=1)
    if len(wide):
        wide = wide.asfreq("D")
    return wide


def _many(
    one: Any,
    what: str,
    frame: pd.DataFrame,
    by: str | list[str],
    time_col: str,
    value_col: str | None,
    engine: str,
    client: Any,
    n_jobs: int | None,
    progress: bool,
    chunk_size: int | None,
    start: Any,
    end: Any,
    kwargs: dict[str, Any],
) -> ManyResult:
    keys = check_by(frame, by, time_col)
    if time_col not in frame.columns:
        raise ValueError(f"time_col {time_col!r} is not a column of frame")
    table, tcol, vcol = _long_table(frame, keys, time_col, value_col, start, end)
    func = functools.partial(one, time_col=tcol, value_col=vcol, **kwargs)
    base = run_many(
        table,
        func,
        by=keys,
        time_col=tcol,
        engine=engine,
        client=client,
        n_jobs=n_jobs,
        progress=progress,
        chunk_size=chunk_size,
    )
    return ManyResult(base, table, (tcol, vcol), what)


def detect_many(
    frame: pd.DataFrame,
    *,
    by: str | list[str],
    time_col: str = "start",
    value_col: str | None = None,
    engine: str = "local",
    client: Any = None,
    n_jobs: int | None = None,
    progress: bool = False,
    chunk_size: int | None = None,
    start: Any = None,
    end: Any = None,
    **detect_kwargs: Any,
) -> ManyResult:
    """Change points of every series of a long table (:func:`analysis.detect_changepoints` each).

    Parameters
    ----------
    frame : pandas.DataFrame
        Events (one row each, ``value_col=None``) or daily values (one row per
        day per series, in ``value_col``).
    by : str or list of str
        The key column(s) naming a series.
    time_col : str, default "start"
        The time column.
    value_col : str, optional
        None: the rows are events, counted per day with
        :func:`analysis.counts.count_incidents` (``by``, ``time_col``,
        ``start``, ``end``), every series zero-filled over one common window
        (the first to the last event of the table, or ``start`` to ``end``).
        Otherwise the column of daily values: a repeated day within a series is
        an error naming the series; whole-number dtypes are counts (the
        default count cost), floats measurements.
    engine, client, n_jobs, progress, chunk_size
        As for :func:`analysis.batch.run_many`.
    start, end : str or Timestamp, optional
        The common counting window for events.
    **detect_kwargs
        Passed to :func:`analysis.detect_changepoints` for every series.

    Returns
    -------
    ManyResult
        ``results``: the keys, then one row per change point (see
        :func:`detect_one`); ``errors``; ``panel`` (the daily values);
        ``plot()``: a heat-map of the rates with the changes marked.

    Examples
    --------
    >>> rng = np.random.default_rng(3)  # SIMULATED events of two actors
    >>> days = pd.date_range("2024-01-01", periods=200)
    >>> n = np.r_[rng.poisson(1, 100), rng.poisson(5, 100)]
    >>> events = pd.DataFrame({"start": np.repeat(days, n), "actor": "a"})
    >>> events = pd.concat([events, pd.DataFrame({"start": days, "actor": "b"})])
    >>> res = detect_many(events, by="actor", n_jobs=1)
    >>> res.results[["actor", "changepoint"]].to_dict("records")
    [{'actor': 'a', 'changepoint': Timestamp('2024-04-10 00:00:00')}]
    """
    return _many(
        detect_one,
        "changepoints",
        frame,
        by,
        time_col,
        value_col,
        engine,
        client,
        n_jobs,
        progress,
        chunk_size,
        start,
        end,
        detect_kwargs,
    )


def fit_many(
    frame: pd.DataFrame,
    *,
    by: str | list[str],
    time_col: str = "start",
    value_col: str | None = None,
    engine: str = "local",
    client: Any = None,
    n_jobs: int | None = None,
    progress: bool = False,
    chunk_size: int | None = None,
    start: Any = None,
    end: Any = None,
    **fit_kwargs: Any,
) -> ManyResult:
    """Trend models of every series of a long table (:func:`analysis.fit_trend` each).

    Parameters as for :func:`detect_many`; ``**fit_kwargs`` go to
    :func:`analysis.fit_trend`. ``results``: the keys, then one row per
    coefficient (see :func:`fit_one`).

    Examples
    --------
    >>> rng = np.random.default_rng(4)  # SIMULATED daily counts of two areas
    >>> days = pd.date_range("2024-01-01", periods=120)
    >>> table = pd.DataFrame({"area": np.repeat(["n", "s"], 120), "day": np.tile(days, 2),
    ...                       "count": rng.poisson(3, 240)})
    >>> res = fit_many(table, by="area", time_col="day", value_col="count", n_jobs=1,
    ...                weekly=False)
    >>> res.results[["area", "term"]].to_dict("list")
    {'area': ['n', 'n', 's', 's'], 'term': ['intercept', 'trend', 'intercept', 'trend']}
    """
    return _many(
        fit_one,
        "trend",
        frame,
        by,
        time_col,
        value_col,
        engine,
        client,
        n_jobs,
        progress,
        chunk_size,
        start,
        end,
        fit_kwargs,
    )
