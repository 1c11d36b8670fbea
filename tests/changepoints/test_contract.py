"""The cost contract: every (cost, search) pair in one registry passes the same tests.

A cost joins the whole suite by adding one line to ``COSTS``: a name, a
factory and the searches it accepts. The built-in costs run their compiled
kernels; ``L1Cost`` (a user-written cost: absolute deviations from the
segment median) runs through the generic path that calls its own
``error(start, end)``. SIMULATED and constructed data only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from analysis.changepoints import (
    Cost,
    MeanVarCost,
    NegBinCost,
    NormalCost,
    PoissonCost,
    detect_changepoints,
)
from analysis.changepoints.costs import LinearCost
from analysis.changepoints.search import EXACT, GENERIC


class L1Cost(Cost):
    """A user's cost: sum of absolute deviations from the segment median (numpy)."""

    name = "l1"

    def error(self, start: int, end: int) -> float:
        seg = self.signal_[start:end]
        return float(np.abs(seg - np.median(seg)).sum())


class L1CostLoop(Cost):
    """The same cost written another way: sorted values, upper median, a Python loop."""

    name = "l1_loop"

    def error(self, start: int, end: int) -> float:
        seg = sorted(self.signal_[start:end].tolist())
        med = seg[len(seg) // 2]  # any value between the two middle ones minimises it
        total = 0.0
        for v in seg:
            total += abs(v - med)
        return total


ALL = ("fpop", "pelt", "op", "binseg", "seeded_binseg")

# name, factory, the searches it accepts: one line per cost
COSTS: list[tuple[str, Callable[[], Cost], tuple[str, ...]]] = [
    ("poisson", PoissonCost, ALL),
    ("negbin", lambda: NegBinCost(size=5.0), ALL),
    ("normal", NormalCost, ALL),
    ("normal_meanvar", MeanVarCost, GENERIC),
    ("linear", LinearCost, GENERIC),
    ("user_l1", L1Cost, GENERIC),
]

REGISTRY = [
    pytest.param(make, method, id=f"{name}-{method}")
    for name, make, methods in COSTS
    for method in methods
]
EXACT_REGISTRY = [p for p in REGISTRY if p.values[1] in EXACT and p.values[1] != "op"]

#: a clean step (whole numbers >= 0, so every cost accepts it): change at 60
STEP = np.r_[np.tile([1.0, 2.0, 3.0, 2.0], 15), np.tile([9.0, 10.0, 11.0, 10.0], 15)]


def _counts() -> np.ndarray:
    """SIMULATED counts with three changes (rates 3, 9, 4, 8 a step)."""
    rng = np.random.default_rng(70)
    return np.r_[
        rng.poisson(3, 40), rng.poisson(9, 25), rng.poisson(4, 35), rng.poisson(8, 20)
    ].astype(float)


@pytest.mark.parametrize(("make", "method"), REGISTRY)
def test_finds_the_one_change_in_a_clean_step(make, method):
    res = detect_changepoints(STEP, cost=make(), method=method)
    assert res.indices.tolist() == [60]


@pytest.mark.parametrize(("make", "method"), EXACT_REGISTRY)
def test_exact_search_agrees_with_optimal_partitioning(make, method):
    y = _counts()
    for penalty in (2.0, 8.0, 25.0):
        got = detect_changepoints(y, cost=make(), method=method, penalty=penalty, min_size=2)
        ref = detect_changepoints(y, cost=make(), method="op", penalty=penalty, min_size=2)
        assert got.indices.tolist() == ref.indices.tolist(), penalty
        assert got.cost == pytest.approx(ref.cost, rel=1e-9)


@pytest.mark.parametrize(("make", "method"), REGISTRY)
def test_min_size_is_respected(make, method):
    y = _counts()
    res = detect_changepoints(y, cost=make(), method=method, penalty=1.0, min_size=7)
    bounds = [0, *res.indices.tolist(), y.size]
    assert min(np.diff(bounds)) >= 7


@pytest.mark.parametrize(("make", "method"), REGISTRY)
def test_max_changes_is_respected(make, method):
    y = _counts()
    res = detect_changepoints(y, cost=make(), method=method, penalty=1.0, max_changes=2)
    assert 1 <= res.n_changes <= 2


@pytest.mark.parametrize(("make", "method"), REGISTRY)
def test_repeated_runs_give_identical_answers(make, method):
    y = _counts()
    runs = [detect_changepoints(y, cost=make(), method=method, penalty=4.0) for _ in range(3)]
    first = runs[0]
    for res in runs[1:]:
        assert res.indices.tolist() == first.indices.tolist()
        assert res.cost == first.cost
        assert res.intervals.equals(first.intervals)


@pytest.mark.parametrize("method", GENERIC)
def test_user_cost_equals_the_same_cost_written_another_way(method):
    y = _counts()
    for _ in range(3):
        a = detect_changepoints(y, cost=L1Cost(), method=method, penalty=4.0)
        b = detect_changepoints(y, cost=L1CostLoop(), method=method, penalty=4.0)
        assert a.indices.tolist() == b.indices.tolist()
        assert a.intervals[["index_low", "index_high"]].equals(
            b.intervals[["index_low", "index_high"]]
        )


def test_user_cost_with_fpop_is_refused_naming_the_methods_that_work():
    with pytest.raises(TypeError, match=r"L1Cost.*'pelt' 'op' 'binseg' 'seeded_binseg'"):
        detect_changepoints(STEP, cost=L1Cost(), method="fpop")
