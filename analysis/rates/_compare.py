"""compare_rates and RateComparison: rate ratio with the exact conditional test."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis._draw import errorbar, get_ax
from analysis._format import fmt_days, fmt_num, jsonable, p_text
from analysis._results import Result
from analysis.rates._dependent import MIN_DESIGN_EFFECT, window_covariance
from analysis.rates._estimate import RateResult, estimate_rate
from analysis.rates._inputs import check_level, read_counts


def as_rate_result(x: Any, level: float, reference: pd.Series | None = None) -> RateResult:
    """A count series as its rate (design effect from ``reference`` when given)."""
    if isinstance(x, RateResult):
        return x
    if isinstance(x, pd.Series):
        return estimate_rate(x, level=level, family="auto", reference=reference)
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
    design_effect : float or None
        The design effect the counts were scaled by (None: exact
        Clopper-Pearson interval and test of independent Poisson counts,
        at least ``level``; otherwise the Jeffreys interval, about ``level``
        on average).
    """

    ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    a: RateResult
    b: RateResult
    level: float
    names: tuple[str, str] = ("a", "b")
    design_effect: float | None = None

    def summary(self) -> str:
        """In words: "a is 2.3x b (95% CI ...), p = ..."."""
        na, nb = self.names
        if math.isnan(self.ratio):
            head = f"Neither {na} nor {nb} has any events: the ratio is undefined"
        elif math.isinf(self.ratio):
            ref = self.ci_low if self.ci_low > 0 else 1.0
            head = (
                f"{nb} has no events, so the ratio {na}/{nb} is infinite ({self.level:.0%} CI "
                f"{fmt_num(self.ci_low, ref)} to infinite)"
            )
        else:
            ref = self.ratio if 0 < self.ratio < math.inf else 1.0
            head = (
                f"{na} is {fmt_num(self.ratio, ref)}x {nb} ({self.level:.0%} CI "
                f"{fmt_num(self.ci_low, ref)}-{fmt_num(self.ci_high, ref)})"
            )
        test = (
            f"exact conditional test of equal rates; the interval covers at least {self.level:.0%}"
            if self.design_effect is None
            else f"conditional test of equal rates on counts scaled by the design effect "
            f"{self.design_effect:.2f} (overdispersion and dependence); Jeffreys interval, "
            f"about {self.level:.0%} on average"
        )
        text = (
            f"{head}, {p_text(self.p_value)} ({test}); "
            f"{na}: {self.a.events} in {fmt_days(self.a.exposure)}, "
            f"{nb}: {self.b.events} in {fmt_days(self.b.exposure)}."
        )
        over = [
            n for n, r in zip(self.names, (self.a, self.b), strict=True) if r.family == "negbin"
        ]
        if over and self.design_effect is None:
            text += (
                f" Caution: the counts of {' and '.join(over)} are overdispersed, so this "
                "Poisson-based test is too optimistic (interval too narrow, p too small)."
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        """Ratio, interval, p-value and both rates as dictionaries."""
        return {
            "ratio": jsonable(self.ratio),
            "ci_low": jsonable(self.ci_low),
            "ci_high": jsonable(self.ci_high),
            "p_value": jsonable(self.p_value),
            "level": self.level,
            "names": list(self.names),
            "design_effect": jsonable(self.design_effect),
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
        }

    def plot(self, ax: Any = None) -> Any:
        """Both rates with their intervals, the ratio in the title; return the Axes."""
        ax = get_ax(ax)
        unit = self.a.per_days
        for x, r in enumerate((self.a, self.b)):
            k = unit / r.per_days  # both in a's unit
            errorbar(ax, float(x), r.rate * k, r.ci_low * k, r.ci_high * k)
        ax.set_xticks([0, 1])
        ax.set_xticklabels(list(self.names))
        ax.set_xlim(-0.6, 1.6)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(f"rate per {self.a.per}")
        ref = self.ratio if 0 < self.ratio < math.inf else 1.0
        ax.set_title(
            f"ratio {fmt_num(self.ratio, ref)} ({self.level:.0%} CI {fmt_num(self.ci_low, ref)}-"
            f"{fmt_num(self.ci_high, ref)}), {p_text(self.p_value)}\n"
            f"{self.names[0]} / {self.names[1]}"
        )
        return ax


def compare_rates(
    a: pd.Series | RateResult,
    b: pd.Series | RateResult,
    *,
    level: float = 0.95,
    names: tuple[str, str] = ("a", "b"),
    reference: pd.Series | None = None,
) -> RateComparison:
    """Compare two rates: ratio a/b with its interval and a test of equal rates.

    For independent Poisson counts (both rates ``family="poisson"``, or a
    design effect of 1): given the total n = events_a + events_b, events_a is
    Binomial(n, p0) under equal rates, with p0 = exposure_a / (exposure_a +
    exposure_b). The p-value is scipy's two-sided exact ``binomtest``; the
    interval is the Clopper-Pearson interval (pl, pu) of p mapped to the
    ratio R = p / (1 - p) * exposure_b / exposure_a. With no events in a the
    ratio is 0 (lower limit 0); with none in b it is infinite (upper limit inf).

    For overdispersed or dependent counts (rates with a design effect, the
    default ``family="auto"`` for count series): the conditional binomial on
    the scaled counts events / DE with the Jeffreys interval and its
    matching test (about ``level`` on average rather than at least
    ``level``; see :func:`estimate_rate` for why). DE is the design effect
    of the share of a, ``(1 - p) DE_a + p DE_b`` with ``p`` the observed
    share of a's events: the delta-method variance of ``S_a / (S_a + S_b)``
    when the totals have variances ``DE_a E[S_a]`` and ``DE_b E[S_b]`` (it
    is the common value when they are equal). When both are windows of
    ``reference``, the covariance of their totals estimated from it
    (:func:`analysis.rates._dependent.window_covariance`) is taken off:
    ``DE = (1 - p) DE_a + p DE_b - 2 Cov(S_a, S_b) / (S_a + S_b)``, since
    adjacent windows of a dependent series move together and their ratio
    varies less (without it the interval covered 0.99 for two adjacent
    7-day windows under a latent AR(1) with phi 0.8). The summary says which
    test was used. Rate results with ``family="poisson"`` keep the exact
    test.

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
    reference : pandas.Series, optional
        A longer count series of the same kind from which the design effect
        of each window is estimated (say the whole series two windows were cut
        from); by default each series' own.

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

    level = check_level(level)
    ra, rb = as_rate_result(a, level, reference), as_rate_result(b, level, reference)
    ea, eb, ta, tb = ra.events, rb.events, ra.exposure, rb.exposure
    n = ea + eb
    scaled = ra.design_effect is not None or rb.design_effect is not None
    de_a, de_b = ra.design_effect or 1.0, rb.design_effect or 1.0
    de = (1.0 - ea / n) * de_a + (ea / n) * de_b if n else max(de_a, de_b)
    covariance = 0.0
    if scaled and n and reference is not None and isinstance(a, pd.Series):
        if isinstance(b, pd.Series):
            covariance = window_covariance(
                read_counts(a), read_counts(b), read_counts(reference, what="reference")
            )
            de = max(de - 2.0 * covariance / n, MIN_DESIGN_EFFECT)
    ratio = math.nan if n == 0 else (math.inf if eb == 0 else (ea / ta) / (eb / tb))
    if n == 0:
        low, high, p = 0.0, math.inf, 1.0
    elif scaled:
        low, high, p = _scaled_jeffreys(ea, eb, de, ta, tb, level)
    else:
        test = binomtest(ea, n, ta / (ta + tb), alternative="two-sided")
        ci = test.proportion_ci(confidence_level=level, method="exact")
        low, high, p = _to_ratio(ci.low, ta, tb), _to_ratio(ci.high, ta, tb), float(test.pvalue)
    return RateComparison(
        ratio=ratio,
        ci_low=low,
        ci_high=high,
        p_value=p,
        a=ra,
        b=rb,
        level=level,
        names=(str(names[0]), str(names[1])),
        design_effect=de if scaled else None,
    )


def _to_ratio(prob: float, ta: float, tb: float) -> float:
    """A share ``p`` of the events in a as the rate ratio ``p / (1 - p) * tb / ta``."""
    return math.inf if prob >= 1 else prob / (1 - prob) * tb / ta


def _scaled_jeffreys(
    ea: int, eb: int, de: float, ta: float, tb: float, level: float
) -> tuple[float, float, float]:
    """Jeffreys interval and the matching test for the share of a, on counts scaled by ``de``.

    With ``x = ea / de`` and ``N = (ea + eb) / de``, the share of a's events
    has the Jeffreys limits ``Beta^-1(q; x + 1/2, N - x + 1/2)`` at ``q =
    alpha/2`` and ``1 - alpha/2`` (0 when a has no events, 1 when b has
    none; Brown, Cai & DasGupta 2001), mapped to the rate ratio. The p-value
    is ``2 min(F, 1 - F)`` with ``F`` that Beta's distribution function at
    the share under equal rates ``ta / (ta + tb)`` (one-sided where a limit
    is 0 or 1), so ``p < 1 - level`` exactly when 1 is outside the interval.
    Written by hand: scipy's binomial test takes whole counts only.
    """
    from scipy.stats import beta

    a = 1.0 - level
    x, big_n = ea / de, (ea + eb) / de
    shape = (x + 0.5, big_n - x + 0.5)
    p_low = 0.0 if ea == 0 else float(beta.ppf(a / 2, *shape))
    p_high = 1.0 if eb == 0 else float(beta.ppf(1 - a / 2, *shape))
    f = float(beta.cdf(ta / (ta + tb), *shape))
    if ea == 0:
        p = 2.0 * (1.0 - f)
    elif eb == 0:
        p = 2.0 * f
    else:
        p = 2.0 * min(f, 1.0 - f)
    return _to_ratio(p_low, ta, tb), _to_ratio(p_high, ta, tb), min(1.0, p)
