"""Rates of events with honest intervals, rate comparisons and checks of published claims.

Four public functions, each returning a result object:

* :func:`estimate_rate` -- events per day (week, month, year) from a count
  series or from a reported total. For counts the default interval is the
  Jeffreys interval of the count scaled by the design effect (overdispersion
  and serial dependence), about 95% on average; ``family="poisson"`` (and a
  reported total) gives the exact Poisson (Garwood) interval, at least 95%;
  ``family="negbin"`` a negative-binomial interval;
* :func:`rolling_rate` -- a trailing-window rate with its band;
* :func:`compare_rates` -- the ratio of two rates: the Jeffreys binomial on
  the scaled counts by default, the exact conditional (binomial) test for
  exact Poisson rates;
* :func:`check_claim` -- is "an average of X a day" consistent with the data?

Time covered ("exposure") is always measured in days. A count series must be
regular (one value per period, zeros included: see
:func:`analysis.counts.count_incidents`) and is read by
:class:`analysis._series.CountSeries`; its exposure is the number of periods
times the period length: a daily series of 7 values covers 7 days (also across
a daylight-saving change), a weekly one 7 days per value, a monthly one the
actual length of each month. ``family=`` names the count distribution
(``"poisson"``, ``"negbin"``, ``"auto"``).

The implementation is private: ``_inputs`` validates, ``_numerics`` holds the
vectorised formulas, ``_format`` the rate-specific wording; one module per
public function with its result class.
"""

from __future__ import annotations

from analysis.rates._claim import ClaimCheck, check_claim
from analysis.rates._compare import RateComparison, compare_rates
from analysis.rates._estimate import RateResult, estimate_rate
from analysis.rates._inputs import PER_DAYS
from analysis.rates._rolling import RollingRateResult, rolling_rate

__all__ = [
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

# rates implied by published totals (issue 11, section 4)
from analysis.rates._figures import (
    FigureClaimCheck,
    FigureRates,
    PeriodRate,
    estimate_rates_from_figures,
)

__all__ += ["FigureClaimCheck", "FigureRates", "PeriodRate", "estimate_rates_from_figures"]
