"""Alert incidents by region with their size, the alert map, and known events on a time axis."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from analysis._draw import (
    OKABE_ITO,
    add_source_line,
    concise_dates,
    finish_figure,
    get_ax,
    require_matplotlib,
)

__all__ = ["mark_events", "plot_alert_map", "plot_region_incidents"]

ALERT_SOURCE = (
    "Source: Israel Home Front Command alert history (github.com/dleshem/israel-alerts-data, "
    "Apache-2.0); incidents by incident-trends"
)


def _naive(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.DatetimeIndex) and index.tz is not None:
        return index.tz_localize(None)
    return index


def _edges(x: pd.Index) -> Any:
    """Day edges for a step plot: each day from its midnight to the next."""
    index = pd.DatetimeIndex(x)
    return index.append(pd.DatetimeIndex([index[-1] + pd.Timedelta(days=1)]))


def mark_events(
    ax: Any,
    events: pd.DataFrame,
    *,
    start: Any = None,
    end: Any = None,
    labels: bool = True,
    color: str = "0.35",
) -> Any:
    """Mark known events on a date axis: a shaded span (or a line) and a short date label.

    Parameters
    ----------
    ax : matplotlib Axes
        An Axes with dates on the x axis (naive local days, as
        :func:`analysis.plots.plot_counts` draws them).
    events : pandas.DataFrame
        :func:`analysis.load_known_events` (``date``, ``end_date``, ``event``).
    start, end : date, optional
        Only events overlapping this window; default the axis' current limits.
    labels : bool, default True
        Write the event's first day ("13 Apr") at the top of the axes; events
        starting within 10 days of each other share one label ("17/18/23 Sep").
    color : str
        Colour of the marks.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, analysis as it
    >>> from analysis.plots import plot_counts
    >>> s = pd.Series([0, 2, 1, 3], index=pd.date_range("2024-04-12", periods=4))  # SIMULATED
    >>> ax = mark_events(plot_counts(s), it.load_known_events())
    >>> len(ax.patches) > 4  # the bars and at least one event span
    True
    """
    import matplotlib.dates as mdates
    import matplotlib.transforms as mtransforms

    for column in ("date", "end_date", "event"):
        if column not in events.columns:
            raise ValueError(
                f"events lacks the column {column!r}: use analysis.load_known_events()"
            )
    lo_num, hi_num = ax.get_xlim()
    lo: Any
    hi: Any
    lo = (
        pd.Timestamp(start)
        if start is not None
        else pd.Timestamp(cast(Any, mdates.num2date(lo_num))).tz_localize(None)
    )
    hi = (
        pd.Timestamp(end)
        if end is not None
        else pd.Timestamp(cast(Any, mdates.num2date(hi_num))).tz_localize(None)
    )
    trans = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    shown = events[(events["end_date"] >= lo.normalize()) & (events["date"] <= hi)]
    clusters: list[list[pd.Timestamp]] = []
    row: Any
    for row in shown.itertuples():
        a = pd.Timestamp(row.date)
        b = pd.Timestamp(row.end_date) + pd.Timedelta(days=1)
        ax.axvspan(a, b, color=color, alpha=0.18, lw=0, zorder=0)
        ax.axvline(a, color=color, lw=0.6, ls=":", zorder=0)
        if clusters and (a - clusters[-1][0]).days < 10:
            clusters[-1].append(a)
        else:
            clusters.append([a])
    if labels:
        for days in clusters:
            first = days[0]
            same_month = all(d.month == first.month for d in days)
            if same_month:
                text = "/".join(str(d.day) for d in dict.fromkeys(days)) + f" {first:%b}"
            else:
                text = ", ".join(f"{d.day} {d:%b}" for d in dict.fromkeys(days))
            ax.text(
                first,
                0.98,
                text,
                transform=trans,
                rotation=90,
                va="top",
                ha="right",
                fontsize="x-small",
                color=color,
            )
    ax.set_xlim(lo_num, hi_num)
    return ax


def plot_region_incidents(
    daily: pd.DataFrame,
    *,
    events: pd.DataFrame | None = None,
    title: str | None = None,
    source: str | None = ALERT_SOURCE,
) -> Any:
    """Incidents per day by region with their size beside them: alert rows and localities.

    One row of panels per region: on the left the incidents per day (bars),
    on the right the alert rows per day (bars) with the localities alerted
    per day (line), so that a salvo of hundreds of alerts that makes a
    handful of incidents is visible as what it is.

    Parameters
    ----------
    daily : pandas.DataFrame
        :func:`analysis.daily_incident_sizes` with ``by="region"`` (columns
        ``(region, measure)``), or without ``by`` (one "all" row of panels).
    events : pandas.DataFrame, optional
        Known events to mark (:func:`analysis.load_known_events`).
    title : str, optional
        Figure title.
    source : str or None
        Source line under the figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.date_range("2024-01-01", periods=5)
    >>> d = pd.DataFrame({"incidents": [1, 0, 2, 6, 0], "alert_rows": [1, 0, 3, 696, 0],
    ...                   "localities": [1, 0, 2, 250, 0]}, index=idx)  # SIMULATED
    >>> fig = plot_region_incidents(d)
    >>> len(fig.axes)
    2
    """
    plt = require_matplotlib()
    if isinstance(daily.columns, pd.MultiIndex):
        groups = list(dict.fromkeys(daily.columns.get_level_values(0)))
        blocks = {g: daily[g] for g in groups}
    else:
        groups = ["all regions"]
        blocks = {"all regions": daily}
    for g, block in blocks.items():
        missing = {"incidents", "alert_rows", "localities"} - set(block.columns)
        if missing:
            raise ValueError(
                f"daily lacks {sorted(missing)} for {g!r}: use analysis.daily_incident_sizes"
            )
    fig, axes = plt.subplots(
        len(groups), 2, figsize=(11, 2.1 * len(groups) + 0.8), sharex=True, squeeze=False
    )
    for i, g in enumerate(groups):
        block = blocks[g]
        x = _naive(block.index)
        left, right = axes[i, 0], axes[i, 1]
        edges = _edges(x)
        # one filled step per day (as bars, but drawn as one artist: fast for long series)
        left.stairs(block["incidents"].to_numpy(dtype=float), edges, fill=True, color=OKABE_ITO[0])
        left.set_ylabel("incidents per day")
        left.set_title(
            f"{g}: {int(block['incidents'].sum()):,} incidents", loc="left", fontsize="medium"
        )
        if block["alert_rows"].isna().all():
            right.text(
                0.5,
                0.5,
                "alert rows and localities are not recorded\nin this incident table",
                transform=right.transAxes,
                ha="center",
                va="center",
                color="0.35",
            )
            right.set_title(f"{g}: size not recorded", loc="left", fontsize="medium")
            right.set_ylabel("alert rows per day")
            concise_dates(right)
            concise_dates(left)
            continue
        right.stairs(
            block["alert_rows"].to_numpy(dtype=float),
            edges,
            fill=True,
            color=OKABE_ITO[1],
            label="alert rows per day",
        )
        right.plot(
            x,
            block["localities"].to_numpy(),
            color="0.2",
            lw=0.6,
            label="localities alerted per day",
        )
        right.set_ylabel("alert rows per day")
        right.set_title(
            f"{g}: their size, {int(block['alert_rows'].sum()):,} alert rows, "
            f"largest day {int(block['alert_rows'].max()):,}",
            loc="left",
            fontsize="medium",
        )
        if i == 0:
            right.legend(loc="upper left", fontsize="x-small")
        for ax in (left, right):
            concise_dates(ax)
    first = min(_naive(b.index)[0] for b in blocks.values())
    last = max(_naive(b.index)[-1] for b in blocks.values())
    for i, ax in enumerate(axes.flat):
        ax.set_xlim(first - pd.Timedelta(days=1), last + pd.Timedelta(days=1))
        if events is not None:
            mark_events(ax, events, labels=(i < 2))
    for ax in axes[-1, :]:
        ax.set_xlabel("local day (Israel)")
    return finish_figure(
        fig,
        title
        or "Alert incidents per day by region, with the alert rows and localities behind them",
        source,
    )


def plot_alert_map(
    localities: pd.DataFrame,
    *,
    outlines: pd.DataFrame | None = None,
    ax: Any = None,
    title: str | None = None,
    source: str | None = (
        ALERT_SOURCE + "; locality coordinates: eladnava/pikud-haoref-api (Apache-2.0), "
        "amitfin/oref_alert (MIT); outlines: Natural Earth 1:110m (public domain)"
    ),
    max_size: float = 400.0,
    margin: float = 0.3,
) -> Any:
    """Map the alerted localities: one dot per locality, its area proportional to its alert rows.

    Country outlines come only from the bundled Natural Earth table
    (:func:`analysis.load_country_outlines`); no map tile is fetched.

    Parameters
    ----------
    localities : pandas.DataFrame
        :func:`analysis.alert_locality_counts` (``lat``, ``lng``, ``alert_rows``).
    outlines : pandas.DataFrame, optional
        Country outlines; default the bundled ones.
    ax : matplotlib Axes, optional
        Where to draw.
    title : str, optional
        Axes title.
    source : str or None
        Source line under the map.
    max_size : float, default 400
        Marker area (points squared) of the locality with the most alert rows.
    margin : float, default 0.3
        Degrees around the localities shown.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> loc = pd.DataFrame({"lat": [31.25, 33.2], "lng": [34.79, 35.57],
    ...                     "alert_rows": [10, 400]})  # SIMULATED counts
    >>> ax = plot_alert_map(loc)
    >>> ax.get_xlabel()
    'longitude (degrees east)'
    """
    for column in ("lat", "lng", "alert_rows"):
        if column not in localities.columns:
            raise ValueError(
                f"localities lacks the column {column!r}: use analysis.alert_locality_counts"
            )
    if outlines is None:
        from analysis.curation.events import load_country_outlines

        outlines = load_country_outlines()
    ax = get_ax(ax, figsize=(6.5, 8))
    data = localities.dropna(subset=["lat", "lng"])
    data = data[data["alert_rows"] > 0].sort_values("alert_rows", ascending=False)
    if data.empty:
        raise ValueError("no locality with coordinates and alert rows to map")
    for _, ring in outlines.groupby(["iso_a3", "polygon", "ring"], sort=False):
        ax.plot(ring["lon"].to_numpy(), ring["lat"].to_numpy(), color="0.45", lw=0.7, zorder=1)
    top = float(data["alert_rows"].max())
    sizes = max_size * data["alert_rows"].to_numpy(dtype=float) / top
    ax.scatter(
        data["lng"],
        data["lat"],
        s=np.maximum(sizes, 2.0),
        color=OKABE_ITO[1],
        alpha=0.45,
        edgecolors="none",
        zorder=2,
    )
    lat0, lat1 = float(data["lat"].min()) - margin, float(data["lat"].max()) + margin
    lon0, lon1 = float(data["lng"].min()) - margin, float(data["lng"].max()) + margin
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1.0 / np.cos(np.deg2rad((lat0 + lat1) / 2)))
    ax.grid(False)
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    for q in _size_steps(top):
        ax.scatter(
            [],
            [],
            s=max_size * q / top,
            color=OKABE_ITO[1],
            alpha=0.45,
            edgecolors="none",
            label=f"{q:,.0f} alert rows",
        )
    ax.legend(
        loc="lower left",
        fontsize="x-small",
        title="dot area",
        title_fontsize="x-small",
        labelspacing=1.2,
        borderpad=0.8,
    )
    ax.set_title(
        title
        or f"Alert rows per locality ({int(data['alert_rows'].sum()):,} rows, "
        f"{len(data):,} localities)",
        loc="left",
    )
    if source:
        add_source_line(ax, source)
    return ax


def _size_steps(top: float) -> list[float]:
    """Three round reference counts for the size legend, the largest at most ``top``."""
    if top <= 1:
        return [1.0]
    exp = 10 ** np.floor(np.log10(top))
    first = float(np.floor(top / exp) * exp)
    steps = [first, first / 4, first / 20]
    return [s for s in steps if s >= 1] or [first]
