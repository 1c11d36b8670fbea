"""One entry to every search: the method names, exact solves and ``max_changes``."""

from __future__ import annotations

import itertools

import numpy as np

from analysis.changepoints.costs._base import Cost

METHODS = ("auto", "fpop", "pelt", "binseg", "seeded_binseg", "op")
EXACT = ("fpop", "pelt", "op")
#: the methods that work with any cost (a cost without a compiled natural form)
GENERIC = ("pelt", "op", "binseg", "seeded_binseg")
#: largest n * max_changes for the exact at-most-K dynamic programme
EXACT_K_LIMIT = 50_000
#: the same for a cost searched through its Python ``error`` (n^2 K / 2 calls)
GENERIC_K_CALLS = 500_000


def check_method(method: str, cost: Cost) -> None:
    """Refuse an unknown method, or FPOP for a cost without a natural form."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    if method == "fpop" and cost.functional_form() is None:
        if cost.kernel() is None:
            raise TypeError(
                f"method 'fpop' needs a cost in natural one-parameter form; "
                f"{type(cost).__name__} is searched through its error(start, end), "
                f"which works with method={' '.join(repr(m) for m in GENERIC)} "
                "(or 'auto')"
            )
        raise ValueError(
            f"method 'fpop' needs a one-parameter cost (poisson, negbin, normal), not {cost.name!r}"
        )


def _backtrack(last: np.ndarray) -> list[int]:
    out = []
    t = last.size - 1
    while t > 0:
        t = int(last[t])
        if t > 0:
            out.append(t)
    return out[::-1]


def solve(
    cost: Cost, beta: float, method: str, m: int, length: tuple[float, bool] = (0.0, False)
) -> tuple[list[int], float]:
    """Exact solution: ``(changes, unpenalised cost)`` by ``fpop``, ``pelt`` or ``op``.

    ``length = (weight, zero_rule)`` adds R's MBIC per-segment ``weight *
    log(length)`` term (see :func:`~analysis.changepoints.search._pelt.pelt`);
    only PELT solves that objective.
    """
    if length[0] > 0 and method != "pelt":
        raise ValueError(
            f"penalty='mbic' (R's objective, with a log-length term per segment) is solved "
            f"exactly by method='pelt', not {method!r}"
        )
    if method == "fpop":
        from analysis.changepoints.search._fpop import fpop

        form = cost.functional_form()
        if form is None:
            check_method("fpop", cost)
            raise AssertionError("unreachable")  # pragma: no cover
        last, fn, _ = fpop(form, beta, m)
    elif method == "pelt":
        from analysis.changepoints.search._pelt import pelt

        last, fn = pelt(cost, beta, m, *length)
    elif method == "op":
        from analysis.changepoints.search._brute import optimal_partitioning

        last, fn = optimal_partitioning(cost, beta, m)
    else:
        raise ValueError(f"not an exact method: {method!r} (use one of {', '.join(EXACT)})")
    changes = _backtrack(last)
    return changes, float(fn) - beta * len(changes)


def internal_cost(cost: Cost, changes: list[int]) -> float:
    """Sum of the segment errors of a segmentation."""
    b = [0, *changes, cost.signal_.size]
    return float(sum(cost.error(x, z) for x, z in itertools.pairwise(b)))


def segment(
    cost: Cost,
    beta: float,
    method: str,
    m: int,
    max_changes: int | None,
    length: tuple[float, bool] = (0.0, False),
) -> tuple[list[int], float]:
    """Changes and their unpenalised cost by ``method``, honouring ``max_changes``.

    When an exact method finds more than ``max_changes`` changes: segment
    neighbourhood when ``n * max_changes <= EXACT_K_LIMIT`` (and, for a cost
    without a compiled kernel, ``n^2 max_changes / 2 <= GENERIC_K_CALLS``
    calls of its ``error``), else the better
    of the penalty path's richest answer within the limit and binary
    segmentation's ``max_changes`` splits.
    """
    if length[0] > 0:
        if max_changes is not None:
            raise ValueError("max_changes is not available with penalty='mbic' (R's objective)")
        return solve(cost, beta, method, m, length)
    if method in ("binseg", "seeded_binseg"):
        if method == "binseg":
            from analysis.changepoints.search._binseg import binseg

            changes = binseg(cost, beta, m, max_changes)
        else:
            from analysis.changepoints.search._seeded_binseg import seeded_binseg

            changes = seeded_binseg(cost, beta, m, max_changes)
        return changes, internal_cost(cost, changes)
    changes, q = solve(cost, beta, method, m)
    if max_changes is None or len(changes) <= max_changes:
        return changes, q
    n = cost.signal_.size
    k = max(max_changes, 1)
    small = n * k <= EXACT_K_LIMIT
    if cost.kernel() is None:
        small = small and n * n * k / 2 <= GENERIC_K_CALLS
    if small:
        from analysis.changepoints.search._segneigh import at_most_k

        return at_most_k(cost, beta, m, max_changes)
    # long series: raise the penalty until at most max_changes, then take the
    # richest segmentation on the penalty path with at most max_changes changes,
    # or binary segmentation's max_changes splits when that costs less
    hi = max(beta, 1.0)
    while True:
        hi *= 2.0
        ch_hi, _q_hi = solve(cost, hi, method, m)
        if len(ch_hi) <= max_changes:
            break
    from analysis.changepoints._crops import crops
    from analysis.changepoints.search._binseg import binseg

    path, _ = crops(lambda b: as_tuple(solve(cost, b, method, m)), beta, hi)
    k = max(c for c in path if c <= max_changes)
    best, best_q = list(path[k][0]), path[k][1]
    split = binseg(cost, beta, m, max_changes)
    split_q = internal_cost(cost, split)
    if split_q + beta * len(split) < best_q + beta * len(best):
        return split, split_q
    return best, best_q


def as_tuple(sol: tuple[list[int], float]) -> tuple[tuple[int, ...], float]:
    """A solution with its changes as a tuple (for :func:`~analysis.changepoints._crops.crops`)."""
    return tuple(sol[0]), sol[1]
