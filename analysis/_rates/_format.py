"""Number and date formatting for rate summaries, and small plotting helpers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def fmt_num(x: float, ref: float | None = None) -> str:
    """A number with 2 decimals, more when ``ref`` (or x) is small."""
    if not math.isfinite(x):
        return "infinite" if x > 0 else "undefined"
    scale = abs(ref if ref is not None else x)
    decimals = 2
    if 0 < scale < 1:
        decimals = min(6, 1 - math.floor(math.log10(scale)) + 1)
    return f"{x:.{decimals}f}"


def fmt_short(x: float) -> str:
    """A number for a sentence: 1 decimal from 1 up, 2 significant digits below."""
    if not math.isfinite(x):
        return "infinite"
    if x == 0:
        return "0"
    if abs(x) >= 1:
        return f"{x:.1f}".removesuffix(".0") if float(x).is_integer() else f"{x:.1f}"
    return f"{x:.2g}"


def fmt_p(p: float) -> str:
    if p < 0.001:
        return "< 0.001"
    return f"= {p:.3f}" if p < 0.1 else f"= {p:.2f}"


def fmt_days(x: float) -> str:
    return f"{x:g} day" + ("" if x == 1 else "s")


def fmt_count(n: int, plural: str) -> str:
    """``41 claims``, ``1 claim``."""
    return f"{n} {plural.removesuffix('s') if n == 1 else plural}"


def jsonable(x: Any) -> Any:
    """A JSON-friendly scalar: plain int/float (None for non-finite), ISO dates."""
    if x is None or isinstance(x, bool | str):
        return x
    if isinstance(x, pd.Timestamp):
        return x.isoformat()
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        return float(x) if math.isfinite(x) else None
    return x


def draw_errorbar(ax: Any, x: float, value: float, low: float, high: float, **kw: Any) -> None:
    yerr = [[value - low], [high - value if math.isfinite(high) else 0.0]]
    ax.errorbar([x], [value], yerr=yerr, fmt="o", capsize=4, **kw)


def concise_date_ticks(ax: Any) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
