"""Functional pruning optimal partitioning (FPOP, Maidstone et al. 2017).

Exact like PELT but near-linear even when changes are few, for the costs
that are a convex function of one segment parameter ``v`` (normal mean,
Poisson, negative binomial with fixed dispersion; see
:mod:`analysis.changepoints._segcost`). Hand-written because no maintained
Python library offers functional pruning for Poisson or negative-binomial
costs.

Each candidate last change ``tau`` keeps an interval ``[lo, hi]`` of parameter
values at which it may still be optimal. If ``tau`` is the optimal last change
for some end ``T`` with segment parameter ``v*``, then for every valid
``s`` in ``(tau, T - m]``: ``F(tau) + beta + C_{tau,s}(v*) <= F(s) + beta``
(otherwise going through ``s`` would be cheaper). Each such inequality is an
interval in ``v`` (the cost is convex), so their intersection is an interval
containing ``v*``; when it is empty, ``tau`` is dropped for good. The interval
is a superset of FPOP's exact living set, so pruning is slightly weaker but
the result stays exactly optimal. At its birth, candidate ``s`` also
loses the parameter values where the optimal candidate at ``s`` is cheaper
than starting a segment at ``s`` (an open interval around that segment's
mean, cut with inner bounds from the chord of the convex cost); so each
candidate holds two intervals, and most new candidates die within a few
steps unless the data move away from the current level, as in FPOP.
End points are moved with Newton steps, which for a convex function approach a root from outside without crossing
it, so the interval never loses a feasible point. For Poisson and negative-
binomial counts the optimal segment mean is at least ``1 / n`` whenever a
segment has a positive count, which bounds ``v`` below.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from analysis.changepoints._segcost import g_slope, g_value, link, seg_cost, weight


@njit(cache=True)
def _h(fdiff: float, s: float, w: float, v: float, g: float) -> float:
    # constraint value: F(tau) + beta - F(s) - beta + 2 (-S v + W G(v))
    if s == 0.0:
        return fdiff + 2.0 * w * g
    return fdiff + 2.0 * (-s * v + w * g)


@njit(cache=True)
def _newton(
    cid: int, par: float, fdiff: float, s: float, w: float, v: float, tol: float
) -> tuple[float, float]:
    # Newton steps on a convex function from a point where it is positive;
    # they never cross the root, so stopping early keeps a superset.
    g = g_value(cid, v, par)
    for _ in range(30):
        hv = _h(fdiff, s, w, v, g)
        if hv <= tol:
            break
        d = 2.0 * (-s + w * g_slope(cid, v, par))
        if d == 0.0:
            break
        nv = v - hv / d
        if nv == v:
            break
        v = nv
        g = g_value(cid, v, par)
    return v, g


@njit(cache=True)
def _cut(
    cid: int,
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
) -> tuple[float, float, float, float]:
    # intersect [lo, hi] with {v: h(v) <= 0}; returns lo > hi when empty
    if lo > hi:
        return lo, glo, hi, ghi
    if lo == -np.inf:
        hlo = fd + 2.0 * w * glo  # ss == 0 here: G(-inf) = 0
    else:
        hlo = _h(fd, ss, w, lo, glo)
    hhi = _h(fd, ss, w, hi, ghi)
    if hlo > tol and hhi > tol:
        vhat = link(cid, ss / nn)
        if vhat <= lo or vhat >= hi:
            return 1.0, 0.0, -1.0, 0.0
        if _h(fd, ss, w, vhat, g_value(cid, vhat, par)) > tol:
            return 1.0, 0.0, -1.0, 0.0
        lo, glo = _newton(cid, par, fd, ss, w, lo, tol)
        hi, ghi = _newton(cid, par, fd, ss, w, hi, tol)
    elif hlo > tol:
        lo, glo = _newton(cid, par, fd, ss, w, lo, tol)
    elif hhi > tol:
        hi, ghi = _newton(cid, par, fd, ss, w, hi, tol)
    return lo, glo, hi, ghi


@njit(cache=True)
def _inner_root(
    cid: int, par: float, fd: float, ss: float, w: float, vhat: float, hhat: float, v: float
) -> float:
    # a point between vhat (h < 0) and the root on v's side with h <= 0:
    # Newton from v stops outside the root; the chord to vhat lies above the
    # convex function, so its zero is inside.
    vo, go = _newton(cid, par, fd, ss, w, v, 0.0)
    ho = _h(fd, ss, w, vo, go)
    if ho <= 0.0:
        return vo
    vi = vhat + (vo - vhat) * (-hhat) / (ho - hhat)
    for _ in range(4):
        if _h(fd, ss, w, vi, g_value(cid, vi, par)) <= 0.0:
            return vi
        vi = vhat + 0.5 * (vi - vhat)
    return vhat


@njit(cache=True)
def fpop(
    cid: int,
    cs1: np.ndarray,
    par: float,
    beta: float,
    m: int,
    vmin: float,
    vmax: float,
    vfloor: float,
) -> tuple[np.ndarray, float, float]:
    """Return ``(last, F_n, mean number of candidates per step)``.

    ``[vmin, vmax]`` is the parameter range of the data (``vmin = -inf`` for
    counts with zeros); ``vfloor`` is the parameter of mean ``1 / (2 n)``
    (only used when ``vmin = -inf``).
    """
    n = cs1.size - 1
    dummy = np.zeros(1)
    f = np.full(n + 1, np.inf)
    f[0] = -beta
    last = np.zeros(n + 1, dtype=np.int64)
    c_tau = np.empty(n + 1, dtype=np.int64)
    # two pieces per candidate: [a_lo, a_hi] and [b_lo, b_hi] with cached G
    c_al = np.empty(n + 1)
    c_gal = np.empty(n + 1)
    c_ah = np.empty(n + 1)
    c_gah = np.empty(n + 1)
    c_bl = np.empty(n + 1)
    c_gbl = np.empty(n + 1)
    c_bh = np.empty(n + 1)
    c_gbh = np.empty(n + 1)
    g_min = g_value(cid, vmin, par) if np.isfinite(vmin) else 0.0
    g_max = g_value(cid, vmax, par)
    g_floor = g_value(cid, vfloor, par)
    k = 1
    c_tau[0] = 0
    c_al[0] = vmin
    c_gal[0] = g_min
    c_ah[0] = vmax
    c_gah[0] = g_max
    c_bl[0] = 1.0
    c_gbl[0] = 0.0
    c_bh[0] = -1.0
    c_gbh[0] = 0.0
    total = 0.0
    for t in range(m, n + 1):
        s = t - m
        if s >= m:
            # 1. every candidate older than s must stay below F(s) at its v*
            fs = f[s]
            tol = 1e-10 * (abs(fs) + 1.0)
            j = 0
            for i in range(k):
                tau = c_tau[i]
                ss = cs1[s] - cs1[tau]
                nn = float(s - tau)
                w = weight(cid, ss, nn, par)
                fd = f[tau] - fs
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
                al, gal, ah, gah = _cut(cid, par, fd, ss, nn, w, al, gal, c_ah[i], c_gah[i], tol)
                bl, gbl, bh, gbh = _cut(cid, par, fd, ss, nn, w, bl, gbl, c_bh[i], c_gbh[i], tol)
                if al > ah and bl > bh:
                    continue
                c_tau[j] = tau
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
            # 2. s becomes a candidate, minus where the optimal candidate at s
            #    (r = last[s]) is cheaper: an open interval around its mean
            r = last[s]
            ss = cs1[s] - cs1[r]
            nn = float(s - r)
            w = weight(cid, ss, nn, par)
            fd = f[r] - fs
            vhat = link(cid, ss / nn)
            c_tau[k] = s
            c_al[k] = vmin
            c_gal[k] = g_min
            c_ah[k] = vmax
            c_gah[k] = g_max
            c_bl[k] = 1.0
            c_gbl[k] = 0.0
            c_bh[k] = -1.0
            c_gbh[k] = 0.0
            if np.isfinite(vhat) and vhat > vmin and vhat < vmax:
                hhat = _h(fd, ss, w, vhat, g_value(cid, vhat, par))
                if hhat < 0.0:
                    left = vmin
                    if ss > 0.0 and left < vfloor:
                        left = vfloor
                    lo_in = _inner_root(cid, par, fd, ss, w, vhat, hhat, left)
                    hi_in = _inner_root(cid, par, fd, ss, w, vhat, hhat, vmax)
                    if lo_in < hi_in:
                        c_ah[k] = lo_in
                        c_gah[k] = g_value(cid, lo_in, par)
                        c_bl[k] = hi_in
                        c_gbl[k] = g_value(cid, hi_in, par)
                        c_bh[k] = vmax
                        c_gbh[k] = g_max
            k += 1
        # 3. optimal cost at t
        best = np.inf
        arg = 0
        for i in range(k):
            tau = c_tau[i]
            v = f[tau] + beta + seg_cost(cid, cs1, dummy, par, tau, t)
            if v < best:
                best = v
                arg = tau
        f[t] = best
        last[t] = arg
        total += k
    return last, f[n], total / max(n - m + 1, 1)
