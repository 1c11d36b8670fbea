"""The two drawings every trend plot combines: the fitted history and a forecast.

Drawing primitives (a line with its band, concise date ticks) come from
:mod:`analysis._draw`; only the choice of what to draw lives here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis._draw import concise_dates, line_and_band, plot_x

__all__ = ["draw_forecast", "draw_history"]


def draw_history(ax: Any, fitted: pd.DataFrame, level: float) -> Any:
    """The counts as dots and the fitted rate with its confidence band."""
    ax.plot(plot_x(fitted.index), fitted["count"], ".", ms=3, color="0.35", label="counts")
    line_and_band(
        ax, fitted, "rate", low="ci_low", high="ci_high", color="C0",
        label="fitted rate", band_label=f"{level:.0%} confidence band",
    )  # fmt: skip
    ax.set_ylabel("count per period")
    return concise_dates(ax)


def draw_forecast(ax: Any, frame: pd.DataFrame, level: float) -> Any:
    """The expected counts and their prediction interval (columns ``mean, pi_low, pi_high``)."""
    return line_and_band(
        ax, frame, "mean", low="pi_low", high="pi_high", color="C1",
        label="forecast", band_label=f"{level:.0%} prediction interval",
    )  # fmt: skip
