"""The Gaussian change-in-mean cost: its robust scale."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.changepoints import NormalCost


def test_robust_sd_ignores_changes_in_mean():
    rng = np.random.default_rng(51)
    z = np.r_[rng.normal(0, 2, 500), rng.normal(50, 2, 500)]
    cost = NormalCost().fit(z)
    assert cost.sd_ == pytest.approx(2.0, rel=0.1)
    assert np.std(z) > 10
