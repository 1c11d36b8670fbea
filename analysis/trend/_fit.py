"""Fitting count regressions for trends: Poisson or negative-binomial (NB2) GLMs.

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
from typing import Any

import numpy as np
import pandas as pd

from analysis._series import CountSeries
from analysis.trend._design import build_spec, check_columns
from analysis.trend._dispersion import dispersion_test
from analysis.trend._latent import latent_covariance
from analysis.trend._result import TrendResult
from analysis.trend._state import MIN_ALPHA, FitState
from analysis.trend._validate import (
    break_dates,
    check_events,
    check_exposure,
    coverage,
    period,
    read_counts,
)

__all__ = ["COV_TYPES", "FAMILIES", "fit_trend"]

FAMILIES = ("auto", "poisson", "negbin")
COV_TYPES = ("latent", "nonrobust", "HAC")
#: fewest periods of any model: 1 coefficient needs max(2 p, p + 10) = 11 (see _check_size)
MIN_PERIODS = 11


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
    cov_type: str = "latent",
    hac_maxlags: int | None = None,
    vintage: Any = None,
    provisional: Any = "3D",
    tail: str = "exclude",
) -> TrendResult:
    """Fit a count regression with a trend, weekly cycle, breaks and events.

    Parameters
    ----------
    counts : pandas.Series
        Counts per period (whole numbers >= 0) on a regular DatetimeIndex, as
        made by :func:`analysis.count_incidents`; usually one value per day. It
        is read by :meth:`analysis._series.CountSeries.from_pandas`, the
        package's one count-series type. A time zone is allowed and kept in
        every output; in zones whose clocks go forward at midnight
        (Asia/Beirut, Asia/Jerusalem in some years) the day that starts at
        01:00 is still one day. A first or last period only partly inside
        the counting window (recorded by ``count_incidents(..., start=, end=)``)
        has its expected count scaled by the part covered.
    family : {"auto", "poisson", "negbin"}, default "auto"
        ``"negbin"`` is the NB2 negative binomial with its dispersion
        estimated by maximum likelihood. ``"auto"`` picks negbin when the
        Dean-Lawless overdispersion score test rejects at ``test_level`` (see
        :class:`DispersionTest`); ``.family_reason`` says why. The test chooses
        only the weights of the estimating equations (the point estimate's
        efficiency), not the intervals: with the default ``cov_type="latent"``
        the covariance estimates the extra-Poisson variance and its
        correlation from the residuals whichever family is chosen, so the
        intervals stay valid after the choice (no pre-test-then-estimate
        under-coverage; Leeb & Poetscher 2005). With ``cov_type="nonrobust"``
        they are the chosen model's own and do depend on the test.
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
    cov_type : {"latent", "nonrobust", "HAC"}, default "latent"
        ``"latent"``: standard errors under a latent stationary process
        multiplying the mean (Zeger 1988; :mod:`analysis.trend._latent`), valid
        for autocorrelated and overdispersed counts, with each coefficient's
        inflation following its own regressor (a slow trend is inflated by
        about the long-run variance ratio, a two-day event by about one plus
        the lag-1 autocorrelation), and never narrower than ``"nonrobust"``.
        The latent correlation is an AR(1) plus day-to-day noise fitted to
        the first 14 residual autocovariances, corrected for what the fitted
        terms absorb. Forecasts then draw that AR(1), started from its level
        at the end of the data given the counts, so intervals for totals over
        a horizon carry the dependence.
        ``"nonrobust"``: the model's own standard errors (independent
        periods). ``"HAC"``: Newey-West standard errors; not recommended for
        short events (a handful of score contributions make them noisy).
    hac_maxlags : int, optional
        Lags of the HAC estimator; default ``floor(4 (n / 100) ** (2 / 9))``.
    vintage : str or Timestamp, optional
        The date the data were drawn (a date; numbers are refused). Periods
        after the vintage day are not fitted (they were not observed; events
        there are an error). Default: every period is fitted as it is.
    provisional : str, Timedelta or 0, default "3D"
        With ``vintage``: how much time, ending with the vintage day
        (inclusive), is provisional (incomplete counts); a period is
        provisional when any of its time is.
    tail : {"exclude", "flag"}, default "exclude"
        With ``vintage``: fit without the provisional periods (forecasts
        then start at the first of them, so they can be set against it), or
        fit them and warn in the summary. ``provisional_days`` and the
        summary say how many days were provisional and which.

    Returns
    -------
    TrendResult
        The fitted model: ``family``, ``slope`` and ``slope_ci`` (log rate per
        day), ``dispersion``, ``params``, ``fitted`` (with the confidence band
        ``ci_low, ci_high`` of the rate), ``forecast(h)`` (with prediction
        bounds ``pi_low, pi_high``), diagnostics, ``summary()``, ``plot()``.

    Raises
    ------
    TypeError
        ``counts`` is not a Series with a DatetimeIndex.
    analysis.errors.DataError
        An empty series, missing, negative or fractional counts, duplicate or
        unsorted dates, gaps, too few periods for the design (one value is
        too few for any model), or no event at all (every count zero).
    ValueError
        Unknown options, a break or event outside the data (outside the
        periods fitted, when a provisional tail is left out), a design whose
        terms cannot be separated, a ``vintage`` that is a number, or a
        vintage with events after it.

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
    '+8.2% per week (95% CI 6.5% to 10.0%)'
    >>> res.forecast(14).to_frame().shape
    (14, 3)

    Drawn on the last day, whose three newest days are provisional (left out):

    >>> recent = fit_trend(y, family="poisson", weekly=False, vintage="2024-04-29")
    >>> recent.n, recent.provisional_days
    (117, 3)
    """
    full = read_counts(counts)
    series, tail_info = full.with_vintage(vintage, provisional, tail)
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES} (got {family!r})")
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES} (got {cov_type!r})")
    for name, value in (("level", level), ("test_level", test_level)):
        if not 0 < value < 1:
            raise ValueError(f"{name} must be between 0 and 1 (got {value})")
    if weekly and not series.daily:
        raise ValueError(
            f"weekly=True needs daily counts (these are per {period(series).freqstr!r}); "
            "pass weekly=False"
        )
    _check_values(series)
    spec = build_spec(
        series.local,
        period(series),
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
    offset = (
        np.zeros(len(design)) if exposure is None else check_exposure(exposure, full)[: series.n]
    )
    covered = coverage(series)
    glm_offset = offset + np.log(covered)
    fit = _fit(series.counts, design, glm_offset, family, test_level, cov_type, hac_maxlags)
    return TrendResult(
        FitState(
            series=series,
            spec=spec,
            design=design,
            offset=offset,
            coverage=covered,
            has_exposure=exposure is not None,
            level=level,
            **fit,
        ),
        tail=tail_info,
    )


def _check_values(series: CountSeries) -> None:
    """Refuse series no trend model can be fitted to, whatever the design."""
    if series.total == 0:
        raise series.problem(
            f"every count is zero ({series.n} period(s)): there is no rate to model", "0"
        )
    if series.n < MIN_PERIODS:
        raise series.problem(
            f"too short: {series.n} period(s); even a model with only an intercept "
            f"(trend='none', weekly=False) needs at least {MIN_PERIODS}"
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


def _check_separation(series: CountSeries, design: pd.DataFrame) -> None:
    """Reject indicator terms whose maximum-likelihood estimate is infinite.

    When every period where a 0/1 term (weekday, break, event) applies has a
    zero count, or every event falls in those periods, the log-rate effect
    goes to minus or plus infinity and its interval is meaningless.
    """
    y = series.counts
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
    latent = None
    if cov_type == "latent":
        if glm is poisson:  # keep the Poisson fit used by the dispersion test unchanged
            glm = _glm(y, design, offset, None).fit()
        latent = latent_covariance(
            y,
            np.asarray(glm.fittedvalues, dtype=float),
            design.to_numpy(dtype=float),
            np.asarray(glm.cov_params(), dtype=float),
            alpha=max(alpha, 0.0) if chosen == "negbin" else 0.0,
        )
        cov = pd.DataFrame(latent.cov, index=design.columns, columns=design.columns)
        glm._results.cov_params_default = cov.to_numpy()
        glm._results.cov_type = "latent"
        glm._results._cache.clear()
    return {
        "glm": glm,
        "family": chosen,
        "family_reason": reason,
        "dispersion_test": test,
        "alpha_se": alpha_se if chosen == "negbin" else math.nan,
        "cov_type": cov_type,
        "latent": latent,
    }
