"""Figures that combine several results, and the opt-in house style.

Result objects draw themselves (``result.plot(ax=None)``); this module holds
what spans results: count panels with a rolling rate, claim-rate tables as
interval plots, and the style context. Every function takes ``ax=None``,
draws on it (or on a new figure) and returns the Axes; nothing here calls
``plt.show()`` or changes global matplotlib state.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from analysis._draw import concise_dates, get_ax, require_matplotlib

STYLE_FILE = Path(__file__).resolve().parent / "styles" / "incident-trends.mplstyle"


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Use the house style inside a ``with`` block (colour-blind safe, light grid).

    Examples
    --------
    >>> from analysis.plots import style
    >>> with style():
    ...     pass
    """
    plt = require_matplotlib()
    with plt.style.context(str(STYLE_FILE)):
        yield


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
