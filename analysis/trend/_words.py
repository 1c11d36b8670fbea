"""Trend-specific wording: relative changes and rate ratios in plain words.

Numbers themselves are formatted by :mod:`analysis._format` (``pct``), as
everywhere in the package; only the sentences of the trend models live here.
"""

from __future__ import annotations

from analysis._format import pct

__all__ = ["pct_words", "rr_words"]


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
