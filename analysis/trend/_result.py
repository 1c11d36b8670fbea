"""The result of :func:`analysis.trend.fit_trend`: coefficients, slope, effects, fit.

Diagnostics (:mod:`analysis.trend._diagnostics`) and forecasts
(:mod:`analysis.trend._forecast`) are computed by their own modules and
reached through this object.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis._dependence import Dependence, estimate_dependence
from analysis._draw import get_ax
from analysis._format import date_label, jsonable, p_text
from analysis._results import Result
from analysis._series import ProvisionalTail, no_tail
from analysis.trend import _diagnostics
from analysis.trend._design import WEEKDAYS
from analysis.trend._dispersion import DispersionTest
from analysis.trend._figures import draw_forecast, draw_history
from analysis.trend._forecast import ForecastResult, simulate_forecast
from analysis.trend._state import FitState
from analysis.trend._validate import localize, period
from analysis.trend._words import effect_words, pct_words, slope_unit

__all__ = ["TrendResult"]


class TrendResult(Result):
    """A fitted count-trend model (returned by :func:`fit_trend`).

    Attributes are read-only. Rates are expected counts per period (per day
    for daily counts); ``slope`` is on the log-rate scale per day.
    """

    def __init__(self, fit: FitState, tail: ProvisionalTail | None = None):
        self._f = fit
        self._tail = tail
        self._cache: dict[str, Any] = {}

    @property
    def vintage_tail(self) -> ProvisionalTail | None:
        """The provisional newest days before the data vintage (None without ``vintage=``)."""
        return self._tail

    @property
    def provisional_days(self) -> int:
        """Days treated as provisional, left out or kept (0 without ``vintage=``)."""
        return 0 if self._tail is None else self._tail.days

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
            self._f.series.counts, index=self._f.series.index, name=self._f.series.name
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
        return slope_unit(self._f.series.local)

    @property
    def segment_slopes(self) -> pd.DataFrame | None:
        """For a piecewise trend: each segment's start, slope per day and interval."""
        if self._f.spec.trend != "piecewise":
            return None
        names = list(self._f.design.columns)
        rows = []
        starts = [self._f.series.index[0]] + [
            localize(pd.DatetimeIndex([b]), self._f.series.tz)[0] for b in self._f.spec.breaks
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
        return effect_words(self.params, self._f.level, self._slope_unit())

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
                    "count": self._f.series.counts,
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

    @property
    def dependence(self) -> Dependence:
        """Dispersion and serial dependence of the counts about the fitted rate.

        The package's one estimate (:func:`analysis._dependence.estimate_dependence`,
        also used by rates and change points) with the fitted rate as the mean:
        ``dispersion`` is the residual variance over the mean (about 1 when the
        Poisson model fits; for NB2 about ``1 + alpha * mean(mu**2) / mean(mu)``),
        ``lag1`` the residual autocorrelation and ``long_run_dispersion``
        the design effect of a long total, which the forecast's total interval
        (independent periods) does not include.
        """
        if "dependence" not in self._cache:
            rate = self.fitted["rate"].to_numpy()
            self._cache["dependence"] = estimate_dependence(self._f.series.values, rate)
        return self._cache["dependence"]

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
            self._cache["lb"] = _diagnostics.ljung_box(self.resid_pearson)
        return self._cache["lb"].copy()

    @property
    def acf(self) -> pd.Series:
        """Autocorrelation of the Pearson residuals at lags 1..min(28, n - 2)."""
        return _diagnostics.acf(self.resid_pearson)

    @property
    def autocorrelated(self) -> bool:
        """True when the Ljung-Box test at lag 14 (or the largest tested) rejects at 0.05.

        The test treats the residuals as observed noise; fitted weekday and
        trend terms make it reject somewhat more often than 5% when the days
        are in fact independent (about 9% for 200 days of simulated Poisson
        counts with a linear trend and weekly cycle), so a flag is a prompt to
        look at the ACF, not proof.
        """
        return _diagnostics.primary_lag(self.ljung_box)[1] < _diagnostics.LJUNG_BOX_LEVEL

    @property
    def notes(self) -> list[str]:
        """Plain warnings about the fit (autocorrelation, overdispersion under Poisson)."""
        return _diagnostics.notes(self._f, self.ljung_box)

    def plot_diagnostics(self) -> Any:
        """Figure of residual diagnostics: residuals over time, ACF, residuals vs fit.

        Returns
        -------
        matplotlib.figure.Figure
        """
        return _diagnostics.plot_diagnostics(
            self.resid_pearson, self.fitted["rate"], self.ljung_box, self.acf
        )

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
        gamma-Poisson mixture). ``pi_low, pi_high`` bound the whole-number
        interval whose predictive probability is *closest to* ``level``, not
        at least ``level``: a count is discrete, and the equal-tailed
        quantile interval ``[q((1 - level) / 2), q((1 + level) / 2)]`` holds
        more (92.8% for a Poisson mean of 5 at 90%, where ``[2, 8]`` holds
        89.1%). Starting from that interval, an end point is dropped while
        that brings the probability nearer ``level``, keeping the tails
        balanced (:mod:`analysis.trend._interval`); the probabilities are
        those of the simulated paths' Poisson mixture, so parameter
        uncertainty is included. The bounds are whole numbers, never below
        zero; the total's interval is chosen the same way. Weekday effects follow
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
            Number of simulated paths (at least 100).
        seed : int or numpy Generator, default 0
            Random seed (fixed by default so reports are reproducible).
        exposure : array-like of length h, optional
            Future exposure when the model has one; default: the last
            observed exposure, repeated.

        Returns
        -------
        ForecastResult
            ``to_frame()`` has columns ``mean`` (expected count at the
            estimates), ``pi_low``, ``pi_high`` (prediction bounds whose
            probability is closest to ``level``, whole numbers) per future
            period.

        Examples
        --------
        Simulated counts (not real incidents):

        >>> import numpy as np, pandas as pd
        >>> from analysis.trend import fit_trend
        >>> y = pd.Series(np.random.default_rng(0).poisson(5, 90),
        ...               index=pd.date_range("2024-01-01", periods=90, tz="Asia/Jerusalem"))
        >>> fc = fit_trend(y, family="poisson").forecast(7)
        >>> str(fc.to_frame().index[0])
        '2024-03-31 00:00:00+03:00'
        >>> fc.to_frame().columns.tolist(), fc.level
        (['mean', 'pi_low', 'pi_high'], 0.9)
        """
        notes = self.notes[:1] if self.autocorrelated else []
        return simulate_forecast(
            self._f,
            h,
            level=level,
            n_sim=n_sim,
            seed=seed,
            exposure=exposure,
            notes=notes,
            history=self.fitted,
        )

    # ------------------------------------------------------------------ output
    def summary(self) -> str:
        """Plain-text summary: family and why, trend, effects, dispersion, diagnostics."""
        s = self._f.series
        lines = [
            f"Count trend model: {self.family}, trend={self.trend}, "
            f"{'weekly cycle, ' if self._f.spec.weekly else ''}{self.n} periods "
            f"{date_label(s.local[0])} to {date_label(s.local[-1])} ({period(s).freqstr})",
            f"Family: {self.family_reason}",
            f"Overdispersion test: {self._f.dispersion_test}",
        ]
        if self._tail is not None:
            lines.append(f"Provisional tail: {self._tail.summary()}")
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
            + ", ".join(f"lag {lag}: {p_text(p)}" for lag, p in lb["p_value"].items())
        )
        dep = self.dependence
        lines.append(
            f"About the fit: dispersion {dep.dispersion:.2f}, lag-1 autocorrelation "
            f"{dep.lag1:.2f}, long-run design effect {dep.long_run_dispersion:.2f} ({dep.note})"
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
                "freq": period(s).freqstr,
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
                "dependence": {
                    "dispersion": self.dependence.dispersion,
                    "lag1": self.dependence.lag1,
                    "long_run_dispersion": self.dependence.long_run_dispersion,
                    "note": self.dependence.note,
                },
                "notes": self.notes,
                **(no_tail() if self._tail is None else self._tail.to_dict()),
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
            draw_forecast(ax, fc.to_frame(), fc.level)
        ax.set_title(f"{self.family} model, {self.trend} trend")
        ax.legend(loc="upper left", fontsize="small")
        return ax
