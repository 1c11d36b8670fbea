"""Gaussian change-in-mean cost with a robustly estimated, common variance.

The data are standardised by a robust scale (the median absolute deviation of
first differences divided by sqrt 2, which changes in mean barely affect), so
the segment cost is ``-2 log L`` up to a constant: ``sum (z - mean)^2``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numba import njit
from scipy import stats

from analysis.changepoints._cost import Cost

COST_ID = 0
PARAMS_PER_SEGMENT = 1


@njit(cache=True, error_model="numpy")
def segment_cost(s: float, n: float) -> float:
    """``-2 log L`` of one segment minus ``sum z^2``: ``-S^2 / n``."""
    return -s * s / n


def robust_sd(y: np.ndarray) -> float:
    """Robust noise standard deviation from first differences.

    ``MAD(diff(y)) * 1.4826 / sqrt(2)``; a change in mean moves only one
    difference, so the estimate is not inflated by the changes. Falls back to
    the standard deviation of the differences (integer data with many ties can
    give a zero MAD), then to 1 for a constant series.
    """
    d = np.diff(y)
    if d.size == 0:
        return 1.0
    mad = float(np.median(np.abs(d - np.median(d)))) * 1.482602218505602 / np.sqrt(2.0)
    if mad > 0 and np.isfinite(mad):
        return mad
    sd = float(np.std(d)) / np.sqrt(2.0)
    return sd if sd > 0 else 1.0


class NormalCost(Cost):
    """Change in mean of Gaussian data with a common sd (``None``: :func:`robust_sd`)."""

    name = "normal"
    cid = COST_ID
    functional = True

    def __init__(self, sd: float | None = None) -> None:
        super().__init__()
        self.sd = sd
        self.sd_ = 1.0
        self.center_ = 0.0

    def _transform(self, y: np.ndarray) -> tuple[np.ndarray, float]:
        self.sd_ = float(self.sd) if self.sd is not None else robust_sd(y)
        self.center_ = float(np.median(y))
        return (y - self.center_) / self.sd_, 1.0

    def param_range(self) -> tuple[float, float, float]:
        """``(vmin, vmax, vmin)`` of the standardised data."""
        z = (self.signal_ - self.center_) / self.sd_
        return float(z.min()), float(z.max()), float(z.min())

    def _segment_neg2ll(self, seg: np.ndarray) -> float:
        r = (seg - seg.mean()) / self.sd_
        return float(np.sum(r * r) + seg.size * np.log(2 * np.pi * self.sd_**2))

    def segment_rows(self, bounds: np.ndarray, level: float) -> pd.DataFrame:
        """Mean with a z interval using the common robust sd."""
        n = np.diff(bounds).astype(float)
        mean = np.diff(self.cs1_[bounds]) / n * self.sd_ + self.center_
        half = stats.norm.ppf(0.5 + level / 2) * self.sd_ / np.sqrt(n)
        return pd.DataFrame(
            {"mean": mean, "sd": self.sd_, "ci_low": mean - half, "ci_high": mean + half}
        )

    def describe(self) -> str:
        """Name and the sd used."""
        return f"normal (mean change, sd = {self.sd_:.4g})"
