"""check_claim and ClaimCheck: a published rate claim tested against data."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from analysis._draw import errorbar, get_ax
from analysis._format import fmt_count, fmt_days, fmt_short, jsonable, p_text
from analysis._results import Result
from analysis._series import CountSeries
from analysis.rates._estimate import RateResult, estimate_from_counts, estimate_rate, negbin_fit
from analysis.rates._inputs import check_level, parse_per, read_counts
from analysis.rates._numerics import max_day_probability, poisson_two_sided


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
        parts.append(f"Estimate: {self.estimate.summary()}. {p_text(self.p_value)}.")
        parts.append(self.estimate.reason)
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Verdict, test and estimate as JSON-friendly values."""
        return {
            "claimed_rate": jsonable(self.claimed_rate),
            "p_value": jsonable(self.p_value),
            "consistent": bool(self.consistent),
            "verdict": self.verdict,
            "max_in_a_day": self.max_in_a_day,
            "observed_max": self.observed_max,
            "max_probability": jsonable(self.max_probability),
            "max_note": self.max_note,
            "estimate": self.estimate.to_dict(),
        }

    def plot(self, ax: Any = None) -> Any:
        """The estimate with its interval and the claimed rate as a dashed line."""
        ax = get_ax(ax)
        est = self.estimate
        errorbar(ax, 0.0, est.rate, est.ci_low, est.ci_high, label="estimate")
        ax.axhline(
            self.claimed_rate,
            ls="--",
            color="0.3",
            label=f"claimed: {self.claimed_rate:g} per {est.per}",
        )
        ax.set_xticks([0.0])
        ax.set_xticklabels([f"{fmt_count(est.events, est.label)} in {fmt_days(est.exposure)}"])
        ax.set_xlim(-1, 1)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(f"{est.label} per {est.per}")
        ax.set_title(
            "consistent with the claim" if self.consistent else "inconsistent with the claim"
        )
        ax.legend(loc="best")
        return ax


def _negbin_p_value(c: CountSeries, claimed_per_day: float, level: float) -> float:
    """Two-sided p-value matching the negbin interval.

    That interval is the union of a log-scale Wald-t interval and the exact
    Poisson interval, so a claim is outside it exactly when both tests reject:
    the p-value is the larger of the two.
    """
    from scipy.stats import t as student_t

    fit = negbin_fit(c, level)
    exact = poisson_two_sided(int(c.total), claimed_per_day * c.total_exposure)
    if claimed_per_day <= 0:
        return exact
    stat = (math.log(fit.rate) - math.log(claimed_per_day)) / fit.se_log
    wald = float(2 * student_t.sf(abs(stat), fit.df))
    return max(wald, exact)


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
    The rate is estimated as in :func:`estimate_rate` with ``family="auto"``.
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
        or not isinstance(max_in_a_day, int | float | np.number)
        or not math.isfinite(float(max_in_a_day))
        or not float(max_in_a_day).is_integer()
        or max_in_a_day < 0
    ):
        raise ValueError(f"max_in_a_day must be a whole number >= 0, not {max_in_a_day!r}")
    c: CountSeries | None = None
    if counts is None:
        est = estimate_rate(
            total=total, exposure=exposure, start=start, end=end, level=level, per=per
        )
    else:
        if total is not None or exposure is not None:
            raise ValueError("give either counts or total= and exposure=, not both")
        level = check_level(level)
        per_label, per_days = parse_per(per)
        c = read_counts(counts, start=start, end=end)
        est = estimate_from_counts(
            c, level=level, per_label=per_label, per_days=per_days, family="auto"
        )
    if label:
        est = _relabel(est, label)
    claimed = float(claimed_rate)
    claimed_per_day = claimed / est.per_days
    if est.family == "negbin" and c is not None:
        p = _negbin_p_value(c, claimed_per_day, est.level)
    else:
        p = poisson_two_sided(est.events, claimed_per_day * est.exposure)
    consistent = bool(est.ci_low <= claimed <= est.ci_high)
    unit = "a day" if est.per == "day" else f"per {est.per}"
    where = (
        "inside the interval"
        if consistent
        else ("below the interval" if claimed < est.ci_low else "above the interval")
    )
    verdict = (
        f"{'Consistent' if consistent else 'Inconsistent'}: {fmt_count(est.events, est.label)} in "
        f"{fmt_days(est.exposure)} is {fmt_short(est.rate)} {unit} ({est.level:.0%} CI "
        f"{fmt_short(est.ci_low)}-{fmt_short(est.ci_high)}); the claimed {claimed:g} {unit} is "
        f"{where}."
    )
    if not consistent:
        verdict = verdict[:-1] + f" ({p_text(p)})."
    if est.family == "negbin":
        verdict += " The daily counts are overdispersed, so the interval allows for bursts."
    observed_max, prob, note = None, None, ""
    if max_in_a_day is not None:
        k = int(max_in_a_day)
        days = round(est.exposure)
        per_day = est.rate / est.per_days
        # the fitted dispersion describes a day only when the periods are days
        daily = c is not None and c.daily
        alpha = est.dispersion_moment if est.family == "negbin" and daily else None
        prob = max_day_probability(k, per_day, days, alpha)
        chance = (
            f"at the estimated {fmt_short(per_day)} a day, a day with {k} or more happens at "
            f"least once in {fmt_days(days)} with probability {prob:.2f}"
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
