"""Simulators for the trend-model tests. Every series here is SIMULATED, not real data."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

# true log rate ratios vs Monday, Mon..Sun (a weekday high, a weekend low)
WEEKLY = np.array([0.0, 0.1, 0.2, 0.1, 0.0, -0.4, -0.6])
SLOPE = 0.004  # true log rate per day (about +2.8% per week)
BASE = 8.0  # expected count on the first Monday


def simulate(
    rng: np.random.Generator,
    *,
    n: int = 200,
    h: int = 0,
    base: float = BASE,
    slope: float = SLOPE,
    alpha: float = 0.3,
    weekly: np.ndarray = WEEKLY,
    start: str = "2024-01-01",
    tz: str | None = None,
    extra_log: np.ndarray | None = None,
) -> tuple[pd.Series, np.ndarray]:
    """SIMULATED daily counts: NB2 (Var = mu + alpha mu^2; alpha = 0 is Poisson).

    ``log mu_t = log(base) + slope * t + weekly[weekday] (+ extra_log[t])``,
    ``t`` in days from ``start`` (a Monday by default). Returns the first ``n``
    days as a Series and the next ``h`` counts as an array (the future).
    """
    days = pd.date_range(start, periods=n + h, freq="D", tz=tz)
    log_mu = np.log(base) + slope * np.arange(n + h) + weekly[days.day_of_week.to_numpy()]
    if extra_log is not None:
        log_mu = log_mu + extra_log
    mu = np.exp(log_mu)
    lam = rng.gamma(1.0 / alpha, alpha * mu) if alpha > 0 else mu
    y = rng.poisson(lam)
    series = pd.Series(y[:n], index=pd.DatetimeIndex(days[:n], freq="D"), name="count")
    series.index.name = "date"
    return series, y[n:]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240413)


@pytest.fixture
def nb_counts(rng: np.random.Generator) -> pd.Series:
    """SIMULATED: 200 days of NB2 counts (alpha 0.3) with slope 0.004/day and a weekly cycle."""
    return simulate(rng)[0]


@pytest.fixture
def poisson_counts(rng: np.random.Generator) -> pd.Series:
    """SIMULATED: 200 days of Poisson counts with slope 0.004/day and a weekly cycle."""
    return simulate(rng, alpha=0.0)[0]


def days(values, start: str = "2024-01-01", freq: str = "D") -> pd.Series:
    """Counts named ``n`` on consecutive periods from ``start``."""
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq), name="n")


@pytest.fixture
def ok() -> pd.Series:
    """SIMULATED: 60 days of Poisson(5) counts."""
    return days(np.random.default_rng(0).poisson(5, 60))
