"""Shared data of the cost tests."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def y():
    """SIMULATED counts."""
    return np.random.default_rng(50).poisson(4, 40).astype(float)
