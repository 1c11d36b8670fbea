"""How a search asks a cost for a segment's error: its compiled kernel, or ``error()``.

Every search is written once, as a numba function of a segment function
``seg(cs1, cs2, par, a, b)`` (the cost of ``(a, b]``) and ``n``. For a
built-in cost it runs compiled with the cost's own kernel
(:meth:`~analysis.changepoints.costs.Cost.kernel`); for any other cost the
same code runs as plain Python with ``seg`` calling the cost's
:meth:`~analysis.changepoints.costs.Cost.error`, so a user's cost works with
every search and is never run through another cost's kernel.

The compiled searches take the kernel as an argument, so numba's on-disk
cache (keyed by the search's own file) could not see an edit of the cost's
file: they are compiled once per process (``cache=False``) instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from analysis.changepoints.costs._base import Cost

_NONE = np.zeros(1)


def python_segment(cost: Cost) -> Callable[..., float]:
    """``seg(cs1, cs2, par, a, b)`` that asks ``cost.error(a, b)``."""
    error = cost.error

    def seg(cs1: Any, cs2: Any, par: Any, a: int, b: int) -> float:
        return float(error(int(a), int(b)))

    return seg


def run(search: Any, cost: Cost, *args: Any) -> Any:
    """Run a compiled ``search(seg, cs1, cs2, par, n, *args)`` on ``cost``.

    With the cost's compiled kernel when it has one, else as Python with
    :func:`python_segment`.
    """
    k = cost.kernel()
    if k is not None:
        return search(k.cost, k.cs1, k.cs2, k.par, k.n, *args)
    return search.py_func(python_segment(cost), _NONE, _NONE, 0.0, cost.signal_.size, *args)
