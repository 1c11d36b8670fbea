"""Count regression for trends: Poisson or negative-binomial GLMs with forecasts.

The model for the count ``y_t`` of period ``t`` is a log-linear GLM,
``log E[y_t] = offset_t + x_t' beta``, where ``x_t`` holds an intercept, the
trend (none, linear, natural spline or piecewise linear in calendar days),
weekday dummies (Monday is the reference), a step for each break (and for a
piecewise trend a slope change), and pulse or step dummies for events.

How the negative-binomial model is fitted, and why
--------------------------------------------------
The NB2 dispersion ``alpha`` (``Var y = mu + alpha mu^2``) is estimated by
maximum likelihood with :class:`statsmodels.discrete.discrete_model.NegativeBinomial`
on the same design; the coefficients and their standard errors then come
from :class:`statsmodels.genmod.generalized_linear_model.GLM` with the
``NegativeBinomial(alpha=alpha_hat)`` family. At ``alpha_hat`` the GLM
estimates equal the joint maximum-likelihood estimates (the GLM score
equations are the NB2 score equations for ``beta``), and because ``beta``
and ``alpha`` are asymptotically orthogonal in NB2 (the expected information
is block diagonal) the GLM standard errors are asymptotically those of the
joint fit. The GLM route gives what the result needs and the discrete model
lacks: confidence bands on the mean via ``get_prediction``, Pearson
residuals, and HAC (Newey-West) standard errors with a fixed scale. The
standard error of ``alpha`` from the joint fit is kept for forecasts.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis._results import Result, get_ax
from analysis.trend._design import WEEKDAYS, DesignSpec, build_spec, check_columns
from analysis.trend._forecast import ForecastResult, draw_forecast
from analysis.trend._output import (
    concise_dates,
    date_label,
    draw_history,
    jsonable,
    p_text,
    pct_words,
    rr_words,
)
from analysis.trend._validate import (
    CountSeries,
    break_dates,
    check_counts,
    check_events,
    check_exposure,
)

FAMILIES = ("auto", "poisson", "negbin")
COV_TYPES = ("nonrobust", "HAC")
LJUNG_BOX_LEVEL = 0.05
MIN_ALPHA = 1e-8  # NB2 alpha used when the estimate is 0 (the model is then Poisson)


@dataclass(frozen=True)
class DispersionTest:
    """Tests of Poisson variance (``alpha = 0``) against NB2 overdispersion (``alpha > 0``).

    The decision uses the leverage-adjusted score test of Dean and Lawless
    (1989, *JASA* 84, 467-472), computed from the Poisson fit alone:
    ``z = sum((y - mu)^2 - y + h mu) / sqrt(2 sum(mu^2))`` with ``h`` the
    diagonal of the GLM hat matrix, one-sided (``p = P(N(0, 1) >= z)``). The
    ``h mu`` term removes the downward bias that fitting the means puts on
    the squared residuals. The likelihood-ratio test of the NB2 fit is
    reported as well, with the boundary-corrected (chi-bar-squared, Self and
    Liang 1987) p-value ``0.5 P(chi2_1 >= LR)``; it is not used for the
    decision because it is conservative at typical sizes: with 200 days and
    8 coefficients of Poisson data it rejected 2.6% of 1000 simulated
    series at the 5% level, the score test 5.7% (see tests/test_trend.py).

    Attributes
    ----------
    statistic : float
        Dean-Lawless adjusted score statistic ``z``.
    p_value : float
        Its one-sided p-value.
    lr_statistic : float
        ``LR = 2 (loglik_NB2 - loglik_Poisson)``, clipped at 0.
    lr_p_value : float
        Chi-bar-squared p-value of ``LR``.
    alpha : float
        Maximum-likelihood NB2 dispersion (``Var = mu + alpha mu^2``); 0 when
        the likelihood is largest at the boundary.
    alpha_se : float
        Standard error of ``alpha`` (NaN at the boundary).
    test_level : float
        Level at which ``overdispersed`` is decided.
    overdispersed : bool
        ``p_value < test_level``.
    """

    statistic: float
    p_value: float
    lr_statistic: float
    lr_p_value: float
    alpha: float
    alpha_se: float
    test_level: float
    overdispersed: bool
    method: str = "Dean-Lawless leverage-adjusted score test of alpha = 0 (one-sided)"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary."""
        return jsonable(asdict(self))

    def __str__(self) -> str:
        verdict = "overdispersed" if self.overdispersed else "no evidence of overdispersion"
        return (
            f"score z = {self.statistic:.2f}, p = {p_text(self.p_value)} ({verdict} at "
            f"{self.test_level:g}); LR = {self.lr_statistic:.2f}, p = {p_text(self.lr_p_value)}; "
            f"NB2 alpha = {self.alpha:.3g}"
        )


def dispersion_test(
    y: np.ndarray, poisson: Any, nb2: tuple[float, float, float], test_level: float
) -> DispersionTest:
    """Both overdispersion tests from a Poisson GLM fit and the NB2 MLE ``(alpha, se, llf)``."""
    mu = np.asarray(poisson.fittedvalues, dtype=float)
    h = np.asarray(poisson.get_hat_matrix_diag(), dtype=float)
    z = float(np.sum((y - mu) ** 2 - y + h * mu) / np.sqrt(2 * np.sum(mu**2)))
    p = float(stats.norm.sf(z))
    alpha, alpha_se, llf_nb = nb2
    lr = max(0.0, 2 * (llf_nb - float(poisson.llf)))
    lr_p = 0.5 * float(stats.chi2.sf(lr, 1)) if lr > 0 else 1.0
    return DispersionTest(z, p, lr, lr_p, alpha, alpha_se, test_level, p < test_level)


def fit_trend(
    counts: pd.Series,
    *,
    family: str = "auto",
    trend: str = "linear",
    weekly: bool = True,
    breaks: Any = None,
    events: pd.DataFrame | None = None,
    exposure: pd.Series | None = None,
    knots: int | None = None,
    level: float = 0.95,
    test_level: float = 0.05,
    cov_type: str = "nonrobust",
    hac_maxlags: int | None = None,
) -> TrendResult:
    """Fit a count regression with a trend, weekly cycle, breaks and events.

    Parameters
    ----------
    counts : pandas.Series
        Counts per period (whole numbers >= 0) on a regular DatetimeIndex, as
        made by :func:`analysis.count_incidents`; usually one value per day. A
        time zone is allowed and kept in every output.
    family : {"auto", "poisson", "negbin"}, default "auto"
        ``"negbin"`` is the NB2 negative binomial with its dispersion
        estimated by maximum likelihood. ``"auto"`` picks negbin when the
        Dean-Lawless overdispersion score test rejects at ``test_level`` (see
        :class:`DispersionTest`); ``.family_reason`` says why.
    trend : {"linear", "none", "spline", "piecewise"}, default "linear"
        ``"linear"``: log rate linear in time (``slope`` per day).
        ``"spline"``: natural cubic spline in time; its interior knots sit
        at equally spaced quantiles of time, one per 42 days of data (at
        least 1, at most 10) unless ``knots`` is given; beyond the data it
        continues as a straight line. ``"piecewise"``: linear with a slope
        change (and a level shift) at each break.
    weekly : bool, default True
        Add day-of-week effects (Monday is the reference). Needs daily counts.
    breaks : list of dates or change-point result, optional
        Level shifts from each date on (step dummies); for ``trend=
        "piecewise"`` also slope changes. Any object with a ``changepoints``
        attribute (e.g. the result of :func:`analysis.detect_changepoints`)
        is accepted; its change points are the first dates of new segments.
        Naive dates are read in the series' time zone.
    events : pandas.DataFrame, optional
        Columns ``date`` and ``name``, optional ``kind`` (``"pulse"``,
        default, or ``"step"``) and ``duration`` (days a pulse lasts,
        default 1). A pulse is 1 on its days, a step from its date on.
    exposure : pandas.Series, optional
        Positive exposure per period on the counts' index (e.g. population
        or hours of observation); ``log(exposure)`` is the model offset.
    knots : int, optional
        Number of interior knots of the spline trend.
    level : float, default 0.95
        Confidence level of every interval of the fit.
    test_level : float, default 0.05
        Level of the overdispersion test used by ``family="auto"``.
    cov_type : {"nonrobust", "HAC"}, default "nonrobust"
        ``"HAC"`` uses Newey-West standard errors, which stay valid when the
        residuals are autocorrelated (see ``ljung_box``); the forecast then
        draws parameters from that covariance too.
    hac_maxlags : int, optional
        Lags of the HAC estimator; default ``floor(4 (n / 100) ** (2 / 9))``.

    Returns
    -------
    TrendResult
        The fitted model: ``family``, ``slope`` and ``slope_ci`` (log rate per
        day), ``dispersion``, ``params``, ``fitted``, ``forecast(h)``,
        diagnostics, ``summary()``, ``plot()``.

    Raises
    ------
    TypeError
        ``counts`` is not a Series with a DatetimeIndex.
    analysis.errors.DataError
        Missing, negative or fractional counts, duplicate or unsorted dates,
        gaps, too few periods for the design, or no event at all.
    ValueError
        Unknown options, a break or event outside the data, or a design whose
        terms cannot be separated.

    Examples
    --------
    Simulated data (not real incidents): 120 days with a rate rising 1% a day.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> days = pd.date_range("2024-01-01", periods=120, freq="D")
    >>> y = pd.Series(rng.poisson(3 * np.exp(0.01 * np.arange(120))), index=days)
    >>> res = fit_trend(y, family="poisson", weekly=False)
    >>> res.family, round(res.slope, 3)
    ('poisson', 0.011)
    >>> lo, hi = res.slope_ci
    >>> bool(lo < 0.01 < hi)
    True
    >>> res.slope_text
    '+8.2% per week (95% CI 6.6% to 10.0%)'
    >>> res.forecast(14).to_frame().shape
    (14, 3)
    """
    series = check_counts(counts)
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES} (got {family!r})")
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES} (got {cov_type!r})")
    for name, value in (("level", level), ("test_level", test_level)):
        if not 0 < value < 1:
            raise ValueError(f"{name} must be between 0 and 1 (got {value})")
    if weekly and not series.daily:
        raise ValueError(
            f"weekly=True needs daily counts (these are per {series.offset.freqstr!r}); "
            "pass weekly=False"
        )
    spec = build_spec(
        series.local,
        series.offset,
        trend=trend,
        weekly=weekly,
        breaks=break_dates(breaks, series.tz),
        events=check_events(events, series.tz),
        knots=knots,
    )
    design = spec.matrix(series.local)
    _check_size(series, design)
    check_columns(design)
    _check_separation(series, design)
    offset = np.zeros(len(design)) if exposure is None else check_exposure(exposure, series)
    fit = _fit(series.values, design, offset, family, test_level, cov_type, hac_maxlags)
    return TrendResult(
        FitState(
            series=series,
            spec=spec,
            design=design,
            offset=offset,
            has_exposure=exposure is not None,
            level=level,
            **fit,
        )
    )


def _check_size(series: CountSeries, design: pd.DataFrame) -> None:
    n, p = design.shape
    need = max(2 * p, p + 10)
    if n < need:
        raise series.problem(
            f"too short: {n} periods for a model with {p} coefficients "
            f"({', '.join(design.columns)}); need at least {need}. "
            "Use a longer series or a simpler model (weekly=False, trend='linear')"
        )
    if series.values.sum() == 0:
        raise series.problem("every count is zero: there is no rate to model", "0")


def _check_separation(series: CountSeries, design: pd.DataFrame) -> None:
    """Reject indicator terms whose maximum-likelihood estimate is infinite.

    When every period where a 0/1 term (weekday, break, event) applies has a
    zero count, or every event falls in those periods, the log-rate effect
    goes to minus or plus infinity and its interval is meaningless.
    """
    y = series.values
    bad = []
    for name in design.columns:
        if name.split("[")[0] not in ("weekday", "shift", "step", "pulse"):
            continue
        on = design[name].to_numpy() == 1
        if y[on].sum() == 0:
            bad.append(f"{name}: no events in the {int(on.sum())} periods where it applies")
        elif y[~on].sum() == 0:
            bad.append(f"{name}: no events outside the periods where it applies")
    if bad:
        raise series.problem(
            "a term's effect is infinite (the rate is 0 on one side), so it cannot be "
            "estimated: " + "; ".join(bad) + ". Drop it (weekly=False, fewer breaks or "
            "events) or count over longer periods"
        )


def _glm(y: np.ndarray, design: pd.DataFrame, offset: np.ndarray, alpha: float | None) -> Any:
    import statsmodels.api as sm

    fam = sm.families.Poisson() if alpha is None else sm.families.NegativeBinomial(alpha=alpha)
    return sm.GLM(y, design, family=fam, offset=offset)


def _nb2_mle(
    y: np.ndarray, design: pd.DataFrame, offset: np.ndarray, poisson: Any
) -> tuple[float, float, float]:
    """Joint NB2 maximum likelihood; returns (alpha, se of alpha, log-likelihood).

    Near ``alpha = 0`` the NB2 log-likelihood is the Poisson one plus
    ``alpha / 2 * sum((y - mu)^2 - y)``. When that score at the Poisson fit is
    <= 0 the maximum is on the boundary: ``alpha = 0`` and the Poisson
    log-likelihood are returned without an optimiser that would chase
    ``log alpha`` to minus infinity. Otherwise Newton steps start from the
    Cameron-Trivedi auxiliary-regression estimate of ``alpha``, with BFGS on
    ``log alpha`` and then a profile-likelihood search as fall-backs.
    """
    from statsmodels.discrete.discrete_model import NegativeBinomial
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

    mu = np.asarray(poisson.fittedvalues, dtype=float)
    excess = (y - mu) ** 2 - y
    if float(np.sum(excess)) <= 0:
        return 0.0, math.nan, float(poisson.llf)
    start_alpha = max(float(np.sum(mu**2 * excess) / np.sum(mu**4)), 1e-4)
    start = np.r_[poisson.params.to_numpy(), start_alpha]
    model = NegativeBinomial(y, design, loglike_method="nb2", offset=offset)

    def usable(res: Any) -> bool:
        params = np.asarray(res.params)
        return (
            bool(res.mle_retvals.get("converged", False))
            and bool(np.all(np.isfinite(params)))
            and params[-1] > 0
            and np.isfinite(res.llf)
        )

    with warnings.catch_warnings():
        for category in (ConvergenceWarning, HessianInversionWarning, RuntimeWarning):
            warnings.simplefilter("ignore", category)
        res = model.fit(start_params=start, method="newton", maxiter=50, disp=0)
        if not usable(res):
            res = model.fit(start_params=start, method="bfgs", maxiter=500, disp=0)
        if not usable(res):
            return _nb2_profile(y, design, offset, float(poisson.llf))
    alpha = float(np.asarray(res.params)[-1])
    se = float(np.asarray(res.bse)[-1])
    return alpha, se if np.isfinite(se) else math.nan, float(res.llf)


def _nb2_profile(
    y: np.ndarray, design: pd.DataFrame, offset: np.ndarray, llf_poisson: float
) -> tuple[float, float, float]:
    """Maximise the NB2 profile log-likelihood over ``log alpha`` in [-12, 5] (fall-back)."""
    from scipy.optimize import minimize_scalar

    def negll(log_alpha: float) -> float:
        return -float(_glm(y, design, offset, math.exp(log_alpha)).fit().llf)

    opt = minimize_scalar(negll, bounds=(-12.0, 5.0), method="bounded")
    if -opt.fun <= llf_poisson:
        return 0.0, math.nan, llf_poisson
    return math.exp(opt.x), math.nan, -float(opt.fun)


def _fit(
    y: np.ndarray,
    design: pd.DataFrame,
    offset: np.ndarray,
    family: str,
    test_level: float,
    cov_type: str,
    hac_maxlags: int | None,
) -> dict[str, Any]:
    poisson = _glm(y, design, offset, None).fit()
    nb2 = _nb2_mle(y, design, offset, poisson)
    alpha, alpha_se = nb2[0], nb2[1]
    test = dispersion_test(y, poisson, nb2, test_level)
    if family == "auto":
        chosen = "negbin" if test.overdispersed else "poisson"
        reason = (
            f"auto: {test.method}: {test}; chose {chosen}"
            if chosen == "negbin"
            else f"auto: {test.method}: {test}; kept poisson"
        )
    else:
        chosen = family
        reason = f"requested family={family!r}"
        if family == "poisson" and test.overdispersed:
            reason += (
                f"; but the counts are overdispersed ({test}): Poisson intervals are too narrow"
            )
        if family == "negbin" and alpha == 0:
            reason += "; alpha is estimated at 0, so the fit equals the Poisson one"
    kwargs: dict[str, Any] = {}
    if cov_type == "HAC":
        n = len(y)
        lags = int(4 * (n / 100) ** (2 / 9)) if hac_maxlags is None else int(hac_maxlags)
        kwargs = {"cov_type": "HAC", "cov_kwds": {"maxlags": lags}}
    model = _glm(y, design, offset, max(alpha, MIN_ALPHA) if chosen == "negbin" else None)
    glm = poisson if chosen == "poisson" and not kwargs else model.fit(**kwargs)
    return {
        "glm": glm,
        "family": chosen,
        "family_reason": reason,
        "dispersion_test": test,
        "alpha_se": alpha_se if chosen == "negbin" else math.nan,
        "cov_type": cov_type,
    }


@dataclass(frozen=True)
class FitState:
    """Everything a fitted trend model holds (internal; read through TrendResult)."""

    series: CountSeries
    spec: DesignSpec
    design: pd.DataFrame
    offset: np.ndarray
    has_exposure: bool
    level: float
    glm: Any
    family: str
    family_reason: str
    dispersion_test: DispersionTest
    alpha_se: float
    cov_type: str


class TrendResult(Result):
    """A fitted count-trend model (returned by :func:`fit_trend`).

    Attributes are read-only. Rates are expected counts per period (per day
    for daily counts); ``slope`` is on the log-rate scale per day.
    """

    def __init__(self, fit: FitState):
        self._f = fit
        self._cache: dict[str, Any] = {}

    # ------------------------------------------------------------------ contract
    @property
    def family(self) -> str:
        """The family used: ``"poisson"`` or ``"negbin"``."""
        return self._f.family

    @property
    def family_reason(self) -> str:
        """Why this family: requested, or the overdispersion test's verdict."""
        return self._f.family_reason

    @property
    def dispersion(self) -> float | None:
        """NB2 dispersion ``alpha`` (``Var = mu + alpha mu^2``); None for Poisson."""
        return self._f.dispersion_test.alpha if self._f.family == "negbin" else None

    @property
    def dispersion_test(self) -> DispersionTest:
        """Overdispersion tests of ``alpha = 0`` (computed whatever the family)."""
        return self._f.dispersion_test

    @property
    def level(self) -> float:
        """Confidence level of the intervals of the fit."""
        return self._f.level

    @property
    def trend(self) -> str:
        """The trend form: none, linear, spline or piecewise."""
        return self._f.spec.trend

    @property
    def cov_type(self) -> str:
        """Covariance of the estimates: ``"nonrobust"`` or ``"HAC"``."""
        return self._f.cov_type

    @property
    def n(self) -> int:
        """Number of periods fitted."""
        return len(self._f.design)

    @property
    def counts(self) -> pd.Series:
        """The counts fitted (a copy, original index)."""
        return pd.Series(
            self._f.series.values, index=self._f.series.index, name=self._f.series.name
        )

    @property
    def design(self) -> pd.DataFrame:
        """The design matrix (a copy; index: the counts' index)."""
        return self._f.design.set_axis(self._f.series.index).copy()

    @property
    def glm_result(self) -> Any:
        """The underlying statsmodels ``GLMResults`` (for anything not exposed here)."""
        return self._f.glm

    @property
    def params(self) -> pd.DataFrame:
        """Every coefficient: ``estimate, se, ci_low, ci_high, p_value, rr, rr_low, rr_high``.

        Estimates are on the log-rate scale (``trend`` and ``slope_change`` per
        day); ``rr`` columns are ``exp`` of the estimate and its interval: the
        rate ratio (for ``intercept``, the rate in the reference period).
        """
        if "params" not in self._cache:
            ci = self._f.glm.conf_int(alpha=1 - self._f.level)
            frame = pd.DataFrame(
                {
                    "estimate": self._f.glm.params,
                    "se": self._f.glm.bse,
                    "ci_low": ci.iloc[:, 0],
                    "ci_high": ci.iloc[:, 1],
                    "p_value": self._f.glm.pvalues,
                }
            )
            for col, src in (("rr", "estimate"), ("rr_low", "ci_low"), ("rr_high", "ci_high")):
                frame[col] = np.exp(frame[src])
            frame.index.name = "term"
            self._cache["params"] = frame
        return self._cache["params"].copy()

    @property
    def slope(self) -> float | None:
        """Trend of the log rate per day; None for ``trend="none"`` or ``"spline"``.

        For ``"piecewise"`` it is the slope of the last segment (after the last
        break), the one that matters for "is it rising now" and for forecasts.
        ``exp(7 * slope) - 1`` is the relative change per week; ``slope_text``
        uses a week, or a month, quarter or year for series counted per
        month, quarter or year.
        """
        est = self._slope()
        return None if est is None else est[0]

    @property
    def slope_ci(self) -> tuple[float, float] | None:
        """Confidence interval of ``slope`` at ``level`` (log rate per day)."""
        est = self._slope()
        return None if est is None else (est[1], est[2])

    def _slope(self) -> tuple[float, float, float] | None:
        if self._f.spec.trend not in ("linear", "piecewise"):
            return None
        if "slope" not in self._cache:
            names = list(self._f.design.columns)
            weights = np.array(
                [1.0 if c == "trend" or c.startswith("slope_change[") else 0.0 for c in names]
            )
            self._cache["slope"] = self._contrast(weights)
        return self._cache["slope"]

    def _contrast(self, weights: np.ndarray) -> tuple[float, float, float]:
        est = float(weights @ self._f.glm.params.to_numpy())
        se = float(np.sqrt(weights @ np.asarray(self._f.glm.cov_params()) @ weights))
        z = stats.norm.ppf(0.5 + self._f.level / 2)
        return est, est - z * se, est + z * se

    @property
    def slope_text(self) -> str | None:
        """The slope in plain words, e.g. ``"+12% per week (95% CI 8% to 16%)"``."""
        est = self._slope()
        if est is None:
            return None
        days, unit = self._slope_unit()
        est_w, lo_w, hi_w = (math.expm1(days * v) for v in est)
        return pct_words(est_w, lo_w, hi_w, self._f.level, unit)

    def _slope_unit(self) -> tuple[float, str]:
        """Days and words of the unit a trend is put in: a week, or the period if longer.

        A yearly series with a 2% fall a year would otherwise read "-0.0% per week".
        """
        local = self._f.series.local
        step = (local[-1] - local[0]).days / max(len(local) - 1, 1)
        if step <= 7.5:
            return 7.0, "per week"
        if step <= 32:
            return 365.25 / 12, "per month"
        if step <= 93:
            return 365.25 / 4, "per quarter"
        return 365.25, "per year"

    @property
    def segment_slopes(self) -> pd.DataFrame | None:
        """For a piecewise trend: each segment's start, slope per day and interval."""
        if self._f.spec.trend != "piecewise":
            return None
        names = list(self._f.design.columns)
        rows = []
        starts = [self._f.series.index[0]] + [
            self._f.series.localize(pd.DatetimeIndex([b]))[0] for b in self._f.spec.breaks
        ]
        for k, start in enumerate(starts):
            w = np.zeros(len(names))
            w[names.index("trend")] = 1.0
            for b in self._f.spec.breaks[:k]:
                w[names.index(f"slope_change[{date_label(b)}]")] = 1.0
            est, lo, hi = self._contrast(w)
            rows.append({"start": start, "slope": est, "ci_low": lo, "ci_high": hi})
        return pd.DataFrame(rows)

    @property
    def effects(self) -> pd.Series:
        """Plain-words effect of each interpretable term (rate ratios with intervals)."""
        p = self.params
        out = {}
        lvl = self._f.level
        for term, row in p.iterrows():
            name = str(term)
            kind, _, arg = name.partition("[")
            arg = arg.rstrip("]")
            if kind in ("trend", "slope_change"):
                days, unit = self._slope_unit()
                lo, est, hi = (np.expm1(days * row[c]) for c in ("ci_low", "estimate", "ci_high"))
                what = "trend" if kind == "trend" else f"change of trend from {arg}"
                out[name] = f"{what}: " + pct_words(est, lo, hi, lvl, unit)
            elif kind in ("weekday", "shift", "step", "pulse"):
                what = {
                    "weekday": f"{arg} vs Mon",
                    "shift": f"level shift from {arg}",
                    "step": f"after event {arg!r}",
                    "pulse": f"during event {arg!r}",
                }[kind]
                out[name] = f"{what}: " + rr_words(row["rr"], row["rr_low"], row["rr_high"], lvl)
        return pd.Series(out, dtype=object, name="effect")

    @property
    def weekly_effects(self) -> pd.DataFrame | None:
        """Rate ratio of each weekday vs Monday with its interval (None if not weekly)."""
        if not self._f.spec.weekly:
            return None
        p = self.params
        rows = [{"weekday": "Mon", "rr": 1.0, "rr_low": 1.0, "rr_high": 1.0}]
        for day in WEEKDAYS[1:]:
            r = p.loc[f"weekday[{day}]"]
            rows.append(
                {"weekday": day, "rr": r["rr"], "rr_low": r["rr_low"], "rr_high": r["rr_high"]}
            )
        return pd.DataFrame(rows).set_index("weekday")

    # ------------------------------------------------------------------ fit
    @property
    def fitted(self) -> pd.DataFrame:
        """Per period: observed ``count``, fitted ``rate`` (expected count) and its band.

        ``ci_low, ci_high`` is the confidence band of the mean at ``level``
        (from the delta method on the log scale), not a prediction interval.
        """
        if "fitted" not in self._cache:
            frame = self._f.glm.get_prediction().summary_frame(alpha=1 - self._f.level)
            self._cache["fitted"] = pd.DataFrame(
                {
                    "count": self._f.series.values,
                    "rate": frame["mean"].to_numpy(),
                    "ci_low": frame["mean_ci_lower"].to_numpy(),
                    "ci_high": frame["mean_ci_upper"].to_numpy(),
                },
                index=self._f.series.index,
            )
        return self._cache["fitted"].copy()

    @property
    def resid_pearson(self) -> pd.Series:
        """Pearson residuals ``(y - mu) / sqrt(Var y)`` per period."""
        return pd.Series(
            np.asarray(self._f.glm.resid_pearson), index=self._f.series.index, name="resid_pearson"
        )

    def to_frame(self) -> pd.DataFrame:
        """The per-period table: ``count, rate, ci_low, ci_high, resid_pearson``."""
        frame = self.fitted
        frame["resid_pearson"] = self.resid_pearson.to_numpy()
        return frame

    # ------------------------------------------------------------------ diagnostics
    @property
    def ljung_box(self) -> pd.DataFrame:
        """Ljung-Box tests of the Pearson residuals at lags 7, 14 and 28 (those < n / 2).

        Columns ``statistic, p_value``, indexed by lag.
        """
        if "lb" not in self._cache:
            from statsmodels.stats.diagnostic import acorr_ljungbox

            lags = [lag for lag in (7, 14, 28) if lag < self.n / 2] or [max(1, self.n // 4)]
            lb = acorr_ljungbox(self.resid_pearson.to_numpy(), lags=lags, return_df=True)
            lb.columns = ["statistic", "p_value"]
            lb.index.name = "lag"
            self._cache["lb"] = lb
        return self._cache["lb"].copy()

    @property
    def acf(self) -> pd.Series:
        """Autocorrelation of the Pearson residuals at lags 1..min(28, n - 2)."""
        from statsmodels.tsa.stattools import acf

        nlags = min(28, self.n - 2)
        values = acf(self.resid_pearson.to_numpy(), nlags=nlags, fft=True)
        return pd.Series(values[1:], index=pd.RangeIndex(1, nlags + 1, name="lag"), name="acf")

    @property
    def autocorrelated(self) -> bool:
        """True when the Ljung-Box test at lag 14 (or the largest tested) rejects at 0.05.

        The test treats the residuals as observed noise; fitted weekday and
        trend terms make it reject somewhat more often than 5% when the days
        are in fact independent (about 9% for 200 days of simulated Poisson
        counts with a linear trend and weekly cycle), so a flag is a prompt to
        look at the ACF, not proof.
        """
        return self._lb_primary()[1] < LJUNG_BOX_LEVEL

    def _lb_primary(self) -> tuple[int, float]:
        lb = self.ljung_box
        lag = 14 if 14 in lb.index else int(lb.index[-1])
        return lag, float(lb["p_value"].loc[lag])

    @property
    def notes(self) -> list[str]:
        """Plain warnings about the fit (autocorrelation, overdispersion under Poisson)."""
        out = []
        if self.autocorrelated:
            lag, p_lb = self._lb_primary()
            remedy = (
                "the HAC standard errors in use allow for it in the coefficients' intervals, "
                "but forecast intervals still assume independent days"
                if self._f.cov_type == "HAC"
                else "refit with cov_type='HAC' for standard errors that allow for it"
            )
            out.append(
                f"Pearson residuals are autocorrelated (Ljung-Box lag {lag}: "
                f"p = {p_text(p_lb)}): the model misses some structure, so standard errors, "
                f"confidence bands and forecast intervals are too narrow; {remedy}."
            )
        if self._f.family == "poisson" and self._f.dispersion_test.overdispersed:
            out.append(
                "The counts are overdispersed but a Poisson model was requested: "
                "intervals are too narrow; use family='negbin' or 'auto'."
            )
        return out

    # ------------------------------------------------------------------ forecast
    def forecast(
        self,
        h: int,
        *,
        level: float = 0.9,
        n_sim: int = 4000,
        seed: int | np.random.Generator | None = 0,
        exposure: Any = None,
    ) -> ForecastResult:
        """Forecast the next ``h`` periods with prediction intervals.

        Intervals are simulated: each of ``n_sim`` draws takes the
        coefficients from their asymptotic normal distribution (with the
        fit's covariance, HAC if used) and, for negbin, ``log alpha`` from a
        normal with the delta-method standard error; then a count for each
        future period from the fitted distribution (Poisson, or NB2 as a
        gamma-Poisson mixture). ``ci_low, ci_high`` are the
        ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the simulated
        counts, so parameter uncertainty is included. Weekday effects follow
        the calendar, breaks and step events stay in force, pulses end, a
        piecewise trend continues with its last slope and a spline as a
        straight line.

        Parameters
        ----------
        h : int
            Number of future periods.
        level : float, default 0.9
            Coverage of the prediction intervals.
        n_sim : int, default 4000
            Number of simulated paths.
        seed : int or numpy Generator, default 0
            Random seed (fixed by default so reports are reproducible).
        exposure : array-like of length h, optional
            Future exposure when the model has one; default: the last
            observed exposure, repeated.

        Returns
        -------
        ForecastResult
            ``to_frame()`` has columns ``mean`` (expected count at the
            estimates), ``ci_low``, ``ci_high`` per future period.

        Examples
        --------
        Simulated counts (not real incidents):

        >>> import numpy as np, pandas as pd
        >>> y = pd.Series(np.random.default_rng(0).poisson(5, 90),
        ...               index=pd.date_range("2024-01-01", periods=90, tz="Asia/Jerusalem"))
        >>> fc = fit_trend(y, family="poisson").forecast(7)
        >>> str(fc.to_frame().index[0])
        '2024-03-31 00:00:00+03:00'
        """
        if int(h) != h or h < 1:
            raise ValueError(f"h must be a whole number >= 1 (got {h})")
        if not 0 < level < 1:
            raise ValueError(f"level must be between 0 and 1 (got {level})")
        h = int(h)
        s = self._f.series
        future_local = pd.date_range(s.local[-1] + s.offset, periods=h, freq=s.offset)
        xf = self._f.spec.matrix(future_local).to_numpy()
        off = self._future_offset(h, exposure)
        beta = self._f.glm.params.to_numpy()
        cov = np.asarray(self._f.glm.cov_params())
        rng = np.random.default_rng(seed)
        betas = rng.multivariate_normal(beta, cov, size=n_sim, method="svd")
        # h x n_sim; the cap keeps absurd draws within numpy's Poisson sampler
        eta = np.clip(xf @ betas.T + off[:, None], -50.0, 40.0)
        mu = np.exp(eta)
        if self._f.family == "negbin" and self._f.dispersion_test.alpha >= MIN_ALPHA:
            alpha = self._f.dispersion_test.alpha
            sd = self._f.alpha_se / alpha if np.isfinite(self._f.alpha_se) else 0.0
            alphas = alpha * np.exp(rng.normal(0.0, sd, size=n_sim))
            lam = rng.gamma(1.0 / alphas, alphas * mu)
        else:
            lam = mu
        draws = rng.poisson(lam)
        q = [(1 - level) / 2, (1 + level) / 2]
        lo, hi = np.quantile(draws, q, axis=1, method="inverted_cdf")
        tlo, thi = np.quantile(draws.sum(axis=0), q, method="inverted_cdf")
        mean = np.exp(xf @ beta + off)
        index = s.localize(future_local)
        notes = self.notes[:1] if self.autocorrelated else []
        if self._f.has_exposure and exposure is None:
            notes.append("future exposure assumed equal to the last observed value")
        return ForecastResult(
            index=index,
            mean=mean,
            ci_low=lo.astype(float),
            ci_high=hi.astype(float),
            total=(float(mean.sum()), float(tlo), float(thi)),
            level=level,
            n_sim=n_sim,
            notes=notes,
            history=self._history_for_plot(),
        )

    def _history_for_plot(self) -> pd.DataFrame:
        frame = self.fitted
        frame.attrs["level"] = self._f.level
        return frame

    def _future_offset(self, h: int, exposure: Any) -> np.ndarray:
        if not self._f.has_exposure:
            if exposure is not None:
                raise ValueError("the model was fitted without exposure; do not pass one here")
            return np.zeros(h)
        if exposure is None:
            return np.full(h, self._f.offset[-1])
        values = np.asarray(exposure, dtype=float)
        if values.shape != (h,) or not np.all(np.isfinite(values) & (values > 0)):
            raise ValueError(f"exposure must hold {h} positive numbers, one per future period")
        return np.log(values)

    # ------------------------------------------------------------------ output
    def summary(self) -> str:
        """Plain-text summary: family and why, trend, effects, dispersion, diagnostics."""
        s = self._f.series
        lines = [
            f"Count trend model: {self.family}, trend={self.trend}, "
            f"{'weekly cycle, ' if self._f.spec.weekly else ''}{self.n} periods "
            f"{date_label(s.local[0])} to {date_label(s.local[-1])} ({s.offset.freqstr})",
            f"Family: {self.family_reason}",
            f"Overdispersion test: {self._f.dispersion_test}",
        ]
        if self.dispersion is not None:
            lines.append(f"Dispersion (NB2 alpha): {self.dispersion:.4g}")
        if self.slope_text is not None:
            what = "Slope of the last segment" if self.trend == "piecewise" else "Slope"
            lines.append(f"{what}: {self.slope:+.5f} log rate per day = {self.slope_text}")
        elif self.trend == "spline":
            lines.append("Slope: not a single number for a spline trend (see plot)")
        lines.append(f"Coefficients ({self._f.level:.0%} CI, {self._f.cov_type} covariance):")
        lines.append(self.params.to_string(float_format=lambda v: f"{v:.4g}"))
        eff = self.effects
        if len(eff):
            lines.append("Effects:")
            lines += [f"  {v}" for v in eff]
        lb = self.ljung_box
        lines.append(
            "Ljung-Box (Pearson residuals): "
            + ", ".join(f"lag {lag}: p = {p_text(p)}" for lag, p in lb["p_value"].items())
        )
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary of the fit (no per-period table; see ``to_frame``)."""
        s = self._f.series
        params = self.params
        return jsonable(
            {
                "family": self.family,
                "family_reason": self.family_reason,
                "trend": self.trend,
                "weekly": self._f.spec.weekly,
                "n": self.n,
                "start": str(s.index[0]),
                "end": str(s.index[-1]),
                "freq": s.offset.freqstr,
                "level": self._f.level,
                "cov_type": self._f.cov_type,
                "slope": self.slope,
                "slope_ci": None if self.slope_ci is None else list(self.slope_ci),
                "slope_text": self.slope_text,
                "dispersion": self.dispersion,
                "dispersion_test": self._f.dispersion_test.to_dict(),
                "params": {
                    str(t): {c: params.loc[t, c] for c in params.columns} for t in params.index
                },
                "effects": self.effects.to_dict(),
                "breaks": [str(b) for b in self._f.spec.breaks],
                "events": [
                    {"name": e.name, "kind": e.kind, "date": str(e.start), "duration": e.duration}
                    for e in self._f.spec.events
                ],
                "ljung_box": {
                    str(lag): {"statistic": r["statistic"], "p_value": r["p_value"]}
                    for lag, r in self.ljung_box.iterrows()
                },
                "notes": self.notes,
            }
        )

    def plot(self, ax: Any = None, *, forecast: int | ForecastResult | None = None) -> Any:
        """Draw the counts, the fitted rate with its band and, if asked, a forecast.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure).
        forecast : int or ForecastResult, optional
            A forecast to add (an int ``h`` computes ``forecast(h)``).

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = get_ax(ax)
        fc = self.forecast(forecast) if isinstance(forecast, int) else forecast
        draw_history(ax, self.fitted, self._f.level)
        if fc is not None:
            draw_forecast(ax, fc)
        ax.set_title(f"{self.family} model, {self.trend} trend")
        ax.legend(loc="upper left", fontsize="small")
        return ax

    def plot_diagnostics(self) -> Any:
        """Figure of residual diagnostics: residuals over time, ACF, residuals vs fit.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10, 7), layout="constrained")
        axes = fig.subplots(2, 2)
        r = self.resid_pearson
        axes[0, 0].plot(r.index, r.to_numpy(), lw=0.8)
        axes[0, 0].axhline(0, color="grey", lw=0.8)
        axes[0, 0].set_title("Pearson residuals")
        concise_dates(axes[0, 0])
        acf = self.acf
        axes[0, 1].bar(acf.index, acf.to_numpy(), width=0.6)
        bound = stats.norm.ppf(0.975) / np.sqrt(self.n)
        axes[0, 1].axhline(bound, ls="--", color="grey", lw=0.8)
        axes[0, 1].axhline(-bound, ls="--", color="grey", lw=0.8)
        axes[0, 1].set_title("ACF of Pearson residuals (95% bounds for white noise)")
        axes[0, 1].set_xlabel("lag (periods)")
        axes[1, 0].scatter(self.fitted["rate"], r.to_numpy(), s=6)
        axes[1, 0].axhline(0, color="grey", lw=0.8)
        axes[1, 0].set_xlabel("fitted rate (count per period)")
        axes[1, 0].set_title("Residuals vs fitted")
        lb = self.ljung_box
        axes[1, 1].bar([str(lag) for lag in lb.index], lb["p_value"].to_numpy())
        axes[1, 1].axhline(LJUNG_BOX_LEVEL, ls="--", color="grey", lw=0.8)
        axes[1, 1].set_ylim(0, 1)
        axes[1, 1].set_title("Ljung-Box p-values")
        axes[1, 1].set_xlabel("lag (periods)")
        return fig
