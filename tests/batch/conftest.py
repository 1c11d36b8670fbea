"""Shared SIMULATED tables for the batch tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def make_table(n_series: int = 12, n_days: int = 200, seed: int = 0) -> pd.DataFrame:
    """Daily counts of ``n_series`` SIMULATED series (keys ``area``, ``kind``).

    Every other series (``kind == "x"``) changes from 3 to 8 a day halfway.
    """
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", periods=n_days)
    parts = []
    for i in range(n_series):
        x = rng.poisson(3.0, n_days)
        if i % 2 == 0:
            x[n_days // 2 :] = rng.poisson(8.0, n_days - n_days // 2)
        parts.append(
            pd.DataFrame({"area": f"a{i // 2:02d}", "kind": "xy"[i % 2], "day": days, "n": x})
        )
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return make_table()
