"""Location intervals of change points: coverage by simulation."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.changepoints import detect_changepoints


def _coverage(draw, runs: int, seed: int, cost: str) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    covered = detected = 0
    widths = []
    for _ in range(runs):
        y, true = draw(rng)
        res = detect_changepoints(y, cost=cost, max_changes=1)
        if res.n_changes != 1:
            continue
        detected += 1
        iv = res.intervals
        covered += int(iv["index_low"].iloc[0] <= true <= iv["index_high"].iloc[0])
        widths.append(iv["index_high"].iloc[0] - iv["index_low"].iloc[0] + 1)
    return covered / detected, float(np.mean(widths))


def _poisson_step(rng):
    true = int(rng.integers(80, 121))
    return np.r_[rng.poisson(3.0, true), rng.poisson(5.0, 200 - true)], true


def _normal_step(rng):
    true = int(rng.integers(80, 121))
    return np.r_[rng.normal(0, 1, true), rng.normal(1.0, 1, 200 - true)], true


@pytest.mark.slow
@pytest.mark.parametrize("draw,cost", [(_poisson_step, "poisson"), (_normal_step, "normal")])
def test_location_interval_covers_the_true_change(draw, cost):
    # a moderate change (its location is uncertain by several steps); 400 runs:
    # binomial sd of a 95% coverage is 1.1%, so the 3-sd band is 91.7%-98.3%
    cover, width = _coverage(draw, 400, seed=30, cost=cost)
    # measured: 96.8% (Poisson), 94.8% (normal), mean widths about 18 steps
    assert 0.917 <= cover <= 0.983
    assert 3 < width < 60


def test_interval_narrows_with_the_size_of_the_change():
    rng = np.random.default_rng(31)
    small = detect_changepoints(np.r_[rng.poisson(3, 100), rng.poisson(6, 100)], cost="poisson")
    big = detect_changepoints(np.r_[rng.poisson(3, 100), rng.poisson(30, 100)], cost="poisson")
    w = [r.intervals["index_high"].iloc[0] - r.intervals["index_low"].iloc[0] for r in (small, big)]
    assert w[1] < w[0]
    assert w[1] == 0
