"""The exact searches (FPOP, PELT) return the optimal partitioning of the O(n^2) programme."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.changepoints import MeanVarCost, NegBinCost, NormalCost, PoissonCost
from analysis.changepoints.search._dispatch import solve as _solve


def _random_series(rng: np.random.Generator, kind: str) -> tuple[np.ndarray, object]:
    n = int(rng.integers(6, 160))
    nseg = int(rng.integers(1, 5))
    cuts = np.sort(rng.choice(np.arange(1, n), nseg - 1, replace=False))
    mu = np.repeat(rng.uniform(0.1, 8, nseg), np.diff(np.r_[0, cuts, n]).astype(int))
    if kind == "poisson":
        return rng.poisson(mu).astype(float), PoissonCost()
    if kind == "negbin":
        return rng.negative_binomial(3, 3 / (3 + mu)).astype(float), NegBinCost(
            size=float(rng.uniform(0.5, 20))
        )
    if kind == "normal":
        # rounded values make exact ties between segmentations likely
        return np.round(mu + rng.normal(0, 1, n), 1), NormalCost()
    return mu + rng.normal(0, 1, n) * rng.uniform(0.3, 2), MeanVarCost()


def _compare(kind: str, method: str, seed: int, runs: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(runs):
        y, cost = _random_series(rng, kind)
        cost.fit(y)
        beta = float(rng.choice([0.5, 2.0, 5.0, 3 * math.log(y.size), 25.0]))
        m = int(rng.integers(1, 5))
        if y.size < 2 * m:
            continue
        ref, q_ref = _solve(cost, beta, "op", m)
        got, q_got = _solve(cost, beta, method, m)
        assert got == ref, (kind, method, y.tolist(), beta, m)
        assert q_got + beta * len(got) == pytest.approx(q_ref + beta * len(ref), rel=1e-9, abs=1e-9)
        assert all(b - a >= m for a, b in zip([0, *got], [*got, y.size], strict=True))


@pytest.mark.parametrize("kind", ["poisson", "negbin", "normal"])
@pytest.mark.parametrize("method", ["fpop", "pelt"])
def test_exact_methods_match_optimal_partitioning(kind, method):
    _compare(kind, method, seed=11, runs=120)


def test_pelt_matches_optimal_partitioning_for_mean_and_variance():
    _compare("meanvar", "pelt", seed=12, runs=120)


def test_fpop_exact_on_sparse_counts_with_long_zero_runs():
    rng = np.random.default_rng(13)
    for _ in range(60):
        n = int(rng.integers(20, 200))
        y = rng.poisson(np.where(np.arange(n) < n // 2, 0.05, 1.5)).astype(float)
        cost = PoissonCost().fit(y)
        for beta in (1.0, 3 * math.log(n)):
            assert _solve(cost, beta, "fpop", 1)[0] == _solve(cost, beta, "op", 1)[0]


def test_fpop_exact_on_a_long_series_with_few_changes():
    # a regime where plain pruning is weak: FPOP must still match PELT
    rng = np.random.default_rng(14)
    y = np.r_[rng.poisson(4, 1500), rng.poisson(6, 1500), rng.poisson(4, 1000)].astype(float)
    cost = PoissonCost().fit(y)
    beta = 3 * math.log(y.size)
    got, q_got = _solve(cost, beta, "fpop", 2)
    ref, q_ref = _solve(cost, beta, "pelt", 2)
    assert got == ref
    assert q_got == pytest.approx(q_ref, rel=1e-12)
