"""How a search asks a cost for a segment's error: its compiled kernel, or ``error()``.

Every search is written once, as a numba function of a segment function
``seg(cs1, cs2, par, a, b)`` (the cost of ``(a, b]``) and ``n``. For a
built-in cost it runs compiled with the cost's own kernel
(:meth:`~analysis.changepoints.costs.Cost.kernel`); for any other cost the
same code runs as plain Python with ``seg`` calling the cost's
:meth:`~analysis.changepoints.costs.Cost.error`, so a user's cost works with
every search and is never run through another cost's kernel.

A compiled body takes the kernel as an argument, which numba cannot cache
(``cache=False``); :func:`compiled` hands out instead the cached entry point
for that body and kernel, listed in ``ENTRIES`` of the body's own module (one
per built-in cost), when there is one, so a built-in cost loads its searches
from the disk cache.
"""

from __future__ import annotations

import functools
import sys
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


def compiled(body: Any, kernel: Any) -> Callable[..., Any]:
    """``f(*args)`` computing ``body(kernel, *args)``: the cached entry point when there is one.

    ``body`` is a compiled search body whose first argument is a segment
    kernel; for a kernel without an entry point (a user's own compiled
    kernel) the body is compiled in this process.

    Examples
    --------
    >>> from analysis.changepoints.costs import PoissonCost, poisson
    >>> from analysis.changepoints.search._pelt import _pelt
    >>> compiled(_pelt, poisson._segment_kernel).__name__
    '_pelt_poisson'
    """
    # the body's own module lists its entry points (``ENTRIES``)
    table = getattr(sys.modules.get(body.py_func.__module__), "ENTRIES", {})
    entry = table.get((body, kernel))
    if entry is not None:
        return entry  # type: ignore[no-any-return]
    return functools.partial(body, kernel)


def run(search: Any, cost: Cost, *args: Any) -> Any:
    """Run a compiled ``search(seg, cs1, cs2, par, n, *args)`` on ``cost``.

    With the cost's compiled kernel when it has one (through its cached entry
    point, :func:`compiled`), else as Python with :func:`python_segment`.
    """
    k = cost.kernel()
    if k is not None:
        return compiled(search, k.cost)(k.cs1, k.cs2, k.par, k.n, *args)
    return search.py_func(python_segment(cost), _NONE, _NONE, 0.0, cost.signal_.size, *args)
