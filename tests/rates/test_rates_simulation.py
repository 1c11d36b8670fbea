"""Simulation studies of analysis.rates: coverage, false-alarm rate, power, test size.

Every study uses a fixed seed and a tolerance derived from its size: a
proportion estimated from S simulations has standard error
sqrt(p (1 - p) / S), and we allow 3 of them unless a sharper bound is stated.
Simulations are vectorised with numpy; the public functions are called once
per distinct simulated total (the result depends on the data only through
it), and the vectorised negative-binomial fast path is checked against the
public function. All data here are simulated.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis.rates import compare_rates, estimate_rate
from analysis.rates._numerics import negbin_interval

pytestmark = pytest.mark.slow


def _se(p: float, sims: int) -> float:
    return math.sqrt(p * (1 - p) / sims)


def _garwood_by_total(totals, exposure, level=0.95):
    """Public estimate_rate for each distinct total: {total: (low, high)}."""
    out = {}
    for x in np.unique(totals):
        r = estimate_rate(total=int(x), exposure=exposure, level=level, family="poisson")
        out[int(x)] = (r.ci_low, r.ci_high)
    return out


# ---------------------------------------------------------------- exact Poisson coverage


@pytest.mark.parametrize("rate", [0.2, 1.0, 5.0, 30.0])
def test_exact_interval_covers_true_rate_in_at_least_95_percent_of_windows(rate):
    sims, days, level = 20_000, 7, 0.95
    rng = np.random.default_rng(20241104 + int(rate * 10))
    totals = rng.poisson(rate, size=(sims, days)).sum(axis=1)  # simulated 7-day windows
    limits = _garwood_by_total(totals, days, level)
    low = np.array([limits[int(x)][0] for x in totals])
    high = np.array([limits[int(x)][1] for x in totals])
    simulated = float(np.mean((low <= rate) & (rate <= high)))
    # exact coverage of the same procedure, summed over the Poisson distribution
    mean = rate * days
    x = np.arange(0, int(mean + 15 * math.sqrt(mean) + 30))
    lo_all = np.array([estimate_rate(total=int(k), exposure=days).ci_low for k in x])
    hi_all = np.array([estimate_rate(total=int(k), exposure=days).ci_high for k in x])
    exact = float(stats.poisson.pmf(x, mean)[(lo_all <= rate) & (rate <= hi_all)].sum())
    assert exact >= level
    # exact >= 0.9547 for these rates, so with SE <= 0.0016 the simulated share
    # falls below 0.95 with probability < 0.2% whatever the seed
    assert simulated >= level
    assert abs(simulated - exact) <= 4 * _se(exact, sims)


def test_exact_interval_at_90_percent_covers_at_least_90_percent():
    sims, days, rate = 5_000, 7, 1.0
    rng = np.random.default_rng(90)
    totals = rng.poisson(rate * days, size=sims)
    limits = _garwood_by_total(totals, days, level=0.90)
    covered = [limits[int(x)][0] <= rate <= limits[int(x)][1] for x in totals]
    assert np.mean(covered) >= 0.90 - 3 * _se(0.90, sims)


def test_coverage_through_the_count_series_path():
    """The same coverage when the rate is estimated from simulated daily series."""
    import pandas as pd

    sims, days, rate = 2_000, 7, 1.0
    rng = np.random.default_rng(7)
    y = rng.poisson(rate, size=(sims, days))
    index = pd.date_range("2024-10-29", periods=days, freq="D", tz="Asia/Jerusalem")
    covered = 0
    for row in y:
        r = estimate_rate(pd.Series(row, index=index), family="poisson")
        covered += r.ci_low <= rate <= r.ci_high
    assert covered / sims >= 0.95 - 3 * _se(0.95, sims)


# ---------------------------------------------------------------- negative binomial


def _nb_counts(rng, sims, n, mean, alpha):
    """Simulated NB2 counts: Poisson with gamma(1/alpha, mean*alpha) rates."""
    lam = rng.gamma(1 / alpha, mean * alpha, size=(sims, n))
    return rng.poisson(lam)


@pytest.mark.parametrize(
    ("n", "mean", "alpha"),
    [(28, 5.0, 0.5), (14, 1.0, 1.0), (60, 20.0, 0.3), (7, 5.0, 0.5)],
)
def test_negbin_interval_coverage_on_overdispersed_counts(n, mean, alpha):
    sims = 1_000
    rng = np.random.default_rng(1000 + n)
    y = _nb_counts(rng, sims, n, mean, alpha)
    _, low, high, _ = negbin_interval(y, 0.95)
    covered = np.nan_to_num((low <= mean) & (mean <= high), nan=0.0)
    assert covered.mean() >= 0.93


def test_negbin_fast_path_is_what_estimate_rate_returns():
    import pandas as pd

    rng = np.random.default_rng(11)
    y = _nb_counts(rng, 8, 21, 4.0, 0.7)
    mean, low, high, alpha_mom = negbin_interval(y, 0.95)
    index = pd.date_range("2024-01-01", periods=21, freq="D")
    for i, row in enumerate(y):
        r = estimate_rate(pd.Series(row, index=index), family="negbin")
        assert r.rate == pytest.approx(mean[i], rel=1e-6)
        assert r.ci_low == pytest.approx(low[i], rel=1e-6)
        assert r.ci_high == pytest.approx(high[i], rel=1e-6)
        assert r.dispersion_moment == pytest.approx(alpha_mom[i], rel=1e-6, abs=1e-9)


def test_poisson_interval_undercovers_overdispersed_counts():
    """Why negbin exists: the exact Poisson interval is too narrow for bursts."""
    sims, n, mean = 1_000, 28, 5.0
    y = _nb_counts(np.random.default_rng(12), sims, n, mean, 0.5)
    limits = _garwood_by_total(y.sum(axis=1), n)
    covered = [limits[int(t)][0] <= mean <= limits[int(t)][1] for t in y.sum(axis=1)]
    assert np.mean(covered) < 0.80


# ---------------------------------------------------------------- auto: no pre-test


def test_auto_uses_one_rule_for_every_series_without_a_pre_test():
    import pandas as pd

    rng = np.random.default_rng(14)
    y = np.vstack([rng.poisson(3.0, size=(15, 20)), _nb_counts(rng, 15, 20, 3.0, 0.4)])
    index = pd.date_range("2024-01-01", periods=20, freq="D")
    chosen = {estimate_rate(pd.Series(row, index=index)).family for row in y}
    assert chosen == {"quasipoisson"}


# ---------------------------------------------------------------- compare_rates


def _compare_table(ea, eb, ta, tb):
    """compare_rates for each distinct (ea, eb): {(ea, eb): RateComparison}."""
    out = {}
    for a, b in set(zip(ea.tolist(), eb.tolist(), strict=True)):
        out[(a, b)] = compare_rates(
            estimate_rate(total=a, exposure=ta), estimate_rate(total=b, exposure=tb)
        )
    return out


def test_compare_p_value_under_the_null_is_uniform_or_conservative():
    sims, ta, tb, rate = 4_000, 7.0, 14.0, 1.0
    rng = np.random.default_rng(15)
    ea, eb = rng.poisson(rate * ta, sims), rng.poisson(rate * tb, sims)
    table = _compare_table(ea, eb, ta, tb)
    p = np.array([table[(a, b)].p_value for a, b in zip(ea, eb, strict=True)])
    for u in (0.05, 0.10, 0.20, 0.50):
        share = float(np.mean(p <= u))
        # exact conditional test: size at most u (discreteness makes it a bit less)
        assert share <= u + 3 * _se(u, sims)
        assert share >= 0.6 * u
    assert abs(np.mean(p <= 0.05) - 0.05) <= 0.02


@pytest.mark.parametrize("ratio", [1.0, 2.0, 0.25])
def test_compare_ratio_interval_coverage(ratio):
    sims, ta, tb, rate_b = 4_000, 14.0, 21.0, 1.0
    rng = np.random.default_rng(16 + int(ratio * 4))
    ea, eb = rng.poisson(ratio * rate_b * ta, sims), rng.poisson(rate_b * tb, sims)
    table = _compare_table(ea, eb, ta, tb)
    covered = [
        table[(a, b)].ci_low <= ratio <= table[(a, b)].ci_high for a, b in zip(ea, eb, strict=True)
    ]
    assert np.mean(covered) >= 0.95 - 3 * _se(0.95, sims)


def test_compare_has_power_against_a_doubled_rate():
    # 112 vs 56 expected events: log ratio 0.69 with SE ~ 0.16, so power ~ 0.99
    sims, t = 2_000, 56.0
    rng = np.random.default_rng(17)
    ea, eb = rng.poisson(2.0 * t, sims), rng.poisson(1.0 * t, sims)
    table = _compare_table(ea, eb, t, t)
    p = np.array([table[(a, b)].p_value for a, b in zip(ea, eb, strict=True)])
    assert np.mean(p < 0.05) >= 0.95
