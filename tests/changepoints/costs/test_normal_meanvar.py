"""The Gaussian change-in-mean-and-variance cost."""

from __future__ import annotations

import numpy as np

from analysis.changepoints import MeanVarCost


def test_meanvar_cost_is_finite_on_constant_stretches():
    cost = MeanVarCost().fit(np.r_[np.zeros(10), np.arange(10.0)])
    assert np.isfinite(cost.error(0, 10))
