"""Segment neighbourhood: the best segmentation with at most K changes (``max_changes``)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from analysis.changepoints import PoissonCost
from analysis.changepoints.search._segneigh import at_most_k


def _enumerate_best(cost, n: int, m: int, k_max: int, beta: float) -> float:
    """Brute force: min over every segmentation with at most k_max changes."""
    best = math.inf
    for k in range(k_max + 1):
        for cuts in itertools.combinations(range(m, n - m + 1), k):
            bounds = [0, *cuts, n]
            if any(b - a < m for a, b in itertools.pairwise(bounds)):
                continue
            total = sum(cost.error(a, b) for a, b in itertools.pairwise(bounds)) + beta * k
            best = min(best, total)
    return best


@pytest.mark.parametrize("k_max", [1, 2, 3])
def test_max_changes_gives_the_best_segmentation_with_at_most_k(k_max):
    rng = np.random.default_rng(40 + k_max)  # simulated series
    for _ in range(25):
        n, m = 16, int(rng.integers(1, 4))
        y = rng.poisson(rng.choice([1.0, 4.0, 9.0], size=n)).astype(float)
        cost = PoissonCost().fit(y)
        beta = float(rng.uniform(0.5, 6.0))
        changes, q = at_most_k(cost, beta, m, k_max)
        assert len(changes) <= k_max
        assert q + beta * len(changes) == pytest.approx(_enumerate_best(cost, n, m, k_max, beta))


def test_max_changes_finds_a_change_off_the_penalty_path():
    from analysis import detect_changepoints

    rng = np.random.default_rng(3)  # simulated: rates 3, 8, 4 a day
    y = np.r_[rng.poisson(3, 150), rng.poisson(8, 150), rng.poisson(4, 150)]
    assert list(detect_changepoints(y, cost="poisson", max_changes=1).indices) == [151]
