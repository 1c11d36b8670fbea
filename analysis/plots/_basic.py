"""Count bars, rate tables as interval plots, the style context and chart labelling."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pandas as pd

from analysis._draw import STYLE_FILE, add_source_line, concise_dates, get_ax, house_style

__all__ = ["STYLE_FILE", "label_chart", "plot_counts", "plot_rate_table", "style"]


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Use the house style inside a ``with`` block (the same as :func:`analysis.house_style`).

    Examples
    --------
    >>> from analysis.plots import style
    >>> with style():
    ...     pass
    """
    with house_style():
        yield


def label_chart(
    fig_or_ax: Any,
    *,
    title: str,
    source: str,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Any:
    """Give a chart its title, axis labels (with units) and source line; return it.

    Parameters
    ----------
    fig_or_ax : matplotlib Axes or Figure
        An Axes gets the title and labels; a Figure gets a figure title
        (``suptitle``) and no axis labels (its panels carry theirs).
    title : str
        What the chart shows, e.g. "Drone alert incidents per day, Oct 2023 to Oct 2024".
    source : str
        The source line under the chart (see :func:`analysis.add_source_line`).
    xlabel, ylabel : str, optional
        Axis labels with their units, e.g. "incidents per day"; an Axes
        keeps its own labels when these are None.

    Returns
    -------
    The same Axes or Figure.

    Raises
    ------
    ValueError
        When ``title`` or ``source`` is empty.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> ax = label_chart(ax, title="Simulated counts", ylabel="events per day",
    ...                  source="Source: SIMULATED")
    >>> ax.get_title(loc="left") or ax.get_title()
    'Simulated counts'
    >>> plt.close(fig)
    """
    from matplotlib.axes import Axes

    for name, value in (("title", title), ("source", source)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string")
    if isinstance(fig_or_ax, Axes):
        import matplotlib as mpl

        loc = mpl.rcParams.get("axes.titlelocation", "center")
        for other in ("left", "center", "right"):
            fig_or_ax.set_title("", loc=other)  # one title: a result's own title gives way
        fig_or_ax.set_title(title, loc=loc)
        if xlabel is not None:
            fig_or_ax.set_xlabel(xlabel)
        if ylabel is not None:
            fig_or_ax.set_ylabel(ylabel)
    else:
        fig_or_ax.suptitle(title, x=0.02, ha="left", fontweight="bold")
    add_source_line(fig_or_ax, source)
    return fig_or_ax


def plot_counts(
    counts: pd.Series,
    *,
    ax: Any = None,
    label: str | None = None,
    color: str | None = None,
    unit: str = "per day",
) -> Any:
    """Draw a count series as thin bars on ``ax``.

    Parameters
    ----------
    counts : pandas.Series
        Counts per period with a DatetimeIndex.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    label, color : str, optional
        Legend label and bar colour.
    unit : str
        Label of the y axis, e.g. ``"per day"``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([0, 2, 1], index=pd.date_range("2024-01-01", periods=3))  # simulated
    >>> ax = plot_counts(s, label="simulated")
    """
    ax = get_ax(ax)
    index = counts.index
    if isinstance(index, pd.DatetimeIndex) and index.tz is not None:
        index = index.tz_localize(None)
    ax.bar(index, counts.to_numpy(), width=1.0, color=color or "0.7", label=label, linewidth=0)
    ax.set_ylabel(f"{counts.name or 'count'} {unit}")
    if isinstance(index, pd.DatetimeIndex):
        concise_dates(ax)
    return ax


def plot_rate_table(
    table: pd.DataFrame,
    *,
    ax: Any = None,
    label_col: str = "label",
    claimed: float | None = None,
    per: str = "day",
) -> Any:
    """Draw rates with intervals as horizontal error bars, one row per line of ``table``.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``rate, ci_low, ci_high`` and ``label_col``.
    ax : matplotlib Axes, optional
        Where to draw.
    label_col : str
        Column with the row labels.
    claimed : float, optional
        A claimed rate drawn as a vertical dashed line.
    per : str
        Unit of the rates ("day").

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"label": ["a"], "rate": [2.0], "ci_low": [1.0], "ci_high": [3.5]})
    >>> ax = plot_rate_table(t)
    """
    ax = get_ax(ax)
    y = list(range(len(table)))[::-1]
    rate = table["rate"].to_numpy(dtype=float)
    err = [
        rate - table["ci_low"].to_numpy(dtype=float),
        table["ci_high"].to_numpy(dtype=float) - rate,
    ]
    ax.errorbar(rate, y, xerr=err, fmt="o", capsize=3)
    ax.set_yticks(y)
    ax.set_yticklabels([str(v) for v in table[label_col]])
    ax.set_xlabel(f"rate per {per}")
    if claimed is not None:
        ax.axvline(claimed, linestyle="--", color="0.3", label=f"claimed: {claimed:g} per {per}")
        ax.legend(loc="best")
    ax.set_xlim(left=0)
    return ax
