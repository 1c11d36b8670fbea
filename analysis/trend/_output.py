"""Wording, JSON conversion and drawing shared by the trend result objects."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def line_and_band(ax: Any, frame: pd.DataFrame, column: str, color: str, labels: tuple) -> None:
    ax.plot(frame.index, frame[column], color=color, lw=1.5, label=labels[0])
    if labels[1] is not None:
        band = {"color": color, "alpha": 0.25, "label": labels[1]}
        ax.fill_between(frame.index, frame["ci_low"], frame["ci_high"], **band)


def draw_history(ax: Any, fitted: pd.DataFrame, level: float | None) -> None:
    ax.plot(fitted.index, fitted["count"], ".", ms=3, color="0.35", label="counts")
    band = None if level is None else f"{level:.0%} confidence band"
    line_and_band(ax, fitted, "rate", "C0", ("fitted rate", band))
    ax.set_ylabel("count per period")
    concise_dates(ax)


def concise_dates(ax: Any) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def date_label(ts: pd.Timestamp) -> str:
    """``2024-04-13`` for a midnight, the full time stamp otherwise."""
    return str(ts.date()) if ts == ts.normalize() else str(ts)


def p_text(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def pct(x: float) -> str:
    v = 100 * x
    return f"{v:.1f}%" if abs(v) < 10 else f"{v:.0f}%"


def pct_words(est: float, lo: float, hi: float, level: float, per: str) -> str:
    """E.g. ``+12% per week (95% CI 8% to 16%)`` from relative changes."""
    sign = "+" if 100 * est >= 0.05 else ""
    return f"{sign}{pct(est)} {per} ({level:.0%} CI {pct(lo)} to {pct(hi)})"


def rr_words(rr: float, lo: float, hi: float, level: float) -> str:
    """A rate ratio in words: a percent change, or "N times" from a doubling on."""
    if rr >= 2:
        return f"{rr:.1f} times the rate ({level:.0%} CI {lo:.1f} to {hi:.1f} times)"
    return pct_words(rr - 1, lo - 1, hi - 1, level, "in the rate")


def jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer, int)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return None if not math.isfinite(float(obj)) else float(obj)
    return obj
