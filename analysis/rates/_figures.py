"""estimate_rates_from_figures: the daily rate implied by a set of published totals.

A published figure ("35 claimed attacks in September", "more than 115 since
October", "about 40 in the last week") is an observation of the sum of the
daily counts over its period. This module fits one model to all the figures
of one actor and one unit at once:

* counts per day are Poisson with a rate ``lambda(t)`` that is piecewise
  constant over segments of days;
* an ``exact`` figure ``k`` over days ``a..b`` is ``N = k`` with
  ``N ~ Poisson(mu)``, ``mu = sum_{t=a}^{b} lambda(t)``;
* ``at_least`` is right-censored, ``P(N >= k)``;
* ``about`` is interval-censored, ``P(lo <= N <= hi)`` with
  ``lo = ceil(k (1 - tol))`` and ``hi = floor(k (1 + tol))``;
* figures from different sources for one period stay separate observations;
  their disagreement (a reporting error), the overdispersion of the daily
  counts (a day variance that grows with the rate) and, from day-level rows,
  a latent AR(1) rate give the variance of each figure and the covariance of
  every overlapping pair (:mod:`analysis.rates._figure_variance`); the
  intervals use that variance and allow for the error of its estimate. The
  automatic search still weighs its criterion by the Pearson dispersion.

Written by hand (scipy for the optimiser, the gamma functions and the
quantiles) because no statsmodels model takes censored, overlapping totals.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis._draw import concise_dates, errorbar, get_ax
from analysis._format import fmt_short, jsonable, p_text, records, unit_plural
from analysis._progress import progress_bar
from analysis._results import Result
from analysis.rates._figure_variance import (
    MIN_DF,
    FigureVariance,
    VarianceOfRate,
    day_covariances,
    estimate_figure_variance,
)
from analysis.rates._inputs import check_level

__all__ = [
    "ABOUT_TOLERANCE",
    "FigureClaimCheck",
    "FigureRates",
    "PeriodRate",
    "estimate_rates_from_figures",
]

#: Default relative tolerance of an ``about`` figure: "about 40" is 36..44.
ABOUT_TOLERANCE = 0.10

#: Largest number of candidate sets of changes the exact search fits.
MAX_CANDIDATE_SETS = 20_000

QUALIFIERS = ("exact", "at_least", "about")
_QUALIFIER_LABELS = {
    "exact": "exact total",
    "at_least": "at least (a lower bound)",
    "about": "about (a range)",
}

# log-rate bounds of the optimiser (per day): a rate at the upper bound is
# unbounded by the data (a segment seen only through lower bounds)
_LOG_LO, _LOG_HI = math.log(1e-8), math.log(1e5)
_TINY = 1e-300


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class _Model:
    """The likelihood of a set of figures on fixed segments (plain arrays inside).

    ``X[i, j]`` is the number of days figure ``i`` shares with segment ``j``;
    ``mu = X @ lam``. Kinds: 0 exact (``k``), 1 at least (``k``), 2 about
    (``lo..hi``).
    """

    X: np.ndarray
    kind: np.ndarray
    k: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    edges: np.ndarray

    def loglik_mu(self, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-figure log-likelihood and its derivative in ``mu``."""
        from scipy.special import gammainc, gammaincc, gammaln

        mu = np.maximum(mu, 1e-12)
        ll = np.zeros_like(mu)
        g = np.zeros_like(mu)
        e = self.kind == 0
        if e.any():
            k = self.k[e]
            ll[e] = k * np.log(mu[e]) - mu[e] - gammaln(k + 1)
            g[e] = k / mu[e] - 1.0
        c = (self.kind == 1) & (self.k > 0)
        if c.any():
            k, m = self.k[c], mu[c]
            p = np.maximum(gammainc(k, m), _TINY)  # P(N >= k) = P(Gamma(k) <= mu)
            ll[c] = np.log(p)
            g[c] = np.exp((k - 1) * np.log(m) - m - gammaln(k) - np.log(p))
        a = self.kind == 2
        if a.any():
            lo, hi, m = self.lo[a], self.hi[a], mu[a]
            cdf_hi = gammaincc(hi + 1, m)  # P(N <= hi)
            cdf_lo = np.where(lo > 0, gammaincc(np.maximum(lo, 1), m), 0.0)  # P(N <= lo-1)
            p = np.maximum(cdf_hi - cdf_lo, _TINY)
            ll[a] = np.log(p)
            pmf_hi = np.exp(hi * np.log(m) - m - gammaln(hi + 1))
            pmf_lo = np.where(lo > 0, np.exp((lo - 1) * np.log(m) - m - gammaln(lo)), 0.0)
            g[a] = (pmf_lo - pmf_hi) / p
        return ll, g

    def curvature(self, mu: np.ndarray) -> np.ndarray:
        """Minus the second derivative of each figure's log-likelihood in ``mu``.

        Exact figures: the expected value ``1 / mu``; censored figures: the
        observed value, by central differences of the analytic first derivative.
        """
        mu = np.maximum(mu, 1e-12)
        h = 1e-5
        _, g_up = self.loglik_mu(mu * (1 + h))
        _, g_dn = self.loglik_mu(mu * (1 - h))
        out = -(g_up - g_dn) / (2 * h * mu)
        out[self.kind == 0] = 1.0 / mu[self.kind == 0]
        return np.maximum(out, 0.0)

    def overlap_cov(self, lam: np.ndarray) -> np.ndarray:
        """Expected count each pair of figures shares: ``Cov(N_i, N_l)`` under Poisson days."""
        lo = np.maximum(self.t0[:, None], self.t0[None, :])
        hi = np.minimum(self.t1[:, None], self.t1[None, :])
        cov = np.zeros(lo.shape)
        for j in range(len(self.edges) - 1):
            d = np.minimum(hi, self.edges[j + 1]) - np.maximum(lo, self.edges[j])
            cov += np.maximum(d, 0) * lam[j]
        return cov

    def sandwich(self, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inverse information ``H^-1`` and score variance ``J`` of the independence likelihood.

        The likelihood treats every figure as a separate observation, but
        overlapping figures (a week inside its month, two sources for one
        month) count the same events. ``J`` is the variance of the score
        under Poisson days: for exact figures ``G' C G`` with ``C`` the
        expected shared counts (:meth:`overlap_cov`) and ``G_i = X_i /
        mu_i``; a censored figure's score is taken as independent of the
        others, with its own information as variance (the mechanism that
        made a bound is unknown). Without overlaps ``J == H``.
        """
        mu = self.X @ lam
        w = self.curvature(mu)
        H = (self.X * w[:, None]).T @ self.X
        e = self.kind == 0
        cens = ~e
        G = self.X[e] / np.maximum(mu[e], 1e-12)[:, None]
        J = G.T @ self.overlap_cov(lam)[np.ix_(e, e)] @ G
        J = J + (self.X[cens] * w[cens][:, None]).T @ self.X[cens]
        return np.linalg.pinv(H), J

    def negll_theta(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Minus the log-likelihood in log-rates, with its gradient."""
        lam = np.exp(theta)
        ll, g = self.loglik_mu(self.X @ lam)
        return -float(ll.sum()), -(g @ self.X) * lam

    def fit(self, start: np.ndarray | None = None) -> tuple[np.ndarray, float]:
        """Maximum-likelihood rates (per day) and the maximised log-likelihood."""
        from scipy.optimize import minimize

        n_seg = self.X.shape[1]
        if start is None:
            start = np.full(n_seg, self._crude_rate())
        theta0 = np.log(np.clip(start, 1e-6, 1e4))
        res = minimize(
            self.negll_theta,
            theta0,
            jac=True,
            method="L-BFGS-B",
            bounds=[(_LOG_LO, _LOG_HI)] * n_seg,
            options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9},
        )
        return np.exp(res.x), -float(res.fun)

    def _crude_rate(self) -> float:
        days = self.X.sum(axis=1)
        pos = days > 0
        return float(max(self.k[pos].sum(), 0.5) / days[pos].sum())

    def profile(self, c: np.ndarray, value: float, start: np.ndarray) -> float:
        """Maximum log-likelihood subject to ``c @ lam == value`` (a linear functional).

        The log-likelihood is concave in the rates and the constraint is
        linear, so the constrained optimum is unique; SLSQP finds it.
        """
        from scipy.optimize import minimize

        c = np.asarray(c, dtype=float)
        # start from the unconstrained optimum with only the rates in the functional
        # scaled to meet the constraint (the others stay where the data put them)
        x0 = np.maximum(np.asarray(start, dtype=float), 1e-8)
        inside = c > 0
        x0[inside] *= value / max(float(c @ x0), 1e-300)
        scale = max(float(np.max(x0)), 1e-8)

        def f(y: np.ndarray) -> tuple[float, np.ndarray]:
            lam = y * scale
            ll, g = self.loglik_mu(self.X @ lam)
            return -float(ll.sum()), -(g @ self.X) * scale

        norm = max(value, 1e-12)
        grad = c * (scale / norm)  # the constraint is linear: its Jacobian is exact and constant
        cons = {
            "type": "eq",
            "fun": lambda y: (c @ (y * scale) - value) / norm,
            "jac": lambda y: grad,
        }
        res = minimize(
            f,
            x0 / scale,
            jac=True,
            method="SLSQP",
            bounds=[(1e-12 / scale, None)] * len(x0),
            constraints=[cons],
            options={"maxiter": 500, "ftol": 1e-12},
        )
        return -float(res.fun)


def _profile_interval(
    model: _Model,
    lam: np.ndarray,
    ll_max: float,
    c: np.ndarray,
    cutoff: float,
    unbounded: bool = False,
) -> tuple[float, float]:
    """Values of ``c @ lam`` whose profile deviance is at most ``cutoff``.

    ``unbounded``: the likelihood does not decrease as the value grows (only
    lower bounds inform it); the upper end is infinite.
    """
    from scipy.optimize import brentq

    est = float(c @ lam)

    def excess(v: float) -> float:
        return 2.0 * (ll_max - model.profile(c, v, lam)) - cutoff

    if est <= 0:
        low = 0.0
    else:
        lo_v = est
        low = 0.0
        for _ in range(60):
            lo_v /= 2.0
            if excess(lo_v) > 0:
                low = brentq(excess, lo_v, lo_v * 2.0 if lo_v * 2 < est else est, xtol=1e-10)
                break
            if lo_v < 1e-9 * max(est, 1e-9):
                break
    base = max(est, 1e-6)
    hi_v = base
    high = math.inf
    for _ in range(0 if unbounded else 40):
        prev = hi_v
        hi_v *= 2.0
        if excess(hi_v) > 0:
            high = brentq(excess, prev, hi_v, xtol=1e-10 * hi_v)
            break
    return float(low), float(high)


# --------------------------------------------------------------------------- inputs


def _check_figures(figures: Any, about_tolerance: float) -> pd.DataFrame:
    """Validate a figures table; return one row per figure with parsed fields."""
    if not isinstance(figures, pd.DataFrame):
        raise TypeError(
            f"figures must be a pandas DataFrame of published figures, not {type(figures).__name__}"
        )
    if len(figures) == 0:
        raise ValueError("figures is empty: give at least one published figure")
    need = ["period_start", "period_end", "value", "qualifier"]
    missing = [c for c in need if c not in figures.columns]
    if missing:
        raise ValueError(f"figures needs the columns {missing} (as in reported_figures.csv)")
    for col in ("actor", "unit", "target", "weapon"):
        if col in figures.columns:
            values = figures[col].astype("object").where(figures[col].notna(), None)
            distinct = sorted({str(v) for v in values}, key=str)
            if len(distinct) > 1:
                raise ValueError(
                    f"figures mixes several values in column {col!r}: {distinct}; a rate is "
                    f"for one {col}: select one first, e.g. figures[figures[{col!r}] == "
                    f"{distinct[0]!r}]"
                )
    if "measure" in figures.columns:
        bad = figures["measure"].notna() & (figures["measure"].astype("object") != "count")
        if bad.any():
            raise ValueError(
                "column 'measure': only totals (measure 'count') are observations of the "
                f"counts; found {sorted(set(figures.loc[bad, 'measure'].astype(str)))}: check "
                "averages and daily maxima against the fit with .check() instead"
            )
    ids = (
        figures["figure_id"].astype(str).tolist()
        if "figure_id" in figures.columns
        else [f"figure {i + 1}" for i in range(len(figures))]
    )
    dates = {}
    for col in ("period_start", "period_end"):
        parsed = pd.to_datetime(figures[col], errors="coerce", format="ISO8601")
        if parsed.dt.tz is not None:
            parsed = parsed.dt.tz_localize(None)
        unread = parsed.isna().to_numpy()
        if unread.any():
            where = [f"{ids[i]} ({figures[col].iloc[i]!r})" for i in np.flatnonzero(unread)]
            raise ValueError(
                f"column {col!r}: the period of {', '.join(where)} is not a date (use ISO "
                "YYYY-MM-DD, the first and last day covered)"
            )
        dates[col] = parsed.dt.normalize().to_numpy()
    start, end = dates["period_start"], dates["period_end"]
    if (end < start).any():
        i = int(np.flatnonzero(end < start)[0])
        raise ValueError(f"column 'period_end': {ids[i]} ends before it starts")
    value = pd.to_numeric(figures["value"], errors="coerce").to_numpy(dtype=float)
    qual = figures["qualifier"].astype("object").to_numpy()
    for i in range(len(figures)):
        if qual[i] not in QUALIFIERS:
            raise ValueError(
                f"column 'qualifier': {ids[i]} has {qual[i]!r}; use one of {list(QUALIFIERS)}"
            )
        v = value[i]
        if not (math.isfinite(v) and v >= 0):
            raise ValueError(
                f"column 'value': {ids[i]} has {figures['value'].iloc[i]!r}; a figure is a "
                "count >= 0"
            )
        if qual[i] != "about" and v != round(v):
            raise ValueError(f"column 'value': {ids[i]} is {v:g}, not a whole number of events")
    if isinstance(about_tolerance, bool) or not (
        isinstance(about_tolerance, int | float) and 0 <= float(about_tolerance) < 1
    ):
        raise ValueError(f"about_tolerance must be a number in [0, 1), not {about_tolerance!r}")
    tol = (
        figures["about_tolerance"].astype(float).fillna(float(about_tolerance)).to_numpy()
        if "about_tolerance" in figures.columns
        else np.full(len(figures), float(about_tolerance))
    )
    source = (
        figures["source_name"].astype("object").fillna("").astype(str).tolist()
        if "source_name" in figures.columns
        else [""] * len(figures)
    )
    lo = np.where(qual == "about", np.ceil(value * (1 - tol) - 1e-9), value)
    hi = np.where(qual == "about", np.floor(value * (1 + tol) + 1e-9), value)
    out = pd.DataFrame(
        {
            "figure_id": ids,
            "source_name": source,
            "start": pd.DatetimeIndex(start),
            "end": pd.DatetimeIndex(end),
            "qualifier": qual.astype(str),
            "value": value,
            "low": lo,
            "high": hi,
        }
    )
    out["days"] = (out["end"] - out["start"]).dt.days + 1
    return out


def _read_period(period: Any, name: str = "period") -> tuple[pd.Timestamp, pd.Timestamp]:
    """A period as (first day, last day), inclusive."""
    try:
        if isinstance(period, pd.Period):
            return period.start_time.normalize(), period.end_time.normalize()
        if isinstance(period, tuple | list) and len(period) == 2:
            a, b = (pd.Timestamp(p).normalize() for p in period)
        elif isinstance(period, str) and "/" in period:
            a, b = (pd.Timestamp(p.strip()).normalize() for p in period.split("/"))
        else:
            a = b = pd.Timestamp(period).normalize()
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{name} must be (first day, last day), 'YYYY-MM-DD/YYYY-MM-DD', a day or a "
            f"pandas Period; could not read {period!r}"
        ) from exc
    if a is pd.NaT or b is pd.NaT:
        raise ValueError(f"{name} {period!r} is not a date")
    if a.tz is not None:
        a, b = a.tz_localize(None), b.tz_localize(None)
    if b < a:
        raise ValueError(f"{name} ends before it starts: {period!r}")
    return a, b


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, repr=False)
class PeriodRate(Result):
    """The rate implied by the fitted model for one period.

    Attributes
    ----------
    start, end : pandas.Timestamp
        First and last day of the period (inclusive).
    days : int
        Length of the period in days.
    rate : float
        Mean fitted rate per day over the period (events per day).
    ci_low, ci_high : float
        Profile-likelihood interval of that rate (events per day).
    level : float
        Confidence level.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    days: int
    rate: float
    ci_low: float
    ci_high: float
    level: float
    unit: str = ""

    def summary(self) -> str:
        """One line: the period, the rate per day and its interval."""
        per = _per_day(self.unit)
        return (
            f"{_span(self.start, self.end)} ({self.days} days): "
            f"{fmt_short(self.rate)} {per}, {self.level:.0%} CI "
            f"{fmt_short(self.ci_low)}-{fmt_short(self.ci_high)} {per}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The period and its rate as JSON-friendly values."""
        return jsonable(
            {
                "start": self.start,
                "end": self.end,
                "days": self.days,
                "rate": self.rate,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "level": self.level,
                "per": "day",
                "unit": self.unit,
            }
        )

    def plot(self, ax: Any = None) -> Any:
        """The rate as a point at the period's middle with its interval; returns the Axes."""
        ax = get_ax(ax)
        mid = self.start + (self.end - self.start) / 2
        errorbar(ax, mid, self.rate, self.ci_low, self.ci_high, color="C0")
        ax.set_ylabel(_per_day(self.unit))
        return concise_dates(ax)


def _per_day(unit: str) -> str:
    """``"claims per day"`` for a unit, ``"per day"`` when the figures name none."""
    return f"{unit_plural(unit)} per day" if unit else "per day"


def _span(a: pd.Timestamp, b: pd.Timestamp) -> str:
    """A period of days in words: one date for one day, ``first..last`` otherwise."""
    return str(a.date()) if a == b else f"{a.date()}..{b.date()}"


@dataclass(frozen=True, repr=False)
class FigureClaimCheck(Result):
    """A claimed rate checked against the rate implied by the published figures.

    Attributes
    ----------
    claimed_rate : float
        The claimed rate (events per day).
    implied : PeriodRate
        The implied rate over the claim's period with its interval.
    p_value : float
        Two-sided profile-likelihood (quasi-likelihood F) test of the claim.
    consistent : bool
        True when the claim lies inside the interval.
    verdict : str
        One plain sentence.
    """

    claimed_rate: float
    implied: PeriodRate
    p_value: float
    consistent: bool
    verdict: str

    def summary(self) -> str:
        """The verdict and the implied rate."""
        return f"{self.verdict}\nImplied: {self.implied.summary()}; {p_text(self.p_value)}."

    def to_dict(self) -> dict[str, Any]:
        """Verdict, test and implied rate as JSON-friendly values."""
        return {
            "claimed_rate": jsonable(self.claimed_rate),
            "p_value": jsonable(self.p_value),
            "consistent": bool(self.consistent),
            "verdict": self.verdict,
            "implied": self.implied.to_dict(),
        }

    def plot(self, ax: Any = None) -> Any:
        """The implied rate with its interval and the claim as a line; returns the Axes."""
        ax = self.implied.plot(ax=ax)
        ax.axhline(self.claimed_rate, color="C3", ls="--", label="claimed rate")
        ax.legend(loc="best")
        return ax


@dataclass(frozen=True, repr=False)
class FigureRates(Result):
    """Daily rates implied by a set of published figures (see :func:`estimate_rates_from_figures`).

    Attributes
    ----------
    segments : pandas.DataFrame
        One row per segment: ``start``, ``end`` (inclusive days), ``days``,
        ``rate`` (events per day), ``ci_low``, ``ci_high``.
    figures : pandas.DataFrame
        The figures as used: ``figure_id, source_name, start, end, days,
        qualifier, value, low, high`` (the count range of ``about``),
        ``expected`` (fitted total over the period), ``implied_rate``
        (``value / days``) and ``pearson_residual`` (``(value - expected) /
        sqrt(expected)`` for exact figures; for a lower bound above the fit
        the same with ``low``, else 0; for ``about`` the distance to the
        nearer end of its range, 0 inside it).
    disagreement : pandas.DataFrame
        Periods with figures from more than one source or several exact
        figures: their values, Pearson chi-square of the exact values about
        their mean, degrees of freedom and p-value (Poisson).
    dispersion : float
        Mean design effect of the exact figures (variance over Poisson
        variance, >= 1) under the fitted variance model; the given number
        with ``dispersion=`` a number.
    overdispersion : float
        ``kappa``: one day's count has variance ``rate + kappa rate**2``
        (estimated with ``dispersion="auto"``, else 0).
    source_error : float
        ``tau``: an exact figure of a period with several exact figures
        has a reporting error of variance ``tau total**2`` (0 when no period
        has two).
    pearson_chi2 : float
        Pearson chi-square of the exact figures about the fit.
    df_resid : int
        Exact figures minus segments: the degrees of freedom of ``dispersion``.
    loglik : float
        Maximised log-likelihood.
    level : float
        Confidence level.
    breaks_rule : str
        How the segments were chosen, in words.
    notes : tuple of str
        Caveats in words.
    """

    segments: pd.DataFrame
    figures: pd.DataFrame
    disagreement: pd.DataFrame
    dispersion: float
    pearson_chi2: float
    df_resid: int
    loglik: float
    level: float
    breaks_rule: str
    notes: tuple[str, ...] = ()
    unit: str = ""
    _model: _Model | None = field(default=None, compare=False)
    _lam: np.ndarray | None = field(default=None, compare=False)
    _grid_start: pd.Timestamp | None = field(default=None, compare=False)
    _seg_edges: tuple[int, ...] = field(default=(), compare=False)
    _hinv: np.ndarray | None = field(default=None, compare=False)
    _variance: FigureVariance | None = field(default=None, compare=False)
    _unbounded: np.ndarray | None = field(default=None, compare=False)
    overdispersion: float = 0.0
    source_error: float = 0.0

    def _of_unit(self) -> str:
        return f" of {unit_plural(self.unit)}" if self.unit else ""

    # ---- machine forms
    def to_frame(self) -> pd.DataFrame:
        """One row per segment: start, end, days, rate, ci_low, ci_high (per day)."""
        return self.segments.copy()

    def to_dict(self) -> dict[str, Any]:
        """Segments, figures, dispersion and notes as JSON-friendly values."""
        return {
            "per": "day",
            "level": self.level,
            "segments": records(self.segments),
            "figures": records(self.figures),
            "disagreement": records(self.disagreement),
            "dispersion": jsonable(self.dispersion),
            "pearson_chi2": jsonable(self.pearson_chi2),
            "df_resid": self.df_resid,
            "loglik": jsonable(self.loglik),
            "breaks_rule": self.breaks_rule,
            "notes": list(self.notes),
        }

    # ---- rates of any period
    def _functional(self, a: pd.Timestamp, b: pd.Timestamp) -> np.ndarray:
        assert self._grid_start is not None
        t0 = (a - self._grid_start).days
        t1 = (b - self._grid_start).days + 1
        edges = self._seg_edges
        if t0 < 0 or t1 > edges[-1]:
            last = self._grid_start + pd.Timedelta(days=edges[-1] - 1)
            raise ValueError(
                f"period {a.date()}..{b.date()} is outside the days the figures cover "
                f"({self._grid_start.date()}..{last.date()})"
            )
        c = np.array(
            [max(0, min(t1, edges[j + 1]) - max(t0, edges[j])) for j in range(len(edges) - 1)],
            dtype=float,
        )
        return c / (t1 - t0)

    def _var(self, c: np.ndarray) -> VarianceOfRate:
        """The variance of ``c @ lam`` under the fitted variance model, with its parts."""
        assert self._hinv is not None and self._variance is not None
        return self._variance.variance_parts(c, self._hinv)

    def _cutoff(self, c: np.ndarray) -> float:
        v = self._var(c)
        return v.cutoff(self.level) * v.factor

    def rate_on(self, period: Any) -> PeriodRate:
        """The implied mean rate per day over any period, with its interval.

        Parameters
        ----------
        period : tuple, str or pandas.Period
            ``(first day, last day)`` inclusive, ``"2024-10-29/2024-11-04"``,
            one day, or a pandas Period.

        Returns
        -------
        PeriodRate
            The profile-likelihood interval of the rate averaged over the
            period's days (events per day).
        """
        a, b = _read_period(period)
        c = self._functional(a, b)
        assert self._model is not None and self._lam is not None
        est = float(c @ self._lam)
        assert self._unbounded is not None
        open_above = bool((c[self._unbounded] > 0).any())
        low, high = _profile_interval(
            self._model, self._lam, self.loglik, c, self._cutoff(c), open_above
        )
        if open_above:
            est = math.inf
        return PeriodRate(a, b, (b - a).days + 1, est, low, high, self.level, self.unit)

    def check(self, claimed_rate: float, period: Any) -> FigureClaimCheck:
        """Check a claimed rate (events per day) over ``period`` against the implied rate.

        Parameters
        ----------
        claimed_rate : float
            The claimed average per day ("an average of five a day" is 5).
        period : tuple, str or pandas.Period
            The period the claim is about (see :meth:`rate_on`).

        Returns
        -------
        FigureClaimCheck
            The verdict in words with the implied rate and its interval; the
            p-value is the profile-likelihood test of the claimed rate (an F
            test with the estimated dispersion when it exceeds 1).
        """
        if isinstance(claimed_rate, bool) or not isinstance(claimed_rate, int | float | np.number):
            raise ValueError(
                f"claimed_rate must be a number of events per day, not {claimed_rate!r}"
            )
        claimed = float(claimed_rate)
        if not (math.isfinite(claimed) and claimed >= 0):
            raise ValueError(f"claimed_rate must be a finite number >= 0, not {claimed_rate!r}")
        implied = self.rate_on(period)
        a, b = implied.start, implied.end
        c = self._functional(a, b)
        assert self._model is not None and self._lam is not None
        if claimed > 0:
            dev = max(0.0, 2.0 * (self.loglik - self._model.profile(c, claimed, self._lam)))
        else:
            dev = math.inf
        v = self._var(c)
        p = v.p_value(dev / v.factor)
        inside = implied.ci_low <= claimed <= implied.ci_high
        where = "inside" if inside else ("below" if claimed < implied.ci_low else "above")
        verdict = (
            f"The claim of {fmt_short(claimed)} {_per_day(self.unit)} for {_span(a, b)} is "
            f"{'consistent' if inside else 'inconsistent'} with the published figures: the "
            f"implied rate is {fmt_short(implied.rate)} {_per_day(self.unit)} "
            f"({self.level:.0%} CI "
            f"{fmt_short(implied.ci_low)}-{fmt_short(implied.ci_high)}), the claim {where} "
            "the interval."
        )
        return FigureClaimCheck(claimed, implied, p, inside, verdict)

    # ---- text
    def summary(self) -> str:
        """Segments, dispersion, the figures with their residuals, disagreements, notes."""
        lines = [
            f"Daily rate{self._of_unit()} implied by {len(self.figures)} published figures "
            f"(Poisson, censored totals; {self.level:.0%} profile-likelihood intervals)",
            f"Segments ({self.breaks_rule}):",
        ]
        for r in _rows(self.segments):
            lines.append(
                f"  {_span(r['start'], r['end'])} ({r['days']} days): "
                f"{fmt_short(r['rate'])} {_per_day(self.unit)}, "
                f"CI {fmt_short(r['ci_low'])}-{fmt_short(r['ci_high'])}"
            )
        lines.append(
            "Each interval is for the process rate per day over its days (a segment, or any "
            "period with .rate_on), given the segments; it allows for the figures sharing days."
        )
        lines.append(self._variance_words())
        lines.append("Figures (value / days; fitted total; Pearson residual):")
        for f in _rows(self.figures):
            src = f" [{f['source_name']}]" if f["source_name"] else ""
            lines.append(
                f"  {f['figure_id']}{src}: {f['qualifier']} {f['value']:g} over "
                f"{f['start'].date()}..{f['end'].date()}; fitted {f['expected']:.1f}; "
                f"residual {f['pearson_residual']:+.2f}"
            )
        if len(self.disagreement):
            lines.append("Figures for one period that disagree:")
            for d in _rows(self.disagreement):
                lines.append(
                    f"  {d['start'].date()}..{d['end'].date()}: {d['values']} "
                    f"(chi2 {d['chi2']:.1f} on {d['df']} df, {p_text(d['p_value'])})"
                )
        lines.extend(self.notes)
        return "\n".join(lines)

    def _variance_words(self) -> str:
        """How the variance of the figures was obtained, in words."""
        v = self._variance
        if v is None or not (v.kappa_estimated or v.tau_estimated or v.latent > 0):
            how = (
                f"a given dispersion {self.dispersion:g} times Poisson"
                if self.dispersion > 1
                else "Poisson days and exact sources (nothing estimated beyond them)"
            )
            return (
                f"Variance of the figures: {how}; Pearson chi2 {self.pearson_chi2:.1f} on "
                f"{self.df_resid} df of the exact figures."
            )
        parts = [
            f"overdispersion of a day {v.kappa:.3g} (variance rate + {v.kappa:.3g} rate^2: "
            "the design effect of a total grows with its rate)"
        ]
        if v.tau_estimated:
            parts.append(
                f"reporting error {math.sqrt(v.tau):.0%} of a total where one period has "
                "several exact figures (their spread)"
            )
        if v.latent > 0:
            parts.append(
                f"a latent AR(1) rate (relative variance {v.latent:.3g}, persistence "
                f"{v.rho:.2f}; the design effect grows with a total's length too)"
            )
        return (
            "Variance of the figures, estimated by moments from the residuals of the exact "
            f"figures (Pearson chi2 {self.pearson_chi2:.1f}, {self.df_resid} df): "
            + "; ".join(parts)
            + f". Mean design effect of the exact figures {self.dispersion:.2f}; the "
            "intervals allow for the error of these estimates (their degrees of freedom)."
        )

    def _repr_html_(self) -> str:
        seg = self.segments.copy()
        seg["start"] = seg["start"].dt.date.astype(str)
        seg["end"] = seg["end"].dt.date.astype(str)
        figs = self.figures[
            [
                "figure_id",
                "source_name",
                "qualifier",
                "value",
                "days",
                "expected",
                "pearson_residual",
            ]
        ]
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return (
            f"<p><b>Daily rate{html.escape(self._of_unit())} implied by {len(self.figures)} "
            "published figures</b> "
            f"({html.escape(self.breaks_rule)}; dispersion {self.dispersion:.2f})</p>"
            + seg.to_html(index=False, float_format=lambda x: f"{x:.3g}", escape=True)
            + figs.to_html(index=False, float_format=lambda x: f"{x:.3g}", escape=True)
            + notes
        )

    # ---- picture
    def plot(self, ax: Any = None) -> Any:
        """Figures as bars over their periods (as rates per day) and the fitted rate with its band.

        Exact figures are solid bars, lower bounds dashed with upward marks,
        ``about`` figures a bar with a shaded tolerance. Returns the Axes.
        """
        ax = get_ax(ax)
        one = pd.Timedelta(days=1)
        seg = self.segments
        xs = [*list(seg["start"]), seg["end"].iloc[-1] + one]
        ax.step(
            xs,
            [*list(seg["rate"]), seg["rate"].iloc[-1]],
            where="post",
            color="C0",
            lw=2,
            label="fitted rate",
        )
        for r in _rows(seg):
            hi = r["ci_high"] if math.isfinite(r["ci_high"]) else r["rate"] * 3
            ax.fill_between(
                [r["start"], r["end"] + one], r["ci_low"], hi, color="C0", alpha=0.2, lw=0
            )
        labelled: set[str] = set()
        for f in _rows(self.figures):
            y = f["value"] / f["days"]
            x0, x1 = f["start"], f["end"] + one
            lab = None if f["qualifier"] in labelled else _QUALIFIER_LABELS[f["qualifier"]]
            labelled.add(f["qualifier"])
            if f["qualifier"] == "exact":
                ax.hlines(y, x0, x1, color="C1", lw=3, label=lab)
            elif f["qualifier"] == "at_least":
                ax.hlines(y, x0, x1, color="C2", lw=2, ls="--", label=lab)
                mid = x0 + (x1 - x0) / 2
                ax.annotate(
                    "",
                    xy=(mid, y * 1.15 + 0.05),
                    xytext=(mid, y),
                    arrowprops={"arrowstyle": "->", "color": "C2"},
                )
            else:
                ax.hlines(y, x0, x1, color="C4", lw=2, label=lab)
                ax.fill_between(
                    [x0, x1], f["low"] / f["days"], f["high"] / f["days"], color="C4", alpha=0.2
                )
        ax.set_ylabel(_per_day(self.unit) if self.unit else "events per day")
        ax.set_ylim(bottom=0)
        ax.legend(loc="best", fontsize="small")
        return concise_dates(ax)


# --------------------------------------------------------------------------- fitting


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a table as dictionaries (typed loosely, for text and drawing)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _design(fig: pd.DataFrame, grid_start: pd.Timestamp, edges: tuple[int, ...]) -> np.ndarray:
    t0 = (fig["start"] - grid_start).dt.days.to_numpy()
    t1 = (fig["end"] - grid_start).dt.days.to_numpy() + 1
    e = np.asarray(edges)
    lo = np.maximum(t0[:, None], e[None, :-1])
    hi = np.minimum(t1[:, None], e[None, 1:])
    return np.maximum(hi - lo, 0).astype(float)


def _model_for(fig: pd.DataFrame, grid_start: pd.Timestamp, edges: tuple[int, ...]) -> _Model:
    kind = fig["qualifier"].map({"exact": 0, "at_least": 1, "about": 2}).to_numpy()
    return _Model(
        _design(fig, grid_start, edges),
        kind.astype(int),
        fig["value"].to_numpy(dtype=float),
        fig["low"].to_numpy(dtype=float),
        fig["high"].to_numpy(dtype=float),
        (fig["start"] - grid_start).dt.days.to_numpy(),
        (fig["end"] - grid_start).dt.days.to_numpy() + 1,
        np.asarray(edges),
    )


def _pearson(model: _Model, mu: np.ndarray) -> np.ndarray:
    """Per-figure Pearson residuals (see FigureRates.figures)."""
    sd = np.sqrt(np.maximum(mu, 1e-12))
    r = np.zeros_like(mu)
    e = model.kind == 0
    r[e] = (model.k[e] - mu[e]) / sd[e]
    c = model.kind == 1
    r[c] = np.maximum(model.k[c] - mu[c], 0.0) / sd[c]
    a = model.kind == 2
    r[a] = (np.maximum(model.lo[a] - mu[a], 0.0) - np.maximum(mu[a] - model.hi[a], 0.0)) / sd[a]
    return r


def _fit_sets(
    fig: pd.DataFrame,
    grid_start: pd.Timestamp,
    n_days: int,
    n_exact: int,
    sets: Iterable[tuple[int, ...]],
    bar: Any,
) -> list[tuple[tuple[int, ...], float, float]]:
    """``(edges, loglik, dispersion)`` of every admissible set of changes, in order."""
    fits: list[tuple[tuple[int, ...], float, float]] = []
    for combo in sets:
        bar.update(1)
        edges = (0, *combo, n_days)
        model = _model_for(fig, grid_start, edges)
        if (model.X[model.kind != 1].sum(axis=0) == 0).any():
            continue  # a segment no exact or about figure touches
        lam, ll = model.fit()
        if (np.log(lam) > _LOG_HI - 1.0).any():
            continue
        r = _pearson(model, model.X @ lam)
        df = n_exact - len(edges) + 1
        phi = float((r[model.kind == 0] ** 2).sum() / df) if df > 0 else math.nan
        fits.append((edges, ll, phi))
    return fits


def _search(
    fig: pd.DataFrame,
    grid_start: pd.Timestamp,
    n_days: int,
    max_segments: int,
    *,
    progress: bool = False,
) -> tuple[tuple[int, ...], str]:
    """Exact search of change points over the grid of period boundaries (extended BIC).

    The figures overlap, so the likelihood does not split into independent
    segment costs and dynamic programming (PELT, optimal partitioning) does
    not apply; the segments are few, so every set of at most
    ``max_segments - 1`` changes among the boundaries is fitted. Only the
    days where some figure starts or the day after one ends are candidate
    changes: between them the figures cannot tell rates apart. A set is
    admissible when every rate is bounded by the data (a segment seen only
    through lower bounds has no finite estimate). The criterion is the
    extended BIC (Chen & Chen 2008): ``-2 loglik / phi + K log n + 2 log
    C(m, K - 1)`` for ``K`` segments, ``n`` figures and ``m`` candidate days,
    with ``phi`` the Pearson dispersion (>= 1) of the chosen set (choice and
    dispersion iterated from Poisson).

    Measured on SIMULATED figures (see the tests; 120 days, seven figures):
    a change from 3 to 8 per day is found in 60 of 60 runs, with one or two
    extra changes in 13; under a constant rate a change is chosen in 8 of 60
    runs with Poisson days, but in 26 of 60 with negative-binomial days (size 5):
    seven figures cannot estimate the dispersion well enough before the search.
    Give ``breaks=`` when the days are known to be overdispersed.
    """
    t0 = (fig["start"] - grid_start).dt.days.to_numpy()
    t1 = (fig["end"] - grid_start).dt.days.to_numpy() + 1
    cands = sorted({int(t) for t in np.concatenate([t0, t1]) if 0 < t < n_days})
    n = len(fig)
    n_exact = int((fig["qualifier"] == "exact").sum())
    n_sets = sum(math.comb(len(cands), k) for k in range(min(max_segments - 1, len(cands)) + 1))
    if n_sets > MAX_CANDIDATE_SETS:
        raise ValueError(
            f"max_segments={max_segments}: the figures give {len(cands)} candidate change days, "
            f"{n_sets} sets of changes to fit (more than {MAX_CANDIDATE_SETS}); lower "
            "max_segments or give breaks= (the first day of each new segment)"
        )
    sets = itertools.chain.from_iterable(
        itertools.combinations(cands, k) for k in range(min(max_segments - 1, len(cands)) + 1)
    )
    with progress_bar(n_sets, enabled=progress, desc="sets of changes", unit="fit") as bar:
        fits = _fit_sets(fig, grid_start, n_days, n_exact, sets, bar)
    if not fits:
        raise ValueError(
            "figures: no set of segments has rates bounded by the figures (every period is "
            "seen only through lower bounds); give an exact or 'about' figure, or breaks=None"
        )
    m = len(cands)

    def crit(f: tuple[tuple[int, ...], float, float], phi_ref: float) -> float:
        k = len(f[0]) - 1
        return -2 * f[1] / phi_ref + k * math.log(max(n, 2)) + 2 * math.log(math.comb(m, k - 1))

    # the dispersion is that of the chosen set, found by iterating choice and dispersion
    # from Poisson (the most detailed set overfits the few figures, and one rate
    # for all days absorbs real changes into the dispersion)
    phi_ref = 1.0
    best = min(fits, key=lambda f: crit(f, phi_ref))
    for _ in range(20):
        new = max(1.0, best[2]) if math.isfinite(best[2]) else phi_ref
        if new == phi_ref:
            break
        phi_ref = new
        best = min(fits, key=lambda f: crit(f, phi_ref))
    rule = (
        f"chosen by extended BIC among {len(fits)} admissible sets of at most "
        f"{max_segments} segments over {m} candidate days; deviance scaled by the "
        f"dispersion {phi_ref:.2f} of the chosen set"
    )
    return best[0], rule


def estimate_rates_from_figures(
    figures: pd.DataFrame,
    *,
    breaks: Any = "auto",
    max_segments: int = 4,
    about_tolerance: float = ABOUT_TOLERANCE,
    dispersion: str | float = "auto",
    level: float = 0.95,
    progress: bool = False,
    latent_ar: tuple[float, float] | None = None,
) -> FigureRates:
    """Estimate the daily rate over time implied by overlapping, censored published figures.

    Counts per day are Poisson with a piecewise-constant rate. An ``exact``
    figure is the count over its period (Poisson with mean the sum of the
    daily rates), ``at_least`` a lower bound (right-censored, ``P(N >= k)``),
    ``about`` a count known to ``+-about_tolerance`` (interval-censored,
    ``P(lo <= N <= hi)``). Conflicting figures from different sources stay
    separate observations; how far they disagree is in ``.figures``
    (Pearson residuals) and ``.disagreement``.

    Parameters
    ----------
    figures : pandas.DataFrame
        Published figures of ONE actor and ONE unit, as
        :func:`analysis.load_reported_figures` returns them: ``period_start``,
        ``period_end`` (inclusive days), ``value``, ``qualifier`` (``exact``,
        ``at_least``, ``about``); optional ``figure_id``, ``source_name``,
        ``about_tolerance`` (per figure) and ``measure`` (only ``count``).
        Mixed values of ``actor``, ``unit``, ``target`` or
        ``weapon`` are refused, naming the column.
    breaks : "auto", None or sequence of dates
        ``"auto"`` (default): change points chosen by penalised likelihood
        (extended BIC) by an exact search over the days where a figure's
        period starts or ends; ``None``: one constant rate; dates: the first
        day of each new segment.
    max_segments : int, default 4
        Largest number of segments the search considers.
    about_tolerance : float, default 0.10
        Relative tolerance of ``about`` figures: "about 40" is 36..44.
    dispersion : "auto", "poisson" or float
        ``"auto"``: a variance that follows the rate, estimated by moments
        from the exact figures: one day's count has variance ``rate + kappa
        rate**2`` (so a busy period's total varies more than a quiet one's),
        and where one period has several exact figures they carry a
        reporting error of variance ``tau total**2`` (their spread); see
        Notes. ``"poisson"``: Poisson days and exact sources; a number >= 1:
        that dispersion times the Poisson variance.
    level : float, default 0.95
        Confidence level.
    progress : bool, default False
        Show a progress bar over the candidate sets of changes the search
        fits (``breaks="auto"``; it appears after two seconds).
    latent_ar : tuple of float, optional
        ``(variance, persistence)`` of a latent AR(1) rate of the days
        (relative variance of ``exp(z_t)``, lag-1 autocorrelation): adds
        ``variance rate_s rate_t persistence**|s - t|`` to the covariance of
        days ``s`` and ``t``, so the variance of a total grows with its
        length. Figures alone cannot estimate it;
        :func:`analysis.rates.estimate_rates_from_daily` does from day-level
        rows. Default: none.

    Returns
    -------
    FigureRates
        ``.to_frame()`` (one row per segment: start, end, rate per day,
        ci_low, ci_high), ``.rate_on(period)``, ``.check(claimed_rate,
        period)``, ``.summary()``, ``.plot()``, ``.to_dict()``.

    Notes
    -----
    Fitting: maximum likelihood by L-BFGS-B in the log-rates. Every
    contribution is a log-concave function of its mean ``mu`` (the Poisson
    pmf; ``P(N >= k)`` is the gamma distribution function, log-concave for
    ``k >= 1``; ``P(lo <= N <= hi)`` is log-concave by Prekopa's theorem) and
    ``mu`` is linear in the rates, so the log-likelihood is concave in the
    rates: a stationary point in the log-rates is one in the rates, hence the
    global maximum. A rate at the optimiser's upper bound is reported as
    unbounded (infinite), one at the lower bound as 0.

    Intervals: profile likelihood. For any rate that is a linear function of
    the segment rates (a segment, or the mean rate over a period) the
    constrained maximum is found by SLSQP (concave objective, linear
    constraint). Overlapping figures (a week inside its month, two sources
    for one month) count the same events, so the likelihood that treats them
    as separate observations overstates the information: the deviance is
    divided by the sandwich-to-model variance ratio of the rate (the
    curvature adjustment of composite likelihood ratios; Chandler & Bate
    2007, Varin, Reid & Firth 2011). The score variance of the sandwich is
    computed from the counts the figures share under the variance model of
    :mod:`analysis.rates._figure_variance`: days with variance ``rate +
    kappa rate**2`` (and, with ``latent_ar``, a latent AR(1) covariance), a
    reporting error ``tau`` where one period has several exact figures, and
    the score of a censored figure regressed on its count (exactly
    ``(E[N | figure] - mu) / mu``, so a lower bound or an "about" figure
    inside an exact total is not counted as new information). ``kappa`` and
    ``tau`` are moment estimates from the exact figures' residuals, with
    their expectations computed under the model (shared days and fitted
    rates allowed for). The interval holds the values whose scaled deviance
    is below the level quantile of ``Z**2 / R``, ``R`` the ratio of the
    estimated to the true variance with the overdispersion part a scaled
    chi-square on its own degrees of freedom (those of the Pearson
    chi-square, Satterthwaite, carried to the part): the chi-square(1)
    quantile when nothing was estimated or the figures look Poisson, the
    F(1, df) quantile when all of the variance was estimated, and in between
    when a known Poisson part sits beside the estimated one. The reporting
    error is taken as known (with one conflicting pair its estimate moves
    with the error of their mean, and a t factor for it over-covered: 0.98-0.99
    for Poisson days in the test layout).
    Degrees of freedom below 1 count as 1 (a conservative fallback,
    said in ``.notes``). With no residual degrees of freedom (exact figures
    <= segments) nothing is estimated: Poisson, said in ``.notes``. The
    intervals are conditional on the segments, as change-point intervals
    are.

    Validation (``tests/rates/test_figures.py``; SIMULATED daily counts over
    120 days, rates 3 then 8 per day; figures: three monthly totals, an
    "about" two-month total, a second source for one month miscounting by
    about 15%, a "so far this month" lower bound and a peak week; 400 runs,
    Monte Carlo s.e. 0.011-0.013; coverage of the two segment rates, the
    peak week and a week across the change): 0.965, 0.985, 0.985, 0.98 for
    Poisson days and 0.93, 0.93, 0.93, 0.925 for negative-binomial days
    (size 5), against 0.935-0.96 and 0.915-0.945 with one pooled Pearson
    dispersion; 0.90-0.92 for size 2 (0.92-0.94 pooled), 0.93 under a
    latent AR(1) rate of persistence 0.5 and 0.84-0.87 for 0.8 (pooled:
    0.945-0.95 and 0.885-0.92 in 200 runs): with three residual degrees of
    freedom the pooled F(1, 3) quantile was wider. The second segment
    over-covers under Poisson days: its
    variance is mostly the miscount of the second source, whose estimate (the
    spread of the pair) grows with the error it describes. Other layouts
    (200 runs, s.e. 0.015; no conflicting pair): twelve nested month and
    week totals, 0.94-0.965 (Poisson) and 0.92-0.94 (size 5); one rate
    over 90 days from seven figures, 0.95 and 0.925. The variance follows
    the rate but not the length of a total: under a latent AR(1) rate the
    intervals from totals alone fall short (see the tests); day-level rows
    can estimate it (:func:`analysis.rates.estimate_rates_from_daily`).

    Examples
    --------
    >>> import pandas as pd
    >>> figs = pd.DataFrame({
    ...     "period_start": ["2024-09-01", "2024-09-01", "2024-10-01", "2024-10-15"],
    ...     "period_end": ["2024-09-30", "2024-09-30", "2024-10-31", "2024-10-21"],
    ...     "value": [35, 30, 47, 30],
    ...     "qualifier": ["exact", "exact", "at_least", "exact"],
    ...     "source_name": ["A", "B", "A", "A"]})
    >>> fit = estimate_rates_from_figures(figs, breaks=["2024-10-01"])
    >>> fit.to_frame()["rate"].round(2).tolist()
    [1.08, 4.29]
    >>> round(fit.rate_on(("2024-10-15", "2024-10-21")).rate, 2)
    4.29
    """
    level = check_level(level)
    if isinstance(max_segments, bool) or not isinstance(max_segments, int) or max_segments < 1:
        raise ValueError(f"max_segments must be a whole number >= 1, not {max_segments!r}")
    fig = _check_figures(figures, about_tolerance)
    grid_start = fig["start"].min()
    n_days = int((fig["end"].max() - grid_start).days) + 1
    notes: list[str] = []

    if isinstance(breaks, str):
        if breaks != "auto":
            raise ValueError(f"breaks must be 'auto', None or a list of dates, not {breaks!r}")
        edges, rule = _search(fig, grid_start, n_days, max_segments, progress=progress)
    elif breaks is None:
        edges, rule = (0, n_days), "one constant rate (breaks=None)"
    else:
        try:
            days = sorted({(pd.Timestamp(b).normalize() - grid_start).days for b in breaks})
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"breaks must be dates (first day of each new segment): {exc}"
            ) from exc
        if any(d <= 0 or d >= n_days for d in days):
            raise ValueError(
                f"breaks must fall after the first day ({grid_start.date()}) and within the "
                f"days the figures cover ({n_days} days)"
            )
        edges, rule = (0, *days, n_days), "given by breaks="
    model = _model_for(fig, grid_start, edges)
    lam, ll = model.fit()
    lam = np.where(np.log(lam) < _LOG_LO + 1.0, 0.0, lam)  # at the lower bound: 0 events
    # a segment no exact or 'about' figure touches is seen only through lower bounds:
    # the likelihood never decreases as its rate grows (the optimiser stops anywhere
    # on the flat top), so its rate is unbounded above
    at_hi = (lam > math.exp(_LOG_HI - 1.0)) | (model.X[model.kind != 1].sum(axis=0) == 0)
    lam_report = np.where(at_hi, math.inf, lam)
    mu = model.X @ lam
    resid = _pearson(model, mu)
    exact = model.kind == 0
    n_seg = len(edges) - 1
    chi2 = float((resid[exact] ** 2).sum())
    df = int(exact.sum()) - n_seg
    estimate = False
    phi = 1.0
    if isinstance(dispersion, str):
        if dispersion == "auto":
            if df > 0:
                estimate = True
            else:
                notes.append(
                    "No residual degrees of freedom (exact figures <= segments): the dispersion "
                    "cannot be estimated and is taken as 1 (Poisson); the intervals are too "
                    "narrow if the counts are overdispersed or the sources disagree."
                )
        elif dispersion != "poisson":
            raise ValueError(
                f"dispersion must be 'auto', 'poisson' or a number >= 1, not {dispersion!r}"
            )
    else:
        if isinstance(dispersion, bool) or not (
            isinstance(dispersion, int | float) and math.isfinite(dispersion) and dispersion >= 1
        ):
            raise ValueError(
                f"dispersion must be 'auto', 'poisson' or a number >= 1, not {dispersion!r}"
            )
        phi = float(dispersion)
    latent, rho = _check_latent(latent_ar)
    hinv, variance = _variance_model(model, lam, fig, estimate, phi, latent, rho)
    if dispersion == "auto" and variance.design_effects.size:
        phi = float(max(1.0, variance.design_effects.mean()))
    small_df = [j for j in range(n_seg) if variance.variance_parts(np.eye(n_seg)[j], hinv).df < 2]
    if small_df:
        notes.append(
            f"The overdispersion in the variance of {len(small_df)} segment rate(s) rests on "
            "fewer than 2 effective degrees of freedom (few exact figures that can disagree): "
            f"its uncertainty is allowed for with at least {MIN_DF:g} degree of freedom, and "
            "those intervals are wide on purpose (a conservative fallback)."
        )
    if at_hi.any():
        notes.append(
            "Some segments are seen only through lower bounds: their rate is unbounded above."
        )

    rows = []
    for j in range(n_seg):
        c = np.zeros(n_seg)
        c[j] = 1.0
        v = variance.variance_parts(c, hinv)
        lo_j, hi_j = _profile_interval(
            model, lam, ll, c, v.cutoff(level) * v.factor, bool(at_hi[j])
        )
        if at_hi[j]:
            hi_j = math.inf
        rows.append(
            {
                "start": grid_start + pd.Timedelta(days=edges[j]),
                "end": grid_start + pd.Timedelta(days=edges[j + 1] - 1),
                "days": edges[j + 1] - edges[j],
                "rate": float(lam_report[j]),
                "ci_low": lo_j,
                "ci_high": hi_j,
            }
        )
    segments = pd.DataFrame(rows)
    out_fig = fig.copy()
    out_fig["expected"] = mu
    out_fig["implied_rate"] = fig["value"] / fig["days"]
    out_fig["pearson_residual"] = resid
    disagreement = _disagreement(fig)
    if len(disagreement):
        notes.append(
            "Figures for one period disagree (see .disagreement); they are kept as separate "
            "observations and their spread enters the dispersion."
        )
    return FigureRates(
        segments=segments,
        figures=out_fig,
        disagreement=disagreement,
        dispersion=phi,
        pearson_chi2=chi2,
        df_resid=df,
        loglik=ll,
        level=level,
        breaks_rule=rule,
        notes=tuple(notes),
        unit=_one_unit(figures),
        _model=model,
        _lam=lam,
        _grid_start=grid_start,
        _seg_edges=tuple(int(e) for e in edges),
        _hinv=hinv,
        _variance=variance,
        _unbounded=at_hi,
        overdispersion=variance.kappa,
        source_error=variance.tau,
    )


def _one_unit(figures: pd.DataFrame) -> str:
    """The unit of the figures (one by the checks above), or "" when they name none."""
    if "unit" not in figures.columns:
        return ""
    units = figures["unit"].dropna().astype(str)
    return str(units.iloc[0]) if len(units) else ""


def _check_latent(latent_ar: Any) -> tuple[float, float]:
    """``(variance, persistence)`` of a latent AR(1) rate, checked; ``(0, 0)`` for None."""
    if latent_ar is None:
        return 0.0, 0.0
    try:
        latent, rho = (float(v) for v in latent_ar)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"latent_ar must be (variance, persistence), two numbers, not {latent_ar!r}"
        ) from exc
    if not (math.isfinite(latent) and latent >= 0 and 0 <= rho < 1):
        raise ValueError(
            f"latent_ar must be (variance >= 0, persistence in [0, 1)), not {latent_ar!r}"
        )
    return latent, rho


def _variance_model(
    model: _Model,
    lam: np.ndarray,
    fig: pd.DataFrame,
    estimate: bool,
    phi: float,
    latent: float,
    rho: float,
) -> tuple[np.ndarray, FigureVariance]:
    """Inverse information and the variance model of the figures (see ``_figure_variance``)."""
    mu = model.X @ lam
    w = model.curvature(mu)
    H = (model.X * w[:, None]).T @ model.X
    hinv = np.linalg.pinv(H)
    lam_fin = np.where(np.isfinite(lam), np.minimum(lam, 1e4), 0.0)
    lam_day = np.repeat(lam_fin, np.diff(model.edges))
    parts = day_covariances(model.t0, model.t1, lam_day, rho if latent > 0 else 0.0)
    groups = model.t0.astype(np.int64) * (int(model.edges[-1]) + 1) + model.t1  # a period
    variance = estimate_figure_variance(
        model.X,
        model.kind,
        model.k,
        mu,
        w,
        hinv,
        parts,
        np.asarray(groups),
        latent=latent,
        rho=rho,
        estimate=estimate,
    )
    if phi != 1.0:  # a given dispersion scales the Poisson score variance
        variance = dataclasses.replace(variance, J_fixed=phi * variance.J_fixed)
    return hinv, variance


def _overlap_factor(c: np.ndarray, hinv: np.ndarray, J: np.ndarray) -> float:
    """Variance of ``c @ lam`` by the sandwich over its variance by the likelihood.

    The profile deviance of the independence likelihood is scaled by it
    (the curvature adjustment of composite likelihood ratios, Chandler & Bate
    2007; Varin, Reid & Firth 2011): 1 when no exact figures overlap.
    """
    naive = float(c @ hinv @ c)
    robust = float(c @ hinv @ J @ hinv @ c)
    if not (math.isfinite(naive) and math.isfinite(robust)) or naive <= 0 or robust <= 0:
        return 1.0
    return robust / naive


def _disagreement(fig: pd.DataFrame) -> pd.DataFrame:
    """Exact figures sharing a period: chi-square of their values about their mean."""
    from scipy import stats

    rows = []
    ex = fig[fig["qualifier"] == "exact"]
    for (a, b), g in ex.groupby(["start", "end"], sort=True):
        if len(g) < 2:
            continue
        v = g["value"].to_numpy(dtype=float)
        m = v.mean()
        chi2 = float(((v - m) ** 2).sum() / m) if m > 0 else 0.0
        dof = len(v) - 1
        rows.append(
            {
                "start": a,
                "end": b,
                "figures": ", ".join(g["figure_id"]),
                "sources": ", ".join(g["source_name"]),
                "values": ", ".join(f"{x:g}" for x in v),
                "chi2": chi2,
                "df": dof,
                "p_value": float(stats.chi2.sf(chi2, dof)),
            }
        )
    cols = ["start", "end", "figures", "sources", "values", "chi2", "df", "p_value"]
    return pd.DataFrame(rows, columns=cols)
