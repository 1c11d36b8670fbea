"""The Cost base class: the contract a user's cost relies on, and kernels kept to their class."""

from __future__ import annotations

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


def test_error_and_vectorised_errors_agree(y):
    for cost in (PoissonCost(), NegBinCost(size=3.0), NormalCost(), MeanVarCost()):
        cost.fit(y)
        starts = np.arange(0, 30, 3)
        assert cost.errors(starts, 35) == pytest.approx([cost.error(s, 35) for s in starts])


class _Doubled(PoissonCost):
    """A user's subclass of a built-in cost that changes its error."""

    def error(self, start: int, end: int) -> float:
        return 2.0 * super().error(start, end)


def test_a_subclass_of_a_built_in_cost_gets_no_kernel(y):
    assert PoissonCost().fit(y).kernel() is not None
    assert _Doubled().fit(y).kernel() is None
    assert _Doubled().fit(y).functional_form() is None


def test_a_subclass_of_a_built_in_cost_is_searched_through_its_own_error():
    # twice the Poisson cost with twice the penalty is the Poisson answer
    rng = np.random.default_rng(52)  # simulated counts
    y = np.concatenate([rng.poisson(r, 60) for r in (2, 6, 3)]).astype(float)
    for method in ("pelt", "op", "binseg", "seeded_binseg"):
        mine = detect_changepoints(y, cost=_Doubled(), method=method, penalty=20.0)
        ref = detect_changepoints(y, cost="poisson", method=method, penalty=10.0)
        assert mine.indices.tolist() == ref.indices.tolist(), method


def test_a_cost_without_error_says_what_to_define():
    class Empty(Cost):
        pass

    with pytest.raises(NotImplementedError, match=r"Empty must define error\(start, end\)"):
        detect_changepoints(np.arange(10.0), cost=Empty())


def test_a_cost_class_instead_of_an_object_is_a_type_error():
    with pytest.raises(TypeError, match=r"use PoissonCost\(\)"):
        detect_changepoints(np.arange(10.0), cost=PoissonCost)
