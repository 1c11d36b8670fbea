"""check_published_claim: the seed quote against every curated source (units named)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import analysis as it


@pytest.fixture(scope="module")
def figures():
    return it.load_reported_figures()


@pytest.fixture(scope="module")
def daily():
    return it.load_iri_claims_daily()


def test_the_seed_quote_against_the_weekly_total(figures):
    ev = it.check_published_claim(figures, implied=False)
    assert ev.claim["claimed_rate"] == 5 and ev.claim["claimed_max"] == 8
    assert ev.claim["unit"] == "launch"
    week = ev.table[ev.table["evidence"] == "2024-10-29..2024-11-04 (Washington Institute)"].iloc[0]
    assert week["unit"] == "claim" and week["observed"] == 41 and week["days"] == 7
    low, high = stats.chi2.ppf([0.025, 0.975], [82, 84]) / 2 / 7
    assert (week["ci_low"], week["ci_high"]) == pytest.approx((low, high))
    assert week["rate_verdict"] == "consistent"
    # P(some day >= 8 in 7 days) at 41/7 a day, independent Poisson days: closed form
    p = 1 - stats.poisson.cdf(7, 41 / 7) ** 7
    assert f"{p:.2f}" in week["max_verdict"]
    # a lower bound never gets an upper limit and is never called inconsistent from above
    bounds = ev.table[ev.table["qualifier"] == "at_least"]
    assert np.isinf(bounds["ci_high"]).all()
    assert "41 claims in 7 days" in ev.summary() and "launches per day" in ev.summary()


def test_day_level_lower_bound_by_hand(figures, daily):
    ev = it.check_published_claim(figures, daily, implied=False)
    row = ev.table[ev.table["evidence"].str.startswith("day-level")].iloc[0]
    a, b = pd.Timestamp("2024-10-21"), pd.Timestamp("2024-11-03")
    sub = daily[(daily["date"] >= a) & (daily["date"] <= b) & (daily["unit"] == "claim")]
    per_day = sub.groupby("date")["value"].max()
    assert row["observed"] == per_day.sum() and row["days"] == 14
    assert row["ci_low"] == pytest.approx(stats.chi2.ppf(0.05, 2 * per_day.sum()) / 2 / 14)
    assert row["largest_day"] == sub.loc[sub["qualifier"] == "exact", "value"].max()
    assert "cannot refute" in row["max_verdict"]


def test_alert_counts_overlap_or_say_they_do_not(figures):
    idx = pd.date_range("2024-10-01", "2024-10-12", tz="Asia/Jerusalem")
    before = pd.Series(3, index=idx, name="drone incidents")  # SIMULATED, ends before the claim
    ev = it.check_published_claim(figures, alert_counts=before, implied=False)
    last = ev.table.iloc[-1]
    assert last["unit"] == "alert incident" and "no overlap" in last["rate_verdict"]
    rng = np.random.default_rng(5)
    idx2 = pd.date_range("2024-09-01", "2024-11-10", tz="Asia/Jerusalem")
    overlapping = pd.Series(rng.poisson(5, len(idx2)), index=idx2, name="drone incidents")
    ev2 = it.check_published_claim(figures, alert_counts=overlapping, implied=False)
    row = ev2.table.iloc[-1]
    assert row["days"] == 14 and row["unit"] == "alert incident"
    assert row["ci_low"] < row["rate"] < row["ci_high"]


def test_design_effect_widens_and_the_critical_value_turns_the_verdict(figures):
    plain = it.check_published_claim(figures, implied=False)
    bad = plain.table[plain.table["rate_verdict"] == "inconsistent"]
    assert len(bad) >= 1
    crit = float(bad["critical_design_effect"].iloc[0])
    assert 1 < crit < math.inf
    wider = it.check_published_claim(figures, implied=False, design_effect=crit * 1.01)
    same = wider.table.set_index("evidence").loc[bad["evidence"].iloc[0]]
    assert same["rate_verdict"] == "consistent"
    narrower = it.check_published_claim(figures, implied=False, design_effect=crit * 0.99)
    assert narrower.table.set_index("evidence").loc[bad["evidence"].iloc[0], "rate_verdict"] == (
        "inconsistent"
    )


@pytest.mark.slow
def test_implied_rate_row(figures):
    ev = it.check_published_claim(figures)
    row = ev.table[ev.table["qualifier"] == "model"].iloc[0]
    assert row["unit"] == "claim" and row["ci_low"] < row["rate"] < row["ci_high"]
    assert ev.implied is not None and ev.implied.consistent == (row["rate_verdict"] == "consistent")


def test_errors_name_the_parameter(figures):
    with pytest.raises(ValueError, match="rate_figure"):
        it.check_published_claim(figures, rate_figure="no-such-figure", implied=False)
    with pytest.raises(ValueError, match="rate_figure"):
        it.check_published_claim(figures, rate_figure="iri-claims-2024-09", implied=False)
    with pytest.raises(ValueError, match="max_figure"):
        it.check_published_claim(
            figures, max_figure="jns-iri-drone-rate-recent-weeks", implied=False
        )
    with pytest.raises(TypeError, match="figures"):
        it.check_published_claim([1], implied=False)  # type: ignore[arg-type]


def test_check_for_gives_the_claim_check_of_an_exact_total(figures):
    ev = it.check_published_claim(figures, implied=False)
    week = ev.check_for("iri-claims-2024-10-29-to-2024-11-04")
    direct = it.check_claim(total=41, exposure=7, claimed_rate=5, max_in_a_day=8)
    assert week.consistent == direct.consistent and week.p_value == pytest.approx(direct.p_value)
    assert week.sensitivity["consistent"].all()
    with pytest.raises(KeyError, match="exact total"):
        ev.check_for("iri-claims-2024-10-partial")  # a lower bound: no check_claim
