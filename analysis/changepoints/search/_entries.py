"""Cached compiled entry points: every search for every built-in cost.

Each search is written once, as a compiled body that takes the cost's segment
kernel (or natural-form functions) as its first arguments
(:mod:`~analysis.changepoints.search._common`). numba cannot store such a
function in its on-disk cache (a compiled function passed as an argument,
numba issue #6251), so on its own a body is compiled again in every process:
about one to two seconds per search and cost. Here each built-in cost gets,
for each body, an entry point without callable arguments that calls the
body with the cost's kernel as a global; numba caches those, so a process
loads them instead of compiling (``python -m analysis.changepoints._warm``
compiles them all ahead, at install time).

An entry point's machine code includes the body and the kernel, which live
in other files; numba's cache index stamps only this file, so the package
keeps every cache in a folder keyed on the hash of all its compiled sources
(:mod:`analysis._numba`): an edit to a kernel or a body moves the cache.

:data:`ENTRIES` maps ``(body, kernel)`` to the entry point, keyed by the
compiled functions themselves (not by cost names), so a cost only ever runs
with its own kernel. A kernel that is not listed (a user's cost whose
``kernel()`` returns its own compiled function, or a new built-in cost not
yet added here) runs the same body compiled in each process: the same
answer, only a slower first call. A new built-in cost adds one line to
``_KERNELS`` and one entry point per body below (the test of this file checks
that every built-in cost has them all).

Hand-written (numba has no way to cache a function of a function), and kept
as plain repeated code because numba cannot cache a function generated at run
time either (it needs the source file and line).
"""

from __future__ import annotations

from typing import Any

from analysis._numba import njit
from analysis.changepoints.costs import (
    linear,
    negbin,
    normal,
    normal_meanvar,
    poisson,
    poisson_weighted,
)
from analysis.changepoints.intervals import _profile
from analysis.changepoints.search._binseg import _all_splits
from analysis.changepoints.search._brute import _op
from analysis.changepoints.search._fpop import _fpop_convex, _fpop_quadratic
from analysis.changepoints.search._pelt import _pelt

__all__ = ["ENTRIES", "FORM_ENTRIES"]


# --- _pelt -----------------------------------------------------------------
@njit(cache=True)
def _pelt_poisson(cs1, cs2, par, n, beta, m, lw, zero_rule):
    return _pelt(poisson._segment_kernel, cs1, cs2, par, n, beta, m, lw, zero_rule)


@njit(cache=True)
def _pelt_negbin(cs1, cs2, par, n, beta, m, lw, zero_rule):
    return _pelt(negbin._segment_kernel, cs1, cs2, par, n, beta, m, lw, zero_rule)


@njit(cache=True)
def _pelt_normal(cs1, cs2, par, n, beta, m, lw, zero_rule):
    return _pelt(normal._segment_kernel, cs1, cs2, par, n, beta, m, lw, zero_rule)


@njit(cache=True)
def _pelt_normal_meanvar(cs1, cs2, par, n, beta, m, lw, zero_rule):
    return _pelt(normal_meanvar._segment_kernel, cs1, cs2, par, n, beta, m, lw, zero_rule)


@njit(cache=True)
def _pelt_linear(cs1, cs2, par, n, beta, m, lw, zero_rule):
    return _pelt(linear._segment_kernel, cs1, cs2, par, n, beta, m, lw, zero_rule)


@njit(cache=True)
def _pelt_poisson_weighted(cs1, cs2, par, n, beta, m, lw, zero_rule):
    return _pelt(poisson_weighted._segment_kernel, cs1, cs2, par, n, beta, m, lw, zero_rule)


# --- _op -------------------------------------------------------------------
@njit(cache=True)
def _op_poisson(cs1, cs2, par, n, beta, m):
    return _op(poisson._segment_kernel, cs1, cs2, par, n, beta, m)


@njit(cache=True)
def _op_negbin(cs1, cs2, par, n, beta, m):
    return _op(negbin._segment_kernel, cs1, cs2, par, n, beta, m)


@njit(cache=True)
def _op_normal(cs1, cs2, par, n, beta, m):
    return _op(normal._segment_kernel, cs1, cs2, par, n, beta, m)


@njit(cache=True)
def _op_normal_meanvar(cs1, cs2, par, n, beta, m):
    return _op(normal_meanvar._segment_kernel, cs1, cs2, par, n, beta, m)


@njit(cache=True)
def _op_linear(cs1, cs2, par, n, beta, m):
    return _op(linear._segment_kernel, cs1, cs2, par, n, beta, m)


@njit(cache=True)
def _op_poisson_weighted(cs1, cs2, par, n, beta, m):
    return _op(poisson_weighted._segment_kernel, cs1, cs2, par, n, beta, m)


# --- _all_splits -----------------------------------------------------------
@njit(cache=True)
def _splits_poisson(cs1, cs2, par, iv, m):
    return _all_splits(poisson._segment_kernel, cs1, cs2, par, iv, m)


@njit(cache=True)
def _splits_negbin(cs1, cs2, par, iv, m):
    return _all_splits(negbin._segment_kernel, cs1, cs2, par, iv, m)


@njit(cache=True)
def _splits_normal(cs1, cs2, par, iv, m):
    return _all_splits(normal._segment_kernel, cs1, cs2, par, iv, m)


@njit(cache=True)
def _splits_normal_meanvar(cs1, cs2, par, iv, m):
    return _all_splits(normal_meanvar._segment_kernel, cs1, cs2, par, iv, m)


@njit(cache=True)
def _splits_linear(cs1, cs2, par, iv, m):
    return _all_splits(linear._segment_kernel, cs1, cs2, par, iv, m)


@njit(cache=True)
def _splits_poisson_weighted(cs1, cs2, par, iv, m):
    return _all_splits(poisson_weighted._segment_kernel, cs1, cs2, par, iv, m)


# --- _profile --------------------------------------------------------------
@njit(cache=True)
def _profile_poisson(cs1, cs2, par, a, b, m):
    return _profile(poisson._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_negbin(cs1, cs2, par, a, b, m):
    return _profile(negbin._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_normal(cs1, cs2, par, a, b, m):
    return _profile(normal._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_normal_meanvar(cs1, cs2, par, a, b, m):
    return _profile(normal_meanvar._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_linear(cs1, cs2, par, a, b, m):
    return _profile(linear._segment_kernel, cs1, cs2, par, a, b, m)


@njit(cache=True)
def _profile_poisson_weighted(cs1, cs2, par, a, b, m):
    return _profile(poisson_weighted._segment_kernel, cs1, cs2, par, a, b, m)


# --- FPOP: the natural forms of the one-parameter costs -------------------
@njit(cache=True, error_model="numpy")
def _fpop_poisson(slots, cs1, par, beta, m, vmin, vmax, vfloor):
    return _fpop_convex(
        poisson.segment_cost,
        poisson._g_value,
        poisson._g_slope,
        poisson._g_at_mean,
        poisson._link,
        poisson._weight,
        poisson._candidate,
        slots,
        cs1,
        par,
        beta,
        m,
        vmin,
        vmax,
        vfloor,
    )


@njit(cache=True, error_model="numpy")
def _fpop_negbin(slots, cs1, par, beta, m, vmin, vmax, vfloor):
    return _fpop_convex(
        negbin.segment_cost,
        negbin._g_value,
        negbin._g_slope,
        negbin._g_at_mean,
        negbin._link,
        negbin._weight,
        negbin._candidate,
        slots,
        cs1,
        par,
        beta,
        m,
        vmin,
        vmax,
        vfloor,
    )


@njit(cache=True, error_model="numpy")
def _fpop_normal(cs1, par, beta, m, vmin, vmax, vfloor):
    return _fpop_quadratic(normal.segment_cost, cs1, par, beta, m, vmin, vmax, vfloor)


_KERNELS = {
    "poisson": poisson._segment_kernel,
    "negbin": negbin._segment_kernel,
    "normal": normal._segment_kernel,
    "normal_meanvar": normal_meanvar._segment_kernel,
    "linear": linear._segment_kernel,
    "poisson_weighted": poisson_weighted._segment_kernel,
}
_BODIES = {"pelt": _pelt, "op": _op, "splits": _all_splits, "profile": _profile}

#: ``(body, kernel) -> entry``: ``entry(*args)`` is ``body(kernel, *args)``
ENTRIES: dict[tuple[Any, Any], Any] = {
    (body, kernel): globals()[f"_{label}_{cost}"]
    for label, body in _BODIES.items()
    for cost, kernel in _KERNELS.items()
}

#: ``(body, natural-form functions) -> entry`` for FPOP (``quadratic`` forms
#: take no ``slots``)
FORM_ENTRIES: dict[tuple[Any, ...], Any] = {
    (_fpop_convex, *poisson.PoissonCost._form): _fpop_poisson,
    (_fpop_convex, *negbin.NegBinCost._form): _fpop_negbin,
    (_fpop_quadratic, *normal.NormalCost._form): _fpop_normal,
}
