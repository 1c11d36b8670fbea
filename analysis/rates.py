"""Rates of events with honest intervals, rate comparisons and checks of published claims.

Four public functions, each returning a result object:

* :func:`estimate_rate` -- events per day (week, month, year) from a count
  series or from a reported total, with an exact Poisson (Garwood) interval,
  or a negative-binomial interval when the counts are overdispersed;
* :func:`rolling_rate` -- a trailing-window rate with its band;
* :func:`compare_rates` -- the ratio of two rates with the exact conditional
  (binomial) test;
* :func:`check_claim` -- is "an average of X a day" consistent with the data?

Time covered ("exposure") is always measured in days. A count series must be
regular (one value per period, zeros included: see
:func:`analysis.counts.daily_counts`); its exposure is the number of periods
times the period length: a daily series of 7 values covers 7 days (also across
a daylight-saving change), a weekly one 7 days per value, a monthly one the
actual length of each month.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.offsets import BaseOffset, Day, Tick

from analysis._results import Result, get_ax
from analysis.counts import (
    WINDOW_END,
    WINDOW_START,
    CountDataError,
    local_day,
    regular_offset,
)
from analysis.errors import Problem

__all__ = [
    "DISPERSION_TEST_LEVEL",
    "PER_DAYS",
    "ClaimCheck",
    "RateComparison",
    "RateResult",
    "RollingRateResult",
    "check_claim",
    "compare_rates",
    "estimate_rate",
    "rolling_rate",
]

#: Length in days of each named ``per`` unit. A month is the mean Gregorian
#: month (365.2425 / 12 = 30.436875 days), a year the mean Gregorian year.
PER_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 30.436875, "year": 365.2425}

#: Level of the overdispersion test used by ``method="auto"``: the counts are
#: called overdispersed when the Pearson dispersion test rejects at 5%.
DISPERSION_TEST_LEVEL = 0.05

_SERIES = "<series>"
_METHODS = ("auto", "poisson", "negbin")
_METHOD_NAMES = {"poisson": "exact Poisson", "negbin": "negative binomial"}


# --------------------------------------------------------------------------- helpers


def _check_level(level: float) -> float:
    if not isinstance(level, int | float) or not 0 < float(level) < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), not {level!r}")
    return float(level)


def _per_days(per: str | float) -> tuple[str, float]:
    """Return (label, days) of a ``per`` argument."""
    if isinstance(per, str):
        if per not in PER_DAYS:
            raise ValueError(
                f"unknown per={per!r}: use one of {sorted(PER_DAYS)} or a number of days"
            )
        return per, PER_DAYS[per]
    if isinstance(per, bool) or not isinstance(per, int | float | np.number):
        raise ValueError(f"per must be 'day', 'week', 'month', 'year' or days, not {per!r}")
    days = float(per)
    if not math.isfinite(days) or days <= 0:
        raise ValueError(f"per must be a positive number of days, not {per!r}")
    return f"{days:g} days", days


def _fmt(x: float, ref: float | None = None) -> str:
    """A number with 2 decimals, more when ``ref`` (or x) is small."""
    if not math.isfinite(x):
        return "infinite" if x > 0 else "undefined"
    scale = abs(ref if ref is not None else x)
    decimals = 2
    if 0 < scale < 1:
        decimals = min(6, 1 - math.floor(math.log10(scale)) + 1)
    return f"{x:.{decimals}f}"


def _short(x: float) -> str:
    """A number for a sentence: 1 decimal from 1 up, 2 significant digits below."""
    if not math.isfinite(x):
        return "infinite"
    if x == 0:
        return "0"
    if abs(x) >= 1:
        return f"{x:.1f}".removesuffix(".0") if float(x).is_integer() else f"{x:.1f}"
    return f"{x:.2g}"


def _fmt_p(p: float) -> str:
    if p < 0.001:
        return "< 0.001"
    return f"= {p:.3f}" if p < 0.1 else f"= {p:.2f}"


def _days(x: float) -> str:
    return f"{x:g} day" + ("" if x == 1 else "s")


def _count(n: int, plural: str) -> str:
    """``41 claims``, ``1 claim``."""
    return f"{n} {plural.removesuffix('s') if n == 1 else plural}"


def _json(x: Any) -> Any:
    """A JSON-friendly scalar: plain int/float (None for non-finite), ISO dates."""
    if x is None or isinstance(x, bool | str):
        return x
    if isinstance(x, pd.Timestamp):
        return x.isoformat()
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        return float(x) if math.isfinite(x) else None
    return x


def _garwood(events: Any, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) limits of a Poisson mean for ``events`` counts.

    lower = chi2(alpha/2; 2x) / 2 (0 when x = 0), upper = chi2(1 - alpha/2; 2x + 2) / 2.
    Vectorised: ``events`` may be an array (NaN gives NaN).
    """
    from scipy.stats import chi2

    x = np.asarray(events, dtype=float)
    alpha = 1.0 - level
    with np.errstate(invalid="ignore"):
        low = np.where(x > 0, chi2.ppf(alpha / 2, 2 * np.where(x > 0, x, 1)) / 2, 0.0)
        high = chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
    low = np.where(np.isnan(x), np.nan, low)
    return low, high


def _negbin_interval(y: np.ndarray, level: float) -> tuple[np.ndarray, ...]:
    """Interval for the mean count per period of overdispersed counts (equal periods).

    ``y`` is a 2-D array, one series per row, all periods of equal length;
    returns ``(mean, low, high, alpha_moment)`` per row. The NB2 maximum
    likelihood estimate of the mean of an intercept-only model is the sample
    mean; its variance under NB2 is ``(mean + alpha * mean**2) / n``. The
    interval is Wald on the log scale, ``mean * exp(-/+ t * se)`` with
    ``se = sqrt((1/mean + alpha) / n)``, a t quantile with n - 1 degrees of
    freedom and ``alpha`` the Pearson (moment) estimate, floored at 0 (no
    less variance than Poisson). The limits are then widened, where needed,
    to the exact Poisson limits of the same total: extra-Poisson variation can
    only add uncertainty, and the Wald form is poor for a handful of events
    (a row without events gets the Poisson limits). Hand-written and
    vectorised because it is the same formula for one series or for
    thousands of simulated ones (see :func:`estimate_rate` for why the moment
    estimate of alpha is used).
    """
    from scipy.stats import t as student_t

    y = np.atleast_2d(np.asarray(y, dtype=float))
    n = y.shape[1]
    mean = y.mean(axis=1)
    var = y.var(axis=1, ddof=1) if n > 1 else np.full(len(y), np.nan)
    safe = np.where(mean > 0, mean, np.nan)
    alpha = np.maximum((var - safe) / safe**2, 0.0)
    se = np.sqrt((1.0 / safe + alpha) / n)
    q = student_t.ppf(0.5 + level / 2, max(n - 1, 1))
    g_low, g_high = _garwood(y.sum(axis=1), level)
    low = np.fmin(safe * np.exp(-q * se), g_low / n)
    high = np.fmax(safe * np.exp(q * se), g_high / n)
    return mean, low, high, alpha


@dataclass(frozen=True)
class _Counts:
    """A validated regular count series, restricted to the requested window."""

    values: np.ndarray  # int64 counts
    index: pd.DatetimeIndex
    offset: BaseOffset
    period_days: np.ndarray  # days covered by each period
    start: pd.Timestamp  # first day covered (naive local)
    end: pd.Timestamp  # last day covered, inclusive (naive local)
    name: str

    @property
    def events(self) -> int:
        return int(self.values.sum())

    @property
    def exposure(self) -> float:
        return float(self.period_days.sum())

    @property
    def daily(self) -> bool:
        return isinstance(self.offset, Day) and self.offset.n == 1


def _problem(row: int | None, column: str, value: Any, message: str) -> Problem:
    return Problem(_SERIES, row, column, None if value is None else str(value), message)


def _naive(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return index.tz_localize(None) if index.tz is not None else index


def _date_arg(value: Any, name: str) -> pd.Timestamp | None:
    return None if value is None else local_day(value, name)


def _period_length_days(offset: BaseOffset, starts: pd.DatetimeIndex) -> np.ndarray:
    ends = starts + offset
    return np.asarray((ends - starts) / pd.Timedelta(days=1), dtype=float)


def _validate_counts(
    counts: Any, *, start: Any = None, end: Any = None, need_dates: bool = True
) -> _Counts:
    """Check a count series and restrict it to whole periods starting in [start, end]."""
    if isinstance(counts, pd.DataFrame):
        raise TypeError(
            "counts must be a Series; for a table of groups pass one column, e.g. counts['drone']"
        )
    if not isinstance(counts, pd.Series):
        raise TypeError(f"counts must be a pandas Series, not {type(counts).__name__}")
    name = str(counts.name) if counts.name is not None else "count"
    if not isinstance(counts.index, pd.DatetimeIndex):
        raise CountDataError(
            _problem(
                None,
                "index",
                type(counts.index).__name__,
                "counts need a DatetimeIndex (period starts) to know the time they cover; "
                "build them with daily_counts() or give total= and exposure= instead",
            )
        )
    problems = []
    raw = counts.to_numpy()
    numeric = pd.to_numeric(counts, errors="coerce").to_numpy(dtype=float)
    dates = counts.index
    checks = [
        (np.isnan(numeric), "missing or non-numeric count (zero-fill with daily_counts)"),
        (numeric < 0, "negative count"),
        (np.isfinite(numeric) & (numeric != np.round(numeric)), "count is not a whole number"),
    ]
    for mask, message in checks:
        for pos in np.flatnonzero(mask):
            problems.append(
                _problem(
                    int(pos) + 2,
                    name,
                    raw[pos],
                    f"{message} on {pd.Timestamp(dates[int(pos)]).date()}",
                )
            )
    if not dates.is_unique or not dates.is_monotonic_increasing:
        problems.append(_problem(None, "index", None, "dates must be unique and increasing"))
    if problems:
        raise CountDataError(sorted(problems, key=lambda p: p.row or 0))
    offset = regular_offset(dates)
    if offset is None:
        raise CountDataError(
            _problem(
                None,
                "index",
                None,
                "the dates are not regular (one value per period), so the time covered is "
                "unknown; zero-fill missing periods with daily_counts() or set index.freq",
            )
        )
    naive = _naive(dates)
    lengths = _period_length_days(offset, naive)
    first, last = _date_arg(start, "start"), _date_arg(end, "end")
    if first is not None and last is not None and first > last:
        raise ValueError(f"start {first.date()} is after end {last.date()}")
    keep = np.ones(len(naive), dtype=bool)
    if first is not None:
        keep &= np.asarray(naive >= first)
    if last is not None:
        keep &= np.asarray(naive < last + pd.Timedelta(days=1))
    if not keep.any():
        raise ValueError(
            f"no periods start between {first and first.date()} and {last and last.date()}"
        )
    naive, lengths = naive[keep], lengths[keep]
    values = numeric[keep].astype(np.int64)
    period_start = naive
    period_end = naive + pd.to_timedelta(lengths, unit="D")
    # a window recorded by daily_counts: edge periods only partly counted
    if WINDOW_START in counts.attrs and WINDOW_END in counts.attrs:
        w0 = pd.Timestamp(counts.attrs[WINDOW_START])
        w1 = pd.Timestamp(counts.attrs[WINDOW_END]) + pd.Timedelta(days=1)
        lo = np.maximum(period_start.to_numpy(), w0.to_datetime64())
        hi = np.minimum(period_end.to_numpy(), w1.to_datetime64())
        lengths = np.clip((hi - lo) / np.timedelta64(1, "D"), 0.0, None)
    cover_start = period_start[0]
    cover_end = (period_end[-1] - pd.Timedelta(days=1)).normalize()
    if WINDOW_START in counts.attrs and WINDOW_END in counts.attrs:
        cover_start = max(cover_start, pd.Timestamp(counts.attrs[WINDOW_START]))
        cover_end = min(cover_end, pd.Timestamp(counts.attrs[WINDOW_END]))
    if need_dates and lengths.sum() <= 0:
        raise ValueError("the counts cover no time (exposure 0 days)")
    return _Counts(
        values=values,
        index=dates[keep],
        offset=offset,
        period_days=np.asarray(lengths, dtype=float),
        start=cover_start,
        end=cover_end,
        name=name,
    )


def _check_total(total: Any, exposure: Any, start: Any, end: Any) -> tuple[int, float]:
    """Validate a reported total and its exposure in days (or start/end dates)."""
    if isinstance(total, bool) or not isinstance(total, int | float | np.number):
        raise ValueError(f"total must be a whole number of events, not {total!r}")
    value = float(total)
    if not math.isfinite(value) or value < 0 or not value.is_integer():
        raise ValueError(f"total must be a whole number of events >= 0, not {total!r}")
    first, last = _date_arg(start, "start"), _date_arg(end, "end")
    span = None
    if first is not None and last is not None:
        if first > last:
            raise ValueError(f"start {first.date()} is after end {last.date()}")
        span = float((last - first).days + 1)
    if exposure is None:
        if span is None:
            raise ValueError("give exposure= (days) or both start= and end= with total=")
        exposure = span
    if isinstance(exposure, bool) or not isinstance(exposure, int | float | np.number):
        raise ValueError(f"exposure must be a number of days, not {exposure!r}")
    if not math.isfinite(float(exposure)) or float(exposure) <= 0:
        raise ValueError(f"exposure must be a positive number of days, not {exposure!r}")
    if span is not None and not math.isclose(float(exposure), span):
        raise ValueError(
            f"exposure={exposure} days disagrees with start..end ({span:g} days inclusive)"
        )
    return int(value), float(exposure)


def _pearson_dispersion(y: Any, e: Any = 1.0) -> tuple[np.ndarray, int, np.ndarray]:
    """Pearson dispersion test, vectorised over rows: (statistic, df, one-sided p).

    ``y`` holds one series of counts per row, ``e`` the period lengths
    (broadcast against ``y``). X2 = sum((y_i - e_i r)^2 / (e_i r)) with
    r = sum(y) / sum(e) is approximately chi2 with n - 1 degrees of freedom
    for Poisson counts; large values mean overdispersion (variance above the
    mean). Rows without events give NaN. Hand-written because the same few
    lines serve one series and thousands of simulated ones.
    """
    from scipy.stats import chi2

    y = np.atleast_2d(np.asarray(y, dtype=float))
    e = np.broadcast_to(np.asarray(e, dtype=float), y.shape)
    total = y.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = e * total / e.sum(axis=1, keepdims=True)
        stat = np.sum((y - expected) ** 2 / expected, axis=1)
    stat = np.where(total[:, 0] > 0, stat, np.nan)
    df = y.shape[1] - 1
    return stat, df, chi2.sf(stat, df)


def _dispersion_test(c: _Counts) -> tuple[float, int, float] | None:
    """The Pearson dispersion test of one series, or None when it cannot be done."""
    mask = c.period_days > 0
    y, e = c.values[mask], c.period_days[mask]
    if len(y) < 2 or y.sum() == 0:
        return None
    stat, df, p = _pearson_dispersion(y, e)
    return float(stat[0]), df, float(p[0])


def _negbin_fit(c: _Counts, level: float) -> tuple[float, float, float, float, float]:
    """(rate per day, low, high, alpha MLE, alpha moment) for overdispersed counts.

    The point estimate and the NB2 dispersion come from an intercept-only
    statsmodels ``NegativeBinomial`` fit with the period lengths as exposure.
    """
    from scipy.optimize import brentq
    from scipy.stats import t as student_t
    from statsmodels.discrete.discrete_model import NegativeBinomial

    mask = c.period_days > 0
    y, e = c.values[mask].astype(float), c.period_days[mask]
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
    g_low, g_high = _garwood(y.sum(), level)  # never narrower than exact Poisson
    low = min(rate * math.exp(-half), float(g_low) / e.sum())
    high = max(rate * math.exp(half), float(g_high) / e.sum())
    return rate, low, high, alpha_mle, alpha_mom


# --------------------------------------------------------------------------- results


def _errorbar(ax: Any, x: float, value: float, low: float, high: float, **kw: Any) -> None:
    yerr = [[value - low], [high - value if math.isfinite(high) else 0.0]]
    ax.errorbar([x], [value], yerr=yerr, fmt="o", capsize=4, **kw)


@dataclass(frozen=True, repr=False)
class RateResult(Result):
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
    method : str
        "poisson" (exact Garwood interval) or "negbin".
    level : float
        Confidence level of the interval.
    reason : str
        One sentence on why ``method`` was used.
    dispersion : float or None
        NB2 dispersion alpha (variance = mean + alpha * mean**2 per period),
        maximum likelihood estimate; None for Poisson.
    start, end : pandas.Timestamp or None
        First and last day covered (inclusive), when known.
    """

    rate: float
    ci_low: float
    ci_high: float
    events: int
    exposure: float
    per: str
    per_days: float
    method: str
    level: float
    reason: str
    dispersion: float | None = None
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    dispersion_moment: float | None = None
    label: str = "events"

    def summary(self) -> str:
        """One line: ``5.86 per day (95% CI 4.20-7.95), 41 events in 7 days, exact Poisson``."""
        ref = self.rate if self.rate > 0 else self.ci_high
        text = (
            f"{_fmt(self.rate, ref)} per {self.per} ({self.level:.0%} CI "
            f"{_fmt(self.ci_low, ref)}-{_fmt(self.ci_high, ref)}), "
            f"{_count(self.events, self.label)} in {_days(self.exposure)}"
        )
        if self.start is not None and self.end is not None:
            text += f" ({self.start.date()} to {self.end.date()})"
        return f"{text}, {_METHOD_NAMES[self.method]}"

    def __repr__(self) -> str:
        return f"<RateResult>\n{self.summary()}\n{self.reason}"

    def to_dict(self) -> dict[str, Any]:
        """The statistics as plain JSON-friendly values (dates as ISO strings)."""
        keys = (
            "rate ci_low ci_high events exposure per per_days method level reason "
            "dispersion dispersion_moment start end"
        ).split()
        out = {k: _json(getattr(self, k)) for k in keys}
        for k in ("start", "end"):
            value = getattr(self, k)
            out[k] = None if value is None else value.date().isoformat()
        return out

    def plot(self, ax: Any = None, *, label: str | None = None) -> Any:
        """Draw the rate as a point with its interval as an error bar; return the Axes."""
        ax = get_ax(ax)
        _errorbar(ax, 0.0, self.rate, self.ci_low, self.ci_high)
        ax.set_xticks([0.0])
        ax.set_xticklabels(
            [label or f"{_count(self.events, self.label)} in {_days(self.exposure)}"]
        )
        ax.set_ylabel(f"{self.label} per {self.per}")
        ax.set_ylim(bottom=0)
        ax.set_title(f"{self.level:.0%} interval, {_METHOD_NAMES[self.method]}")
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
    method: str = "auto",
) -> RateResult:
    """Estimate an event rate with an interval, from counts or from a reported total.

    Parameters
    ----------
    counts : pandas.Series, optional
        Regular counts (zeros included) indexed by period start, e.g. from
        :func:`analysis.counts.daily_counts`. Exposure is the time covered in
        days: number of periods x period length (7 per week, actual month
        lengths), clipped to the window recorded by ``daily_counts``.
    total : int, optional
        A reported number of events (instead of ``counts``).
    exposure : float, optional
        Days covered by ``total``. May be omitted when both ``start`` and
        ``end`` are given (then it is end - start + 1 days).
    start, end : str or Timestamp, optional
        Inclusive dates. With ``counts``: keep the whole periods whose start
        lies in [start, end].
    level : float, default 0.95
        Confidence level, strictly between 0 and 1.
    per : {"day", "week", "month", "year"} or float, default "day"
        Unit of the rate; a month is 30.436875 days and a year 365.2425 days
        (Gregorian means); a number means that many days.
    method : {"auto", "poisson", "negbin"}, default "auto"
        ``"poisson"``: exact Garwood interval, lower limit 0 when there are no
        events. ``"negbin"``: for overdispersed counts (variance above the
        mean, e.g. bursts of attacks); see Notes. ``"auto"``: the Pearson
        dispersion test at level 0.05 (:data:`DISPERSION_TEST_LEVEL`), negbin
        when it rejects, else poisson; ``reason`` gives the statistic and
        p-value. With a total only, "auto" means poisson, because the
        dispersion cannot be checked from a total.

    Returns
    -------
    RateResult
        ``rate, ci_low, ci_high`` (events per ``per``), ``events``,
        ``exposure`` (days), ``per``, ``method``, ``level``, ``reason``,
        ``dispersion``, ``start``, ``end``.

    Raises
    ------
    analysis.counts.CountDataError
        Negative, fractional or missing counts (each with its row and date),
        a Series without a DatetimeIndex, irregular dates.
    ValueError
        Bad ``total``, ``exposure`` <= 0, ``level`` outside (0, 1), unknown
        ``per`` or ``method``, ``start`` after ``end``.

    Notes
    -----
    The negative-binomial method fits an intercept-only NB2 model with
    statsmodels (period lengths as exposure): its estimate of the rate, and
    its maximum-likelihood dispersion alpha, reported as ``dispersion``. The
    interval is Wald on the log scale with a t quantile (n - 1 degrees of
    freedom) and the NB2 variance evaluated at the Pearson (moment) estimate
    of alpha, widened where needed to the exact Poisson limits of the same
    total (overdispersion only adds uncertainty, and the Wald form is poor
    for a handful of events). Why not the likelihood's own standard error: the MLE of alpha
    is biased low in short series, and in our simulations (mean 20 a day,
    alpha 0.3) the resulting interval covered the true rate only 79% (z) to
    86% (t) of the time over 7 days and 91% over 30 days; with the moment
    estimate coverage was 93-95% from 7 to 60 days across the settings we
    tried (tests/rates/test_rates_simulation.py re-checks this).

    Examples
    --------
    >>> r = estimate_rate(total=41, exposure=7)
    >>> print(r.summary())
    5.86 per day (95% CI 4.20-7.95), 41 events in 7 days, exact Poisson
    >>> round(estimate_rate(total=41, exposure=7, per="week").rate, 1)
    41.0
    """
    level = _check_level(level)
    per_label, per_days = _per_days(per)
    if method not in _METHODS:
        raise ValueError(f"unknown method {method!r}: use one of {_METHODS}")
    if counts is None:
        if total is None:
            raise ValueError("give counts, or total= with exposure= (days)")
        events, days = _check_total(total, exposure, start, end)
        if method == "negbin":
            raise ValueError(
                "method='negbin' needs counts per period: a total cannot show overdispersion"
            )
        reason = (
            "Only a total was given, so the dispersion of the counts cannot be checked; "
            "exact Poisson interval (events assumed independent at a constant rate)."
            if method == "auto"
            else "Exact Poisson interval, as requested."
        )
        return _poisson_result(
            events,
            days,
            level=level,
            per=(per_label, per_days),
            reason=reason,
            start=_date_arg(start, "start"),
            end=_date_arg(end, "end"),
        )
    if total is not None or exposure is not None:
        raise ValueError("give either counts or total= and exposure=, not both")
    c = _validate_counts(counts, start=start, end=end)
    return _estimate_from_counts(
        c, level=level, per_label=per_label, per_days=per_days, method=method
    )


def _estimate_from_counts(
    c: _Counts, *, level: float, per_label: str, per_days: float, method: str
) -> RateResult:
    reason = "Exact Poisson interval, as requested."
    if method == "auto":
        test = _dispersion_test(c)
        if test is None:
            method = "poisson"
            reason = (
                "Too few periods or no events to test for overdispersion; exact Poisson interval."
            )
        else:
            stat, df, p = test
            over = p < DISPERSION_TEST_LEVEL
            method = "negbin" if over else "poisson"
            verdict = "Counts are overdispersed" if over else "No evidence of overdispersion"
            used = "negative binomial interval" if over else "exact Poisson interval"
            reason = (
                f"{verdict}: Pearson dispersion statistic {stat:.1f} on {df} df "
                f"(ratio {stat / df:.2f}), p {_fmt_p(p)} at the "
                f"{DISPERSION_TEST_LEVEL:.0%} level; {used}."
            )
    elif method == "negbin":
        reason = "Negative binomial interval, as requested."
    events, days = c.events, c.exposure
    if method == "negbin" and (events == 0 or int(np.sum(c.period_days > 0)) < 2):
        method = "poisson"
        reason = "A negative binomial needs events in at least two periods; exact Poisson interval."
    if method == "poisson":
        return _poisson_result(
            events,
            days,
            level=level,
            per=(per_label, per_days),
            reason=reason,
            start=c.start,
            end=c.end,
            label=_plural(c.name),
        )
    rate, low, high, alpha, alpha_mom = _negbin_fit(c, level)
    return RateResult(
        rate=rate * per_days,
        ci_low=low * per_days,
        ci_high=high * per_days,
        events=events,
        exposure=days,
        per=per_label,
        per_days=per_days,
        method="negbin",
        level=level,
        reason=reason,
        dispersion=alpha,
        dispersion_moment=alpha_mom,
        start=c.start,
        end=c.end,
        label=_plural(c.name),
    )


def _poisson_result(
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
    low, high = _garwood(events, level)
    scale = per[1] / days
    return RateResult(
        rate=events * scale,
        ci_low=float(low) * scale,
        ci_high=float(high) * scale,
        events=events,
        exposure=days,
        per=per[0],
        per_days=per[1],
        method="poisson",
        level=level,
        reason=reason,
        start=start,
        end=end,
        label=label,
    )


def _plural(name: str) -> str:
    """A count series' name as a plural noun for sentences ("count" -> "events")."""
    if name in {"count", "counts", "quantity", "value", "None"}:
        return "events"
    return name if name.endswith("s") else f"{name}s"


# --------------------------------------------------------------------------- rolling


@dataclass(frozen=True, repr=False)
class RollingRateResult(Result):
    """Trailing-window rates with their bands.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``rate, ci_low, ci_high`` (per ``per``), ``events``,
        ``exposure`` (days), indexed like the counts; NaN where the window is
        not yet full.
    counts : pandas.Series
        The counts the rates were computed from.
    window : str
        The window, e.g. "7D".
    periods : int
        Number of periods in a window.
    level, per, method
        As passed.
    """

    frame: pd.DataFrame
    counts: pd.Series
    window: str
    periods: int
    level: float
    per: str
    method: str

    def to_frame(self) -> pd.DataFrame:
        """A copy of the table of rates (one row per period)."""
        return self.frame.copy()

    def summary(self) -> str:
        """Latest and highest windowed rate."""
        full = self.frame.dropna(subset=["rate"])
        head = (
            f"Trailing {self.window} rate per {self.per} ({self.level:.0%} band, "
            f"{_METHOD_NAMES[self.method]}), {len(full)} full windows"
        )
        if full.empty:
            return head + " (the series is shorter than the window)."
        top_pos = int(np.argmax(full["rate"].to_numpy()))
        last, top = full.iloc[-1], full.iloc[top_pos]
        dates = pd.DatetimeIndex(full.index)
        return (
            f"{head}; latest ({dates[-1].date()}): {_fmt(last['rate'])} "
            f"({_fmt(last['ci_low'])}-{_fmt(last['ci_high'])}); highest "
            f"({dates[top_pos].date()}): {_fmt(top['rate'])} "
            f"({_fmt(top['ci_low'])}-{_fmt(top['ci_high'])})."
        )

    def to_dict(self) -> dict[str, Any]:
        """Window settings and the rows as lists (dates as ISO strings, NaN as None)."""
        return {
            "window": self.window,
            "periods": self.periods,
            "level": self.level,
            "per": self.per,
            "method": self.method,
            "date": [ts.isoformat() for ts in self.frame.index],
            **{
                col: [_json(float(v)) for v in self.frame[col].to_numpy()]
                for col in self.frame.columns
            },
        }

    def plot(self, ax: Any = None, *, show_counts: bool = True, color: str | None = None) -> Any:
        """Draw counts as points, the rate line and its band; return the Axes.

        Counts are drawn only when ``per`` matches the period (a daily rate
        over daily counts); pass ``show_counts=False`` when bars are already
        drawn on ``ax``.
        """
        ax = get_ax(ax)
        x = _naive(pd.DatetimeIndex(self.frame.index))
        if show_counts and self.counts is not None:
            ax.plot(x, self.counts.to_numpy(), ".", color="0.55", ms=3, label="count per period")
        (line,) = ax.plot(
            x, self.frame["rate"], color=color, lw=1.6, label=f"{self.window} rate per {self.per}"
        )
        ax.fill_between(
            x,
            self.frame["ci_low"],
            self.frame["ci_high"],
            color=line.get_color(),
            alpha=0.25,
            lw=0,
            label=f"{self.level:.0%} band",
        )
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left")
        _concise_dates(ax)
        return ax


def _concise_dates(ax: Any) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _window_periods(window: str | int, offset: BaseOffset) -> int:
    if isinstance(offset, Day):
        step = pd.Timedelta(days=offset.n)
    elif isinstance(offset, Tick):
        step = pd.Timedelta(offset)
    else:
        raise ValueError(
            f"rolling_rate needs counts with a fixed period (daily or shorter), not {offset!r}"
        )
    if isinstance(window, int | np.integer) and not isinstance(window, bool):
        periods = int(window)
    else:
        try:
            width = pd.Timedelta(window)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"window={window!r} is not a duration such as '7D'") from exc
        ratio = width / step
        if ratio < 1 or not float(ratio).is_integer():
            raise ValueError(f"window={window!r} is not a whole number of {step} periods")
        periods = int(ratio)
    if periods < 1:
        raise ValueError(f"window must cover at least one period, not {window!r}")
    return periods


def rolling_rate(
    counts: pd.Series,
    *,
    window: str | int = "7D",
    level: float = 0.95,
    per: str | float = "day",
    method: str = "poisson",
) -> RollingRateResult:
    """Trailing-window rate with an interval band, one value per period.

    Parameters
    ----------
    counts : pandas.Series
        Regular counts with a fixed period (daily, or shorter), zeros included.
    window : str or int, default "7D"
        Window length as a duration (a whole number of periods) or a number of
        periods. The value at date t uses the periods t - window + 1 .. t.
    level : float, default 0.95
        Level of the band.
    per : str or float, default "day"
        Unit of the rate (see :func:`estimate_rate`).
    method : {"poisson", "negbin"}, default "poisson"
        ``"poisson"``: exact Garwood band per window. ``"negbin"``: the
        overdispersion-robust interval of :func:`estimate_rate` in every
        window (the dispersion is estimated from the window's counts alone,
        so it is noisy for short windows).

    Returns
    -------
    RollingRateResult
        ``to_frame()`` has columns ``rate, ci_low, ci_high, events,
        exposure``. The first ``window - 1`` periods are NaN: a partial
        window is a different, shorter measurement, not the same rate.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([3, 5, 4, 6, 2, 5, 8, 9],
    ...               index=pd.date_range("2024-01-01", periods=8, freq="D"))  # simulated
    >>> rr = rolling_rate(s, window="7D")
    >>> rr.to_frame()["events"].tolist()[-2:]
    [33.0, 39.0]
    """
    level = _check_level(level)
    per_label, per_days = _per_days(per)
    if method not in ("poisson", "negbin"):
        raise ValueError(f"rolling_rate method must be 'poisson' or 'negbin', not {method!r}")
    c = _validate_counts(counts)
    periods = _window_periods(window, c.offset)
    values = pd.Series(c.values.astype(float), index=counts.index)
    events = values.rolling(periods, min_periods=periods).sum()
    days = pd.Series(c.period_days, index=counts.index).rolling(periods, min_periods=periods).sum()
    scale = per_days / days.to_numpy()
    if method == "poisson":
        low, high = _garwood(events.to_numpy(), level)
        rate = events.to_numpy() * scale
        low, high = low * scale, high * scale
    else:
        rate = np.full(len(values), np.nan)
        low, high = rate.copy(), rate.copy()
        if len(values) >= periods:
            windows = np.lib.stride_tricks.sliding_window_view(c.values, periods)
            mean, lo, hi, _ = _negbin_interval(windows, level)
            per_period = per_days / (days.to_numpy()[periods - 1 :] / periods)
            rate[periods - 1 :] = mean * per_period
            low[periods - 1 :] = lo * per_period
            high[periods - 1 :] = hi * per_period
    frame = pd.DataFrame(
        {"rate": rate, "ci_low": low, "ci_high": high, "events": events, "exposure": days},
        index=counts.index,
    )
    label = window if isinstance(window, str) else f"{periods}-period"
    return RollingRateResult(
        frame=frame,
        counts=counts,
        window=label,
        periods=periods,
        level=level,
        per=per_label,
        method=method,
    )


# --------------------------------------------------------------------------- comparison


def _as_rate(x: Any, level: float) -> RateResult:
    if isinstance(x, RateResult):
        return x
    if isinstance(x, pd.Series):
        return estimate_rate(x, level=level, method="auto")
    raise TypeError(f"expected a count Series or a RateResult, not {type(x).__name__}")


@dataclass(frozen=True, repr=False)
class RateComparison(Result):
    """Ratio of two rates with the exact conditional test.

    Attributes
    ----------
    ratio, ci_low, ci_high : float
        Rate ratio a / b and its exact interval (``inf`` when b has no events).
    p_value : float
        Two-sided exact conditional (binomial) test of equal rates.
    a, b : RateResult
        The two rates.
    level : float
        Confidence level.
    names : tuple of str
        Labels used in the summary.
    """

    ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    a: RateResult
    b: RateResult
    level: float
    names: tuple[str, str] = ("a", "b")

    def summary(self) -> str:
        """In words: "a is 2.3x b (95% CI ...), p = ..."."""
        na, nb = self.names
        if math.isnan(self.ratio):
            head = f"Neither {na} nor {nb} has any events: the ratio is undefined"
        else:
            ref = self.ratio if 0 < self.ratio < math.inf else 1.0
            head = (
                f"{na} is {_fmt(self.ratio, ref)}x {nb} ({self.level:.0%} CI "
                f"{_fmt(self.ci_low, ref)}-{_fmt(self.ci_high, ref)})"
            )
        text = (
            f"{head}, p {_fmt_p(self.p_value)} (exact conditional test of equal rates); "
            f"{na}: {self.a.events} in {_days(self.a.exposure)}, "
            f"{nb}: {self.b.events} in {_days(self.b.exposure)}."
        )
        over = [
            n for n, r in zip(self.names, (self.a, self.b), strict=True) if r.method == "negbin"
        ]
        if over:
            text += (
                f" Caution: the counts of {' and '.join(over)} are overdispersed, so this "
                "Poisson-based test is too optimistic (interval too narrow, p too small)."
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        """Ratio, interval, p-value and both rates as dictionaries."""
        return {
            "ratio": _json(self.ratio),
            "ci_low": _json(self.ci_low),
            "ci_high": _json(self.ci_high),
            "p_value": _json(self.p_value),
            "level": self.level,
            "names": list(self.names),
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
        }

    def plot(self, ax: Any = None) -> Any:
        """Both rates with their intervals, the ratio in the title; return the Axes."""
        ax = get_ax(ax)
        unit = self.a.per_days
        for x, r in enumerate((self.a, self.b)):
            k = unit / r.per_days  # both in a's unit
            _errorbar(ax, float(x), r.rate * k, r.ci_low * k, r.ci_high * k)
        ax.set_xticks([0, 1])
        ax.set_xticklabels(list(self.names))
        ax.set_xlim(-0.6, 1.6)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(f"rate per {self.a.per}")
        ref = self.ratio if 0 < self.ratio < math.inf else 1.0
        ax.set_title(
            f"ratio {_fmt(self.ratio, ref)} ({self.level:.0%} CI {_fmt(self.ci_low, ref)}-"
            f"{_fmt(self.ci_high, ref)}), p {_fmt_p(self.p_value)}"
        )
        return ax


def compare_rates(
    a: pd.Series | RateResult,
    b: pd.Series | RateResult,
    *,
    level: float = 0.95,
    names: tuple[str, str] = ("a", "b"),
) -> RateComparison:
    """Compare two rates: ratio a/b, exact interval and exact conditional test.

    Given the total n = events_a + events_b, events_a is Binomial(n, p0)
    under equal rates, with p0 = exposure_a / (exposure_a + exposure_b). The
    p-value is scipy's two-sided ``binomtest``; the interval is the
    Clopper-Pearson interval (pl, pu) of p mapped to the ratio
    R = p / (1 - p) * exposure_b / exposure_a. With no events in a the ratio
    is 0 (lower limit 0); with none in b it is infinite (upper limit inf).

    Parameters
    ----------
    a, b : pandas.Series or RateResult
        Count series (see :func:`estimate_rate`) or rate results. Only their
        events and exposures (days) are used, so the ratio does not depend on
        ``per``.
    level : float, default 0.95
        Confidence level.
    names : tuple of str, default ("a", "b")
        Labels for the summary and plot.

    Returns
    -------
    RateComparison
        ``ratio, ci_low, ci_high, p_value, a, b, level``.

    Examples
    --------
    >>> cmp = compare_rates(estimate_rate(total=41, exposure=7),
    ...                     estimate_rate(total=20, exposure=7))
    >>> round(cmp.ratio, 2)
    2.05
    """
    from scipy.stats import binomtest

    level = _check_level(level)
    ra, rb = _as_rate(a, level), _as_rate(b, level)
    ea, eb, ta, tb = ra.events, rb.events, ra.exposure, rb.exposure
    n = ea + eb
    if n == 0:
        ratio, low, high, p = math.nan, 0.0, math.inf, 1.0
    else:
        test = binomtest(ea, n, ta / (ta + tb), alternative="two-sided")
        ci = test.proportion_ci(confidence_level=level, method="exact")

        def to_ratio(prob: float) -> float:
            return math.inf if prob >= 1 else prob / (1 - prob) * tb / ta

        ratio = math.inf if eb == 0 else (ea / ta) / (eb / tb)
        low, high, p = to_ratio(ci.low), to_ratio(ci.high), float(test.pvalue)
    return RateComparison(
        ratio=ratio,
        ci_low=low,
        ci_high=high,
        p_value=p,
        a=ra,
        b=rb,
        level=level,
        names=(str(names[0]), str(names[1])),
    )


# --------------------------------------------------------------------------- claims


@dataclass(frozen=True, repr=False)
class ClaimCheck(Result):
    """A published rate claim checked against data.

    Attributes
    ----------
    estimate : RateResult
        The rate estimated from the data or the reported total.
    claimed_rate : float
        The claimed rate, per ``estimate.per``.
    p_value : float
        Two-sided test of the claimed rate (see :func:`check_claim`).
    consistent : bool
        True when the claimed rate lies inside the interval.
    verdict : str
        One plain sentence.
    max_in_a_day : int or None
        The claimed maximum in one day, when given.
    observed_max : int or None
        The largest daily count in the data (None with only a total).
    max_probability : float or None
        Probability, under the estimated rate, of at least one day with
        ``max_in_a_day`` or more events over the period.
    max_note : str
        A sentence about the daily maximum ("" when not asked).
    """

    estimate: RateResult
    claimed_rate: float
    p_value: float
    consistent: bool
    verdict: str
    max_in_a_day: int | None = None
    observed_max: int | None = None
    max_probability: float | None = None
    max_note: str = ""

    @property
    def level(self) -> float:
        """Confidence level of the interval."""
        return self.estimate.level

    def summary(self) -> str:
        """The verdict, the daily-maximum note and the estimate."""
        parts = [self.verdict]
        if self.max_note:
            parts.append(self.max_note)
        parts.append(f"Estimate: {self.estimate.summary()}. p {_fmt_p(self.p_value)}.")
        parts.append(self.estimate.reason)
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Verdict, test and estimate as JSON-friendly values."""
        return {
            "claimed_rate": _json(self.claimed_rate),
            "p_value": _json(self.p_value),
            "consistent": bool(self.consistent),
            "verdict": self.verdict,
            "max_in_a_day": self.max_in_a_day,
            "observed_max": self.observed_max,
            "max_probability": _json(self.max_probability),
            "max_note": self.max_note,
            "estimate": self.estimate.to_dict(),
        }

    def plot(self, ax: Any = None) -> Any:
        """The estimate with its interval and the claimed rate as a dashed line."""
        ax = get_ax(ax)
        est = self.estimate
        _errorbar(ax, 0.0, est.rate, est.ci_low, est.ci_high, label="estimate")
        ax.axhline(
            self.claimed_rate,
            ls="--",
            color="0.3",
            label=f"claimed: {self.claimed_rate:g} per {est.per}",
        )
        ax.set_xticks([0.0])
        ax.set_xticklabels([f"{_count(est.events, est.label)} in {_days(est.exposure)}"])
        ax.set_xlim(-1, 1)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(f"{est.label} per {est.per}")
        ax.set_title(
            "consistent with the claim" if self.consistent else "inconsistent with the claim"
        )
        ax.legend(loc="best")
        return ax


def _poisson_two_sided(events: int, mean: float) -> float:
    """Two-sided exact Poisson p-value: twice the smaller tail, capped at 1.

    The doubled tail is the test whose inversion gives the Garwood interval,
    so p < 1 - level exactly when the claimed rate is outside the interval.
    """
    from scipy.stats import poisson

    if mean <= 0:
        return 1.0 if events == 0 else 0.0
    lower = float(poisson.cdf(events, mean))
    upper = float(poisson.sf(events - 1, mean))
    return min(1.0, 2 * min(lower, upper))


def _negbin_p_value(c: _Counts, claimed_per_day: float, level: float) -> float:
    """Two-sided Wald p-value on the log scale matching the negbin interval."""
    from scipy.stats import t as student_t

    rate, _, high, _, _ = _negbin_fit(c, level)
    n = int(np.sum(c.period_days > 0))
    q = float(student_t.ppf(0.5 + level / 2, max(n - 1, 1)))
    se = (math.log(high) - math.log(rate)) / q
    if claimed_per_day <= 0:
        return 0.0
    stat = (math.log(rate) - math.log(claimed_per_day)) / se
    return float(2 * student_t.sf(abs(stat), max(n - 1, 1)))


def _max_probability(k: int, per_day: float, days: int, alpha: float | None) -> float:
    """P(at least one of ``days`` days has >= k events) = 1 - F(k - 1)^days."""
    from scipy.stats import nbinom, poisson

    if k <= 0:
        return 1.0
    if alpha:  # NB2 with mean per_day and variance per_day + alpha * per_day^2
        size = 1.0 / alpha
        cdf = float(nbinom.cdf(k - 1, size, size / (size + per_day)))
    else:
        cdf = float(poisson.cdf(k - 1, per_day))
    return 1.0 - cdf**days


def check_claim(
    counts: pd.Series | None = None,
    *,
    total: float | None = None,
    exposure: float | None = None,
    claimed_rate: float,
    start: Any = None,
    end: Any = None,
    max_in_a_day: int | None = None,
    per: str | float = "day",
    level: float = 0.95,
    label: str | None = None,
) -> ClaimCheck:
    """Test a published claim such as "an average of five a day" against data.

    Parameters
    ----------
    counts : pandas.Series, optional
        Regular counts (see :func:`estimate_rate`).
    total, exposure : optional
        A reported total and the days it covers, instead of ``counts``.
    claimed_rate : float
        The claimed average, in events per ``per``.
    start, end : str or Timestamp, optional
        Inclusive dates of the period the claim is about.
    max_in_a_day : int, optional
        A claimed maximum in one day ("eight in one 24-hour period"). With
        daily counts it is compared with the observed daily maximum; in all
        cases the note gives the probability of at least one day with that
        many or more over the period under the estimated rate (Poisson, or
        the fitted negative binomial when the counts are overdispersed): one
        minus F(k - 1) to the power of the number of days. A total cannot
        show the daily maximum, and the note says so.
    per : str or float, default "day"
        Unit of ``claimed_rate``.
    level : float, default 0.95
        Level of the interval; the claim is consistent when it lies inside.
    label : str, optional
        Plural noun for the events in the verdict ("claims"); by default the
        count series' name or "events".

    Returns
    -------
    ClaimCheck
        ``estimate``, ``p_value``, ``consistent``, ``verdict`` and the
        daily-maximum fields.

    Notes
    -----
    The rate is estimated as in :func:`estimate_rate` with ``method="auto"``.
    For Poisson the p-value is the two-sided exact test (twice the smaller
    tail), the test whose inversion is the Garwood interval, so ``consistent``
    and ``p_value >= 1 - level`` agree. For overdispersed counts the p-value
    is the Wald test on the log scale that matches the negative-binomial
    interval, and the verdict says the counts are overdispersed.

    Examples
    --------
    >>> chk = check_claim(total=41, exposure=7, claimed_rate=5, label="claims")
    >>> chk.consistent
    True
    >>> print(chk.verdict)
    Consistent: 41 claims in 7 days is 5.9 a day (95% CI 4.2-7.9); the claimed 5 a day is inside the interval.
    """  # noqa: E501
    if isinstance(claimed_rate, bool) or not isinstance(claimed_rate, int | float | np.number):
        raise ValueError(f"claimed_rate must be a number, not {claimed_rate!r}")
    if not math.isfinite(float(claimed_rate)) or claimed_rate < 0:
        raise ValueError(f"claimed_rate must be a number >= 0, not {claimed_rate!r}")
    if max_in_a_day is not None and (
        isinstance(max_in_a_day, bool)
        or not isinstance(max_in_a_day, int | np.integer)
        or max_in_a_day < 0
    ):
        raise ValueError(f"max_in_a_day must be a whole number >= 0, not {max_in_a_day!r}")
    est = estimate_rate(
        counts, total=total, exposure=exposure, start=start, end=end, level=level, per=per
    )
    if label:
        est = _relabel(est, label)
    claimed = float(claimed_rate)
    claimed_per_day = claimed / est.per_days
    c = _validate_counts(counts, start=start, end=end) if counts is not None else None
    if est.method == "negbin" and c is not None:
        p = _negbin_p_value(c, claimed_per_day, est.level)
    else:
        p = _poisson_two_sided(est.events, claimed_per_day * est.exposure)
    consistent = bool(est.ci_low <= claimed <= est.ci_high)
    unit = "a day" if est.per == "day" else f"per {est.per}"
    where = (
        "inside the interval"
        if consistent
        else ("below the interval" if claimed < est.ci_low else "above the interval")
    )
    verdict = (
        f"{'Consistent' if consistent else 'Inconsistent'}: {_count(est.events, est.label)} in "
        f"{_days(est.exposure)} is {_short(est.rate)} {unit} ({est.level:.0%} CI "
        f"{_short(est.ci_low)}-{_short(est.ci_high)}); the claimed {claimed:g} {unit} is "
        f"{where}."
    )
    if not consistent:
        verdict = verdict[:-1] + f" (p {_fmt_p(p)})."
    if est.method == "negbin":
        verdict += " The daily counts are overdispersed, so the interval allows for bursts."
    observed_max, prob, note = None, None, ""
    if max_in_a_day is not None:
        k = int(max_in_a_day)
        days = round(est.exposure)
        per_day = est.rate / est.per_days
        # the fitted dispersion describes a day only when the periods are days
        daily = c is not None and c.daily
        alpha = est.dispersion_moment if est.method == "negbin" and daily else None
        prob = _max_probability(k, per_day, days, alpha)
        chance = (
            f"at the estimated {_short(per_day)} a day, a day with {k} or more happens at "
            f"least once in {_days(days)} with probability {prob:.2f}"
        )
        if c is not None and c.daily:
            observed_max = int(c.values.max())
            relation = "at least" if observed_max >= k else "below"
            note = (
                f"Claimed {k} in one day: the busiest day had {observed_max} "
                f"({relation} the claim); {chance}."
            )
        else:
            kind = "a total" if c is None else "counts that are not daily"
            note = (
                f"Claimed {k} in one day: the daily maximum cannot be checked from {kind}; "
                f"{chance}."
            )
    return ClaimCheck(
        estimate=est,
        claimed_rate=claimed,
        p_value=p,
        consistent=consistent,
        verdict=verdict,
        max_in_a_day=None if max_in_a_day is None else int(max_in_a_day),
        observed_max=observed_max,
        max_probability=prob,
        max_note=note,
    )


def _relabel(est: RateResult, label: str) -> RateResult:
    return replace(est, label=label)
