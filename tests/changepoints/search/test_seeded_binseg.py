"""Seeded binary segmentation (analysis/changepoints/search/_seeded_binseg.py); SIMULATED data."""

from __future__ import annotations

import numpy as np

from analysis.changepoints import MeanVarCost, PoissonCost
from analysis.changepoints.search._dispatch import internal_cost as _internal_cost
from analysis.changepoints.search._seeded_binseg import prune, seeded_binseg


def _penalised(cost, changes, beta):
    return _internal_cost(cost, changes) + beta * len(changes)


def test_no_change_below_its_penalty_with_tied_values():
    # integer-valued data with the mean-and-variance cost: a short run of tied
    # values wins a seeded interval; before pruning 4 to 11 extra changes were kept
    rng = np.random.default_rng(3)
    y = np.r_[rng.poisson(3, 1000), rng.poisson(8, 1000), rng.poisson(4, 1000)].astype(float)
    c = MeanVarCost().fit(y)
    beta = 4 * np.log(y.size)
    found = seeded_binseg(c, beta, 2)
    assert len(found) == 2
    assert abs(found[0] - 1000) <= 10 and abs(found[1] - 2000) <= 10


def test_prune_drops_a_pair_and_never_raises_the_penalised_cost():
    rng = np.random.default_rng(4)
    y = np.r_[rng.poisson(3, 300), rng.poisson(9, 300)].astype(float)
    c = PoissonCost().fit(y)
    beta = 3 * np.log(y.size)
    start = [100, 103, 300, 450]  # two spurious neighbours, a true change, one spurious
    out = prune(c, beta, start, 2)
    assert out == [300]
    assert _penalised(c, out, beta) <= _penalised(c, start, beta)
    assert prune(c, beta, [], 2) == []
