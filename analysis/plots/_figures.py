"""Published figures as rates per day: one panel per unit, lower bounds drawn as lower bounds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis._draw import OKABE_ITO, add_source_line, require_matplotlib
from analysis._format import unit_plural

__all__ = ["plot_figure_rates"]

# what each unit is, where its plural alone does not say it
_UNIT_WORDS = {"incident": "incidents (analysts' count)"}
_MARKERS = {"exact": "o", "about": "s", "at_least": ">"}


def plot_figure_rates(
    table: pd.DataFrame,
    *,
    units: Sequence[str] | None = None,
    fronts: Sequence[str] | None = None,
    title: str | None = None,
    source: str | None = (
        "Sources: the published figures of data/curated/reported_figures.csv; "
        "each row names its source"
    ),
    log: bool | None = None,
) -> Any:
    """Draw published figures as rates per day with intervals, one panel per unit.

    Units are never put on one axis: claims, launches, interceptions, alerts
    and analysts' incident counts each get their own panel. Within a panel
    each row is one figure, labelled with its period and source (so figures
    for one period from different sources are told apart) and coloured by
    front. Exact figures are filled circles, "about" figures squares, and
    lower bounds ("at least") open triangles pointing right with an arrow:
    the true rate is at or above the mark, and the interval has no upper end.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`analysis.figure_rate_table`.
    units : sequence of str, optional
        Units to draw, in this order (default: every unit in ``table``).
    fronts : sequence of str, optional
        Only these fronts (the ``front`` column: Iraq, Lebanon, Yemen, Iran, ...).
    title : str, optional
        Figure title; default names the level of the intervals.
    source : str or None
        Source line under the figure; None for none.
    log : bool, optional
        Logarithmic rate axis; default when a panel's rates span more than
        a factor of 30.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When ``table`` lacks the columns of ``figure_rate_table``, or the
        selection leaves no figure.

    Examples
    --------
    >>> import pandas as pd
    >>> import analysis as it
    >>> f = pd.DataFrame({"period_start": ["2024-09-01"] * 2, "period_end": ["2024-09-30"] * 2,
    ...                   "value": [35, 18], "qualifier": ["exact", "at_least"],
    ...                   "unit": ["claim", "launch"], "source_name": ["A", "B"],
    ...                   "origin": ["Iraq", "Iraq"]})  # SIMULATED figures
    >>> fig = plot_figure_rates(it.figure_rate_table(f))
    >>> len(fig.axes)
    2
    """
    plt = require_matplotlib()
    need = {"unit", "front", "rate", "ci_low", "ci_high", "lower_bound", "label", "qualifier"}
    missing = sorted(need - set(table.columns))
    if missing:
        raise ValueError(f"table lacks {missing}: pass the output of analysis.figure_rate_table")
    data = table
    if fronts is not None:
        data = data[data["front"].isin(list(fronts))]
    if units is None:
        units = list(dict.fromkeys(data["unit"].astype(str)))
    data = data[data["unit"].isin(list(units))]
    units = [u for u in units if (data["unit"] == u).any()]
    if data.empty:
        raise ValueError("no figure left to draw: check units= and fronts=")
    front_order = list(dict.fromkeys(data["front"].astype(str)))
    colour = {f: OKABE_ITO[i % len(OKABE_ITO)] for i, f in enumerate(front_order)}
    heights = [max(1.2, 0.28 * int((data["unit"] == u).sum()) + 0.8) for u in units]
    fig, axes = plt.subplots(
        len(units),
        1,
        figsize=(12, sum(heights) + 0.6),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    level = table.attrs.get("level", 0.95)
    for ax, unit in zip(axes[:, 0], units, strict=True):
        rows = data[data["unit"] == unit].sort_values(["front", "period_start", "period_end"])
        y = np.arange(len(rows))[::-1]
        rate = rows["rate"].to_numpy(dtype=float)
        low = rows["ci_low"].to_numpy(dtype=float)
        high = rows["ci_high"].to_numpy(dtype=float)
        finite_high = np.isfinite(high)
        span_max = float(np.nanmax(np.where(finite_high, high, rate)))
        for yi, r, lo, hi, q, fr, bound in zip(
            y, rate, low, high, rows["qualifier"], rows["front"], rows["lower_bound"], strict=True
        ):
            c = colour[str(fr)]
            if bool(bound):
                ax.plot([lo, r], [yi, yi], color=c, lw=1.2)
                ax.annotate(
                    "",
                    xy=(r * 1.6 if r > 0 else span_max * 0.1, yi),
                    xytext=(r, yi),
                    arrowprops={"arrowstyle": "->", "color": c, "lw": 1.2},
                )
                ax.plot([r], [yi], marker=">", mfc="white", mec=c, ms=7, ls="none")
            else:
                ax.plot([lo, hi], [yi, yi], color=c, lw=1.2)
                ax.plot([lo, lo], [yi - 0.2, yi + 0.2], color=c, lw=1.0)
                ax.plot([hi, hi], [yi - 0.2, yi + 0.2], color=c, lw=1.0)
                ax.plot([r], [yi], marker=_MARKERS.get(str(q), "o"), color=c, ms=6, ls="none")
        ax.set_yticks(y)
        ax.set_yticklabels(
            [f"{fr}: {lab}" for fr, lab in zip(rows["front"], rows["label"], strict=True)]
        )
        positive = np.concatenate([rate[rate > 0], low[low > 0], high[finite_high & (high > 0)]])
        use_log = log
        if use_log is None:
            use_log = bool(len(positive)) and float(positive.max() / positive.min()) > 30
        top = float(positive.max()) if len(positive) else 1.0
        if use_log:
            ax.set_xscale("log")
            ax.set_xlim(float(positive.min()) / 1.5, top * 2.5)
        else:
            ax.set_xlim(0, top * 1.25)
        words = _UNIT_WORDS.get(str(unit), unit_plural(unit))
        ax.set_xlabel(f"{words} per day" + (" (log scale)" if use_log else ""))
        ax.set_title(f"{words.capitalize()} per day", loc="left", fontsize="medium")
        ax.set_ylim(-0.7, len(rows) - 0.3)
    handles = [
        plt.Line2D([], [], color=colour[f], marker="o", ls="-", label=f"front: {f}")
        for f in front_order
    ]
    handles += [
        plt.Line2D([], [], color="0.3", marker="o", ls="none", label="exact figure"),
        plt.Line2D([], [], color="0.3", marker="s", ls="none", label='"about" figure (±10%)'),
        plt.Line2D(
            [], [], color="0.3", marker=">", mfc="white", ls="none", label='"at least": lower bound'
        ),
    ]
    fig.legend(handles=handles, loc="upper right", fontsize="small", ncol=2, frameon=False)
    head = title or (
        f"Published figures as rates per day, with {level:.0%} intervals (units kept apart)"
    )
    fig.suptitle(head, x=0.02, ha="left", fontweight="bold")
    fig.tight_layout(rect=(0, 0, 1, 1 - min(0.9, 1.0) / (sum(heights) + 0.6)))
    if source:
        add_source_line(fig, source)
    if not math.isfinite(level):  # pragma: no cover - defensive
        raise ValueError("table.attrs['level'] is not a number")
    return fig
