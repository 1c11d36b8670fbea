"""TEST-ONLY copy of ``analysis/changepoints/search/_fpop.py`` at commit 61b337f (before the
faster candidate steps): the equality tests compare the package's search with it.

Not imported by the package; compiled in the test process (``cache=False``), never
edited except to keep it running. Its original docstring follows.

Functional pruning optimal partitioning (FPOP, Maidstone et al. 2017).

Exact like PELT but near-linear even when changes are few, for the costs
that are a convex function of one segment parameter ``v`` (normal mean,
Poisson, negative binomial with fixed dispersion). Each such cost gives its
natural form (:class:`~analysis.changepoints.costs._base.FunctionalForm`:
compiled ``G``, ``G'``, link, weight and candidate-cost functions beside the
cost's class), and the search takes those functions as arguments, so it
holds no list of costs; a cost without a natural form (a user's own cost)
cannot be searched here. numba cannot cache a function that takes compiled
functions as arguments, so the bodies here are ``cache=False``; each built-in
cost has a cached entry point in this file (:data:`FORM_ENTRIES`)
that :func:`fpop` calls instead (a natural form without one compiles the body
in each process).
Hand-written because no maintained Python library offers functional pruning
for Poisson or negative-binomial costs.

Each candidate last change ``tau`` keeps the set of parameter values at which
it may still be optimal, as two intervals. If ``tau`` is the optimal last
change for some end ``T`` with segment parameter ``v*``, then for every valid
``s`` in ``(tau, T - m]``: ``F(tau) + beta + C_{tau,s}(v*) <= F(s) + beta``
(otherwise going through ``s`` would be cheaper). Each such inequality is an
interval in ``v`` (the cost is convex), so intersecting a candidate's
intervals with it keeps ``v*``; a candidate whose intervals are both empty
is dropped for good. End points are moved with Newton steps, which for a
convex function approach a root from outside without crossing it, so no
feasible value is lost. At its birth, candidate ``s`` is given the parameter
range minus the values where an older candidate is at least as cheap (the
connected union, around the optimum at ``s``, of the older candidates'
intervals just cut, on which the inequality holds), hence two intervals.
For Poisson and negative-binomial counts the optimal segment mean is at
least ``1 / n`` once a segment has a positive count, which bounds ``v``
below. The result equals optimal partitioning (tested against the O(n^2)
programme, ties included) up to a relative tolerance of 1e-10 in the cost.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from analysis.changepoints.costs._base import FunctionalForm


@njit(cache=False, error_model="numpy", inline="always")
def _h(fdiff: float, s: float, w: float, v: float, g: float) -> float:
    # constraint value: F(tau) + beta - F(s) - beta + 2 (-S v + W G(v))
    if s == 0.0:
        return fdiff + 2.0 * w * g
    return fdiff + 2.0 * (-s * v + w * g)


@njit(cache=False, error_model="numpy")
def _newton(
    g_value: Any,
    g_slope: Any,
    par: float,
    fdiff: float,
    s: float,
    w: float,
    v: float,
    g: float,
    hv: float,
    tol: float,
) -> tuple[float, float, float]:
    # Newton steps on a convex function from a point where it is positive;
    # they never cross the root, so stopping early keeps a superset.
    for _ in range(30):
        if hv <= tol:
            break
        d = 2.0 * (-s + w * g_slope(v, g, par))
        if d == 0.0:
            break
        nv = v - hv / d
        if nv == v:
            break
        v = nv
        g = g_value(v, par)
        hv = _h(fdiff, s, w, v, g)
    return v, g, hv


@njit(cache=False, error_model="numpy", inline="always")
def _cut(
    g_value: Any,
    g_slope: Any,
    g_at_mean: Any,
    link: Any,
    par: float,
    fd: float,
    ss: float,
    nn: float,
    w: float,
    lo: float,
    glo: float,
    hi: float,
    ghi: float,
    tol: float,
) -> tuple[float, float, float, float, bool]:
    # intersect [lo, hi] with {v: h(v) <= 0}; returns lo > hi when empty, and
    # whether h <= tol at both ends (so on the whole piece, by convexity)
    if lo > hi:
        return lo, glo, hi, ghi, False
    if lo == -np.inf:
        hlo = fd + 2.0 * w * glo  # ss == 0 here: G(-inf) = 0
    else:
        hlo = _h(fd, ss, w, lo, glo)
    hhi = _h(fd, ss, w, hi, ghi)
    if hlo > tol and hhi > tol:
        mean = ss / nn
        vhat = link(mean)
        if vhat <= lo or vhat >= hi:
            return 1.0, 0.0, -1.0, 0.0, False
        if _h(fd, ss, w, vhat, g_at_mean(mean, par)) > tol:
            return 1.0, 0.0, -1.0, 0.0, False
        lo, glo, hlo = _newton(g_value, g_slope, par, fd, ss, w, lo, glo, hlo, tol)
        hi, ghi, hhi = _newton(g_value, g_slope, par, fd, ss, w, hi, ghi, hhi, tol)
    elif hlo > tol:
        lo, glo, hlo = _newton(g_value, g_slope, par, fd, ss, w, lo, glo, hlo, tol)
    elif hhi > tol:
        hi, ghi, hhi = _newton(g_value, g_slope, par, fd, ss, w, hi, ghi, hhi, tol)
    return lo, glo, hi, ghi, hlo <= tol and hhi <= tol


@njit(cache=False, error_model="numpy", inline="always")
def _start(
    n: int, beta: float, cs0: float, vmin: float, vmax: float
) -> tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
]:
    # F, the last-change array and the candidates' state, with candidate 0:
    # tau, cs1[tau], F(tau) + beta and two pieces [a_lo, a_hi], [b_lo, b_hi]
    f = np.full(n + 1, np.inf)
    f[0] = -beta
    last = np.zeros(n + 1, dtype=np.int64)
    c_tau = np.empty(n + 1, dtype=np.int64)
    c_cs = np.empty(n + 1)
    c_fb = np.empty(n + 1)
    c_al = np.empty(n + 1)
    c_ah = np.empty(n + 1)
    c_bl = np.empty(n + 1)
    c_bh = np.empty(n + 1)
    c_tau[0] = 0
    c_cs[0] = cs0
    c_fb[0] = 0.0
    c_al[0] = vmin
    c_ah[0] = vmax
    c_bl[0] = 1.0
    c_bh[0] = -1.0
    return f, last, c_tau, c_cs, c_fb, c_al, c_ah, c_bl, c_bh


@njit(cache=False, error_model="numpy", inline="always")
def _first_costs(
    segment: Any,
    par: float,
    k: int,
    t: int,
    cst: float,
    c_tau: np.ndarray,
    c_cs: np.ndarray,
    c_fb: np.ndarray,
) -> tuple[float, int]:
    # (only before the first new candidate) the best cost at t
    best = np.inf
    arg = 0
    for i in range(k):
        v = c_fb[i] + segment(cst - c_cs[i], float(t - c_tau[i]), par)
        if v < best:
            best = v
            arg = c_tau[i]
    return best, arg


@njit(cache=False, error_model="numpy")
def _fpop_convex(
    segment: Any,
    g_value: Any,
    g_slope: Any,
    g_at_mean: Any,
    link: Any,
    weight: Any,
    candidate: Any,
    slots: int,
    cs1: np.ndarray,
    par: float,
    beta: float,
    m: int,
    vmin: float,
    vmax: float,
    vfloor: float,
) -> tuple[np.ndarray, float, float]:
    # the search for a convex G with Newton cuts; compiled once per cost
    n = cs1.size - 1
    f, last, c_tau, c_cs, c_fb, c_al, c_ah, c_bl, c_bh = _start(n, beta, cs1[0], vmin, vmax)
    # G at the pieces' end points
    c_gal = np.empty(n + 1)
    c_gah = np.empty(n + 1)
    c_gbl = np.empty(n + 1)
    c_gbh = np.empty(n + 1)
    # log and inverse of the segment mean mu0 at the last exact cost, and (negbin)
    # log1p(mu0 / r) and r + mu0, for a lower bound of the cost that skips
    # most logarithms
    c_lm = np.empty(n + 1)
    c_im = np.empty(n + 1)
    c_l1 = np.empty(n + 1)
    c_q0 = np.empty(n + 1)
    g_min = g_value(vmin, par) if np.isfinite(vmin) else 0.0
    g_max = g_value(vmax, par)
    g_floor = g_value(vfloor, par)
    k = 1
    c_gal[0] = g_min
    c_gah[0] = g_max
    c_gbl[0] = 0.0
    c_gbh[0] = 0.0
    c_lm[0] = np.nan
    c_im[0] = np.nan
    c_l1[0] = np.nan
    c_q0[0] = np.nan
    total = 0.0
    for t in range(m, n + 1):
        s = t - m
        cst = cs1[t]
        best = np.inf
        arg = 0
        if s >= m:
            # 1. every candidate older than s must stay below F(s) at its v*,
            #    and (same pass) its cost at t
            fbs = f[s] + beta
            css = cs1[s]
            tol = 1e-10 * (abs(fbs) + 1.0)
            # [ex_a, ex_b]: values around the optimum at s where an old
            # candidate is at least as cheap as s, grown (in one pass, so
            # possibly less than all of it: s keeps a superset) by every piece
            # just cut that overlaps it and has h <= tol on the whole piece
            r = last[s]
            ex_a = link((css - cs1[r]) / float(s - r))
            ex_b = ex_a
            gex_a = np.nan  # G at the end points, taken from the pieces
            gex_b = np.nan
            j = 0
            for i in range(k):
                tau = c_tau[i]
                ss = css - c_cs[i]
                nn = float(s - tau)
                w = weight(ss, nn, par)
                fd = c_fb[i] - fbs
                al = c_al[i]
                gal = c_gal[i]
                bl = c_bl[i]
                gbl = c_gbl[i]
                if ss > 0.0:
                    if al < vfloor:
                        al = vfloor
                        gal = g_floor
                    if bl < vfloor:
                        bl = vfloor
                        gbl = g_floor
                al, gal, ah, gah, oka = _cut(
                    g_value,
                    g_slope,
                    g_at_mean,
                    link,
                    par,
                    fd,
                    ss,
                    nn,
                    w,
                    al,
                    gal,
                    c_ah[i],
                    c_gah[i],
                    tol,
                )
                bl, gbl, bh, gbh, okb = _cut(
                    g_value,
                    g_slope,
                    g_at_mean,
                    link,
                    par,
                    fd,
                    ss,
                    nn,
                    w,
                    bl,
                    gbl,
                    c_bh[i],
                    c_gbh[i],
                    tol,
                )
                if al > ah and bl > bh:
                    continue
                if oka and al <= ex_b and ah >= ex_a:
                    if al < ex_a:
                        ex_a = al
                        gex_a = gal
                    if ah > ex_b:
                        ex_b = ah
                        gex_b = gah
                if okb and bl <= ex_b and bh >= ex_a:
                    if bl < ex_a:
                        ex_a = bl
                        gex_a = gbl
                    if bh > ex_b:
                        ex_b = bh
                        gex_b = gbh
                v, lm, im, l1, q0 = candidate(
                    c_fb[i],
                    cst - c_cs[i],
                    float(t - tau),
                    par,
                    c_lm[i],
                    c_im[i],
                    c_l1[i],
                    c_q0[i],
                    best,
                )
                if v < best:
                    best = v
                    arg = tau
                c_lm[j] = lm
                c_im[j] = im
                if slots > 2:  # (only costs that use l1 and q0 pay for keeping them)
                    c_l1[j] = l1
                    c_q0[j] = q0
                if j != i:
                    c_tau[j] = tau
                    c_cs[j] = c_cs[i]
                    c_fb[j] = c_fb[i]
                c_al[j] = al
                c_gal[j] = gal
                c_ah[j] = ah
                c_gah[j] = gah
                c_bl[j] = bl
                c_gbl[j] = gbl
                c_bh[j] = bh
                c_gbh[j] = gbh
                j += 1
            k = j
            # 2. s becomes a candidate, except on [ex_a, ex_b]
            c_tau[k] = s
            c_cs[k] = css
            c_fb[k] = fbs
            c_al[k] = vmin
            c_gal[k] = g_min
            c_ah[k] = vmax
            c_gah[k] = g_max
            c_bl[k] = 1.0
            c_gbl[k] = 0.0
            c_bh[k] = -1.0
            c_gbh[k] = 0.0
            c_lm[k] = np.nan
            c_im[k] = np.nan
            c_l1[k] = np.nan
            c_q0[k] = np.nan
            if ex_a < ex_b:
                if np.isnan(gex_a):  # an end point still at the optimum itself
                    gex_a = g_value(ex_a, par)
                if np.isnan(gex_b):
                    gex_b = g_value(ex_b, par)
                if ex_a <= vmin:
                    c_al[k] = 1.0
                    c_ah[k] = -1.0
                else:
                    c_ah[k] = ex_a
                    c_gah[k] = gex_a
                if ex_b < vmax:
                    c_bl[k] = ex_b
                    c_gbl[k] = gex_b
                    c_bh[k] = vmax
                    c_gbh[k] = g_max
            v = fbs + segment(cst - css, float(t - s), par)
            if v < best:
                best = v
                arg = s
            k += 1
        else:
            best, arg = _first_costs(segment, par, k, t, cst, c_tau, c_cs, c_fb)
        f[t] = best
        last[t] = arg
        total += k
    return last, f[n], total / max(n - m + 1, 1)


@njit(cache=False, error_model="numpy", inline="always")
def _qcut(lo: float, hi: float, r1: float, r2: float) -> tuple[float, float]:
    # the normal cut of [lo, hi] (nonempty, not inside the roots) to [r1, r2]
    if r1 > lo:
        lo = r1
    if r2 < hi:
        hi = r2
    if lo > hi:
        return 1.0, -1.0
    return lo, hi


@njit(cache=False, error_model="numpy")
def _fpop_quadratic(
    segment: Any,
    cs1: np.ndarray,
    par: float,
    beta: float,
    m: int,
    vmin: float,
    vmax: float,
    vfloor: float,
) -> tuple[np.ndarray, float, float]:
    # the search of ``_fpop_convex`` for the quadratic form (the Gaussian mean,
    # segment cost -S^2 / n), written out: G(v) = v^2 / 2 is recomputed instead
    # of stored, and the closed-form roots of the quadratic constraint are taken
    # once per candidate, only when a piece has an end point outside them.
    # The per-step state updates are written out here and in ``_fpop_convex``, not
    # shared: a compiled helper taking the state arrays pays reference counts
    # on every call (measured: 0.085 s -> 0.70 s at n = 1e6).
    n = cs1.size - 1
    f, last, c_tau, c_cs, c_fb, c_al, c_ah, c_bl, c_bh = _start(n, beta, cs1[0], vmin, vmax)
    k = 1
    total = 0.0
    for t in range(m, n + 1):
        s = t - m
        cst = cs1[t]
        best = np.inf
        arg = 0
        if s < m:
            best, arg = _first_costs(segment, par, k, t, cst, c_tau, c_cs, c_fb)
            f[t] = best
            last[t] = arg
            total += k
            continue
        fbs = f[s] + beta
        css = cs1[s]
        r = last[s]
        ex_a = (css - cs1[r]) / float(s - r)
        ex_b = ex_a
        j = 0
        for i in range(k):
            tau = c_tau[i]
            csi = c_cs[i]
            fbi = c_fb[i]
            ss = css - csi
            w = float(s - tau)
            fd = fbi - fbs
            al = c_al[i]
            ah = c_ah[i]
            bl = c_bl[i]
            bh = c_bh[i]
            # h(v) = fd + 2 (-S v + W v^2 / 2) <= 0 on a piece iff at both ends
            ina = al <= ah
            if ina:
                ina = (
                    fd + 2.0 * (-ss * al + w * (0.5 * al * al)) <= 0.0
                    and fd + 2.0 * (-ss * ah + w * (0.5 * ah * ah)) <= 0.0
                )
            inb = bl <= bh
            if inb:
                inb = (
                    fd + 2.0 * (-ss * bl + w * (0.5 * bl * bl)) <= 0.0
                    and fd + 2.0 * (-ss * bh + w * (0.5 * bh * bh)) <= 0.0
                )
            if (al <= ah and not ina) or (bl <= bh and not inb):
                disc = ss * ss - w * fd
                if disc < 0.0:
                    if not ina:
                        al = 1.0
                        ah = -1.0
                    if not inb:
                        bl = 1.0
                        bh = -1.0
                else:
                    root = math.sqrt(disc)
                    r1 = (ss - root) / w
                    r2 = (ss + root) / w
                    pad = 1e-12 * (abs(r1) + abs(r2) + 1.0)
                    r1 -= pad
                    r2 += pad
                    if al <= ah and not ina:
                        al, ah = _qcut(al, ah, r1, r2)
                    if bl <= bh and not inb:
                        bl, bh = _qcut(bl, bh, r1, r2)
            if al > ah and bl > bh:
                continue
            # every nonempty piece now has h <= 0 on it: grow the exclusion
            if al <= ah and al <= ex_b and ah >= ex_a:
                if al < ex_a:
                    ex_a = al
                if ah > ex_b:
                    ex_b = ah
            if bl <= bh and bl <= ex_b and bh >= ex_a:
                if bl < ex_a:
                    ex_a = bl
                if bh > ex_b:
                    ex_b = bh
            st = cst - csi
            v = fbi + (-st * st / float(t - tau))
            if v < best:
                best = v
                arg = tau
            if j != i:
                c_tau[j] = tau
                c_cs[j] = csi
                c_fb[j] = fbi
            c_al[j] = al
            c_ah[j] = ah
            c_bl[j] = bl
            c_bh[j] = bh
            j += 1
        k = j
        c_tau[k] = s
        c_cs[k] = css
        c_fb[k] = fbs
        c_al[k] = vmin
        c_ah[k] = vmax
        c_bl[k] = 1.0
        c_bh[k] = -1.0
        if ex_a < ex_b:
            if ex_a <= vmin:
                c_al[k] = 1.0
                c_ah[k] = -1.0
            else:
                c_ah[k] = ex_a
            if ex_b < vmax:
                c_bl[k] = ex_b
                c_bh[k] = vmax
        v = fbs + (-(cst - css) * (cst - css) / float(t - s))
        if v < best:
            best = v
            arg = s
        k += 1
        f[t] = best
        last[t] = arg
        total += k
    return last, f[n], total / max(n - m + 1, 1)


def fpop(form: FunctionalForm, beta: float, m: int) -> tuple[np.ndarray, float, float]:
    """Return ``(last, F_n, mean number of candidates per step)`` (the old search)."""
    if form.quadratic:
        return _fpop_quadratic(  # type: ignore[no-any-return]
            form.segment, form.cs1, form.par, float(beta), int(m), form.vmin, form.vmax, form.vfloor
        )
    return _fpop_convex(  # type: ignore[no-any-return]
        form.segment,
        form.g_value,
        form.g_slope,
        form.g_at_mean,
        form.link,
        form.weight,
        form.candidate,
        form.slots,
        form.cs1,
        form.par,
        float(beta),
        int(m),
        form.vmin,
        form.vmax,
        form.vfloor,
    )
