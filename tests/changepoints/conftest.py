"""Shared simulators for the change-point tests (simulated data, labelled as such)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def piecewise_counts(
    rng: np.random.Generator, n: int = 600, k: int = 3, size: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """SIMULATED counts: ``k`` changes, segments >= 100, rates 3-10, ratio 2-3 per change.

    Rates alternate up and down; ``size`` gives negative-binomial (NB2) noise.
    Returns ``(counts, true change positions)``.
    """
    while True:
        cps = np.sort(rng.choice(np.arange(100, n - 99), k, replace=False))
        if np.all(np.diff(cps) >= 100):
            break
    up = rng.random() < 0.5
    rates = [rng.uniform(3, 5) if up else rng.uniform(6, 10)]
    for _ in range(k):
        x = rates[-1]
        if up:
            rates.append(x * rng.uniform(2, min(3, 10 / x)))
        else:
            rates.append(x / rng.uniform(2, min(3, x / 3)))
        up = not up
    mu = np.repeat(rates, np.diff(np.r_[0, cps, n]))
    if size is None:
        return rng.poisson(mu), cps
    return rng.negative_binomial(size, size / (size + mu)), cps


@pytest.fixture
def simulate_counts():
    """The :func:`piecewise_counts` simulator."""
    return piecewise_counts


@pytest.fixture
def daily():
    """SIMULATED daily counts: 2 a day for 120 days, then 6 a day for 120 days."""
    rng = np.random.default_rng(3)
    return pd.Series(
        np.r_[rng.poisson(2, 120), rng.poisson(6, 120)],
        index=pd.date_range("2024-01-01", periods=240, freq="D"),
        name="alerts",
    )
