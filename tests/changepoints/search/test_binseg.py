"""Binary segmentation's split cache gives exactly the splits and changes computed afresh."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.changepoints.costs import NormalCost, PoissonCost
from analysis.changepoints.search._binseg import SplitCache, binseg, splitter


def _series(rng: np.random.Generator, n: int) -> np.ndarray:
    # SIMULATED: Gaussian noise with shifts, and ties (rounded values) so that equal gains occur
    steps = np.repeat(rng.normal(0, 1.5, 6), -(-n // 6))[:n]
    return np.round(rng.normal(0, 1, n) + steps, 1)


@pytest.mark.parametrize("seed", range(4))
def test_cached_splits_are_the_fresh_splits(seed):
    rng = np.random.default_rng(seed)
    cost = NormalCost(sd=1.0).fit(_series(rng, 600))
    fresh = splitter(cost)
    cache = SplitCache(cost, base_m=2)
    for _ in range(300):
        a, b = np.sort(rng.choice(601, 2, replace=False))
        m = int(rng.choice([1, 2, 3, 24, 60]))
        assert cache(int(a), int(b), m) == fresh(int(a), int(b), m)
    # the cache was used: wider-m requests were answered from the base size
    assert any(m > 2 for (_, _, m) in cache._done)


@pytest.mark.parametrize("seed", range(3))
def test_a_shared_cache_changes_no_segmentation(seed):
    rng = np.random.default_rng(100 + seed)
    y = _series(rng, 3000)
    cost = NormalCost(sd=0.5).fit(y)
    cache = SplitCache(cost, base_m=2)
    # as the automatic choice uses it: pilot with segments of 24, then rising penalties
    for beta, m in ((30.0, 24), (10.0, 2), (20.0, 2), (80.0, 2), (5.0, 24), (10.0, 2)):
        assert binseg(cost, beta, m, None, cache) == binseg(cost, beta, m)
    counts = PoissonCost().fit(rng.poisson(np.repeat([2.0, 6.0, 3.0], 1000)).astype(float))
    shared = SplitCache(counts)
    for beta in (40.0, 15.0, 200.0):
        assert binseg(counts, beta, 2, 2, shared) == binseg(counts, beta, 2, 2)


def test_a_cache_of_another_cost_is_refused():
    y = np.r_[np.zeros(20), np.ones(20)]
    with pytest.raises(ValueError, match="split cache belongs to another cost"):
        binseg(NormalCost(sd=1.0).fit(y), 5.0, 2, None, SplitCache(NormalCost(sd=1.0).fit(y)))
