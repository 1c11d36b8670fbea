"""What a fitted trend model holds, shared by the result, its diagnostics and forecasts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis._series import CountSeries
from analysis.trend._design import DesignSpec
from analysis.trend._dispersion import DispersionTest

__all__ = ["MIN_ALPHA", "FitState"]

#: NB2 alpha used when the estimate is 0 (the model is then Poisson)
MIN_ALPHA = 1e-8


@dataclass(frozen=True)
class FitState:
    """Everything a fitted trend model holds (internal; read through TrendResult).

    ``offset`` is the log of the user's exposure (zeros without one);
    ``coverage`` the fraction of each period inside the counting window
    (1 except a partly covered first or last period). The GLM's offset is
    ``offset + log(coverage)``.
    """

    series: CountSeries
    spec: DesignSpec
    design: pd.DataFrame
    offset: np.ndarray
    coverage: np.ndarray
    has_exposure: bool
    level: float
    glm: Any
    family: str
    family_reason: str
    dispersion_test: DispersionTest
    alpha_se: float
    cov_type: str

    @property
    def alpha(self) -> float:
        """The NB2 dispersion used for draws (0 for a Poisson model)."""
        if self.family == "negbin" and self.dispersion_test.alpha >= MIN_ALPHA:
            return self.dispersion_test.alpha
        return 0.0
