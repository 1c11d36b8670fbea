"""Drawing helpers that every result's ``plot(ax=None)`` uses, written once.

They sit at the bottom of the package (below the result objects, unlike
:mod:`analysis.plots`, which combines results), import matplotlib only when
called, never call ``plt.show()`` and never change global matplotlib state.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["concise_dates", "errorbar", "get_ax", "line_and_band", "plot_x", "require_matplotlib"]


def require_matplotlib() -> Any:
    """Import and return ``matplotlib.pyplot`` with a clear message when missing."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is a core dependency
        raise ImportError(
            "Plotting needs matplotlib: pip install 'incident-trends' (it is a core dependency)."
        ) from exc
    return plt


def get_ax(ax: Any = None, *, figsize: tuple[float, float] = (9, 3.5)) -> Any:
    """Return ``ax``, or a new Axes on a new figure."""
    if ax is not None:
        return ax
    plt = require_matplotlib()
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def concise_dates(ax: Any) -> Any:
    """Put concise date ticks on the x axis of ``ax`` and return it."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    return ax


def plot_x(value: Any) -> Any:
    """Index labels as matplotlib can place them: periods as their start, durations in days.

    Examples
    --------
    >>> plot_x(pd.TimedeltaIndex(["1D", "36h"])).tolist()
    [1.0, 1.5]
    """
    if isinstance(value, pd.PeriodIndex):
        return value.to_timestamp()
    if isinstance(value, pd.TimedeltaIndex):
        return pd.Index(value / pd.Timedelta(days=1))
    if isinstance(value, pd.Period):
        return value.to_timestamp()
    if isinstance(value, pd.Timedelta):
        return value / pd.Timedelta(days=1)
    return value


def line_and_band(
    ax: Any,
    frame: pd.DataFrame,
    column: str,
    *,
    low: str,
    high: str,
    color: str,
    label: str | None,
    band_label: str | None,
) -> Any:
    """Draw ``frame[column]`` as a line and ``frame[low]..frame[high]`` as a band."""
    x = plot_x(frame.index)
    ax.plot(x, frame[column], color=color, lw=1.5, label=label)
    ax.fill_between(x, frame[low], frame[high], color=color, alpha=0.25, label=band_label)
    return ax


def errorbar(ax: Any, x: Any, value: float, low: float, high: float, **kw: Any) -> Any:
    """One point with an asymmetric interval; an infinite upper end is drawn as none."""
    yerr = [[value - low], [high - value if math.isfinite(high) else 0.0]]
    ax.errorbar([x], [value], yerr=yerr, fmt="o", capsize=4, **kw)
    return ax
