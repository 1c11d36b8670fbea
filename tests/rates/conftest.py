"""Shared helpers of the rate tests: hand-made and simulated count series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def daily(values, start="2024-01-01", name="count", tz=None):
    """A daily count series starting on ``start`` (hand-made values)."""
    index = pd.date_range(start, periods=len(values), freq="D", tz=tz)
    return pd.Series(values, index=index, name=name)


def overdispersed(seed=0, n=60, mean=5.0, alpha=0.5):
    """SIMULATED negative-binomial daily counts (gamma-Poisson mixture)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(1 / alpha, mean * alpha, size=n)
    return daily(rng.poisson(lam))


@pytest.fixture
def plt():
    pyplot = pytest.importorskip("matplotlib.pyplot")
    yield pyplot
    pyplot.close("all")
