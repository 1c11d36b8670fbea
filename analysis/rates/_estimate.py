"""estimate_rate and RateResult: a rate with an exact Poisson or negative-binomial interval."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from analysis._draw import errorbar, get_ax
from analysis._format import fmt_count, fmt_days, fmt_num, jsonable
from analysis._series import CountSeries, ProvisionalTail, no_tail
from analysis.rates._base import RateResultBase
from analysis.rates._dependent import design_effect, quasi_jeffreys
from analysis.rates._format import ESTIMANDS, FAMILY_NAMES, plural_label
from analysis.rates._inputs import (
    FAMILIES,
    check_family,
    check_level,
    check_total,
    covered_days,
    optional_day,
    parse_per,
    read_counts,
    read_reference,
)
from analysis.rates._numerics import garwood


class NegbinFit(NamedTuple):
    """Rates per day; ``se_log`` is the standard error of log(rate) with ``df`` for t."""

    rate: float
    low: float
    high: float
    alpha_mle: float
    alpha_moment: float
    se_log: float
    df: int


def negbin_fit(c: CountSeries, level: float) -> NegbinFit:
    """(rate per day, low, high, alpha MLE, alpha moment) for overdispersed counts.

    The point estimate and the NB2 dispersion come from an intercept-only
    statsmodels ``NegativeBinomial`` fit with the period lengths as exposure.
    """
    from scipy.optimize import brentq
    from scipy.stats import t as student_t
    from statsmodels.discrete.discrete_model import NegativeBinomial

    mask = c.exposure > 0
    y, e = c.values[mask], c.exposure[mask]
    n = len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = NegativeBinomial(y, np.ones((n, 1)), loglike_method="nb2", exposure=e)
        fit = model.fit(disp=0, maxiter=500)
    log_rate, alpha_mle = float(fit.params[0]), float(fit.params[1])
    if not (math.isfinite(log_rate) and math.isfinite(alpha_mle)):
        log_rate, alpha_mle = math.log(y.sum() / e.sum()), float("nan")
    rate = math.exp(log_rate)
    m = e * rate

    def pearson(a: float) -> float:
        return float(np.sum((y - m) ** 2 / (m + a * m**2))) - (n - 1)

    if pearson(0.0) <= 0:
        alpha_mom = 0.0
    else:
        hi = 1.0
        while pearson(hi) > 0 and hi < 1e8:
            hi *= 10
        alpha_mom = float(brentq(pearson, 0.0, hi))
    info = float(np.sum(m / (1 + alpha_mom * m)))  # Fisher information of log(rate)
    q = float(student_t.ppf(0.5 + level / 2, max(n - 1, 1)))
    half = q / math.sqrt(info)
    g_low, g_high = garwood(y.sum(), level)  # never narrower than exact Poisson
    low = min(rate * math.exp(-half), float(g_low) / e.sum())
    high = max(rate * math.exp(half), float(g_high) / e.sum())
    return NegbinFit(rate, low, high, alpha_mle, alpha_mom, 1 / math.sqrt(info), max(n - 1, 1))


@dataclass(frozen=True, repr=False)
class RateResult(RateResultBase):
    """A rate with its interval.

    Attributes
    ----------
    rate, ci_low, ci_high : float
        Estimated rate and interval, in events per ``per``.
    events : int
        Number of events.
    exposure : float
        Time covered, in days.
    per : str
        Unit of the rate ("day", "week", "month", "year" or "N days").
    per_days : float
        Length of ``per`` in days.
    family : str
        The count distribution behind the interval: "quasipoisson" (the
        Jeffreys interval of the count scaled by the design effect, the
        default for counts: about ``level`` on average), "poisson" (exact
        Garwood: at least ``level`` for every rate) or "negbin".
    level : float
        Confidence level of the interval.
    reason : str
        One sentence on why ``family`` was used.
    dispersion : float or None
        NB2 dispersion alpha (variance = mean + alpha * mean**2 per period),
        maximum likelihood estimate; None for Poisson.
    start, end : pandas.Timestamp or None
        First and last day covered (inclusive), when known.
    design_effect : float or None
        Variance of the total over its Poisson variance, used by
        "quasipoisson" (overdispersion and serial dependence; from a series
        alone of 14 to 4096 periods the latent AR(1) fit, beyond that it
        includes the fixed-b factor ``(cv_b / z)^2``, see
        :mod:`analysis.rates._dependent`).
    estimand : str
        "process": the interval is for the rate of the process that
        generated the window (what "an average of five a day" means);
        "realised": the number of events in the window per ``per``, which is
        known exactly (the interval is the point).
    vintage_tail : ProvisionalTail or None
        The provisional newest days before the data vintage (``vintage=``),
        left out or kept (``tail=``); None without a vintage.
    """

    rate: float
    ci_low: float
    ci_high: float
    events: int
    exposure: float
    per: str
    per_days: float
    family: str
    level: float
    reason: str
    dispersion: float | None = None
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    dispersion_moment: float | None = None
    label: str = "events"
    design_effect: float | None = None
    estimand: str = "process"
    vintage_tail: ProvisionalTail | None = None

    def summary(self) -> str:
        """One line: ``5.86 per day (95% CI 4.20-7.95), 41 events in 7 days, exact Poisson``."""
        ref = self.rate if self.rate > 0 else self.ci_high
        text = (
            f"{fmt_num(self.rate, ref)} per {self.per} ({self.level:.0%} CI "
            f"{fmt_num(self.ci_low, ref)}-{fmt_num(self.ci_high, ref)}), "
            f"{fmt_count(self.events, self.label)} in {fmt_days(self.exposure)}"
        )
        if self.start is not None and self.end is not None:
            text += f" ({self.start.date()} to {self.end.date()})"
        if self.design_effect is not None and self.family == "quasipoisson":
            text = f"{text}, {FAMILY_NAMES[self.family]} {self.design_effect:.2f}"
        else:
            text = f"{text}, {FAMILY_NAMES[self.family]}"
        if self.vintage_tail is not None:
            text += f". {self.vintage_tail.summary()}"
        return text

    @property
    def estimand_text(self) -> str:
        """What the interval is an interval for, in words."""
        return ESTIMANDS[self.estimand]

    def __repr__(self) -> str:
        return f"<RateResult>\n{self.summary()}\nEstimates {self.estimand_text}.\n{self.reason}"

    def to_dict(self) -> dict[str, Any]:
        """The statistics as plain JSON-friendly values (dates as ISO strings)."""
        keys = (
            "rate ci_low ci_high events exposure per per_days family level reason "
            "dispersion dispersion_moment design_effect estimand start end"
        ).split()
        out = {k: jsonable(getattr(self, k)) for k in keys}
        for k in ("start", "end"):
            value = getattr(self, k)
            out[k] = None if value is None else value.date().isoformat()
        out.update(no_tail() if self.vintage_tail is None else self.vintage_tail.to_dict())
        return out

    def plot(self, ax: Any = None, *, label: str | None = None) -> Any:
        """Draw the rate as a point with its interval as an error bar; return the Axes."""
        ax = get_ax(ax)
        errorbar(ax, 0.0, self.rate, self.ci_low, self.ci_high)
        ax.set_xticks([0.0])
        ax.set_xticklabels(
            [label or f"{fmt_count(self.events, self.label)} in {fmt_days(self.exposure)}"]
        )
        ax.set_ylabel(f"{self.label} per {self.per}")
        ax.set_ylim(bottom=0)
        ax.set_title(f"{self.level:.0%} interval, {FAMILY_NAMES[self.family]}")
        return ax


def estimate_rate(
    counts: pd.Series | None = None,
    *,
    total: float | None = None,
    exposure: float | None = None,
    start: Any = None,
    end: Any = None,
    level: float = 0.95,
    per: str | float = "day",
    family: str = "auto",
    reference: pd.Series | None = None,
    estimand: str = "process",
    vintage: Any = None,
    provisional: Any = "3D",
    tail: str = "exclude",
    method: str | None = None,
) -> RateResult:
    """Estimate an event rate with an interval, from counts or from a reported total.

    Parameters
    ----------
    counts : pandas.Series, optional
        Regular counts (zeros included) indexed by period start, e.g. from
        :func:`analysis.counts.count_incidents`. Exposure is the time covered in
        days: number of periods x period length (7 per week, actual month
        lengths), clipped to the window recorded by ``count_incidents``.
    total : int, optional
        A reported number of events (instead of ``counts``).
    exposure : float, optional
        Days covered by ``total``. May be omitted when both ``start`` and
        ``end`` are given (then it is end - start + 1 days).
    start, end : str or Timestamp, optional
        Inclusive dates. With ``counts``: keep the whole periods whose start
        lies in [start, end]; the rest of ``counts`` is the reference from
        which dispersion and dependence are estimated (see ``reference``).
    level : float, default 0.95
        Confidence level, strictly between 0 and 1.
    per : {"day", "week", "month", "year"} or float, default "day"
        Unit of the rate; a month is 30.436875 days and a year 365.2425 days
        (Gregorian means); a number means that many days.
    family : {"auto", "quasipoisson", "poisson", "negbin"}, default "auto"
        The count model behind the interval. ``"quasipoisson"`` (what
        ``"auto"`` means for counts): the Jeffreys interval of the count
        scaled by the design effect of the window's total, which carries both
        overdispersion and serial dependence; it covers about ``level`` on
        average (see Notes). ``"poisson"``: exact Garwood interval for
        independent Poisson days, at least ``level`` for every rate.
        ``"negbin"``: a negative-binomial interval for independent
        overdispersed days. With a total only, "auto" means
        poisson, because dispersion cannot be estimated from a total (see
        :func:`check_claim` for the verdict as a function of it).
    reference : pandas.Series, optional
        A longer count series of the same kind (say the whole alert history
        of the same front) from which the design effect is estimated.
        Default: ``counts`` itself, all of it, also when ``start``/``end``
        select a window (a short window borrows strength from the series it
        comes from).
    estimand : {"process", "realised"}, default "process"
        What the interval is for: the rate of the process that generated the
        window (what "an average of five a day" means), or the realised
        number of events in the window per ``per`` (known exactly: the
        interval is the point).
    vintage : str or Timestamp, optional
        The date the data were drawn (a date; numbers are refused). The
        newest days before it may be incomplete: see ``provisional`` and
        ``tail``. Periods after the vintage day are never used (they were
        not observed); events there are an error. Default: no vintage, every
        period is used as it is.
    provisional : str, Timedelta or 0, default "3D"
        With ``vintage``: how much time, ending with the vintage day
        (inclusive), is provisional; "3D" with a vintage of 2024-10-12 makes
        2024-10-10 to 2024-10-12 provisional. A period is provisional when
        any of its time is (see :meth:`analysis._series.CountSeries.provisional`).
    tail : {"exclude", "flag"}, default "exclude"
        With ``vintage``: leave the provisional periods out of the estimate
        and of the series the design effect is estimated from (``"exclude"``;
        a ``reference=`` given is used as it is), or keep them and say in
        the summary that they may be incomplete (``"flag"``). The summary
        says how many days of the window were provisional and which.
    method : str, optional
        Deprecated name of ``family`` (warns).

    Returns
    -------
    RateResult
        ``rate, ci_low, ci_high`` (events per ``per``), ``events``,
        ``exposure`` (days), ``per``, ``family``, ``level``, ``reason``,
        ``design_effect``, ``estimand``, ``start``, ``end``,
        ``provisional_days`` and ``vintage_tail``.

    Raises
    ------
    analysis.errors.DataError
        Negative, fractional, missing, infinite or too large counts (each
        with its row and date), irregular dates (the missing ones listed).
    TypeError
        Counts that are not a Series, or a Series without a DatetimeIndex.
    ValueError
        Bad ``total``, ``exposure`` <= 0, ``level`` outside (0, 1), unknown
        ``per``, ``family``, ``estimand`` or ``tail``, ``start`` after
        ``end``, a ``start``/``end``/``vintage`` that is a number rather than a
        date, a vintage with events after it, or a vintage before every period.

    Notes
    -----
    Default interval (quasipoisson): with ``S`` events over ``E`` days in
    ``m`` periods and design effect ``DE = Var(total) / (m * mean)``, the
    limits are ``DE * G(alpha/2; S/DE + 1/2) / E`` (0 when ``S = 0``) and
    ``DE * G(1-alpha/2; S/DE + 1/2) / E`` with ``G`` the gamma quantile: the
    Jeffreys limits of ``S/DE`` events, scaled back (Brown, Cai & DasGupta
    2003; :mod:`analysis.rates._dependent`). Jeffreys rather than the exact
    Garwood limits because Garwood covers at least ``level`` for every rate
    and so well above it on average. ``DE`` comes from the reference series
    when the window is part of a longer one
    (:func:`analysis._dependence.estimate_dependence`: residual
    autocovariances at lags below ``m``, Bartlett weights); from a series
    that is its own reference, of 14 to 4096 periods, it is the design
    effect of its total under a latent AR(1) rate with independent noise of
    at least the mean, fitted by Whittle likelihood
    (:func:`analysis._dependence.latent_ar_design_effect`), and beyond 4096
    periods the HAC long-run variance of the mean with a fixed-b critical
    value (Kiefer & Vogelsang 2005;
    :func:`analysis._dependence.mean_long_run_variance`); with fewer periods,
    the dispersion alone with a small-sample factor, and the reason says
    dependence was not checked. A series alone still under-covers strongly
    persistent dependence (0.84 at 28 days and 0.89 at 91 under a latent
    AR(1) with phi 0.8, SIMULATED): pass the longer series as ``reference=``
    when there is one (see :mod:`analysis.rates._dependent`). There is no pre-test: the
    same rule applies to every series (post-selection intervals after a
    dispersion pre-test under-cover; Leeb and Poetscher 2005).

    ``make validate`` measures the coverage of the process rate under
    independent, negative-binomial, latent-AR and weekly-cycle data.

    Examples
    --------
    >>> r = estimate_rate(total=41, exposure=7)
    >>> print(r.summary())
    5.86 per day (95% CI 4.20-7.95), 41 events in 7 days, exact Poisson
    >>> round(estimate_rate(total=41, exposure=7, per="week").rate, 1)
    41.0

    Simulated daily counts drawn on 2024-01-10; the last two days are provisional:

    >>> s = pd.Series([5, 6, 4, 7, 5, 6, 5, 4, 2, 1],
    ...               index=pd.date_range("2024-01-01", periods=10))
    >>> r = estimate_rate(s, vintage="2024-01-10", provisional="2D")
    >>> r.events, r.exposure, r.provisional_days
    (42, 8.0, 2)
    >>> print(r.summary().split(". ")[-1])
    Data drawn 2024-01-10: 2 provisional days (2024-01-09 to 2024-01-10, 3 events) left out.
    """
    level = check_level(level)
    per_label, per_days = parse_per(per)
    family = check_family(family, method, FAMILIES, "estimate_rate")
    if estimand not in ESTIMANDS:
        raise ValueError(f"unknown estimand {estimand!r}: use 'process' or 'realised'")
    if counts is None:
        if total is None:
            raise ValueError("give counts, or total= with exposure= (days)")
        if reference is not None:
            raise ValueError("reference= goes with counts; for a total see check_claim")
        if vintage is not None:
            raise ValueError("vintage= goes with counts per period; a total has no newest days")
        events, days = check_total(total, exposure, start, end)
        if family in ("negbin", "quasipoisson"):
            raise ValueError(
                f"family={family!r} needs counts per period: a total cannot show overdispersion"
            )
        reason = (
            "Only a total was given, so the dispersion of the counts cannot be checked; "
            f"exact Poisson interval (at least {level:.0%} for every rate, if events are "
            "independent at a constant rate)."
            if family == "auto"
            else f"Exact Poisson interval (at least {level:.0%} for every rate), as requested."
        )
        result = poisson_result(
            events,
            days,
            level=level,
            per=(per_label, per_days),
            reason=reason,
            start=optional_day(start, "start"),
            end=optional_day(end, "end"),
        )
        return realised(result) if estimand == "realised" else result
    if total is not None or exposure is not None:
        raise ValueError("give either counts or total= and exposure=, not both")
    full = read_counts(counts)
    # the tail of the whole series (the reference) and of the window, from one vintage
    kept, _ = full.with_vintage(vintage, provisional, tail)
    c, tail_info = full.window(start, end).with_vintage(vintage, provisional, tail)
    if c.total_exposure <= 0:
        raise ValueError("the counts cover no time (exposure 0 days)")
    ref = kept if reference is None else read_reference(reference, c)
    result = estimate_from_counts(
        c, level=level, per_label=per_label, per_days=per_days, family=family, reference=ref
    )
    if tail_info is not None:
        result = replace(result, vintage_tail=tail_info)
    return realised(result) if estimand == "realised" else result


def realised(result: RateResult) -> RateResult:
    """The same rate as the realised count per ``per``: no sampling error, so no width."""
    return replace(
        result,
        ci_low=result.rate,
        ci_high=result.rate,
        estimand="realised",
        reason="The realised number of events in the window is counted, not estimated: "
        "the interval is the point.",
    )


def estimate_from_counts(
    c: CountSeries,
    *,
    level: float,
    per_label: str,
    per_days: float,
    family: str,
    reference: CountSeries | None = None,
) -> RateResult:
    """The rate of a validated count series (see :func:`estimate_rate`)."""
    events, days = int(c.total), c.total_exposure
    first, last = covered_days(c)
    label = plural_label(c.name)
    if family in ("auto", "quasipoisson"):
        de = design_effect(c, c if reference is None else reference, level)
        low, high = quasi_jeffreys(events, days, de.value, level)
        return RateResult(
            rate=events / days * per_days,
            ci_low=float(low) * per_days,
            ci_high=float(high) * per_days,
            events=events,
            exposure=days,
            per=per_label,
            per_days=per_days,
            family="quasipoisson",
            level=level,
            reason=f"Jeffreys interval (approximately {level:.0%} on average) of the count "
            f"scaled by the {de.note}.",
            start=first,
            end=last,
            label=label,
            design_effect=de.value,
        )
    reason = f"Exact Poisson interval (at least {level:.0%} for every rate), as requested."
    if family == "negbin":
        reason = "Negative binomial interval, as requested (independent periods assumed)."
    if family == "negbin" and (events == 0 or int(np.sum(c.exposure > 0)) < 2):
        family = "poisson"
        reason = "A negative binomial needs events in at least two periods; exact Poisson interval."
    if family == "poisson":
        return poisson_result(
            events,
            days,
            level=level,
            per=(per_label, per_days),
            reason=reason,
            start=first,
            end=last,
            label=label,
        )
    rate, low, high, alpha, alpha_mom, _, _ = negbin_fit(c, level)
    return RateResult(
        rate=rate * per_days,
        ci_low=low * per_days,
        ci_high=high * per_days,
        events=events,
        exposure=days,
        per=per_label,
        per_days=per_days,
        family="negbin",
        level=level,
        reason=reason,
        dispersion=alpha,
        dispersion_moment=alpha_mom,
        start=first,
        end=last,
        label=label,
    )


def poisson_result(
    events: int,
    days: float,
    *,
    level: float,
    per: tuple[str, float],
    reason: str,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    label: str = "events",
) -> RateResult:
    """A RateResult with the exact Garwood interval."""
    low, high = garwood(events, level)
    scale = per[1] / days
    return RateResult(
        rate=events * scale,
        ci_low=float(low) * scale,
        ci_high=float(high) * scale,
        events=events,
        exposure=days,
        per=per[0],
        per_days=per[1],
        family="poisson",
        level=level,
        reason=reason,
        start=start,
        end=end,
        label=label,
    )
