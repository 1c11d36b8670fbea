"""compare_rates and RateComparison: rate ratio with the exact conditional test."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis._draw import errorbar, get_ax
from analysis._format import fmt_days, fmt_num, jsonable, p_text
from analysis._results import Result
from analysis.rates._estimate import RateResult, estimate_rate
from analysis.rates._inputs import check_level


def as_rate_result(x: Any, level: float) -> RateResult:
    if isinstance(x, RateResult):
        return x
    if isinstance(x, pd.Series):
        return estimate_rate(x, level=level, family="auto")
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
        text = (
            f"{head}, {p_text(self.p_value)} (exact conditional test of equal rates); "
            f"{na}: {self.a.events} in {fmt_days(self.a.exposure)}, "
            f"{nb}: {self.b.events} in {fmt_days(self.b.exposure)}."
        )
        over = [
            n for n, r in zip(self.names, (self.a, self.b), strict=True) if r.family == "negbin"
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
            "ratio": jsonable(self.ratio),
            "ci_low": jsonable(self.ci_low),
            "ci_high": jsonable(self.ci_high),
            "p_value": jsonable(self.p_value),
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

    level = check_level(level)
    ra, rb = as_rate_result(a, level), as_rate_result(b, level)
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
