"""Functional pruning optimal partitioning (FPOP, Maidstone et al. 2017).

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
programme, ties included) up to a tolerance in the cost of 1e-10 of the cost
or 1e-4 of the penalty, whichever is smaller (never below the rounding of
the constraint, 1e-14 of the cost).

Speed (the exact Poisson search at 1e6 and 1e7 against one numpy pass,
``benchmarks/bench_changepoints.py --only floor``): per step about 10
candidates are cut and costed, and about 2 end points move. The candidates'
state is the rows of one small array (a row read and rewritten together);
Newton steps for the built-in forms are Halley steps (``curve``: G'' from G',
kept only when they do not cross the root), about one evaluation of ``G``
fewer per root; a piece whose constraint is violated at both ends is found
empty from the slopes there, without a logarithm; and the optimum at ``s`` and
a bound on the new candidate's cost come from the cache of the best segment
at ``s``, without a logarithm. The change points and the objective are those
of the first version (``tests/changepoints/search/test_fpop_equal.py``), but
for huge counts with a small penalty, where its tolerance of 1e-10 of the cost
exceeded the penalty and it missed the optimum.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis._numba import njit
from analysis.changepoints.costs import negbin, normal, poisson
from analysis.changepoints.costs._base import FunctionalForm


@njit(cache=True, error_model="numpy", inline="always")
def _h(fdiff: float, s: float, w: float, v: float, g: float) -> float:
    # constraint value: F(tau) + beta - F(s) - beta + 2 (-S v + W G(v))
    if s == 0.0:
        return fdiff + 2.0 * w * g
    return fdiff + 2.0 * (-s * v + w * g)


@njit(cache=False, error_model="numpy")
def _newton(
    g_value: Any,
    g_slope: Any,
    curve: int,
    par: float,
    fdiff: float,
    s: float,
    w: float,
    v: float,
    g: float,
    hv: float,
    gs: float,
    tol: float,
) -> tuple[float, float, float]:
    # The root of the convex h beyond v, from v where h > 0 (``gs``: G'(v),
    # already known), approached from outside so that stopping early keeps a
    # superset. With ``curve`` (G'' from G': 1 for G'' = G', 2 for
    # G'' = G' (1 - G')), Halley steps, each kept only if it lands where h >= 0
    # on the same side of the minimum (so it did not cross the root); else,
    # and without ``curve``, the Newton step, which for a convex function never
    # crosses it. Halley converges cubically: about one step fewer per root.
    d = 2.0 * (-s + w * gs)
    for _ in range(30):
        if d == 0.0:
            break
        halley = False
        if curve != 0:
            c2 = 2.0 * w * (gs if curve == 1 else gs * (1.0 - gs))
            den = d * d - 0.5 * hv * c2
            halley = c2 > 0.0 and den > 0.0
        nv = v - hv * d / den if halley else v - hv / d
        if nv == v:
            break
        ng = g_value(nv, par)
        nh = _h(fdiff, s, w, nv, ng)
        ngs = g_slope(nv, ng, par)
        nd = 2.0 * (-s + w * ngs)
        if halley and (nh < 0.0 or nd * d <= 0.0):
            nv = v - hv / d
            if nv == v:
                break
            ng = g_value(nv, par)
            nh = _h(fdiff, s, w, nv, ng)
            ngs = g_slope(nv, ng, par)
            nd = 2.0 * (-s + w * ngs)
        v = nv
        g = ng
        hv = nh
        gs = ngs
        d = nd
        if hv <= tol:
            break
    return v, g, hv


@njit(cache=False, error_model="numpy")
def _cut_slow(
    g_value: Any,
    g_slope: Any,
    curve: int,
    g_at_mean: Any,
    link: Any,
    par: float,
    fd: float,
    ss: float,
    nn: float,
    w: float,
    lo: float,
    glo: float,
    hlo: float,
    hi: float,
    ghi: float,
    hhi: float,
    tol: float,
) -> tuple[float, float, float, float, bool]:
    # ``_cut`` when h > tol at an end of [lo, hi]: Newton from that end, or
    # (both ends) the piece is empty when h is monotone on it (its minimum,
    # ``link(ss / nn)``, outside: decided from the slopes at the ends, without
    # the logarithm) or above tol at its minimum
    if hlo > tol and hhi > tol:
        slo = 0.0 if lo == -np.inf else g_slope(lo, glo, par)
        if -ss + w * slo >= 0.0:
            return 1.0, 0.0, -1.0, 0.0, False
        shi = g_slope(hi, ghi, par)
        if -ss + w * shi <= 0.0:
            return 1.0, 0.0, -1.0, 0.0, False
        mean = ss / nn
        vhat = link(mean)
        if vhat <= lo or vhat >= hi:
            return 1.0, 0.0, -1.0, 0.0, False
        if _h(fd, ss, w, vhat, g_at_mean(mean, par)) > tol:
            return 1.0, 0.0, -1.0, 0.0, False
        lo, glo, hlo = _newton(g_value, g_slope, curve, par, fd, ss, w, lo, glo, hlo, slo, tol)
        hi, ghi, hhi = _newton(g_value, g_slope, curve, par, fd, ss, w, hi, ghi, hhi, shi, tol)
    elif hlo > tol:
        slo = g_slope(lo, glo, par)
        lo, glo, hlo = _newton(g_value, g_slope, curve, par, fd, ss, w, lo, glo, hlo, slo, tol)
    else:
        shi = g_slope(hi, ghi, par)
        hi, ghi, hhi = _newton(g_value, g_slope, curve, par, fd, ss, w, hi, ghi, hhi, shi, tol)
    return lo, glo, hi, ghi, hlo <= tol and hhi <= tol


# the candidates' state: one row of ``_NF`` numbers per candidate (the row is
# read and rewritten together, in one or two cache lines)
_TAU, _CS, _FB, _AL, _GAL, _AH, _GAH, _BL, _GBL, _BH, _GBH, _LM, _IM, _L1, _Q0 = range(15)
_NF = 16


@njit(cache=False, error_model="numpy")
def _fpop_convex(
    segment: Any,
    g_value: Any,
    g_slope: Any,
    curve: int,
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
    # the search for a convex G with Newton cuts; compiled once per cost.
    # ``curve`` is 0 for a natural form the search knows nothing more of, and
    # for the built-in ones says how G'' follows from G' (1: Poisson, G'' = G';
    # 2: negative binomial, G'' = G' (1 - G')) and that ``link`` is log and the
    # candidate function's cache starts with the log of the mean.
    # The candidates live in the rows of one small array that grows when
    # needed: arrays of n + 1 per field (the first version) put every field at
    # the same offset of its own page, and at n = 1e7 the fields evicted each
    # other from the cache (twice the time per step of n = 1e6).
    n = cs1.size - 1
    f = np.full(n + 1, np.inf)
    f[0] = -beta
    last = np.zeros(n + 1, dtype=np.int64)
    cap = 64
    c = np.empty((cap, _NF))
    g_min = g_value(vmin, par) if np.isfinite(vmin) else 0.0
    g_max = g_value(vmax, par)
    g_floor = g_value(vfloor, par)
    # candidate 0: tau, cs1[tau], F(tau) + beta, the pieces [a_lo, a_hi],
    # [b_lo, b_hi] with G at their ends, and the cache of the candidate
    # function (log and inverse of the mean at the last exact cost, and for
    # negbin log1p(mean / r) and r + mean)
    c[0, _TAU] = 0.0
    c[0, _CS] = cs1[0]
    c[0, _FB] = 0.0
    c[0, _AL] = vmin
    c[0, _GAL] = g_min
    c[0, _AH] = vmax
    c[0, _GAH] = g_max
    c[0, _BL] = 1.0
    c[0, _GBL] = 0.0
    c[0, _BH] = -1.0
    c[0, _GBH] = 0.0
    c[0, _LM] = np.nan
    c[0, _IM] = np.nan
    c[0, _L1] = np.nan
    c[0, _Q0] = np.nan
    # for the built-in forms (``curve`` > 0: ``link`` is log and the cache
    # starts with the log of the mean), the best segment ending at each of the
    # last m + 1 times: its ``link(mean)`` (NaN: not known) and its cache,
    # so that the optimum at s needs no logarithm, and the new candidate's
    # cost at t a bound from that cache before any
    ring = np.full((m + 1, 5), np.nan)
    k = 1
    total = 0.0
    for t in range(m, n + 1):
        s = t - m
        cst = cs1[t]
        best = np.inf
        arg = 0
        if s < m:
            # (only before the first new candidate) the best cost at t
            for i in range(k):
                v = c[i, _FB] + segment(cst - c[i, _CS], float(t) - c[i, _TAU], par)
                if v < best:
                    best = v
                    arg = int(c[i, _TAU])
            f[t] = best
            last[t] = arg
            total += k
            continue
        b_v = np.nan  # link(mean) of the best so far, and its cache
        b_lm = np.nan
        b_im = np.nan
        b_l1 = np.nan
        b_q0 = np.nan
        # 1. every candidate older than s must stay below F(s) at its v*,
        #    and (same pass) its cost at t
        fbs = f[s] + beta
        css = cs1[s]
        # how much cheaper than tau s may be where it is excluded: 1e-10 of the
        # cost, but at most 1e-4 of the penalty (huge counts with a small
        # penalty: 1e-10 of a cost of 1e12 is 100, and the first version of this
        # search missed changes there), and never below the rounding of h
        scale = abs(fbs) + 1.0
        tol = max(min(1e-10 * scale, 1e-4 * beta), 1e-14 * scale)
        fs = float(s)
        ft = float(t)
        # [ex_a, ex_b]: values around the optimum at s where an old
        # candidate is at least as cheap as s, grown (in one pass, so
        # possibly less than all of it: s keeps a superset) by every piece
        # just cut that overlaps it and has h <= tol on the whole piece
        rs = s % (m + 1)
        ex_a = ring[rs, 0]
        if np.isnan(ex_a):
            r = last[s]
            ex_a = link((css - cs1[r]) / float(s - r))
        ex_b = ex_a
        gex_a = np.nan  # G at the end points, taken from the pieces
        gex_b = np.nan
        j = 0
        for i in range(k):
            tau = c[i, _TAU]
            csi = c[i, _CS]
            fbi = c[i, _FB]
            ss = css - csi
            nn = fs - tau
            w = weight(ss, nn, par)
            fd = fbi - fbs
            al = c[i, _AL]
            gal = c[i, _GAL]
            ah = c[i, _AH]
            gah = c[i, _GAH]
            bl = c[i, _BL]
            gbl = c[i, _GBL]
            bh = c[i, _BH]
            gbh = c[i, _GBH]
            # intersect each piece with {v: h(v) <= 0}; ok: h <= tol at both
            # ends, so (convexity) on the whole piece
            oka = False
            if al <= ah:
                if ss > 0.0 and al < vfloor:
                    al = vfloor
                    gal = g_floor
                if al == -np.inf or ss == 0.0:
                    hlo = fd + 2.0 * w * gal  # ss == 0 (when al = -inf, G(-inf) = 0)
                else:
                    hlo = fd + 2.0 * (-ss * al + w * gal)
                hhi = _h(fd, ss, w, ah, gah)
                if hlo > tol or hhi > tol:
                    al, gal, ah, gah, oka = _cut_slow(
                        g_value, g_slope, curve, g_at_mean, link, par,
                        fd, ss, nn, w, al, gal, hlo, ah, gah, hhi, tol,
                    )  # fmt: skip
                else:
                    oka = True
            okb = False
            if bl <= bh:
                if ss > 0.0 and bl < vfloor:
                    bl = vfloor
                    gbl = g_floor
                hlo = _h(fd, ss, w, bl, gbl)
                hhi = _h(fd, ss, w, bh, gbh)
                if hlo > tol or hhi > tol:
                    bl, gbl, bh, gbh, okb = _cut_slow(
                        g_value, g_slope, curve, g_at_mean, link, par,
                        fd, ss, nn, w, bl, gbl, hlo, bh, gbh, hhi, tol,
                    )  # fmt: skip
                else:
                    okb = True
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
            st = cst - csi
            v, lm, im, l1, q0 = candidate(
                fbi, st, ft - tau, par,
                c[i, _LM], c[i, _IM], c[i, _L1], c[i, _Q0], best,
            )  # fmt: skip
            if v < best:
                best = v
                arg = int(tau)
                if curve != 0:
                    b_v = lm if st > 0.0 else -np.inf
                    b_lm = lm
                    b_im = im
                    b_l1 = l1
                    b_q0 = q0
            c[j, _LM] = lm
            c[j, _IM] = im
            if slots > 2:  # (only costs that use l1 and q0 pay for keeping them)
                c[j, _L1] = l1
                c[j, _Q0] = q0
            if j != i:
                c[j, _TAU] = tau
                c[j, _CS] = csi
                c[j, _FB] = fbi
            c[j, _AL] = al
            c[j, _GAL] = gal
            c[j, _AH] = ah
            c[j, _GAH] = gah
            c[j, _BL] = bl
            c[j, _GBL] = gbl
            c[j, _BH] = bh
            c[j, _GBH] = gbh
            j += 1
        k = j
        # 2. s becomes a candidate, except on [ex_a, ex_b]
        if k == cap:
            cap *= 2
            grown = np.empty((cap, _NF))
            grown[:k] = c[:k]
            c = grown
        c[k, _TAU] = fs
        c[k, _CS] = css
        c[k, _FB] = fbs
        c[k, _AL] = vmin
        c[k, _GAL] = g_min
        c[k, _AH] = vmax
        c[k, _GAH] = g_max
        c[k, _BL] = 1.0
        c[k, _GBL] = 0.0
        c[k, _BH] = -1.0
        c[k, _GBH] = 0.0
        c[k, _LM] = np.nan
        c[k, _IM] = np.nan
        c[k, _L1] = np.nan
        c[k, _Q0] = np.nan
        if ex_a < ex_b:
            if np.isnan(gex_a):  # an end point still at the optimum itself
                gex_a = g_value(ex_a, par)
            if np.isnan(gex_b):
                gex_b = g_value(ex_b, par)
            if ex_a <= vmin:
                c[k, _AL] = 1.0
                c[k, _AH] = -1.0
            else:
                c[k, _AH] = ex_a
                c[k, _GAH] = gex_a
            if ex_b < vmax:
                c[k, _BL] = ex_b
                c[k, _GBL] = gex_b
                c[k, _BH] = vmax
                c[k, _GBH] = g_max
        st = cst - css
        if curve != 0:
            # the candidate function with the cache of the best segment at s:
            # a bound that rules s out at t without a logarithm, or the cost
            v, lm, im, l1, q0 = candidate(
                fbs, st, ft - fs, par,
                ring[rs, 1], ring[rs, 2], ring[rs, 3], ring[rs, 4], best,
            )  # fmt: skip
            c[k, _LM] = lm
            c[k, _IM] = im
            c[k, _L1] = l1
            c[k, _Q0] = q0
            if v < best:
                best = v
                arg = s
                b_v = lm if st > 0.0 else -np.inf
                b_lm = lm
                b_im = im
                b_l1 = l1
                b_q0 = q0
            rt = t % (m + 1)
            ring[rt, 0] = b_v
            ring[rt, 1] = b_lm
            ring[rt, 2] = b_im
            ring[rt, 3] = b_l1
            ring[rt, 4] = b_q0
        else:
            v = fbs + segment(st, ft - fs, par)
            if v < best:
                best = v
                arg = s
        k += 1
        f[t] = best
        last[t] = arg
        total += k
    return last, f[n], total / max(n - m + 1, 1)


@njit(cache=True, error_model="numpy", inline="always")
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


@njit(cache=True, error_model="numpy", inline="always")
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
    """Return ``(last, F_n, mean number of candidates per step)``.

    ``form`` is the cost's natural form: its functions, prefix sums and
    parameter range ``[vmin, vmax]`` (``vmin = -inf`` for counts with zeros;
    ``vfloor``, the parameter of mean ``1 / (2 n)``, is then used).

    Examples
    --------
    >>> import numpy as np
    >>> from analysis.changepoints import PoissonCost
    >>> y = np.r_[np.full(20, 1.0), np.full(20, 9.0)]  # SIMULATED counts, one change
    >>> last, fn, mean_k = fpop(PoissonCost().fit(y).functional_form(), 10.0, 2)
    >>> int(last[40])
    20
    """
    functions = (
        form.segment,
        form.g_value,
        form.g_slope,
        form.g_at_mean,
        form.link,
        form.weight,
        form.candidate,
    )
    body = _fpop_quadratic if form.quadratic else _fpop_convex
    entry = FORM_ENTRIES.get((body, *functions))
    if entry is not None:  # the cached entry point of a built-in cost
        args = (form.cs1, form.par, float(beta), int(m), form.vmin, form.vmax, form.vfloor)
        if form.quadratic:
            return entry(*args)  # type: ignore[no-any-return]
        return entry(form.slots, *args)  # type: ignore[no-any-return]
    if form.quadratic:
        return _fpop_quadratic(
            form.segment, form.cs1, form.par, float(beta), int(m), form.vmin, form.vmax, form.vfloor
        )
    return _fpop_convex(
        form.segment,
        form.g_value,
        form.g_slope,
        0,  # G'' unknown: Newton steps
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


# --- cached entry points, one per built-in one-parameter cost -----------------
# numba cannot cache a function that takes compiled functions as arguments
# (numba issue #6251): these call the bodies with each cost's natural form as
# globals, and numba caches them. Their machine code includes the cost's
# functions from another file: the package's cache folder is keyed on all
# compiled sources (``analysis/_numba.py``).
# --- FPOP: the natural forms of the one-parameter costs -------------------
@njit(cache=True, error_model="numpy")
def _fpop_poisson(slots, cs1, par, beta, m, vmin, vmax, vfloor):
    return _fpop_convex(
        poisson.segment_cost,
        poisson._g_value,
        poisson._g_slope,
        1,  # G'' = G' (= G = exp)
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
        2,  # G'' = G' (1 - G')
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


#: ``(body, natural-form functions) -> cached entry point`` (``quadratic`` forms
#: take no ``slots``)
FORM_ENTRIES: dict[tuple[Any, ...], Any] = {
    (_fpop_convex, *poisson.PoissonCost._form): _fpop_poisson,
    (_fpop_convex, *negbin.NegBinCost._form): _fpop_negbin,
    (_fpop_quadratic, *normal.NormalCost._form): _fpop_normal,
}
