"""The default (quasi-Jeffreys) intervals: closed forms, matching tests, and simulations.

Closed forms are checked against scipy; simulations use fixed seeds and
tolerances from their size (a share from S simulations has standard error
sqrt(p (1 - p) / S)). All data are simulated or hand-made.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis.rates import check_claim, compare_rates, estimate_rate
from analysis.rates._compare import _scaled_jeffreys
from analysis.rates._dependent import quasi_jeffreys, quasi_jeffreys_p_value
from analysis.validation import PROCESSES, simulate_counts

from .conftest import daily, overdispersed


@pytest.mark.parametrize("events", [0, 1, 7, 41, 350])
@pytest.mark.parametrize("level", [0.9, 0.95])
def test_jeffreys_with_design_effect_one_is_the_gamma_quantiles(events, level):
    a = 1 - level
    low, high = quasi_jeffreys(events, 7.0, 1.0, level)
    want_low = 0.0 if events == 0 else stats.gamma.ppf(a / 2, events + 0.5) / 7
    assert float(low) == pytest.approx(want_low)
    assert float(high) == pytest.approx(stats.gamma.ppf(1 - a / 2, events + 0.5) / 7)


def test_jeffreys_with_a_design_effect_scales_the_count():
    low, high = quasi_jeffreys(41, 7.0, 2.5, 0.95)
    g_low, g_high = stats.gamma.ppf([0.025, 0.975], 41 / 2.5 + 0.5)
    assert float(low) == pytest.approx(2.5 * g_low / 7)
    assert float(high) == pytest.approx(2.5 * g_high / 7)


def test_jeffreys_is_narrower_than_garwood_and_covers_95_percent_on_average():
    # exact coverage of the Poisson mean, summed over the Poisson distribution,
    # for means 5..200 (a week to a month of counts): Jeffreys oscillates about 0.95
    # (Brown, Cai & DasGupta 2003); Garwood never falls below it
    means = np.linspace(5, 200, 79)
    jeff, garw = [], []
    for mu in means:
        x = np.arange(0, int(mu + 12 * math.sqrt(mu) + 20))
        lo, hi = quasi_jeffreys(x, 1.0, 1.0, 0.95)
        pmf = stats.poisson.pmf(x, mu)
        jeff.append(float(pmf[(lo <= mu) & (mu <= hi)].sum()))
        glo = np.where(x > 0, stats.chi2.ppf(0.025, 2 * np.maximum(x, 1)) / 2, 0.0)
        ghi = stats.chi2.ppf(0.975, 2 * x + 2) / 2
        garw.append(float(pmf[(glo <= mu) & (mu <= ghi)].sum()))
        assert np.all(hi - lo < ghi - glo)
    assert 0.945 <= np.mean(jeff) <= 0.955
    assert min(jeff) >= 0.92  # the dip at a mean of 5 is 0.928 (closed form)
    assert min(garw) >= 0.95 and np.mean(garw) > np.mean(jeff)


@pytest.mark.parametrize("de", [0.6, 1.0, 3.0])
def test_jeffreys_p_value_matches_the_interval(de):
    for events in (0, 3, 41):
        low, high = quasi_jeffreys(events, 7.0, de, 0.95)
        for rate in np.linspace(0.05, 12, 120):
            p = quasi_jeffreys_p_value(events, rate * 7.0, de)
            inside = float(low) <= rate <= float(high)
            assert (p >= 0.05) == inside or abs(p - 0.05) < 1e-9


def test_scaled_jeffreys_ratio_interval_is_the_beta_quantiles_and_matches_its_test():
    ea, eb, de, ta, tb = 30, 18, 1.7, 14.0, 14.0
    low, high, _ = _scaled_jeffreys(ea, eb, de, ta, tb, 0.95)
    x, n = ea / de, (ea + eb) / de
    pl, pu = stats.beta.ppf([0.025, 0.975], x + 0.5, n - x + 0.5)
    assert low == pytest.approx(pl / (1 - pl))
    assert high == pytest.approx(pu / (1 - pu))
    for tb_ in np.linspace(3, 40, 75):  # vary the null share through the interval
        lo, hi, p = _scaled_jeffreys(ea, eb, de, ta, tb_, 0.95)
        assert (p >= 0.05) == (lo <= 1.0 <= hi) or abs(p - 0.05) < 1e-9


def test_compare_rates_default_is_the_scaled_jeffreys_with_the_pooled_design_effect():
    a, b = overdispersed(seed=1, n=40), overdispersed(seed=2, n=40, mean=3.0)
    cmp = compare_rates(a, b)
    ra, rb = cmp.a, cmp.b
    share = ra.events / (ra.events + rb.events)
    de = (1 - share) * ra.design_effect + share * rb.design_effect
    assert cmp.design_effect == pytest.approx(de)
    low, high, p = _scaled_jeffreys(ra.events, rb.events, de, ra.exposure, rb.exposure, 0.95)
    assert (cmp.ci_low, cmp.ci_high, cmp.p_value) == pytest.approx((low, high, p))
    assert "Jeffreys" in cmp.summary() and "on average" in cmp.summary()


def test_compare_rates_of_exact_poisson_rates_keeps_the_exact_test():
    cmp = compare_rates(estimate_rate(total=41, exposure=7), estimate_rate(total=20, exposure=7))
    assert cmp.design_effect is None and "at least 95%" in cmp.summary()
    ci = stats.binomtest(41, 61, 0.5).proportion_ci(method="exact")
    assert cmp.ci_low == pytest.approx(ci.low / (1 - ci.low))


def test_claim_with_daily_data_rejects_exactly_when_the_rate_interval_excludes_the_claim():
    rng = np.random.default_rng(31)
    for n in (7, 28, 60):
        for _ in range(20):
            s = daily(rng.negative_binomial(2, 2 / 7, n))
            chk = check_claim(s, claimed_rate=5.0)
            r = estimate_rate(s)
            assert chk.estimate.ci_low == r.ci_low and chk.estimate.ci_high == r.ci_high
            assert chk.consistent == (r.ci_low <= 5.0 <= r.ci_high)
            assert chk.consistent == (chk.p_value >= 0.05)


# ---------------------------------------------------------------- simulations


def _alone(process, n, sims, seed):
    """Coverage and width / Garwood width of estimate_rate on SIMULATED series alone."""
    rng = np.random.default_rng(seed)
    hits, ratios = 0, []
    for _ in range(sims):
        counts = simulate_counts(PROCESSES[process], n, 5.0, rng).counts
        r = estimate_rate(counts)
        hits += r.ci_low <= 5.0 <= r.ci_high
        exact = estimate_rate(counts, family="poisson")
        ratios.append((r.ci_high - r.ci_low) / (exact.ci_high - exact.ci_low))
    return hits / sims, float(np.mean(ratios)), float(np.std(ratios) / math.sqrt(sims))


@pytest.mark.slow
@pytest.mark.parametrize(("n", "seed"), [(7, 71), (28, 281), (91, 911)])
def test_width_on_independent_poisson_days_is_at_most_ten_percent_above_exact(n, seed):
    sims = 1200
    coverage, ratio, se = _alone("poisson", n, sims, seed)
    # validation (400 series each, rate 5): 1.048, 0.994, 1.055 (s.e. 0.015, 0.007, 0.013);
    # the target is a mean ratio <= 1.10: fail when the excess is beyond 2 s.e.
    assert ratio <= 1.10 + 2 * se
    assert abs(coverage - 0.95) <= 3 * math.sqrt(0.95 * 0.05 / sims) + 0.01


@pytest.mark.slow
def test_coverage_under_latent_ar08_alone_at_91_days_is_measured():
    # 600 SIMULATED series of 91 days, latent AR(1) log-rate phi 0.8, sd 0.3.
    # Bartlett HAC with fixed-b (before): 0.855 (s.e. 0.011, 1000 series). Latent AR(1)
    # Whittle fit (now): 0.890 (s.e. 0.016, 400 series of the validation study); the
    # target 0.93-0.97 is still NOT met (see the next test): phi is limited to
    # 1 - 2 / sqrt(91) = 0.79, and 91 days alone hardly show slower dependence.
    sims = 600
    coverage, _, _ = _alone("ar0.8", 91, sims, 9108)
    se = math.sqrt(0.89 * 0.11 / sims)
    assert 0.89 - 4 * se <= coverage <= 0.97


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="a window alone under-covers latent AR(0.8) at 91 days")
def test_coverage_under_latent_ar08_alone_at_91_days_reaches_the_target():
    sims = 600
    coverage, _, _ = _alone("ar0.8", 91, sims, 9108)
    assert coverage >= 0.93 - 2 * math.sqrt(0.95 * 0.05 / sims)


def test_window_covariance_of_adjacent_weeks_matches_the_closed_form():
    # SIMULATED latent AR(1) log-rate (phi 0.8, sd 0.3, mean 5), 40_000 days:
    # gamma_k = mu^2 (exp(sd^2 phi^k) - 1); adjacent 7-day windows share
    # min(k, 14 - k) pairs at lag k
    from analysis._series import CountSeries
    from analysis.rates._dependent import window_covariance

    mu, phi, sd = 5.0, 0.8, 0.3
    counts = simulate_counts(PROCESSES["ar0.8"], 40_000, mu, np.random.default_rng(12)).counts
    full = CountSeries.from_pandas(counts)
    a = CountSeries.from_pandas(counts.iloc[20_007:20_014])
    b = CountSeries.from_pandas(counts.iloc[20_000:20_007])
    want = sum(min(k, 14 - k) * mu**2 * math.expm1(sd**2 * phi**k) for k in range(1, 14))
    got = window_covariance(a, b, full)
    # its s.d. over 8 such series was 1.1 (4% of 28.6), so 12% is 3 s.d.
    assert got == pytest.approx(want, rel=0.12)
    assert window_covariance(a, b, a) == 0.0  # b is not part of a: nothing known


def test_compare_adjacent_windows_takes_their_covariance_off():
    counts = simulate_counts(PROCESSES["ar0.8"], 365, 5.0, np.random.default_rng(4)).counts
    a, b = counts.iloc[200:207], counts.iloc[193:200]
    with_ref = compare_rates(a, b, reference=counts)
    ra, rb = with_ref.a, with_ref.b
    share = ra.events / (ra.events + rb.events)
    pooled = (1 - share) * ra.design_effect + share * rb.design_effect
    assert with_ref.design_effect < pooled
