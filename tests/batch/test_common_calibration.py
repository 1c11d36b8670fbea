"""Calibration of detect_common_changes by simulation (SIMULATED panels; slow).

False alarms on stationary panels of 10 independent series of 365 days at 3 a
day, and power for a change in 3 of the 10 on day 182. Tolerances come from the
simulation size: a rate must be at most 0.05 plus two Monte Carlo standard
errors of a 5% rate; power at least the stated level minus two. The larger
study whose numbers the module docstring of analysis.batch._common quotes (200
null panels and 100 power panels per cell, other seeds) measured any declared
change in 0.000-0.045 of stationary panels (s.e. <= 0.015) and power 0.88-1.00
for x2, 0.29-0.98 for x1.5; the sizes here keep tests/batch under a minute.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.batch import detect_common_changes
from analysis.validation import PROCESSES, simulate_counts, simulate_piecewise

N_DAYS, N_SERIES, RATE = 365, 10, 3.0
N_NULL = 100  # panels per process: s.e. of a 5% rate 0.022
N_POWER = 20


def _panel(process: str, rng: np.random.Generator, ratio: float | None = None) -> pd.DataFrame:
    cols = {}
    for j in range(N_SERIES):
        if ratio is not None and j < 3:
            sim = simulate_piecewise(PROCESSES[process], N_DAYS, (RATE, RATE * ratio), (182,), rng)
        else:
            sim = simulate_counts(PROCESSES[process], N_DAYS, RATE, rng)
        cols[f"s{j}"] = sim.counts
    return pd.DataFrame(cols)


@pytest.mark.slow
@pytest.mark.parametrize("process", ["poisson", "nb5", "ar0.8", "nb5+ar0.8"])
def test_false_alarms_at_most_five_percent(process):
    rng = np.random.default_rng(20261213)
    results = [detect_common_changes(_panel(process, rng)) for _ in range(N_NULL)]
    # any change the panel search declares, common or not (the stricter count)
    rate = sum(len(r.all_changes) > 0 for r in results) / N_NULL
    common = sum(r.n_changes > 0 for r in results) / N_NULL
    se = math.sqrt(0.05 * 0.95 / N_NULL)
    assert rate <= 0.05 + 2 * se, f"{process}: false-alarm rate {rate:.3f} (MC s.e. {se:.3f})"
    assert common <= rate


@pytest.mark.slow
@pytest.mark.parametrize(
    ("process", "ratio", "power"),
    [("poisson", 2.0, 0.9), ("poisson", 1.5, 0.8), ("nb5+ar0.8", 2.0, 0.8)],
)
def test_power_for_a_change_in_three_of_ten(process, ratio, power):
    rng = np.random.default_rng(20261214)
    found = 0
    for _ in range(N_POWER):
        ch = detect_common_changes(_panel(process, rng, ratio)).changes  # common changes only
        near = ch[(ch["index"] - 182).abs() <= 10]
        found += bool(len(near)) and {"s0", "s1", "s2"} <= set(near["affected"].iloc[0])
    se = math.sqrt(power * (1 - power) / N_POWER)
    assert found / N_POWER >= power - 2 * se, f"power {found / N_POWER:.2f} (MC s.e. {se:.3f})"
