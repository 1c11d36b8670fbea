"""The automatic choice of cost and method of :func:`detect_changepoints`.

``cost="auto"``: for non-negative whole numbers, Poisson unless the counts are
overdispersed within segments (a one-sided test at ``1 - level`` on
neighbouring pairs after a first Poisson pass, see
:mod:`analysis.changepoints._dispersion`), then negative binomial with that
dispersion; Gaussian mean-and-variance otherwise. ``method="auto"``: FPOP for
the one-parameter costs up to :data:`FPOP_MAX_N` values and binary
segmentation above; PELT up to :data:`PELT_MAX_N` values and seeded binary
segmentation above for the other costs (a user's cost included). Whole
numbers too large for the count costs to resolve the penalty in float64
(:func:`counts_precise`) are treated as measurements by ``"auto"`` and refused
by ``"poisson"`` and ``"negbin"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.changepoints.costs import Cost, MeanVarCost, NegBinCost, NormalCost, PoissonCost
from analysis.changepoints.costs.poisson import is_counts
from analysis.changepoints.penalties import penalty_value
from analysis.changepoints.search._dispatch import check_method, segment
from analysis.errors import DataError, Problem

COSTS: dict[str, type[Cost]] = {
    "poisson": PoissonCost,
    "negbin": NegBinCost,
    "normal": NormalCost,
    "normal_meanvar": MeanVarCost,
}
#: above this length the mean-and-variance cost uses seeded binary segmentation
PELT_MAX_N = 10_000
#: above this length the one-parameter costs use binary segmentation
FPOP_MAX_N = 200_000


@dataclass(frozen=True)
class Choice:
    """A fitted cost, why it was chosen, the method, the penalty and (if run) the changes."""

    cost: Cost
    reason: str
    method: str
    penalty: float
    changes: list[int] | None


def pick_method(method: str, cost: Cost, n: int) -> str:
    """``method``, checked against the cost; ``"auto"`` resolved by the length ``n``."""
    check_method(method, cost)
    if method != "auto":
        return method
    if cost.functional_form() is not None:
        return "fpop" if n <= FPOP_MAX_N else "binseg"
    return "pelt" if n <= PELT_MAX_N else "seeded_binseg"


def check_counts(x: np.ndarray, pos: np.ndarray, cost: str, source: str, col: str | None) -> None:
    """Refuse values that are not counts, naming each row, for a count cost."""
    if is_counts(x):  # the usual case, in one pass
        return
    bad_neg = x < 0
    bad_int = (x != np.round(x)) & ~bad_neg
    problems = [
        Problem(source, int(pos[i]) + 2, col, repr(float(x[i])), f"{cost} cost needs counts >= 0")
        for i in np.flatnonzero(bad_neg)
    ] + [
        Problem(
            source,
            int(pos[i]) + 2,
            col,
            repr(float(x[i])),
            f"{cost} cost needs whole numbers (counts); use cost='normal_meanvar' for measurements",
        )
        for i in np.flatnonzero(bad_int)
    ]
    if problems:
        raise DataError(problems, header=f"{len(problems)} value(s) unsuitable for the {cost} cost")


#: a count cost's rounding error, relative to ``2 S (1 + |log mean|)``, that
#: must stay below the penalty (about 450 float64 epsilons: sums, logarithms
#: and the differences the searches take)
_ROUNDING = 1e-13


def counts_precise(x: np.ndarray, beta: float) -> bool:
    """Can the count costs on ``x`` resolve a penalty of ``beta`` in float64?

    A segment cost is of order ``2 S (1 + |log mean|)`` (``S`` the segment's
    sum), and two segmentations are compared by the difference of such sums;
    for very large counts its rounding error exceeds the penalty and every
    comparison is noise (a constant series of 1e15 a day then gets dozens of
    changes). True when the error bound is below ``beta``.

    Examples
    --------
    >>> counts_precise(np.full(100, 5.0), 13.8), counts_precise(np.full(100, 1e15), 13.8)
    (True, False)
    """
    total = float(x.sum())
    if total <= 0:
        return True
    scale = 2.0 * total * (1.0 + abs(math.log(total / x.size)))
    return scale * _ROUNDING < beta


def _precision_problem(
    x: np.ndarray, beta: float, cost: str, source: str, column: str | None
) -> DataError:
    total = float(x.sum())
    return DataError(
        Problem(
            source,
            None,
            column,
            None,
            f"counts too large for the {cost} cost: they sum to {total:.4g}, and float64 "
            f"rounding of the cost would exceed the penalty ({beta:.3g}), so changes would be "
            "noise; use cost='normal' or 'normal_meanvar' (or divide the counts)",
        )
    )


def _pen(penalty: str | float, n: int, cost: Cost) -> float:
    return penalty_value(penalty, n, cost.params_per_segment)


def choose(
    cost: str | Cost,
    x: np.ndarray,
    pos: np.ndarray,
    penalty: str | float,
    method: str,
    m: int,
    level: float,
    source: str,
    column: str | None,
) -> Choice:
    """Fit the cost named by ``cost`` (or chosen for ``"auto"``) to ``x`` and pick the method."""
    from analysis.changepoints._dispersion import within_segment_dispersion

    n = x.size
    if isinstance(cost, Cost):
        c = cost.fit(x)
        meth = pick_method(method, c, n)
        return Choice(c, "cost object given by the caller", meth, _pen(penalty, n, c), None)
    if isinstance(cost, type) and issubclass(cost, Cost):
        raise TypeError(
            f"cost must be a Cost object, not the class {cost.__name__}: use {cost.__name__}()"
        )
    if not isinstance(cost, str) or (cost != "auto" and cost not in COSTS):
        raise ValueError(f"unknown cost {cost!r}: use 'auto', one of {', '.join(COSTS)} or a Cost")
    if cost in ("poisson", "negbin"):
        check_counts(x, pos, cost, source, column)
    if cost in ("poisson", "negbin"):
        beta = penalty_value(penalty, n, COSTS[cost].params_per_segment)
        if not counts_precise(x, beta):
            raise _precision_problem(x, beta, cost, source, column)
    if cost in ("normal", "normal_meanvar", "poisson"):
        c = COSTS[cost]().fit(x)
        return Choice(
            c, f"cost={cost!r} given", pick_method(method, c, n), _pen(penalty, n, c), None
        )
    if cost == "auto" and not is_counts(x):
        c = MeanVarCost().fit(x)
        why = "values are not all non-negative whole numbers, so a Gaussian mean-and-variance cost"
        return Choice(c, why, pick_method(method, c, n), _pen(penalty, n, c), None)
    if cost == "auto" and not counts_precise(x, penalty_value(penalty, n, 1)):
        c = MeanVarCost().fit(x)
        why = (
            "whole numbers too large for a count cost in float64 (they sum to "
            f"{float(x.sum()):.4g}), so a Gaussian mean-and-variance cost"
        )
        return Choice(c, why, pick_method(method, c, n), _pen(penalty, n, c), None)
    # counts: a Poisson first pass, then dispersion from within-segment pairs
    pc = PoissonCost().fit(x)
    meth = pick_method(method, pc, n)
    beta = _pen(penalty, n, pc)
    first, _ = segment(pc, beta, meth, m, None)
    disp = within_segment_dispersion(x, first)
    alpha = 1.0 - level
    if cost == "auto" and disp.p_value >= alpha:
        why = (
            "non-negative whole numbers without overdispersion within segments "
            f"(neighbour-pair test z = {disp.z:.2f}, p = {disp.p_value:.3g} >= {alpha:.3g})"
        )
        return Choice(pc, why, meth, beta, first)
    nb = NegBinCost(size=disp.size).fit(x)
    second, _ = segment(nb, beta, meth, m, None)
    disp2 = within_segment_dispersion(x, second)
    done: list[int] | None = second
    if abs(math.log(disp2.size / disp.size)) > 0.02:  # else keep r and its segmentation
        nb = NegBinCost(size=disp2.size).fit(x)
        done = None
    why = (
        f"within-segment neighbour-pair dispersion 1/r = {1.0 / nb.par_:.3g} "
        f"(test of Poisson z = {disp.z:.2f}, p = {disp.p_value:.3g})"
    )
    if cost == "auto":
        why = f"overdispersed counts: {why}"
    return Choice(nb, why, meth, beta, done)
