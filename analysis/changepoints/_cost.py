"""Cost objects: ``fit(signal)`` then ``error(start, end)``, usable by any search.

A cost turns the data into prefix sums once (``fit``) so the cost of any
segment ``(start, end]`` is O(1). Costs are ``-2 log L`` of the segment at its
maximum-likelihood parameters, up to a constant that is the same for every
segmentation; :meth:`Cost.neg2_loglik` gives the full value for reports.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

import numpy as np
import pandas as pd


class Cost:
    """Base class; subclasses set the class variables and ``_transform``."""

    name: ClassVar[str] = ""
    cid: ClassVar[int] = -1
    params_per_segment: ClassVar[int] = 1
    #: can :mod:`~analysis.changepoints._fpop` search this cost?
    functional: ClassVar[bool] = False
    #: are the segment levels rates of counts?
    counts: ClassVar[bool] = False

    def __init__(self) -> None:
        self.signal_: np.ndarray = np.empty(0)
        self.cs1_: np.ndarray = np.zeros(1)
        self.cs2_: np.ndarray = np.zeros(1)
        self.par_: float = 1.0

    def fit(self, signal: Any) -> Cost:
        """Compute the prefix sums of ``signal`` (a 1-D float array); return ``self``."""
        y = np.asarray(signal, dtype=float)
        if y.ndim != 1:
            raise ValueError(f"signal must be one-dimensional, got shape {y.shape}")
        self.signal_ = y
        z, self.par_ = self._transform(y)
        self.cs1_ = np.concatenate(([0.0], np.cumsum(z)))
        if self.cid == 3:
            self.cs2_ = np.concatenate(([0.0], np.cumsum(z * z)))
        return self

    def _transform(self, y: np.ndarray) -> tuple[np.ndarray, float]:
        return y, 1.0

    def error(self, start: int, end: int) -> float:
        """Cost of the segment ``signal[start:end]``."""
        from analysis.changepoints._segcost import seg_cost

        return float(seg_cost(self.cid, self.cs1_, self.cs2_, self.par_, start, end))

    def errors(self, starts: Any, end: int) -> np.ndarray:
        """Vectorised :meth:`error` for many starts and one end."""
        from analysis.changepoints._segcost import seg_costs_to

        s = np.asarray(starts, dtype=np.int64)
        return seg_costs_to(self.cid, self.cs1_, self.cs2_, self.par_, s, end)

    def param_range(self) -> tuple[float, float, float]:
        """``(vmin, vmax, vfloor)`` of the natural parameter, for FPOP."""
        raise NotImplementedError

    # --- reporting ---------------------------------------------------------
    def neg2_loglik(self, bounds: np.ndarray) -> float:
        """Full ``-2 log L`` of the segmentation with segment ends ``bounds``."""
        y = self.signal_
        total = 0.0
        for a, b in itertools.pairwise(bounds):
            total += self._segment_neg2ll(y[a:b])
        return total

    def _segment_neg2ll(self, seg: np.ndarray) -> float:
        raise NotImplementedError

    def segment_rows(self, bounds: np.ndarray, level: float) -> pd.DataFrame:
        """Per-segment level and its ``level`` confidence interval."""
        raise NotImplementedError

    def describe(self) -> str:
        """Short description with fitted parameters."""
        return self.name
