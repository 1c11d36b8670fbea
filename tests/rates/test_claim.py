"""Tests of analysis.rates._claim (check_claim). All data are simulated or hand-made."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.rates import (
    ClaimCheck,
    check_claim,
    estimate_rate,
)
from analysis.rates._dependent import quasi_jeffreys
from tests.rates.conftest import daily, overdispersed


def test_41_claims_in_7_days_are_consistent_with_five_a_day():
    chk = check_claim(total=41, exposure=7, claimed_rate=5, label="claims")
    assert chk.consistent is True
    assert chk.p_value > 0.05
    assert chk.verdict == (
        "Consistent: 41 claims in 7 days is 5.9 a day (95% CI 4.2-7.9); "
        "the claimed 5 a day is inside the interval."
    )


def test_41_claims_in_7_days_are_inconsistent_with_ten_a_day():
    chk = check_claim(total=41, exposure=7, claimed_rate=10)
    assert chk.consistent is False
    assert chk.p_value < 0.05
    assert chk.verdict.startswith("Inconsistent") and "above the interval" in chk.verdict


def test_claim_p_value_is_the_doubled_exact_poisson_tail():
    chk = check_claim(total=41, exposure=7, claimed_rate=5)
    expected = 2 * stats.poisson.sf(40, 35)
    assert chk.p_value == pytest.approx(expected)


@pytest.mark.parametrize("claimed", np.linspace(3.0, 9.0, 61))
def test_claim_consistency_agrees_with_the_p_value(claimed):
    chk = check_claim(total=41, exposure=7, claimed_rate=claimed)
    assert chk.consistent == (chk.p_value >= 0.05)


def test_claim_per_week():
    chk = check_claim(total=41, exposure=7, claimed_rate=35, per="week")
    assert chk.consistent and "35 per week" in chk.verdict


def test_max_in_a_day_with_a_total_cannot_be_checked_but_gets_a_probability():
    chk = check_claim(total=41, exposure=7, claimed_rate=5, max_in_a_day=8)
    assert chk.observed_max is None
    assert "cannot be checked from a total" in chk.max_note
    assert chk.max_probability == pytest.approx(1 - stats.poisson.cdf(7, 41 / 7) ** 7)


def test_claim_on_overdispersed_counts_allows_for_the_design_effect_and_says_so():
    chk = check_claim(overdispersed(), claimed_rate=5)
    assert chk.estimate.family == "quasipoisson" and chk.estimate.design_effect > 1
    assert "design effect" in chk.verdict
    assert chk.consistent == (chk.p_value >= 0.05)


def test_claim_from_a_total_gives_the_verdict_as_a_function_of_the_design_effect():
    chk = check_claim(total=25, exposure=7, claimed_rate=6)
    assert not chk.consistent
    table = chk.sensitivity.set_index("design_effect")
    assert not table.loc[1.0, "consistent"] and table.loc[10.0, "consistent"]
    # at the critical design effect the claim sits on the edge of the interval
    from analysis.rates._dependent import quasi_garwood

    _, high = quasi_garwood(25, 7.0, chk.critical_design_effect, 0.95)
    assert float(high) == pytest.approx(6.0, rel=1e-5)
    assert "reaches" in chk.summary()


def test_claim_from_a_total_with_a_reference_uses_its_design_effect():
    ref = overdispersed(seed=3, n=200)
    plain = check_claim(total=25, exposure=7, claimed_rate=6)
    chk = check_claim(total=25, exposure=7, claimed_rate=6, reference=ref)
    assert chk.estimate.design_effect > 1
    assert chk.estimate.ci_high > plain.estimate.ci_high


def test_claim_result_dict_summary_and_plot(plt):
    chk = check_claim(total=41, exposure=7, claimed_rate=5, max_in_a_day=8)
    assert isinstance(chk, ClaimCheck)
    d = json.loads(json.dumps(chk.to_dict(), allow_nan=False))
    assert d["consistent"] is True and d["estimate"]["events"] == 41
    assert chk.verdict in chk.summary() and chk.max_note in chk.summary()
    ax = chk.plot()
    assert any(abs(line.get_ydata()[0] - 5) < 1e-12 for line in ax.lines)


@pytest.mark.parametrize("claimed", [-1, float("nan"), "five", True])
def test_bad_claimed_rate(claimed):
    with pytest.raises(ValueError):
        check_claim(total=41, exposure=7, claimed_rate=claimed)


def test_bad_max_in_a_day():
    with pytest.raises(ValueError):
        check_claim(total=41, exposure=7, claimed_rate=5, max_in_a_day=2.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("values", [None, [0, 0, 0, 0, 3, 0, 0, 0, 0, 0]])
def test_overdispersed_claim_consistency_agrees_with_the_p_value(values):
    # the second series is one burst: few events, where the Poisson limits bind
    s = overdispersed(seed=9, n=21) if values is None else daily(values)
    est = estimate_rate(s)
    assert est.family == "quasipoisson" and est.design_effect > 1
    for claimed in np.linspace(est.ci_low * 0.5, est.ci_high * 1.5, 41):
        chk = check_claim(s, claimed_rate=float(claimed))
        assert chk.consistent == (chk.p_value >= 0.05), claimed


def test_max_in_a_day_may_be_a_whole_float():
    chk = check_claim(total=41, exposure=7, claimed_rate=5, max_in_a_day=8.0)  # type: ignore[arg-type]
    assert chk.max_in_a_day == 8
    assert (
        chk.max_probability
        == check_claim(total=41, exposure=7, claimed_rate=5, max_in_a_day=8).max_probability
    )


def test_max_in_a_day_with_daily_counts_is_compared_with_the_busiest_day():
    s = daily([5, 7, 4, 8, 6, 5, 6])
    chk = check_claim(s, claimed_rate=5, max_in_a_day=8)
    assert chk.observed_max == 8
    assert "busiest day had 8" in chk.max_note
    # less variable than Poisson: the dispersion of 7 days times (t_6 / z)^2, not floored at 1
    x = np.array([5, 7, 4, 8, 6, 5, 6], dtype=float)
    factor = (stats.t.ppf(0.975, 6) / stats.norm.ppf(0.975)) ** 2
    assert chk.estimate.design_effect == pytest.approx(x.var() / x.mean() * factor)


def test_daily_maximum_carries_the_dependence_of_the_daily_data():
    # SIMULATED: 365 days, mean 5, latent AR(1) log-rate (phi 0.8, sd 0.5)
    rng = np.random.default_rng(21)
    z = np.zeros(365)
    for t in range(1, 365):
        z[t] = 0.8 * z[t - 1] + 0.5 * np.sqrt(1 - 0.64) * rng.standard_normal()
    days = pd.date_range("2024-01-01", periods=365, freq="D")
    counts = pd.Series(rng.poisson(5 * np.exp(z - 0.125)), index=days)
    chk = check_claim(counts, claimed_rate=5, max_in_a_day=12, start="2024-06-01", end="2024-06-07")
    assert "latent AR(1) log-rate" in chk.max_note and "Monte Carlo s.e." in chk.max_note
    assert "lag-1 correlation 0.00" not in chk.max_note  # dependence from the whole series
    independent = 1 - stats.poisson.cdf(11, chk.estimate.rate) ** 7
    assert chk.max_probability > independent  # overdispersed days: busy days likelier


def test_a_short_daily_window_that_rejects_says_what_design_effect_would_reverse_it():
    s = daily([9, 11, 8, 12, 10, 9, 11])  # 70 in 7 days against a claimed 5 a day
    chk = check_claim(s, claimed_rate=5)
    assert not chk.consistent
    crit = chk.critical_design_effect
    assert crit is not None and crit > chk.estimate.design_effect
    assert "Serial dependence could not be checked from 7 periods" in chk.verdict
    # at that design effect the default interval just reaches the claim
    low, _ = quasi_jeffreys(chk.estimate.events, 7.0, crit, 0.95)
    assert float(low) == pytest.approx(5.0, rel=1e-5)


def test_a_long_daily_series_gives_no_critical_design_effect():
    s = daily([9, 11, 8, 12, 10, 9, 11] * 6)
    chk = check_claim(s, claimed_rate=5)
    assert not chk.consistent and chk.critical_design_effect is None
    assert "could not be checked" not in chk.verdict


def _ar_window(index, n=28, seed=40):
    """The ``index``-th SIMULATED latent-AR(0.8) window of ``n`` days from ``seed``."""
    from analysis.validation import PROCESSES, simulate_counts

    rng = np.random.default_rng(seed)
    for _ in range(index):
        simulate_counts(PROCESSES["ar0.8"], n, 5.0, rng)
    return simulate_counts(PROCESSES["ar0.8"], n, 5.0, rng).counts


def test_a_window_alone_that_rejects_only_below_its_upper_design_effect_cannot_tell():
    # 28 SIMULATED days of a latent AR(0.8) log-rate at 5 a day: 100 events; the
    # interval under the estimated design effect (1.52) excludes the true 5 a day,
    # but the claim is inside it at 3.22, below the window's upper limit (4.91)
    s = _ar_window(3)
    chk = check_claim(s, claimed_rate=5)
    assert not chk.consistent and chk.decision == "cannot tell"
    assert chk.verdict.startswith("Cannot tell:")
    assert chk.design_effect_upper is not None
    low, high = quasi_jeffreys(chk.estimate.events, 28.0, chk.design_effect_upper, 0.95)
    assert float(low) <= 5.0 <= float(high)  # consistent at the upper limit
    assert "upper 95% confidence limit of the design effect" in chk.verdict
    d = json.loads(json.dumps(chk.to_dict(), allow_nan=False))
    assert d["decision"] == "cannot tell" and d["consistent"] is False


def test_decision_agrees_with_the_interval_at_the_upper_design_effect():
    # the rule, on 30 SIMULATED latent-AR windows of 28 days and claims of 3 to 8 a day:
    # inconsistent exactly when the claim is outside the interval at the upper limit
    for i in range(10):
        s = _ar_window(i, seed=41)
        for claimed in (3.0, 5.0, 8.0):
            chk = check_claim(s, claimed_rate=claimed)
            if chk.consistent:
                assert chk.decision == "consistent" and chk.design_effect_upper is None
                continue
            low, high = quasi_jeffreys(chk.estimate.events, 28.0, chk.design_effect_upper, 0.95)
            outside = not float(low) <= claimed <= float(high)
            assert chk.decision == ("inconsistent" if outside else "cannot tell")


def test_a_window_of_a_longer_series_is_called_without_cannot_tell():
    # the design effect is borrowed from 365 days: the interval decides alone
    from analysis.validation import PROCESSES, simulate_counts

    full = simulate_counts(PROCESSES["ar0.8"], 365, 5.0, np.random.default_rng(9)).counts
    for start in range(0, 330, 30):
        chk = check_claim(
            full, claimed_rate=4.0, start=full.index[start], end=full.index[start + 27]
        )
        assert chk.decision == ("consistent" if chk.consistent else "inconsistent")
        assert chk.design_effect_upper is None


def test_a_clear_rejection_of_a_short_window_stays_inconsistent():
    s = daily([9, 11, 8, 12, 10, 9, 11])  # 70 in 7 days against a claimed 5 a day
    chk = check_claim(s, claimed_rate=5)
    assert chk.decision == "inconsistent" and chk.verdict.startswith("Inconsistent")
    # the design effect 7 days alone cannot rule out: the larger of the dispersion's
    # chi-square limit (6 degrees of freedom) and the design effect plus 70 x 0.3^2 for
    # the window's own level (relative s.d. 0.3), which 7 days cannot show
    dispersion_limit = max(chk.estimate.design_effect, 0.25 * 6 / stats.chi2.ppf(0.05, 6))
    assert chk.design_effect_upper == pytest.approx(
        max(dispersion_limit, chk.estimate.design_effect + 70 * 0.3**2)
    )
    assert chk.design_effect_upper > dispersion_limit  # here the window's level decides
    low, _ = quasi_jeffreys(70, 7.0, chk.design_effect_upper, 0.95)
    assert float(low) > 5.0  # rejected even there
    assert "the most that 7 days of counts alone cannot rule out" in chk.verdict


def test_a_total_alone_keeps_its_sensitivity_table_and_has_no_cannot_tell():
    chk = check_claim(total=25, exposure=7, claimed_rate=6)
    assert chk.decision == "inconsistent" and chk.design_effect_upper is None
    assert chk.level_variation is None


@pytest.mark.slow
def test_claims_on_four_weeks_alone_under_latent_ar_are_rarely_called_false_at_a_price():
    # 300 SIMULATED 28-day windows each. Latent AR(0.8) log-rate, the true 5 a day
    # claimed: measured 0.033 (s.e. 0.009, 400 windows), target <= 0.06. The price,
    # on independent Poisson days: power against a claim of 7.5 a day fell from 0.99
    # (the interval alone) to 0.90 (s.e. 0.015).
    from analysis.validation import PROCESSES, simulate_counts

    sims = 300
    rng = np.random.default_rng(2828)
    false = sum(
        check_claim(
            simulate_counts(PROCESSES["ar0.8"], 28, 5.0, rng).counts, claimed_rate=5
        ).decision
        == "inconsistent"
        for _ in range(sims)
    )
    assert false / sims <= 0.06 + 2 * math.sqrt(0.06 * 0.94 / sims)
    power = sum(
        check_claim(
            simulate_counts(PROCESSES["poisson"], 28, 5.0, rng).counts, claimed_rate=7.5
        ).decision
        == "inconsistent"
        for _ in range(sims)
    )
    assert power / sims >= 0.90 - 3 * math.sqrt(0.9 * 0.1 / sims)


def test_level_variation_zero_keeps_the_dispersion_limit_alone():
    s = daily([9, 11, 8, 12, 10, 9, 11])
    chk = check_claim(s, claimed_rate=5, level_variation=0)
    assert chk.design_effect_upper == pytest.approx(
        max(chk.estimate.design_effect, 0.25 * 6 / stats.chi2.ppf(0.05, 6))
    )
    assert "relative s.d. of 0" in chk.verdict


def test_a_week_alone_whose_level_could_be_off_the_process_rate_cannot_tell():
    # 54 in 7 calm days against a claimed 5 a day (35): the days hardly vary, so the
    # dispersion's upper limit (under 1) rejects the claim, but a week whose level sits
    # 0.3 (relative s.d.) off the process rate would not show it: design effect up to
    # DE + 54 x 0.09, where the claim is inside the interval
    s = daily([7, 8, 7, 9, 8, 7, 8])
    chk = check_claim(s, claimed_rate=5)
    assert not chk.consistent and chk.decision == "cannot tell"
    de = chk.estimate.design_effect
    assert chk.design_effect_upper == pytest.approx(de + 54 * 0.09)
    low, _ = quasi_jeffreys(54, 7.0, chk.design_effect_upper, 0.95)
    assert float(low) < 5.0
    old, _ = quasi_jeffreys(54, 7.0, max(de, 0.25 * 6 / stats.chi2.ppf(0.05, 6)), 0.95)
    assert float(old) > 5.0  # the dispersion limit alone would have called it false
    assert check_claim(s, claimed_rate=5, level_variation=0).decision == "inconsistent"
    assert chk.verdict.startswith("Cannot tell:") and "That is below" in chk.verdict
    assert chk.level_variation == 0.3
    d = json.loads(json.dumps(chk.to_dict(), allow_nan=False))
    assert d["level_variation"] == 0.3 and d["design_effect_upper"] == pytest.approx(de + 4.86)
    # a longer window alone is decided by its latent-AR upper limit: the option is ignored
    long = daily([7, 8, 7, 9, 8, 7, 8] * 3)
    assert (
        check_claim(long, claimed_rate=5).design_effect_upper
        == check_claim(long, claimed_rate=5, level_variation=0).design_effect_upper
    )


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf, "0.3", True, None])
def test_level_variation_must_be_a_number_of_at_least_zero(bad):
    with pytest.raises(ValueError, match="level_variation"):
        check_claim(daily([5, 6, 4, 5, 7, 5, 4]), claimed_rate=5, level_variation=bad)


@pytest.mark.slow
def test_claims_on_a_week_alone_under_persistent_rates_are_rarely_called_false():
    # 300 SIMULATED 7-day windows each, the true 5 a day claimed, target <= 0.06.
    # Validation-study cells (400 windows): 0.018 (s.e. 0.007) under latent AR(0.8) with
    # a weekly cycle, 0.022 (0.007) with NB noise (0.087 and 0.033 with the dispersion
    # limit alone). Every "inconsistent" of the rule is one of the dispersion limit's.
    # Power against twice the true rate on independent Poisson weeks: 0.64 (s.e. 0.024).
    from analysis.validation import PROCESSES, simulate_counts

    sims = 300
    rng = np.random.default_rng(707)
    bound = 0.06 + 2 * math.sqrt(0.06 * 0.94 / sims)
    for process in ("ar0.8+weekly", "nb5+ar0.8"):
        new = old = 0
        for _ in range(sims):
            counts = simulate_counts(PROCESSES[process], 7, 5.0, rng).counts
            a = check_claim(counts, claimed_rate=5).decision == "inconsistent"
            b = check_claim(counts, claimed_rate=5, level_variation=0).decision == "inconsistent"
            assert b or not a
            new, old = new + a, old + b
        assert new / sims <= bound
        assert new < old
    power = sum(
        check_claim(
            simulate_counts(PROCESSES["poisson"], 7, 5.0, rng).counts, claimed_rate=10
        ).decision
        == "inconsistent"
        for _ in range(sims)
    )
    assert power / sims >= 0.64 - 3 * math.sqrt(0.64 * 0.36 / sims)
