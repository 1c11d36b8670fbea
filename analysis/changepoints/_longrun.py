"""Long-run design effect of the residuals for the change-point penalty: an AR spectral estimate.

The default count penalty of :func:`analysis.detect_changepoints` is the
Poisson penalty times the long-run design effect ``D`` of the residuals about
the segment means (:mod:`analysis.changepoints._auto`). An estimate of ``D``
that is biased down lets dependence through as change, so this estimate must
not be biased down where the search is most exposed: short series (a year of
days) with strong, slowly decaying dependence.

Why not the shared Bartlett estimate (:mod:`analysis._dependence`)? Daily
counts with a latent AR(1) log-rate are, in their autocovariances, an
ARMA(1, 1): the Poisson noise dilutes the lag-1 autocorrelation (0.25 at 5 a
day for a latent ``phi = 0.8``) while the tail decays at ``phi``. Andrews'
(1991) AR(1) plug-in bandwidth reads the low lag-1 value and truncates after
about 5 lags, so at 365 days the Bartlett estimate averages 2.8 where the true
``D`` is 5.1 (SIMULATED, 200 series); AR(1) prewhitening (Andrews and Monahan
1992) does not help here (2.4), because after one AR(1) filter the residual
still carries the slow ``phi``-tail and the same short bandwidth.

What is done instead: the autoregressive spectral estimate at frequency zero
(Berk 1974; the VARHAC estimator of den Haan and Levin 1997), which models the
whole autocovariance sequence rather than truncating it. An AR(p) is fitted by
Yule-Walker (the Levinson-Durbin recursion on the biased sample
autocovariances, which keeps the fitted AR stationary), ``p`` chosen by AIC
from 0 to ``floor(10 log10 n)`` (R ``stats::ar``'s default maximum order), and

    LRV = sigma_p^2 / (1 - phi_1 - ... - phi_p)^2,     D = LRV / mean,

capped at ``n * gamma_0 / mean`` (the variance of a total of ``n`` values can
be at most ``n^2 gamma_0``), with the autocovariances first corrected for the
removal of the ``K`` segment means (``+ K LRV / n`` each, see
:func:`ar_long_run_dependence`). On 200 such series it averages 4.4 (s.e.
0.13; Bartlett 2.8, true 5.1); in the validation study the false alarms of the
default at 365 days with a latent ``phi = 0.8`` fall from 0.055-0.070 to
0.020-0.040 (s.e. 0.010-0.014), while the power for a x1.5 change at 3 a day is
unchanged. Its sampling spread is large (sd 1.3-1.9 at 365 days): a year of
days says little about a persistence this strong, which is why the segment
and location intervals of the default count cost average over draws of ``D``
(:func:`analysis.changepoints.intervals.design_effect_draws`) instead of
plugging the estimate in.

The estimate itself (:func:`ar_long_run_dependence`, :func:`design_effect_df`,
:func:`interval_inflation`, :func:`max_ar_order`) lives in the shared layer,
:mod:`analysis._dependence`, where the rates use it too; it is re-exported
here. This module adds the noise scale of measurements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis._dependence import (
    _levinson_aic,
    ar_long_run_dependence,
    design_effect_df,
    interval_inflation,
    max_ar_order,
)

__all__ = [
    "FLOOR_LAGS",
    "NoiseScale",
    "ar_long_run_dependence",
    "ar_noise_scale",
    "design_effect_df",
    "interval_inflation",
    "max_ar_order",
    "variogram_noise_floor",
]


# --- measurements: the noise scale of the Gaussian mean cost -------------------------------
#: window lengths of the change-robust floor: up to a year of months (a weekly cycle too)
FLOOR_LAGS = 12


@dataclass(frozen=True)
class NoiseScale:
    """A noise variance for the Gaussian mean cost and where it came from.

    ``variance`` is what the cost uses; ``order`` the AR order (``-1`` for
    the variogram floor), ``lag1`` the lag-1 autocorrelation of the values it
    was estimated from, ``note`` a phrase for the reason.
    """

    variance: float
    order: int
    lag1: float
    note: str


def ar_noise_scale(resid: np.ndarray, n_means: int = 1) -> NoiseScale:
    """Long-run variance of residuals about ``n_means`` segment means: AR(p), Yule-Walker, AIC.

    The estimate of :func:`ar_long_run_dependence` (the counts' design effect
    times their mean) for residuals of any sign: the autocovariances of
    ``resid``, corrected by ``+ K LRV / n`` for the removal of the ``K =
    n_means`` segment means, an AR(p) by Levinson-Durbin with ``p`` by AIC up
    to :func:`max_ar_order`, and ``LRV = sigma_p^2 / (1 - sum phi)^2``
    capped at ``n gamma_0``.

    Parameters
    ----------
    resid : numpy.ndarray
        Residuals about the fitted segment means (no missing values).
    n_means : int, default 1
        Number of means fitted (segments).

    Returns
    -------
    NoiseScale
        ``variance`` is the long-run variance (0 for an exact fit).

    Examples
    --------
    >>> rng = np.random.default_rng(2)  # SIMULATED Gaussian AR(1), phi 0.5, innovation sd 1
    >>> e = rng.normal(size=20_000)
    >>> x = np.empty_like(e); x[0] = e[0]
    >>> for t in range(1, e.size): x[t] = 0.5 * x[t - 1] + e[t]
    >>> round(ar_noise_scale(x - x.mean()).variance, 1)  # closed form 1 / (1 - 0.5)^2 = 4
    4.0
    """
    r = np.asarray(resid, dtype=float)
    n = r.size
    if n < 2:
        return NoiseScale(0.0, 0, 0.0, "too few values")
    pmax = max_ar_order(n)
    gamma = _autocovariance(r, pmax)
    if not gamma[0] > 0:
        return NoiseScale(0.0, 0, 0.0, "no residual variation")
    p, v, phisum = _levinson_aic(gamma, n)
    lrv = min(v / (1.0 - phisum) ** 2, n * gamma[0])
    k = max(int(n_means), 0)
    for _ in range(3 if k else 0):  # add back the mean-removal bias K LRV / n
        p, v, phisum = _levinson_aic(gamma + k * lrv / n, n)
        lrv = min(v / (1.0 - phisum) ** 2, n * gamma[0])
    note = f"AR({p}) long-run variance of the residuals (Yule-Walker, order by AIC up to {pmax})"
    return NoiseScale(float(lrv), p, float(gamma[1] / gamma[0]), note)


def _autocovariance(r: np.ndarray, max_lag: int) -> np.ndarray:
    n = r.size
    gamma = np.empty(max_lag + 1)
    gamma[0] = float(r @ r) / n
    for lag in range(1, max_lag + 1):
        gamma[lag] = float(r[lag:] @ r[:-lag]) / n
    return gamma


def _variogram(x: np.ndarray, max_lag: int, overwrite: bool = False) -> np.ndarray:
    """``v(k) = mean((x_{t+k} - x_t)^2)`` for ``k = 0..max_lag``: one dot product per lag.

    ``overwrite``: centre ``x`` in place (a caller's temporary), the same numbers.
    """
    mean = x.mean()
    if overwrite:
        y = x
        y -= mean
    else:
        y = x - mean  # centred, so that the sums of squares below lose no precision
    sq = y * y
    total = float(sq.sum())
    first = np.concatenate([[0.0], np.cumsum(sq[:max_lag])])  # sum of the first k squares
    last = np.concatenate([[0.0], np.cumsum(sq[::-1][:max_lag])])  # and of the last k
    n = y.size
    v = np.zeros(max_lag + 1)
    for k in range(1, max_lag + 1):
        # sum of y_t^2 over t < n - k, plus over t >= k, minus twice the lag-k products
        both = 2.0 * total - last[k] - first[k]
        v[k] = max((both - 2.0 * float(y[k:] @ y[:-k])) / (n - k), 0.0)
    return v


def variogram_noise_floor(
    values: np.ndarray,
    lags: int = FLOOR_LAGS,
    windows: int | None = None,
    overwrite: bool = False,
) -> NoiseScale:
    """Change-robust noise variance for the Gaussian mean cost: the floor of the measurement path.

    A level shift moves only the ``k`` differences ``x_{t+k} - x_t`` that
    straddle it, so the variogram ``v(k)`` at small lags hardly sees a few
    changes, while autocovariances about one overall mean are inflated by them.
    With ``gamma_0`` estimated as the mean of ``v(k) / 2`` over the lags
    ``L..2L`` (``L = lags``) and ``gamma_k = gamma_0 - v(k) / 2``, the floor is
    the largest variance per value of a sum of ``w`` consecutive values,

        max over w = 1..L of  gamma_0 + 2 sum_{k<w} (1 - k / w) gamma_k   (= Var(S_w) / w),

    i.e. the Bartlett long-run variance at every bandwidth up to ``L``.

    Why these choices (and not :func:`analysis._dependence.difference_long_run_variance`,
    which takes ``gamma_0 = v(K) / 2`` at one lag ``K``): on a periodic series
    ``v(k)`` is near zero at multiples of the period, so one lag can make the
    noise scale collapse; averaging over ``L + 1 = 13`` consecutive lags spans a
    full period of 12 (and nearly two of 7), where the cycle averages out, so
    the cycle's variance stays in ``gamma_0``. A segment shorter than a period
    can absorb half a cycle as a "change": the variance per value of a window
    sum is largest at about half a period, and taking the maximum over windows
    keeps that variance in the floor, which is what stops a segmentation
    (and the re-estimation about it) from chasing the cycle. For independent
    noise every window gives ``gamma_0``; for positive AR dependence the
    maximum is at ``w = L``; for a trend or a random walk ``v(k)`` grows with
    ``k`` and so does the floor (the conservative side). The price: a level
    shift of size ``delta`` adds about ``k delta^2 / n`` to ``v(k)``, which
    raises ``gamma_0`` by ``1.5 L delta^2 / (2 n)`` and looks like positive
    autocorrelation up to lag ``1.5 L``; with the window maximum the floor
    rises by about ``0.23 delta^2`` for one shift at ``n = 365`` and ``L = 12``
    (measured 0.21, SIMULATED), and several shifts add up, which is why
    :func:`analysis.detect_changepoints` computes it about a pilot
    segmentation (:mod:`analysis.changepoints._auto`).
    Written by hand: a few dot products (no statsmodels import on this path).

    Parameters
    ----------
    values : numpy.ndarray
        The series (no missing values).
    lags : int, default FLOOR_LAGS
        ``L``: the longest window, and the start of the lags averaged for ``gamma_0``.
    windows : int, optional
        The longest window (default ``lags``).
    overwrite : bool, default False
        ``values`` is a float array the caller no longer needs: it is centred
        in place instead of copied (the same result, one pass and one array fewer).

    Returns
    -------
    NoiseScale
        ``variance`` 0 for a constant series or fewer than 8 values (the caller
        then needs another scale).

    Examples
    --------
    >>> rng = np.random.default_rng(3)  # SIMULATED: a period-12 cycle of amplitude 3, noise sd 1
    >>> t = np.arange(600)
    >>> x = 3 * np.sin(2 * np.pi * t / 12) + rng.normal(size=600)
    >>> bool(variogram_noise_floor(x).variance > 5.0)  # the cycle stays in the scale
    True
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    if lags < 1:
        raise ValueError(f"lags must be >= 1, not {lags}")
    w_max = lags if windows is None else int(windows)
    if w_max < 1:
        raise ValueError(f"windows must be >= 1, not {windows}")
    if n < 8:
        return NoiseScale(0.0, -1, 0.0, "too few values")
    top = int(min(w_max + lags, max(2, n // 3)))
    low = min(w_max, max(1, top // 2))
    v = _variogram(x, top, overwrite and x is values)
    g0 = float(v[low : top + 1].mean()) / 2.0
    if not g0 > 0:
        return NoiseScale(0.0, -1, 0.0, "constant series")
    w_max = min(w_max, low)
    gam = g0 - v[:w_max] / 2.0  # gamma_0 .. gamma_{w_max - 1}
    gam[0] = g0
    best, at = g0, 1
    for w in range(2, w_max + 1):
        k = np.arange(1, w)
        b = g0 + 2.0 * float(np.sum((1.0 - k / w) * gam[1:w]))
        if b > best:
            best, at = b, w
    note = (
        f"variogram estimate: the largest variance per value of a sum of up to {w_max} "
        f"consecutive values (at {at})"
    )
    return NoiseScale(best, -1, float(1.0 - v[1] / (2.0 * g0)), note)
