"""Standard errors of a count regression under a latent stationary process (Zeger 1988).

Daily incident counts vary more, and more slowly, than a Poisson or negative
binomial model with independent days allows: campaigns come in waves. Zeger
(1988, Biometrika 75:621-629) models this with a latent stationary process
``eps_t`` (mean 1, variance ``sigma2``, autocorrelation ``rho(k)``) that
multiplies the regression mean ``mu_t``, so that

    Var(y_t)        = mu_t + sigma2 * mu_t**2
    Cov(y_s, y_t)   = sigma2 * rho(|s - t|) * mu_s * mu_t.

The regression coefficients are still estimated by the GLM's estimating
equations ``X' D (y - mu) = 0`` (Poisson: ``D = I``; NB2: ``D = diag(1 / (1 +
alpha mu))``); their covariance is the sandwich ``A^-1 B A^-1`` with ``A =
X' D diag(mu) X`` and ``B = X' D V D X``, ``V`` the covariance above with
``sigma2`` and ``rho`` estimated by Zeger's moment estimators from the
residuals of the fit. Unlike Newey-West (HAC) standard errors, which
estimate the middle of the sandwich from products of one coefficient's own
score contributions (a handful for a two-day event, so very noisy), this
uses one correlation function estimated from every day, and it gives each
coefficient the inflation its regressor's own time structure implies: a
slow trend about the long-run variance ratio, a two-day pulse about ``1 +
rho(1)``.

The autocorrelations are tapered with Bartlett weights over ``L`` lags
(:func:`default_lags`) so that noise at long lags cannot dominate; each
coefficient's variance is then floored at the model's own (independent
periods), so dependence never narrows an interval. Forecast paths draw a
latent AR(1) fitted to the same moments (:func:`latent_ar1`).

Hand-written because statsmodels' GLM offers HAC, cluster and fixed-scale
covariances but no parametric latent-process (GEE time-series) covariance;
the linear algebra is numpy's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["LatentFit", "default_lags", "latent_ar1", "latent_covariance"]


def default_lags(n: int) -> int:
    """Lags of the tapered autocorrelation: ``min(n // 4, 60)`` (at least 1)."""
    return max(1, min(n // 4, 60))


@dataclass(frozen=True)
class LatentFit:
    """Moments of the latent process and the covariance they imply.

    Attributes
    ----------
    sigma2 : float
        Variance of the latent multiplier (0: no extra-Poisson variation).
    rho : numpy.ndarray
        Tapered autocorrelations of the latent process at lags 1..L.
    cov : numpy.ndarray
        Covariance of the coefficients (p x p).
    inflation : numpy.ndarray
        Each coefficient's variance over the model's own (>= 1).
    """

    sigma2: float
    rho: np.ndarray
    cov: np.ndarray
    inflation: np.ndarray


def latent_covariance(
    y: np.ndarray,
    mu: np.ndarray,
    x: np.ndarray,
    model_cov: np.ndarray,
    alpha: float = 0.0,
    lags: int | None = None,
) -> LatentFit:
    """Zeger's sandwich covariance of GLM coefficients under a latent stationary process.

    Parameters
    ----------
    y, mu : numpy.ndarray
        Counts and fitted means (length n).
    x : numpy.ndarray
        Design matrix (n x p).
    model_cov : numpy.ndarray
        The GLM's own covariance (independent periods), used as the floor.
    alpha : float
        NB2 dispersion of the fitted family (0 for Poisson).
    lags : int, optional
        Lags of the autocorrelation (default :func:`default_lags`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)  # simulated independent Poisson counts
    >>> n = 2000
    >>> x = np.column_stack([np.ones(n), np.linspace(-1, 1, n)])
    >>> mu = np.full(n, 5.0)
    >>> y = rng.poisson(mu)
    >>> a = x.T @ (mu[:, None] * x)
    >>> fit = latent_covariance(y, mu, x, np.linalg.inv(a))
    >>> bool(np.all(fit.inflation < 1.2))
    True
    """
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    n = x.shape[0]
    L = default_lags(n) if lags is None else max(1, min(int(lags), n - 1))
    r = y - mu
    denom0 = float(np.sum(mu**2))
    sigma2 = max(float(np.sum(r**2 - mu)) / denom0, 0.0) if denom0 > 0 else 0.0
    rho = np.zeros(L)
    if sigma2 > 0:
        for k in range(1, L + 1):
            num = float(np.sum(r[k:] * r[:-k]))
            den = sigma2 * float(np.sum(mu[k:] * mu[:-k]))
            rho[k - 1] = num / den if den > 0 else 0.0
        rho *= 1.0 - np.arange(1, L + 1) / (L + 1)  # Bartlett taper
    d = 1.0 / (1.0 + alpha * mu)
    a = x.T @ ((d * mu)[:, None] * x)
    w = d * mu  # D mu, the scale of each period's score under the latent model
    xd = x * d[:, None]
    b = xd.T @ (mu[:, None] * xd) + sigma2 * (x * w[:, None]).T @ (x * w[:, None])
    for k in range(1, L + 1):
        if rho[k - 1] == 0.0:
            continue
        cross = (x[k:] * w[k:, None]).T @ (x[:-k] * w[:-k, None])
        b += sigma2 * rho[k - 1] * (cross + cross.T)
    a_inv = np.linalg.pinv(a)
    cov = a_inv @ b @ a_inv
    cov = (cov + cov.T) / 2
    model_var = np.diag(model_cov)
    var = np.diag(cov)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(model_var > 0, var / model_var, 1.0)
    scale = np.sqrt(np.where(ratio < 1.0, 1.0 / np.where(ratio > 0, ratio, 1.0), 1.0))
    cov = cov * scale[:, None] * scale[None, :]
    inflation = np.maximum(ratio, 1.0)
    return LatentFit(sigma2, rho, cov, inflation)


def latent_ar1(fit: LatentFit) -> tuple[float, float]:
    """A latent AR(1) on the log scale with the fitted moments: ``(phi, log-scale variance)``.

    ``phi`` is the ratio of the lag-2 to the lag-1 autocorrelation of the
    latent process (clipped to [0, 0.98]); the lag-1 autocorrelation divided
    by ``phi`` is the share of the latent variance that is persistent, and
    ``log(1 + share * sigma2)`` the variance of the log-scale AR(1).
    """
    if fit.sigma2 <= 0 or fit.rho.size < 2 or fit.rho[0] <= 0:
        return 0.0, 0.0
    # undo the taper of lags 1 and 2 before the ratio
    size = fit.rho.size
    r1 = fit.rho[0] / (1 - 1 / (size + 1))
    r2 = fit.rho[1] / (1 - 2 / (size + 1))
    phi = float(np.clip(r2 / r1, 0.0, 0.98)) if r1 > 0 else 0.0
    if phi <= 0:
        return 0.0, 0.0
    share = float(min(r1 / phi, 1.0))
    return phi, math.log1p(share * fit.sigma2)
