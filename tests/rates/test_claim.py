"""Tests of analysis.rates._claim (check_claim). All data are simulated or hand-made."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from analysis.rates import (
    ClaimCheck,
    check_claim,
    estimate_rate,
)
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


def test_claim_on_overdispersed_counts_uses_negbin_and_says_so():
    chk = check_claim(overdispersed(), claimed_rate=5)
    assert chk.estimate.family == "negbin"
    assert "overdispersed" in chk.verdict
    assert chk.consistent == (chk.p_value >= 0.05)


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
def test_negbin_claim_consistency_agrees_with_the_p_value(values):
    # the second series is one burst: few events, where the Poisson limits bind
    s = overdispersed(seed=9, n=21) if values is None else daily(values)
    est = estimate_rate(s)
    assert est.family == "negbin"
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
    assert chk.estimate.family == "poisson"
