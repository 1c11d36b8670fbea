"""Trend-specific wording: relative changes and rate ratios in plain words.

Numbers themselves are formatted by :mod:`analysis._format` (``pct``), as
everywhere in the package; only the sentences of the trend models live here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis._format import pct

__all__ = ["effect_words", "pct_words", "rr_words", "slope_unit"]


def pct_words(est: float, lo: float, hi: float, level: float, per: str) -> str:
    """A relative change with its confidence interval in words.

    Examples
    --------
    >>> pct_words(0.12, 0.08, 0.16, 0.95, "per week")
    '+12% per week (95% CI 8.0% to 16%)'
    """
    sign = "+" if 100 * est >= 0.05 else ""
    return f"{sign}{pct(est)} {per} ({level:.0%} CI {pct(lo)} to {pct(hi)})"


def rr_words(rr: float, lo: float, hi: float, level: float) -> str:
    """A rate ratio in words: a percent change, or "N times" from a doubling on.

    Examples
    --------
    >>> rr_words(2.5, 1.8, 3.4, 0.95)
    '2.5 times the rate (95% CI 1.8 to 3.4 times)'
    >>> rr_words(0.8, 0.7, 0.9, 0.95)
    '-20% in the rate (95% CI -30% to -10.0%)'
    """
    if rr >= 2:
        return f"{rr:.1f} times the rate ({level:.0%} CI {lo:.1f} to {hi:.1f} times)"
    return pct_words(rr - 1, lo - 1, hi - 1, level, "in the rate")


def slope_unit(local: pd.DatetimeIndex) -> tuple[float, str]:
    """Days and words of the unit a trend is put in: a week, or the period if longer.

    A yearly series with a 2% fall a year would otherwise read "-0.0% per week".

    Examples
    --------
    >>> slope_unit(pd.date_range("2024-01-01", periods=3, freq="D"))
    (7.0, 'per week')
    >>> slope_unit(pd.date_range("2001-01-01", periods=3, freq="YS"))
    (365.25, 'per year')
    """
    step = (local[-1] - local[0]).days / max(len(local) - 1, 1)
    if step <= 7.5:
        return 7.0, "per week"
    if step <= 32:
        return 365.25 / 12, "per month"
    if step <= 93:
        return 365.25 / 4, "per quarter"
    return 365.25, "per year"


def effect_words(params: pd.DataFrame, level: float, unit: tuple[float, str]) -> pd.Series:
    """Plain-words effect of each interpretable term of a coefficient table.

    ``params`` has the columns of ``TrendResult.params``; trend terms (log
    rate per day) are put per ``unit`` (days, words), 0/1 terms (weekdays,
    breaks, events) as rate ratios.
    """
    out = {}
    days, per = unit
    for term, row in params.iterrows():
        name = str(term)
        kind, _, arg = name.partition("[")
        arg = arg.rstrip("]")
        if kind in ("trend", "slope_change"):
            lo, est, hi = (np.expm1(days * row[c]) for c in ("ci_low", "estimate", "ci_high"))
            what = "trend" if kind == "trend" else f"change of trend from {arg}"
            out[name] = f"{what}: " + pct_words(est, lo, hi, level, per)
        elif kind in ("weekday", "shift", "step", "pulse"):
            what = {
                "weekday": f"{arg} vs Mon",
                "shift": f"level shift from {arg}",
                "step": f"after event {arg!r}",
                "pulse": f"during event {arg!r}",
            }[kind]
            out[name] = f"{what}: " + rr_words(row["rr"], row["rr_low"], row["rr_high"], level)
    return pd.Series(out, dtype=object, name="effect")
