"""Penalty names and numbers (analysis/changepoints/penalties.py); SIMULATED data."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.changepoints import detect_changepoints


def test_penalty_names_and_numbers():
    rng = np.random.default_rng(14)
    y = rng.poisson(5, 500)
    n = np.log(500)
    assert detect_changepoints(y, cost="poisson", penalty="bic").penalty == pytest.approx(2 * n)
    assert detect_changepoints(y, cost="poisson", penalty="mbic").penalty == pytest.approx(3 * n)
    assert detect_changepoints(y, cost="poisson", penalty="aic").penalty == 4.0
    assert detect_changepoints(y, cost="normal_meanvar", penalty="bic").penalty == pytest.approx(
        3 * n
    )
    assert detect_changepoints(y, cost="poisson", penalty=12.5).penalty == 12.5
