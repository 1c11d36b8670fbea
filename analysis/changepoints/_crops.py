"""CROPS (Haynes, Eckley and Fearnhead 2017): every optimal segmentation over a penalty range.

For penalties in ``[lo, hi]`` the optimal number of changes is a step
function; CROPS finds all of its steps with at most ``2 k`` exact solves,
``k`` the number of distinct segmentations: given solutions with ``m0 > m1``
changes at penalties ``b0 < b1``, the penalty at which they cost the same is
``(Q1 - Q0) / (m0 - m1)`` (``Q`` the unpenalised cost); solving there either
returns one of them (no segmentation in between) or a new one to recurse on.
"""

from __future__ import annotations

from collections.abc import Callable

Solution = tuple[tuple[int, ...], float]  # (changes, unpenalised cost)


def crops(
    solve: Callable[[float], Solution], lo: float, hi: float, limit: int | None = None
) -> tuple[dict[int, Solution], bool]:
    """Map number of changes -> (changes, unpenalised cost) for every step in ``[lo, hi]``.

    Stops once ``limit`` segmentations are found; the flag says whether the
    path is complete.
    """
    found: dict[int, Solution] = {}

    def add(sol: Solution) -> None:
        found.setdefault(len(sol[0]), sol)

    s_lo, s_hi = solve(lo), solve(hi)
    add(s_lo)
    add(s_hi)
    stack = [(s_lo, s_hi)]
    while stack:
        if limit is not None and len(found) >= limit:
            return found, False
        a, b = stack.pop()
        ma, mb = len(a[0]), len(b[0])
        if ma <= mb + 1:
            continue
        beta = (b[1] - a[1]) / (ma - mb)
        mid = solve(beta)
        mm = len(mid[0])
        add(mid)
        if mm in (ma, mb):
            continue
        stack.append((a, mid))
        stack.append((mid, b))
    return found, True
