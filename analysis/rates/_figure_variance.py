"""The variance of published figures when the days are overdispersed, dependent or miscounted.

:func:`analysis.rates.estimate_rates_from_figures` fits the rates by the
Poisson likelihood of the figures taken as independent observations (right
for the mean, whatever the variance). Its intervals need the variance of
each figure and the covariance of every pair (a week inside its month, two
sources for one month). This module gives them under a working model of the
days that lets the variance follow the rate and the length of a figure:

* the count of day ``t`` has mean ``lam_t`` and variance
  ``lam_t + kappa lam_t**2`` (negative-binomial-like overdispersion: the
  design effect of a total of ``d`` days at rate ``r`` is ``1 + kappa r``,
  growing with the rate as it does for gamma-Poisson days);
* optionally a latent AR(1) rate adds ``latent lam_s lam_t rho**|s - t|`` to
  the covariance of days ``s`` and ``t`` (the design effect of a total then
  grows with its length too; :func:`analysis._dependence.LatentARDesignEffect`
  is the same model for one series);
* each exact figure is the count over its period plus an independent
  reporting error of variance ``tau * total**2`` (a source that miscounts by
  a share: the spread of conflicting figures for one period).

``kappa`` and ``tau`` are estimated by the method of moments from the
residuals of the exact figures about the fit, with their exact expectations
under the model (which allow for the figures sharing days and for the
fitted rates): ``tau`` from the spread of figures of the same period (the
``disagreement`` chi-square; 0 when no period has two exact figures) and
``kappa`` from the Pearson chi-square of all exact figures given ``tau``.
Each is floored at 0 (no less variance than Poisson days and exact sources).
The variance of a fitted rate is then the sandwich ``H^-1 J H^-1`` with the
score variance ``J`` under that model, and its own uncertainty (the moment
estimates rest on a few figures) is carried by Satterthwaite degrees of
freedom: the variance estimate is linear in the two quadratic forms, whose
variances are those of Gaussian quadratic forms.

Written by hand (numpy only): no library fits overlapping, censored totals,
and the moment equations are a few traces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "MIN_DF",
    "FigureVariance",
    "VarianceOfRate",
    "day_covariances",
    "estimate_figure_variance",
]

# numerical floor of a fitted total (a segment at rate 0 has totals 0)
_MU_FLOOR = 1e-9


def day_covariances(
    t0: np.ndarray,
    t1: np.ndarray,
    lam_day: np.ndarray,
    rho: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Covariance parts of the totals of periods ``[t0, t1)`` of days with rates ``lam_day``.

    Returns ``(C0, C1, Cr)``: ``C0[i, l] = sum of lam_t`` over the days the two
    periods share (Poisson days), ``C1[i, l]`` the same sum of ``lam_t**2``
    (the overdispersion part) and ``Cr[i, l] = sum_{s in i, t in l} lam_s lam_t
    rho**|s - t|`` (the latent AR(1) part; zeros when ``rho`` is 0).

    Examples
    --------
    >>> C0, C1, Cr = day_covariances(np.array([0, 0]), np.array([7, 3]), np.full(7, 2.0))
    >>> C0.tolist(), C1.tolist()
    ([[14.0, 6.0], [6.0, 6.0]], [[28.0, 12.0], [12.0, 12.0]])
    """
    n_days = len(lam_day)
    days = np.arange(n_days)
    member = ((days[None, :] >= t0[:, None]) & (days[None, :] < t1[:, None])).astype(float)
    c0 = (member * lam_day) @ member.T
    c1 = (member * lam_day**2) @ member.T
    if rho > 0:
        ml = member * lam_day
        # rho**|s - t| applied along the days by two first-order recursions (O(days))
        fwd = np.zeros_like(ml)
        bwd = np.zeros_like(ml)
        acc = np.zeros(ml.shape[0])
        for t in range(n_days):
            acc = rho * acc + ml[:, t]
            fwd[:, t] = acc
        acc = np.zeros(ml.shape[0])
        for t in range(n_days - 1, -1, -1):
            acc = rho * acc + ml[:, t]
            bwd[:, t] = acc
        smooth = fwd + bwd - ml  # sum_s ml[:, s] rho**|s - t|
        cr = smooth @ ml.T
    else:
        cr = np.zeros_like(c0)
    return c0, c1, cr


@dataclass(frozen=True)
class FigureVariance:
    """The fitted variance model of a set of figures and the score variance it gives.

    Attributes
    ----------
    kappa : float
        Overdispersion of a day: variance ``lam + kappa lam**2``.
    tau : float
        Reporting error of an exact figure: variance ``tau * total**2``.
    latent, rho : float
        Latent AR(1) part (given, not estimated here): covariance
        ``latent lam_s lam_t rho**|s - t|``.
    kappa_estimated, tau_estimated : bool
        Whether the parameter was estimated (``kappa`` from the Pearson
        chi-square of the exact figures, ``tau`` from their spread within
        periods).
    J_fixed, J_kappa, J_tau : numpy.ndarray
        Parts of the score variance: ``J = J_fixed + kappa J_kappa + tau J_tau``.
    kappa_raw : float
        The moment estimate before the floor at 0.
    pearson, pearson_df, pearson_slope : float
        The Pearson chi-square, its Satterthwaite degrees of freedom and the
        change of ``kappa_raw`` per unit of it.
    design_effects : numpy.ndarray
        Variance of each exact figure over its Poisson variance.
    """

    kappa: float
    tau: float
    latent: float
    rho: float
    kappa_estimated: bool
    tau_estimated: bool
    design_effects: np.ndarray
    J_fixed: np.ndarray
    J_kappa: np.ndarray
    J_tau: np.ndarray
    kappa_raw: float = 0.0
    pearson: float = 0.0
    pearson_df: float = math.inf
    pearson_slope: float = 0.0

    @property
    def J(self) -> np.ndarray:
        """Score variance of the independence likelihood under the fitted model."""
        return self.J_fixed + self.kappa * self.J_kappa + self.tau * self.J_tau

    def variance_parts(self, c: np.ndarray, hinv: np.ndarray) -> VarianceOfRate:
        """The variance of ``c @ lam``: naive, sandwich, and how it depends on the data.

        Parameters
        ----------
        c : numpy.ndarray
            The functional (weights of the segment rates).
        hinv : numpy.ndarray
            Inverse information of the independence likelihood.

        Returns
        -------
        VarianceOfRate
        """
        a = hinv @ c
        naive = float(c @ a)
        floor = float(a @ (self.J_fixed + self.tau * self.J_tau) @ a)
        slope = float(a @ self.J_kappa @ a) * self.pearson_slope
        raw = floor + self.kappa_raw * float(a @ self.J_kappa @ a)
        df = self.pearson_df if (self.kappa_estimated and slope > 0) else math.inf
        return VarianceOfRate(naive, max(raw, floor), raw, floor, slope, self.pearson, df)


@dataclass(frozen=True)
class VarianceOfRate:
    """The variance of one fitted rate and its sampling distribution.

    The estimate is ``max(raw, floor)``: ``floor`` is the variance under
    Poisson days (with any reporting error and given latent part), ``raw``
    adds the moment estimate of the overdispersion, which is linear in the
    Pearson chi-square ``pearson`` of the exact figures with ``slope``;
    ``df = 2 E[Q]**2 / Var(Q)`` are that chi-square's degrees of freedom
    (Satterthwaite). The reporting error is taken as known: with one pair
    of conflicting figures its estimate is their spread, which moves with
    the error of their mean, so a t factor for it over-covered (0.985-0.995
    for Poisson days in the test layout, 200 runs).
    """

    naive: float
    robust: float
    raw: float
    floor: float
    slope: float
    pearson: float
    df: float

    @property
    def factor(self) -> float:
        """Sandwich over naive variance (1 when either is not positive)."""
        ok = math.isfinite(self.robust) and self.naive > 0 and self.robust > 0
        return self.robust / self.naive if ok else 1.0

    @property
    def estimated(self) -> bool:
        """Whether the variance depends on an estimated overdispersion."""
        return math.isfinite(self.df) and self.slope > 0 and self.robust > 0

    def _ratios(self) -> np.ndarray:
        """Draws of (estimated variance) / (variance), the overdispersion part redrawn.

        The part ``raw - floor`` is taken as its value times a chi-square on
        ``nu`` over ``nu``, ``nu = 2 part**2 / Var(part)``: the Pearson
        chi-square's variance (Gaussian quadratic form) carried to the part
        by its slope. A part at or below 0 (Poisson-looking figures) adds
        nothing: the Poisson variance is then taken as known.
        """
        from scipy.special import gammaincinv

        part = self.raw - self.floor
        if part <= 0:
            return np.ones(1)
        # Var(Q) = 2 Q**2 / df, and the part moves by slope * Q per unit of Q / Q
        nu = max(float(self.df) * (part / (self.slope * self.pearson)) ** 2, MIN_DF)
        # chi-square(nu) quantiles / nu (scipy.special directly: the distribution objects
        # cost ten times more, and these are called for every interval)
        v = self.floor + part * gammaincinv(nu / 2.0, _uniforms()) * 2.0 / nu
        return np.asarray(v / self.robust)

    def cutoff(self, level: float) -> float:
        """Cutoff of the scaled deviance: ``P(Z**2 / R <= cutoff) = level``, at least chi2(1).

        ``Z`` is standard normal and ``R`` the ratio of the estimated to the
        true variance, the Pearson chi-square redrawn from its scaled
        chi-square (the estimate as the truth). Without an estimated part it
        is the chi-square(1) quantile; with all of the variance estimated it
        is the F(1, df) quantile (the Student t interval); a known Poisson
        part beside the estimated one brings it towards chi-square(1). It is
        never below chi-square(1): no interval is narrower than under the
        estimated variance taken as known.
        """
        from scipy.optimize import brentq
        from scipy.special import erf
        from scipy.stats import chi2

        q0 = float(chi2.ppf(level, 1))
        if not self.estimated:
            return q0
        r = self._ratios()

        def excess(q: float) -> float:  # chi-square(1) distribution function: erf(sqrt(x/2))
            return float(np.mean(erf(np.sqrt(q * r / 2.0)))) - level

        if excess(q0) >= 0:
            return q0
        hi = q0 * 2.0
        while excess(hi) < 0 and hi < 1e6:
            hi *= 2.0
        return float(brentq(excess, q0, hi, xtol=1e-8))

    def p_value(self, stat: float) -> float:
        """The test that matches :meth:`cutoff` (p < 1 - level exactly outside the interval)."""
        from scipy.stats import chi2

        p0 = float(chi2.sf(stat, 1))
        if not self.estimated:
            return p0
        # the cutoff is the larger of the two quantiles: the p-value the larger of the two
        from scipy.special import erfc

        return max(p0, float(np.mean(erfc(np.sqrt(stat * self._ratios() / 2.0)))))


#: Smallest degrees of freedom of an estimated part of a variance (a moment estimate
#: resting on less than one effective degree of freedom is given one).
MIN_DF = 1.0

_N_DRAWS = 2000
_UNIFORMS: list[np.ndarray] = []


def _uniforms() -> np.ndarray:
    """Fixed stratified uniforms: reproducible draws of a chi-square."""
    if not _UNIFORMS:
        _UNIFORMS.append((np.arange(_N_DRAWS) + 0.5) / _N_DRAWS)
    return _UNIFORMS[0]


def _quad_cov(a: np.ndarray, b: np.ndarray, v: np.ndarray) -> float:
    """``Cov(r' A r, r' B r) = 2 tr(A V B V)`` for a Gaussian ``r`` of covariance ``V``."""
    return 2.0 * float(np.sum((a @ v) * (v @ b).T))


def estimate_figure_variance(
    X: np.ndarray,
    kind: np.ndarray,
    k: np.ndarray,
    mu: np.ndarray,
    w: np.ndarray,
    hinv: np.ndarray,
    parts: tuple[np.ndarray, np.ndarray, np.ndarray],
    groups: np.ndarray,
    *,
    latent: float = 0.0,
    rho: float = 0.0,
    estimate: bool = True,
) -> FigureVariance:
    """Estimate ``kappa`` and ``tau`` by moments and build the score variance.

    Parameters
    ----------
    X : numpy.ndarray
        Days each figure shares with each segment (figures x segments).
    kind : numpy.ndarray
        0 exact, 1 at least, 2 about.
    k : numpy.ndarray
        Figure values.
    mu : numpy.ndarray
        Fitted totals.
    w : numpy.ndarray
        Curvature of each figure's log-likelihood in its total.
    hinv : numpy.ndarray
        Inverse information of the independence likelihood.
    parts : tuple of numpy.ndarray
        ``(C0, C1, Cr)`` of :func:`day_covariances`.
    groups : numpy.ndarray
        A label per figure; exact figures of one label cover one period.
    latent, rho : float
        A given latent AR(1) part (0: none).
    estimate : bool
        False: ``kappa = tau = 0`` (Poisson days, exact sources, plus the
        latent part).

    Returns
    -------
    FigureVariance

    Examples
    --------
    >>> X = np.array([[30.0], [30.0], [30.0]])  # three months at one rate
    >>> mu = np.full(3, 90.0)
    >>> C = (np.diag(mu), np.diag(mu * 3.0), np.zeros((3, 3)))
    >>> fv = estimate_figure_variance(X, np.zeros(3, int), np.array([60.0, 90, 120]), mu,
    ...                               1 / mu, np.array([[1 / 30.0]]), C, np.arange(3))
    >>> round(fv.kappa, 3)  # Pearson chi2 20, 2 expected under Poisson, 6 per unit of kappa
    3.0
    """
    c0, c1, cr = parts
    n = len(mu)
    e = kind == 0
    mu_s = np.maximum(mu, _MU_FLOOR)
    c0_diag = np.maximum(np.diag(c0), _MU_FLOOR)
    # every figure's score in its total is w (N - mu) plus noise independent of the
    # counts: exactly (E[N | figure] - mu) / mu, whose regression on N has slope w and
    # leaves variance w - w**2 mu (0 for an exact figure, all of w for a far bound)
    w = np.where(e, 1.0 / mu_s, np.maximum(w, 0.0))
    noise = np.where(e, 0.0, np.maximum(w - w**2 * mu_s, 0.0))
    # the reporting error is measured where one period has several exact figures
    ge = np.asarray(groups)
    shared = np.zeros(n, dtype=bool)
    for g in np.unique(ge[e]):
        idx = np.flatnonzero(e & (ge == g))
        if len(idx) >= 2:
            shared[idx] = True
    d2 = np.diag(np.where(shared, mu**2, 0.0))
    comps = [
        (c0 + latent * cr, 1.0 + latent * np.diag(cr) / c0_diag),
        (c1, np.diag(c1) / c0_diag),
        (d2, np.zeros(n)),
    ]
    S = [w[:, None] * sig * w[None, :] + np.diag(noise * d) for sig, d in comps]
    J_fixed, J_kappa, J_tau = (X.T @ s_k @ X for s_k in S)
    kappa = tau = kappa_raw = 0.0
    k_est = t_est = False
    pearson, pearson_df, slope = 0.0, math.inf, 0.0
    n_e = int(e.sum())
    if estimate and n_e > 0:
        # residuals of the exact figures: r = (y - mu)_e - B s with s the scores
        B = X[e] @ hinv @ X.T
        r = k[e] - mu[e]
        V = []
        for (sig, _), s_k in zip(comps, S, strict=True):
            cse = w[:, None] * sig[:, e]  # Cov(scores, exact counts)
            V.append(sig[np.ix_(e, e)] - B @ cse - cse.T @ B.T + B @ s_k @ B.T)
        V0, V1, V2 = V
        W = np.diag(1.0 / mu_s[e])
        # within-period spread: exact figures of one period, about their mean
        Aw = np.zeros((n_e, n_e))
        ge_e = ge[e]
        for g in np.unique(ge_e):
            idx = np.flatnonzero(ge_e == g)
            if len(idx) < 2:
                continue
            m = max(float(mu_s[e][idx].mean()), _MU_FLOOR)
            Aw[np.ix_(idx, idx)] = (np.eye(len(idx)) - 1.0 / len(idx)) / m
        q = float(r @ W @ r)
        qw = float(r @ Aw @ r)
        t0, t1, t2 = (float(np.trace(W @ v)) for v in (V0, V1, V2))
        tw = float(np.trace(Aw @ V2))
        if tw > 1e-12 and qw > 0:
            tau = qw / tw
            t_est = True
        if t1 > 1e-12:
            kappa_raw = (q - t0 - tau * t2) / t1
            kappa = max(kappa_raw, 0.0)
            k_est = True
            Vh = V0 + kappa * V1 + tau * V2
            mean_q = t0 + kappa * t1 + tau * t2
            var_q = _quad_cov(W, W, Vh)
            pearson = max(q, 1e-12)
            pearson_df = 2.0 * mean_q**2 / var_q if var_q > 0 else math.inf
            slope = 1.0 / t1
    if n_e:
        var_e = np.diag(comps[0][0] + kappa * c1 + tau * d2)[e]
        des = var_e / np.diag(c0)[e].clip(_MU_FLOOR)
    else:
        des = np.zeros(0)
    return FigureVariance(
        kappa=float(kappa),
        tau=float(tau),
        latent=float(latent),
        rho=float(rho),
        kappa_estimated=k_est,
        tau_estimated=t_est,
        design_effects=des,
        J_fixed=J_fixed,
        J_kappa=J_kappa,
        J_tau=J_tau,
        kappa_raw=float(kappa_raw),
        pearson=float(pearson),
        pearson_df=float(pearson_df),
        pearson_slope=float(slope),
    )
